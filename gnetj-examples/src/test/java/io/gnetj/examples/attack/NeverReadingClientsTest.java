package io.gnetj.examples.attack;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.buffer.BufferPool;
import io.gnetj.examples.RunningServer;
import io.gnetj.examples.ServerExample;
import io.gnetj.examples.http.HttpExample;
import io.gnetj.examples.redis.RedisExample;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;

/**
 * Clients that pipeline requests and never read the answers. The server must stop reading from
 * them once their unsent answers pass the high-water mark (64 KiB by default, as Netty's), so its
 * memory stays bounded by about that much per client, and must keep serving everyone else: 50
 * such clients add at most 32 MiB of pooled memory.
 */
class NeverReadingClientsTest {

    private static final int CLIENTS = 50;
    /**
     * Per never-reading client: the 64 KiB high-water mark, plus the answers to one 64 KiB read
     * of pipelined requests past it, plus that read's unconsumed tail: 50 clients, 32 MiB.
     */
    private static final long BOUND_PER_CLIENT = 640L << 10;
    /**
     * A normal client's slowest request while the attack runs. Typical is tens of ms; on a loaded
     * 2-core machine a GC or JIT pause during the attack's ramp-up reached 450-550 ms, so the bound
     * sits well above that: it tells a server that keeps serving from one stuck behind the
     * attackers (which takes the read timeout, seconds), not a fast one from a slightly slower one.
     */
    private static final double MAX_LATENCY_MS = 2000;

    @Test
    void httpClientsThatNeverReadArePausedAndMemoryStaysBounded() throws Exception {
        attack(new HttpExample(), Attack.GET_PLAINTEXT, port -> {
            try (Socket s = Attack.connect(port)) {
                return Attack.getPlaintext(s);
            }
        }, null);
    }

    @Test
    void redisClientsThatNeverReadArePausedAndMemoryStaysBounded() throws Exception {
        // GET of a 16 KiB value: every 14-byte request asks for 16 KiB, an amplification of 1000x.
        byte[] value = new byte[16 * 1024];
        java.util.Arrays.fill(value, (byte) 'v');
        byte[] set = concat(Attack.ascii("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$" + value.length + "\r\n"), value,
                Attack.ascii("\r\n"));
        attack(new RedisExample(), Attack.ascii("GET big\r\n"), port -> {
            try (Socket s = Attack.connect(port)) {
                long start = System.nanoTime();
                s.getOutputStream().write(Attack.ascii("PING\r\n"));
                byte[] pong = s.getInputStream().readNBytes(7);
                assertThat(new String(pong, java.nio.charset.StandardCharsets.ISO_8859_1)).isEqualTo("+PONG\r\n");
                return System.nanoTime() - start;
            }
        }, set);
    }

    interface Probe {
        long requestNanos(int port) throws Exception;
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static void attack(ServerExample example, byte[] request, Probe probe, byte[] setup) throws Exception {
        BufferPool pool = BufferPool.create();
        try (RunningServer server = RunningServer.start(example, b -> b.bufferPool(pool));
             Attack.EngineLog log = new Attack.EngineLog()) {
            int port = server.port();
            if (setup != null) {
                try (Socket s = Attack.connect(port)) {
                    s.getOutputStream().write(setup);
                    assertThat(s.getInputStream().readNBytes(5)).isEqualTo(Attack.ascii("+OK\r\n"));
                }
                Attack.await("the setup connection closed", Attack.WAIT, () -> server.engine().countConnections() == 0);
            }
            byte[] batch = new byte[64 * 1024 / request.length * request.length];
            for (int i = 0; i < batch.length; i += request.length) {
                System.arraycopy(request, 0, batch, i, request.length);
            }
            // The attackers: non-blocking, small receive buffers, write until the server stops taking.
            List<SocketChannel> attackers = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                SocketChannel ch = SocketChannel.open();
                ch.setOption(StandardSocketOptions.SO_RCVBUF, 16 * 1024);
                ch.setOption(StandardSocketOptions.SO_SNDBUF, 16 * 1024);
                ch.setOption(StandardSocketOptions.SO_LINGER, 0);
                ch.connect(new InetSocketAddress("127.0.0.1", port));
                ch.configureBlocking(false);
                attackers.add(ch);
            }
            long[] sent = new long[CLIENTS];
            long peakInUse = 0;
            long lastProgress = System.nanoTime();
            long start = lastProgress;
            Attack.Latencies latencies = new Attack.Latencies();
            // Until no attacker could write anything for a second: the server has stopped reading all of them.
            while (System.nanoTime() - lastProgress < TimeUnit.SECONDS.toNanos(1)) {
                assertThat(System.nanoTime() - start).as("attack still making progress after 30 s")
                        .isLessThan(TimeUnit.SECONDS.toNanos(30));
                for (int i = 0; i < CLIENTS; i++) {
                    ByteBuffer b = ByteBuffer.wrap(batch, (int) (sent[i] % batch.length), batch.length - (int) (sent[i] % batch.length));
                    int n = attackers.get(i).write(b);
                    if (n > 0) {
                        sent[i] += n;
                        lastProgress = System.nanoTime();
                    }
                }
                peakInUse = Math.max(peakInUse, pool.inUseBytes());
                latencies.add(probe.requestNanos(port));
            }
            for (int i = 0; i < 20; i++) {
                peakInUse = Math.max(peakInUse, pool.inUseBytes());
                latencies.add(probe.requestNanos(port));
            }
            long total = 0;
            for (long s : sent) {
                total += s;
            }
            // The probes' connections close asynchronously: wait for them, then count the attackers.
            Attack.await("only the attackers connected (paused, not dropped)", Attack.WAIT,
                    () -> server.engine().countConnections() == CLIENTS);
            assertThat(peakInUse).as("peak pooled bytes in use with %d never-reading clients", CLIENTS)
                    .isLessThan(CLIENTS * BOUND_PER_CLIENT);
            assertThat(latencies.maxMillis()).as("a normal client's slowest request (ms)").isLessThan(MAX_LATENCY_MS);
            System.out.printf("%s: %d never-reading clients paused after sending %d KiB each on average;"
                            + " peak pooled memory %d MiB (bound %d MiB); a normal client meanwhile: %s%n",
                    example.name(), CLIENTS, total / CLIENTS >> 10, peakInUse >> 20, CLIENTS * BOUND_PER_CLIENT >> 20,
                    latencies);
            for (SocketChannel ch : attackers) {
                ch.close(); // RST: unread answers
            }
            Attack.await("attackers' connections closed", Attack.WAIT, () -> server.engine().countConnections() == 0);
            Attack.await("their buffers returned", Attack.WAIT, () -> pool.inUseBytes() == 0);
            assertThat(log.unexpected()).as("engine warnings naming a bug").isEmpty();
        }
        assertThat(pool.inUseBytes()).as("pooled bytes lent out after stop").isZero();
    }
}
