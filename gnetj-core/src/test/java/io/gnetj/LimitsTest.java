package io.gnetj;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.buffer.BufferPool;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Each per-connection and per-engine limit, enforced with its own exception.
 *
 * <p>Not tested here: the accept back-off on "too many open files", which needs the process's
 * file-descriptor limit lowered (covered by a separate ulimit-based test).
 */
class LimitsTest {

    private static int port(Conn conn) {
        return ((InetSocketAddress) conn.remoteAddress()).getPort();
    }

    /** Records each connection's close cause (by client port) and open time. */
    private static class Recording implements EventHandler {
        final Map<Integer, Throwable> causes = new ConcurrentHashMap<>();
        final Map<Integer, Long> openedAt = new ConcurrentHashMap<>();
        final Map<Integer, Long> closedAt = new ConcurrentHashMap<>();
        final AtomicReference<Conn> last = new AtomicReference<>();

        @Override
        public Action onOpen(Conn conn) {
            openedAt.put(port(conn), System.nanoTime());
            last.set(conn);
            return Action.NONE;
        }

        @Override
        public Action onClose(Conn conn, Throwable cause) {
            closedAt.put(port(conn), System.nanoTime());
            if (cause != null) {
                causes.put(port(conn), cause);
            }
            return Action.NONE;
        }
    }

    /** Reads until EOF or a reset: the server closed (a reset is fine when it closed with unread bytes). */
    private static void assertClosedByServer(Socket socket) {
        try {
            InputStream in = socket.getInputStream();
            byte[] sink = new byte[8192];
            while (in.read(sink) >= 0) {
                // drain
            }
        } catch (IOException reset) {
            // "Connection reset": also a close
        }
    }

    @Test
    void inboundCapClosesAConnectionThatBuffersMoreThanMaxInboundBuffered() throws Exception {
        BufferPool pool = BufferPool.create();
        AtomicInteger maxBuffered = new AtomicInteger();
        Recording handler = new Recording() {
            @Override
            public Action onTraffic(Conn conn) {
                // Consumes nothing: everything stays buffered.
                maxBuffered.accumulateAndGet(conn.inboundBuffered(), Math::max);
                return Action.NONE;
            }
        };
        int cap = 4096;
        Engine engine = TestServers.start(handler, Options.builder().numEventLoops(1).maxInboundBuffered(cap)
                .bufferPool(pool).build());
        try (Socket socket = TestServers.connect(engine)) {
            int port = socket.getLocalPort();
            TestServers.write(socket, new byte[4000]);
            TestServers.await("server buffered 4000 bytes", () -> maxBuffered.get() == 4000);
            assertThat(handler.closedAt).as("closed under the cap").doesNotContainKey(port);

            TestServers.write(socket, new byte[1000]);
            TestServers.await("connection closed", () -> handler.closedAt.containsKey(port));
            assertThat(handler.causes.get(port)).isInstanceOf(InboundLimitException.class);
            assertThat(maxBuffered.get()).as("most bytes the handler ever saw buffered").isLessThanOrEqualTo(cap);
            assertClosedByServer(socket);
        } finally {
            engine.stop();
        }
        assertThat(pool.inUseBytes()).as("pooled bytes still lent out after stop").isZero();
    }

    /** What a callback saw, on the loop thread. */
    private record WriteOutcome(Throwable error, int queued, int remaining) {
    }

