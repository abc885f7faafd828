package io.gnetj;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@link EventHandler#onBoot} returns before the first connection or datagram is served, in every
 * mode: the main reactor's acceptor, {@code reusePort} (each loop accepts by itself), and UDP
 * (each loop reads its own socket).
 */
class BootOrderTest {

    /** How long a client waits, connected, while onBoot still blocks: the loops would serve it within this. */
    private static final long SERVE_WINDOW_MILLIS = 300;

    /** Records what was served and whether onBoot had returned by then. */
    private static final class BlockingBoot implements EventHandler {
        final CompletableFuture<List<SocketAddress>> booting = new CompletableFuture<>();
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger servedBeforeBoot = new AtomicInteger();
        final AtomicInteger served = new AtomicInteger();
        final AtomicReference<String> servedOn = new AtomicReference<>();
        volatile boolean booted;

        @Override
        public Action onBoot(Engine engine) {
            booting.complete(engine.addresses());
            try {
                if (!release.await(TestServers.WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new AssertionError("the test never released onBoot");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                booted = true;
            }
            return Action.NONE;
        }

        @Override
        public Action onOpen(Conn conn) {
            served(conn);
            return Action.NONE;
        }

        @Override
        public Action onTraffic(Conn conn) {
            served(conn);
            conn.write(conn.next(-1));
            return Action.NONE;
        }

        private void served(Conn conn) {
            if (!booted) {
                servedBeforeBoot.incrementAndGet();
            }
            servedOn.set(Thread.currentThread().getName());
            served.incrementAndGet();
        }
    }

    /** Starts the engine on another thread (start blocks in onBoot) and returns its future. */
    private static CompletableFuture<Engine> startAsync(BlockingBoot handler, String address, Options options) {
        CompletableFuture<Engine> started = new CompletableFuture<>();
        Thread starter = new Thread(() -> {
            try {
                started.complete(Gnet.start(handler, address, options));
            } catch (Throwable t) {
                started.completeExceptionally(t);
                handler.booting.completeExceptionally(t);
            }
        }, "boot-order-starter");
        starter.start();
        return started;
    }

    @Test
    void defaultModeAcceptsNothingBeforeOnBootReturns() throws Exception {
        tcpWaitsForBoot(Options.builder().numEventLoops(2).build());
    }

    @Test
    void reusePortModeAcceptsNothingBeforeOnBootReturns() throws Exception {
        tcpWaitsForBoot(Options.builder().numEventLoops(2).reusePort(true).build());
    }

    private static void tcpWaitsForBoot(Options options) throws Exception {
        BlockingBoot handler = new BlockingBoot();
        CompletableFuture<Engine> started = startAsync(handler, "tcp://127.0.0.1:0", options);
        SocketAddress address = handler.booting.get(TestServers.WAIT.toMillis(), TimeUnit.MILLISECONDS).get(0);
        Engine engine = null;
        try (Socket client = TestServers.connect(address)) {
            OutputStream out = client.getOutputStream();
            out.write("ping".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // Connected (the kernel completed the handshake from the backlog): a loop already
            // selecting for OP_ACCEPT would open the connection within this window.
            Thread.sleep(SERVE_WINDOW_MILLIS);
            assertThat(handler.served.get()).as("callbacks while onBoot blocks").isZero();
            handler.release.countDown();
            engine = started.get(TestServers.WAIT.toMillis(), TimeUnit.MILLISECONDS);
            byte[] echo = client.getInputStream().readNBytes(4);
            assertThat(new String(echo, StandardCharsets.US_ASCII)).isEqualTo("ping");
            assertThat(handler.servedBeforeBoot.get()).as("callbacks before onBoot returned").isZero();
            assertThat(handler.servedOn.get()).as("served on an event loop").startsWith("gnetj-loop-");
        } finally {
            handler.release.countDown();
            if (engine == null) {
                engine = started.get(TestServers.WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
            engine.stop();
        }
    }

    @Test
    void udpReadsNothingBeforeOnBootReturns() throws Exception {
        BlockingBoot handler = new BlockingBoot();
        CompletableFuture<Engine> started = startAsync(handler, "udp://127.0.0.1:0",
                Options.builder().numEventLoops(2).build());
        InetSocketAddress address = (InetSocketAddress) handler.booting.get(TestServers.WAIT.toMillis(),
                TimeUnit.MILLISECONDS).get(0);
        Engine engine = null;
        try (DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            client.setSoTimeout((int) TestServers.WAIT.toMillis());
            byte[] ping = "ping".getBytes(StandardCharsets.US_ASCII);
            client.send(new DatagramPacket(ping, ping.length, address));
            Thread.sleep(SERVE_WINDOW_MILLIS);
            assertThat(handler.served.get()).as("datagrams served while onBoot blocks").isZero();
            handler.release.countDown();
            engine = started.get(TestServers.WAIT.toMillis(), TimeUnit.MILLISECONDS);
            // The datagram waited in the socket's receive buffer: it is served, late, not lost.
            DatagramPacket reply = new DatagramPacket(new byte[16], 16);
            client.receive(reply);
            assertThat(new String(reply.getData(), 0, reply.getLength(), StandardCharsets.US_ASCII)).isEqualTo("ping");
            assertThat(handler.servedBeforeBoot.get()).as("datagrams served before onBoot returned").isZero();
        } finally {
            handler.release.countDown();
            if (engine == null) {
                engine = started.get(TestServers.WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
            engine.stop();
        }
    }
}
