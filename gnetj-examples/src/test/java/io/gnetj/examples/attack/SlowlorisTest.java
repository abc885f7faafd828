package io.gnetj.examples.attack;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.buffer.BufferPool;
import io.gnetj.examples.RunningServer;
import io.gnetj.examples.http.HttpExample;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Slowloris against the http example: 200 connections trickle a request head one byte every
 * 100 ms (so the engine's idle timeout never fires) and 50 more send half a head and then nothing.
 * The header timeout answers the first with 408 and closes them, the idle timeout closes the
 * second, and meanwhile a normal client is served within a stated latency.
 */
class SlowlorisTest {

    private static final int TRICKLERS = 200;
    private static final int STALLERS = 50;
    private static final long HEADER_TIMEOUT_MS = 1_500;
    private static final long IDLE_TIMEOUT_MS = 2_000;
    private static final long BYTE_INTERVAL_MS = 100;
    /** The normal client's worst request while under attack (a shared 2-core machine: generous). */
    private static final double MAX_LATENCY_MS = 500;

    @Test
    void slowHeadsAreCutOffWhileANormalClientIsServed() throws Exception {
        BufferPool pool = BufferPool.create();
        try (RunningServer server = RunningServer.start(new HttpExample(), b -> b.bufferPool(pool),
                "header-timeout-ms", Long.toString(HEADER_TIMEOUT_MS), "idle-timeout-ms", Long.toString(IDLE_TIMEOUT_MS));
             Attack.EngineLog log = new Attack.EngineLog()) {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", server.port());
            byte[] head = Attack.ascii("GET /plaintext HTTP/1.1\r\nHost: a\r\nX-Slow: " + "s".repeat(200));

            List<SocketChannel> tricklers = new ArrayList<>();
            List<SocketChannel> stallers = new ArrayList<>();
            for (int i = 0; i < TRICKLERS + STALLERS; i++) {
                SocketChannel ch = SocketChannel.open(address);
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.SO_LINGER, 0); // closed by RST: no TIME_WAIT left
                (i < TRICKLERS ? tricklers : stallers).add(ch);
            }
            Attack.await("every attacker accepted", Attack.WAIT,
                    () -> server.engine().countConnections() == TRICKLERS + STALLERS);
            for (SocketChannel ch : stallers) {
                ch.write(ByteBuffer.wrap(head, 0, 20)); // half a request line, then silence
            }

            // The normal client: one request after another on a kept-alive connection.
            AtomicBoolean attacking = new AtomicBoolean(true);
            Attack.Latencies latencies = new Attack.Latencies();
            AtomicReference<Throwable> clientFailure = new AtomicReference<>();
            Thread normal = new Thread(() -> {
                try (Socket s = Attack.connect(server.port())) {
                    while (attacking.get()) {
                        latencies.add(Attack.getPlaintext(s));
                        TimeUnit.MILLISECONDS.sleep(5); // pacing, not synchronisation
                    }
                } catch (Throwable e) {
                    clientFailure.set(e);
                }
            }, "normal-client");
            normal.start();

            // Trickle: one byte to every trickler each interval, until the server has closed them.
            long start = System.nanoTime();
            long[] closedAfterNanos = new long[TRICKLERS];
            String[] answers = new String[TRICKLERS];
            int open = TRICKLERS;
            int sent = 0;
            ByteBuffer in = ByteBuffer.allocate(1024);
            long bound = TimeUnit.SECONDS.toNanos(15);
            while (open > 0 && System.nanoTime() - start < bound && sent < head.length) {
                for (int i = 0; i < TRICKLERS; i++) {
                    SocketChannel ch = tricklers.get(i);
                    if (answers[i] != null) {
                        continue;
                    }
                    in.clear();
                    int r;
                    try {
                        r = ch.read(in);
                        if (r == 0) {
                            ch.write(ByteBuffer.wrap(head, sent, 1));
                            continue;
                        }
                    } catch (java.io.IOException reset) {
                        r = -1;
                    }
                    answers[i] = r > 0 ? new String(in.array(), 0, in.position(), StandardCharsets.ISO_8859_1) : "";
                    closedAfterNanos[i] = System.nanoTime() - start;
                    open--;
                }
                sent++;
                TimeUnit.MILLISECONDS.sleep(BYTE_INTERVAL_MS); // the attack's pace
            }
            attacking.set(false);
            normal.join(Attack.WAIT.toMillis());

            assertThat(open).as("tricklers still open after %d bytes each", sent).isZero();
            long slowest = 0;
            for (int i = 0; i < TRICKLERS; i++) {
                assertThat(answers[i]).as("trickler %d's answer", i).startsWith("HTTP/1.1 408 Request Timeout\r\n");
                slowest = Math.max(slowest, closedAfterNanos[i]);
            }
            // The clock starts at the first byte; the attacker notices the 408 one interval later.
            assertThat(TimeUnit.NANOSECONDS.toMillis(slowest)).as("ms until the last trickler was cut off")
                    .isLessThan(HEADER_TIMEOUT_MS + 4 * BYTE_INTERVAL_MS + 1_000);

            Attack.await("stalled heads closed by the idle timeout", Duration.ofMillis(IDLE_TIMEOUT_MS * 3),
                    () -> server.engine().countConnections() == 0);
            long stalledClosedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            for (SocketChannel ch : stallers) {
                ch.configureBlocking(true);
                assertThat(Attack.readUntilClosed(ch.socket().getInputStream())).as("a staller's answer").isEmpty();
            }

            assertThat(clientFailure.get()).as("normal client failure").isNull();
            assertThat(latencies.count()).as("normal requests served during the attack").isGreaterThan(50);
            assertThat(latencies.maxMillis()).as("normal client's slowest request (ms)").isLessThan(MAX_LATENCY_MS);
            assertThat(log.unexpected()).as("engine warnings naming a bug").isEmpty();
            System.out.printf("slowloris: %d tricklers (1 byte/%d ms) all got 408, the last %d ms after its first byte;"
                            + " %d stalled heads closed by the idle timeout within %d ms; normal client %s%n",
                    TRICKLERS, BYTE_INTERVAL_MS, TimeUnit.NANOSECONDS.toMillis(slowest), STALLERS, stalledClosedMillis,
                    latencies);
            for (SocketChannel ch : tricklers) {
                ch.close();
            }
            for (SocketChannel ch : stallers) {
                ch.close();
            }
        }
        assertThat(pool.inUseBytes()).as("pooled bytes lent out after stop").isZero();
    }
}