    @Test
    void asyncWritePastMaxOutboundBufferedFailsItsCallbackAndClosesTheConnectionWithoutAHole() throws Exception {
        BufferPool pool = BufferPool.create();
        Recording handler = new Recording();
        int cap = 256 * 1024;
        Engine engine = TestServers.start(handler, Options.builder().numEventLoops(1)
                .maxOutboundBuffered(cap).writeBufferWaterMarks(32 * 1024, 128 * 1024)
                .socketSendBuffer(16 * 1024).bufferPool(pool).build());
        int chunk = 48 * 1024;
        try (Socket socket = TestServers.connectSmallBuffers(engine, 16 * 1024)) {
            TestServers.await("connection opened", () -> handler.last.get() != null);
            Conn conn = handler.last.get();
            int port = port(conn);
            BackpressureTest.PatternWriter pattern = new BackpressureTest.PatternWriter();
            BlockingQueue<WriteOutcome> outcomes = new ArrayBlockingQueue<>(1);
            int accepted = 0;
            WriteOutcome refused = null;
            // The client reads nothing, so the queue must reach the cap within a bounded number of
            // writes (kernel buffers were made small; 400 chunks is ~19 MiB).
            for (int i = 0; i < 400 && refused == null; i++) {
                byte[] bytes = new byte[chunk];
                pattern.fill(bytes, chunk);
                ByteBuffer src = ByteBuffer.wrap(bytes);
                conn.asyncWrite(src, (c, error) -> outcomes.add(new WriteOutcome(error, 0, src.remaining())));
                WriteOutcome outcome = outcomes.poll(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(outcome).as("callback of write %d", i).isNotNull();
                if (outcome.error() == null) {
                    accepted++;
                } else {
                    refused = outcome;
                }
            }
            assertThat(refused).as("a write was refused").isNotNull();
            assertThat(refused.error()).isInstanceOf(OutboundLimitException.class);
            assertThat(refused.remaining()).as("the caller's buffer is never moved").isEqualTo(chunk);
            TestServers.await("onClose ran", () -> handler.closedAt.containsKey(port));
            assertThat(handler.causes.get(port)).as("the cause onClose received").isSameAs(refused.error());
            assertThat(conn.isOpen()).as("a refused write closes the connection: no hole in the stream").isFalse();

            // The client gets a prefix of the accepted chunks, then the end: never a byte after a hole.
            long received = StreamIntegrityTest.readPrefix(socket.getInputStream());
            assertThat(received).isLessThanOrEqualTo((long) accepted * chunk);
        } finally {
            engine.stop();
        }
        assertThat(pool.inUseBytes()).as("pooled bytes still lent out after stop").isZero();
    }

    @Test
    void writePastMaxOutboundBufferedInAHandlerThrowsAndClosesTheConnection() throws Exception {
        BufferPool pool = BufferPool.create();
        int cap = 64 * 1024;
        Recording handler = new Recording() {
            @Override
            public Action onTraffic(Conn conn) {
                conn.discard(-1);
                conn.write(new byte[cap + 1]);
                return Action.NONE;
            }
        };
        Engine engine = TestServers.start(handler, Options.builder().numEventLoops(1)
                .maxOutboundBuffered(cap).writeBufferWaterMarks(1024, 32 * 1024).bufferPool(pool).build());
        try (Socket socket = TestServers.connect(engine)) {
            int port = socket.getLocalPort();
            TestServers.write(socket, new byte[] {1});
            TestServers.await("connection closed", () -> handler.closedAt.containsKey(port));
            assertThat(handler.causes.get(port)).isInstanceOf(OutboundLimitException.class);
            assertThat(TestServers.readToEof(socket.getInputStream(), 0)).as("nothing of the refused write sent").isEmpty();
        } finally {
            engine.stop();
        }
        assertThat(pool.inUseBytes()).as("pooled bytes still lent out after stop").isZero();
    }

    @Test
    void idleTimeoutClosesAnIdleConnectionWhileATalkingOneSurvives() throws Exception {
        BufferPool pool = BufferPool.create();
        Recording handler = new Recording() {
            @Override
            public Action onTraffic(Conn conn) {
                conn.write(conn.next(-1));
                return Action.NONE;
            }
        };
        Duration idle = Duration.ofMillis(300);
        Engine engine = TestServers.start(handler, Options.builder().numEventLoops(1).idleTimeout(idle)
                .bufferPool(pool).build());
        try (Socket quiet = TestServers.connect(engine);
             Socket talker = TestServers.connect(engine)) {
            int quietPort = quiet.getLocalPort();
            int talkerPort = talker.getLocalPort();
            TestServers.await("both opened", () -> handler.openedAt.size() == 2);
            long start = System.nanoTime();
            // Ping-pong without pause for three timeouts: never idle, never closed.
            byte[] ping = {42};
            while (System.nanoTime() - start < 3 * idle.toNanos()) {
                TestServers.write(talker, ping);
                assertThat(TestServers.readExactly(talker.getInputStream(), 1)).isEqualTo(ping);
            }
            TestServers.await("idle connection closed", () -> handler.closedAt.containsKey(quietPort));
            assertThat(handler.causes.get(quietPort)).isInstanceOf(IdleTimeoutException.class);
            assertThat(Duration.ofNanos(handler.closedAt.get(quietPort) - handler.openedAt.get(quietPort)))
                    .as("idle time before the close").isGreaterThanOrEqualTo(idle);
            assertThat(quiet.getInputStream().read()).as("the idle client sees EOF").isEqualTo(-1);

            assertThat(handler.closedAt).as("the talking connection was closed").doesNotContainKey(talkerPort);
            TestServers.write(talker, ping);
            assertThat(TestServers.readExactly(talker.getInputStream(), 1)).isEqualTo(ping);
        } finally {
            engine.stop();
        }
        assertThat(pool.inUseBytes()).as("pooled bytes still lent out after stop").isZero();
    }

    @Test
    void connectionPastMaxConnectionsIsAcceptedAndClosedAtOnce() throws Exception {
        AtomicInteger opens = new AtomicInteger();
        AtomicInteger maxCount = new AtomicInteger();
        AtomicReference<Engine> self = new AtomicReference<>();
        EventHandler handler = new EventHandler() {
            @Override
            public Action onBoot(Engine engine) {
                self.set(engine);
                return Action.NONE;
            }

            @Override
            public Action onOpen(Conn conn) {
                opens.incrementAndGet();
                maxCount.accumulateAndGet(self.get().countConnections(), Math::max);
                return Action.NONE;
            }

            @Override
            public Action onTraffic(Conn conn) {
                conn.write(conn.next(-1));
                return Action.NONE;
            }
        };
        int max = 4;
        Engine engine = TestServers.start(handler, Options.builder().numEventLoops(2).maxConnections(max).build());
        List<Socket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < max; i++) {
                clients.add(TestServers.connect(engine));
            }
            TestServers.await(max + " connections opened", () -> opens.get() == max);
            try (Socket extra = TestServers.connect(engine)) {
                assertThat(extra.getInputStream().read()).as("the connection past the limit sees EOF").isEqualTo(-1);
            }
            assertThat(opens.get()).as("onOpen calls").isEqualTo(max);
            assertThat(engine.countConnections()).isEqualTo(max);

            // Room again once one closes.
            clients.remove(0).close();
            TestServers.await("a connection closed", () -> engine.countConnections() == max - 1);
            try (Socket again = TestServers.connect(engine)) {
                TestServers.write(again, new byte[] {7});
                assertThat(TestServers.readExactly(again.getInputStream(), 1)).containsExactly(7);
            }
            assertThat(maxCount.get()).as("most connections ever counted").isLessThanOrEqualTo(max);
        } finally {
            engine.stop();
            for (Socket c : clients) {
                c.close();
            }
        }
    }
}
