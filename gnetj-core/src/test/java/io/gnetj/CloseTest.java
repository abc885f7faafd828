package io.gnetj;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.buffer.BufferPool;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Closing sends what is queued first: the peer reads the whole reply, then EOF. */
class CloseTest {

    private static final byte[] REPLY = "goodbye\n".getBytes(StandardCharsets.US_ASCII);

    /** Replies to the first message, then closes the connection one of two ways. */
    private static final class ReplyThenClose implements EventHandler {
        final boolean callClose;
        final byte[] reply;
        final AtomicInteger closes = new AtomicInteger();
        final AtomicReference<Throwable> cause = new AtomicReference<>();

        ReplyThenClose(boolean callClose, byte[] reply) {
            this.callClose = callClose;
            this.reply = reply;
        }

        @Override
        public Action onTraffic(Conn conn) {
            conn.discard(-1);
            conn.write(reply);
            if (callClose) {
                conn.close();
                return Action.NONE;
            }
            return Action.CLOSE;
        }

        @Override
        public Action onClose(Conn conn, Throwable c) {
            cause.set(c);
            closes.incrementAndGet();
            return Action.NONE;
        }
    }

    private static void assertReplyThenEof(ReplyThenClose handler, BufferPool pool) throws Exception {
        Engine engine = TestServers.start(handler, Options.builder().numEventLoops(1).bufferPool(pool).build());
        try (Socket socket = TestServers.connect(engine)) {
            TestServers.write(socket, "hello\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(TestServers.readToEof(socket.getInputStream(), handler.reply.length))
                    .isEqualTo(handler.reply);
            TestServers.await("onClose ran", () -> handler.closes.get() == 1);
            assertThat(handler.cause.get()).as("close cause").isNull();
        } finally {
            engine.stop();
        }
        assertThat(handler.closes.get()).as("onClose calls").isEqualTo(1);
        assertThat(pool.inUseBytes()).as("pooled bytes still lent out after stop").isZero();
    }

    @Test
    void replyWrittenBeforeReturningCloseArrivesBeforeEof() throws Exception {
        assertReplyThenEof(new ReplyThenClose(false, REPLY), BufferPool.create());
    }

    @Test
    void closeCalledInsideOnTrafficStillSendsTheReplyFirst() throws Exception {
        assertReplyThenEof(new ReplyThenClose(true, REPLY), BufferPool.create());
    }

    @Test
    void largeReplyFollowedByCloseArrivesComplete() throws Exception {
        byte[] reply = new byte[6 << 20];
        new Random(42).nextBytes(reply);
        BufferPool pool = BufferPool.create();
        ReplyThenClose handler = new ReplyThenClose(false, reply);
        Engine engine = TestServers.start(handler, Options.builder().numEventLoops(1).bufferPool(pool).build());
        // Small client buffers: most of the reply must wait in the server's queue while closing.
        try (Socket socket = TestServers.connectSmallBuffers(engine, 32 * 1024)) {
            TestServers.write(socket, "hello\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(TestServers.readToEof(socket.getInputStream(), reply.length)).isEqualTo(reply);
            TestServers.await("onClose ran", () -> handler.closes.get() == 1);
            assertThat(handler.cause.get()).as("close cause").isNull();
        } finally {
            engine.stop();
        }
        assertThat(pool.inUseBytes()).as("pooled bytes still lent out after stop").isZero();
    }

    @Test
    void replyBeforeCloseArrivesCompleteEvenWhileThePeerKeepsSending() throws Exception {
        byte[] reply = new byte[2 << 20];
        new Random(11).nextBytes(reply);
        BufferPool pool = BufferPool.create();
        ReplyThenClose handler = new ReplyThenClose(false, reply);
        Engine engine = TestServers.start(handler, Options.builder().numEventLoops(1)
                .socketRecvBuffer(16 * 1024).socketSendBuffer(16 * 1024).bufferPool(pool).build());
        Thread chatter = null;
        try (Socket socket = TestServers.connectSmallBuffers(engine, 32 * 1024)) {
            TestServers.write(socket, "hello\n".getBytes(StandardCharsets.US_ASCII));
            // The peer keeps sending while the server closes (think of a pipelining HTTP client):
            // closing a socket with unread input resets it, and the kernel drops the reply bytes
            // it had not sent yet. The engine must drain the input and let the reply finish.
            chatter = new Thread(() -> {
                byte[] junk = new byte[4096];
                try {
                    for (int i = 0; i < 4096; i++) { // at most 16 MiB
                        socket.getOutputStream().write(junk);
                    }
                } catch (java.io.IOException expected) {
                    // the server closed
                }
            }, "chatter");
            chatter.setDaemon(true);
            chatter.start();
            InputStream in = socket.getInputStream();
            byte[] got = new byte[reply.length];
            int off = 0;
            while (off < got.length) {
                int r = in.read(got, off, Math.min(16 * 1024, got.length - off));
                assertThat(r).as("EOF after %d of %d reply bytes", off, reply.length).isPositive();
                off += r;
                // Pacing, not synchronisation: a slow reader keeps the server's kernel send
                // buffer full, so bytes are still unsent there when the engine's queue empties.
                TimeUnit.MILLISECONDS.sleep(1);
            }
            assertThat(got).isEqualTo(reply);
            // The server half-closed after the reply and waits for us to close our side.
            assertThat(in.read()).as("EOF right after the reply").isEqualTo(-1);
            assertThat(handler.closes.get()).as("onClose calls while the peer still talks").isZero();
            socket.close();
            TestServers.await("onClose ran", () -> handler.closes.get() == 1);
            assertThat(handler.cause.get()).as("close cause").isNull();
        } finally {
            engine.stop();
            if (chatter != null) {
                chatter.join(TestServers.WAIT.toMillis());
            }
        }
        assertThat(pool.inUseBytes()).as("pooled bytes still lent out after stop").isZero();
    }

    @Test
    void closeFlushesQueuedWritesBeforeClosing() throws Exception {
        BufferPool pool = BufferPool.create();
        AtomicReference<Conn> opened = new AtomicReference<>();
        AtomicReference<Thread> loop = new AtomicReference<>();
        AtomicReference<Thread> closedOn = new AtomicReference<>();
        CountDownLatch onCloseRan = new CountDownLatch(1);
        AtomicLong closeCallbackAfterOnClose = new AtomicLong(-1);
        EventHandler handler = new EventHandler() {
            @Override
            public Action onOpen(Conn conn) {
                loop.set(Thread.currentThread());
                opened.set(conn);
                return Action.NONE;
            }

            @Override
            public Action onClose(Conn conn, Throwable cause) {
                onCloseRan.countDown();
                return Action.NONE;
            }
        };
        Engine engine = TestServers.start(handler, Options.builder().numEventLoops(1).bufferPool(pool).build());
        byte[] payload = new byte[4 << 20];
        new Random(7).nextBytes(payload);
        try (Socket socket = TestServers.connectSmallBuffers(engine, 32 * 1024)) {
            TestServers.await("connection opened", () -> opened.get() != null);
            Conn conn = opened.get();
            CountDownLatch written = new CountDownLatch(1);
            conn.asyncWrite(ByteBuffer.wrap(payload), (c, error) -> {
                assertThat(error).isNull();
                written.countDown();
            });
            assertThat(written.await(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS)).as("write queued").isTrue();
            // The client has read nothing, so most of the 4 MiB is still queued when we close.
            CountDownLatch closed = new CountDownLatch(1);
            conn.close((c, error) -> {
                closedOn.set(Thread.currentThread());
                closeCallbackAfterOnClose.set(onCloseRan.getCount());
                closed.countDown();
            });
            assertThat(conn.isOpen()).as("isOpen right after close()").isFalse();
            InputStream in = socket.getInputStream();
            assertThat(TestServers.readToEof(in, payload.length)).isEqualTo(payload);
            assertThat(closed.await(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS)).as("close callback ran").isTrue();
            assertThat(closedOn.get()).as("close callback thread").isSameAs(loop.get());
            assertThat(closeCallbackAfterOnClose.get()).as("onClose had run before the close callback").isZero();
        } finally {
            engine.stop();
        }
        assertThat(pool.inUseBytes()).as("pooled bytes still lent out after stop").isZero();
    }

    @Test
    void closeGivesUpAfterCloseTimeoutWhenThePeerDoesNotRead() throws Exception {
        BufferPool pool = BufferPool.create();
        AtomicReference<Conn> opened = new AtomicReference<>();
        AtomicReference<Throwable> cause = new AtomicReference<>();
        AtomicLong closedAt = new AtomicLong();
        CountDownLatch onCloseRan = new CountDownLatch(1);
        EventHandler handler = new EventHandler() {
            @Override
            public Action onOpen(Conn conn) {
                opened.set(conn);
                return Action.NONE;
            }

            @Override
            public Action onClose(Conn conn, Throwable c) {
                cause.set(c);
                closedAt.set(System.nanoTime());
                onCloseRan.countDown();
                return Action.NONE;
            }
        };
        Duration closeTimeout = Duration.ofMillis(300);
        Engine engine = TestServers.start(handler, Options.builder().numEventLoops(1).closeTimeout(closeTimeout)
                .socketSendBuffer(32 * 1024).bufferPool(pool).build());
        try (Socket socket = TestServers.connectSmallBuffers(engine, 32 * 1024)) {
            TestServers.await("connection opened", () -> opened.get() != null);
            Conn conn = opened.get();
            // More than both kernel buffers can hold, and the client never reads.
            conn.asyncWrite(ByteBuffer.allocate(8 << 20), null);
            long closeCalled = System.nanoTime();
            conn.close();
            assertThat(onCloseRan.await(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS)).as("onClose ran").isTrue();
            assertThat(cause.get()).isInstanceOf(ConnectionClosedException.class);
            assertThat(cause.get().getMessage()).contains("closeTimeout");
            assertThat(Duration.ofNanos(closedAt.get() - closeCalled)).isGreaterThanOrEqualTo(closeTimeout);
        } finally {
            engine.stop();
        }
        assertThat(pool.inUseBytes()).as("pooled bytes still lent out after stop").isZero();
    }
}
