package io.gnetj;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Idle timeouts per direction with {@link EventHandler#onIdle}, and half-close
 * ({@link Options#halfClose()}, {@link Conn#shutdownOutput()}), on real sockets.
 */
class IdleAndHalfCloseTest {

    private static final Duration IDLE = Duration.ofMillis(200);

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void theHandlerWritesALastLineBeforeAnIdleCloseAndOnCloseGetsTheCause() throws Exception {
        AtomicReference<Throwable> cause = new AtomicReference<>();
        CompletableFuture<IdleState> idleState = new CompletableFuture<>();
        EventHandler handler = new EventHandler() {
            @Override
            public Action onIdle(Conn conn, IdleState state) {
                idleState.complete(state);
                conn.write(ascii("bye: idle\n"));
                return Action.CLOSE;
            }

            @Override
            public Action onClose(Conn conn, Throwable c) {
                cause.set(c);
                return Action.NONE;
            }
        };
        Engine engine = TestServers.start(handler, Options.builder().numEventLoops(1).idleTimeout(IDLE).build());
        try (Socket socket = TestServers.connect(engine)) {
            long start = System.nanoTime();
            byte[] got = TestServers.readToEof(socket.getInputStream(), 100);
            assertThat(new String(got, StandardCharsets.US_ASCII)).isEqualTo("bye: idle\n");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(IDLE);
            assertThat(idleState.get(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(IdleState.ALL);
            TestServers.await("onClose", () -> cause.get() != null);
            assertThat(cause.get()).isInstanceOf(IdleTimeoutException.class).hasMessageContaining("idleTimeout");
        } finally {
            engine.stop();
        }
    }

    @Test
    void readIdleFiresForAPeerThatStopsSendingEvenWhileTheServerKeepsWriting() throws Exception {
        // The server writes on every write-idle (a keep-alive ping, kept open with NONE); the
        // client never sends. So the connection is never idle both ways... until it is read-idle.
        List<IdleState> seen = new CopyOnWriteArrayList<>();
        AtomicReference<Throwable> cause = new AtomicReference<>();
        EventHandler handler = new EventHandler() {
            @Override
            public Action onIdle(Conn conn, IdleState state) {
                seen.add(state);
                if (state == IdleState.WRITE) {
                    conn.write(ascii("ping\n"));
                    return Action.NONE;
                }
                return Action.CLOSE;
            }

            @Override
            public Action onClose(Conn conn, Throwable c) {
                cause.set(c);
                return Action.NONE;
            }
        };
        Options options = Options.builder().numEventLoops(1).idleTimeout(Duration.ZERO)
                .writeIdleTimeout(Duration.ofMillis(100)).readIdleTimeout(Duration.ofMillis(700)).build();
        Engine engine = TestServers.start(handler, options);
        try (Socket socket = TestServers.connect(engine)) {
            String got = new String(TestServers.readToEof(socket.getInputStream(), 1 << 16), StandardCharsets.US_ASCII);
            assertThat(got).startsWith("ping\nping\n");
            TestServers.await("onClose", () -> cause.get() != null);
            assertThat(cause.get()).isInstanceOf(IdleTimeoutException.class).hasMessageContaining("readIdleTimeout");
            assertThat(seen).last().isEqualTo(IdleState.READ);
            assertThat(seen.subList(0, seen.size() - 1)).as("every report before the last").containsOnly(IdleState.WRITE)
                    .hasSizeGreaterThanOrEqualTo(2);
        } finally {
            engine.stop();
        }
    }

    @Test
    void keepingAnIdleConnectionWithNoneReportsItAgainAfterAnotherFullTimeout() throws Exception {
        AtomicInteger reports = new AtomicInteger();
        List<Long> at = new CopyOnWriteArrayList<>();
        EventHandler handler = new EventHandler() {
            @Override
            public Action onIdle(Conn conn, IdleState state) {
                at.add(System.nanoTime());
                return reports.incrementAndGet() < 3 ? Action.NONE : Action.CLOSE;
            }
        };
        Engine engine = TestServers.start(handler, Options.builder().numEventLoops(1).readIdleTimeout(IDLE).build());
        try (Socket socket = TestServers.connect(engine)) {
            assertThat(socket.getInputStream().read()).as("closed after the third report").isEqualTo(-1);
            assertThat(reports.get()).isEqualTo(3);
            for (int i = 1; i < at.size(); i++) {
                assertThat(Duration.ofNanos(at.get(i) - at.get(i - 1))).as("between reports %d and %d", i - 1, i)
                        .isGreaterThanOrEqualTo(IDLE);
            }
        } finally {
            engine.stop();
        }
    }

    @Test
    void withHalfCloseTheServerAnswersAfterThePeersFinAndThenEndsItsSide() throws Exception {
        // A "count the bytes" server: it answers only once the peer has said everything.
        AtomicInteger counted = new AtomicInteger();
        AtomicReference<Throwable> cause = new AtomicReference<>(new AssertionError("onClose never ran"));
        CompletableFuture<Void> closed = new CompletableFuture<>();
        EventHandler handler = new EventHandler() {
            @Override
            public Action onTraffic(Conn conn) {
                counted.addAndGet(conn.discard(-1));
                return Action.NONE;
            }

            @Override
            public Action onInputClosed(Conn conn) {
                conn.write(ascii("got " + counted.get() + " bytes\n"));
                conn.shutdownOutput();
                assertThatThrownBy(() -> conn.write(ascii("more"))).isInstanceOf(ConnectionClosedException.class);
                return Action.NONE;
            }

            @Override
            public Action onClose(Conn conn, Throwable c) {
                cause.set(c);
                closed.complete(null);
                return Action.NONE;
            }
        };
        Engine engine = TestServers.start(handler, Options.builder().numEventLoops(1).halfClose(true).build());
        try (Socket socket = TestServers.connect(engine)) {
            TestServers.write(socket, new byte[100_000]);
            socket.shutdownOutput();
            String answer = new String(TestServers.readToEof(socket.getInputStream(), 100), StandardCharsets.US_ASCII);
            assertThat(answer).isEqualTo("got 100000 bytes\n");
            closed.get(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(cause.get()).as("both sides ended: an orderly close").isNull();
        } finally {
            engine.stop();
        }
    }

    @Test
    void shutdownOutputFirstThenThePeersFinClosesTheConnection() throws Exception {
        AtomicReference<Conn> ref = new AtomicReference<>();
        AtomicReference<String> afterShutdown = new AtomicReference<>("");
        CompletableFuture<Throwable> closed = new CompletableFuture<>();
        EventHandler handler = new EventHandler() {
            @Override
            public Action onOpen(Conn conn) {
                conn.write(ascii("hello\n"));
                conn.shutdownOutput(); // the peer reads EOF after hello; we keep reading
                ref.set(conn);
                return Action.NONE;
            }

            @Override
            public Action onTraffic(Conn conn) {
                afterShutdown.accumulateAndGet(StandardCharsets.US_ASCII.decode(conn.next(-1)).toString(), String::concat);
                return Action.NONE;
            }

            @Override
            public Action onClose(Conn conn, Throwable c) {
                closed.complete(c);
                return Action.NONE;
            }
        };
        Engine engine = TestServers.start(handler, Options.builder().numEventLoops(1).halfClose(true).build());
        try (Socket socket = TestServers.connect(engine)) {
            InputStream in = socket.getInputStream();
            assertThat(new String(TestServers.readToEof(in, 100), StandardCharsets.US_ASCII)).isEqualTo("hello\n");
            TestServers.write(socket, ascii("still reading?"));
            TestServers.await("the server read after its shutdownOutput", () -> afterShutdown.get().equals("still reading?"));
            assertThat(closed).isNotDone();
            socket.shutdownOutput();
            assertThat(closed.get(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS)).isNull();
            TestServers.await("connection count back to 0", () -> engine.countConnections() == 0);
        } finally {
            engine.stop();
        }
    }

    @Test
    void withoutHalfCloseThePeersFinClosesAndOnInputClosedIsNotCalled() throws Exception {
        AtomicInteger inputClosed = new AtomicInteger();
        CompletableFuture<Throwable> closed = new CompletableFuture<>();
        EventHandler handler = new EventHandler() {
            @Override
            public Action onInputClosed(Conn conn) {
                inputClosed.incrementAndGet();
                return Action.NONE;
            }

            @Override
            public Action onClose(Conn conn, Throwable c) {
                closed.complete(c);
                return Action.NONE;
            }
        };
        Engine engine = TestServers.start(handler, Options.builder().numEventLoops(1).build());
        try (Socket socket = TestServers.connect(engine)) {
            socket.shutdownOutput();
            assertThat(closed.get(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS)).isNull();
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
            assertThat(inputClosed.get()).isZero();
        } finally {
            engine.stop();
        }
    }
}
