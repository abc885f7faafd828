package io.gnetj;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.buffer.BufferPool;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * What a peer receives is exactly what was written, in order, or a prefix of it followed by the
 * end of the connection: never bytes after a hole, never someone else's bytes.
 */
class StreamIntegrityTest {

    /** Remembers connections in the order they open, and what closed them. */
    static class Registry implements EventHandler {
        final List<Conn> opened = new CopyOnWriteArrayList<>();
        final List<Throwable> causes = new CopyOnWriteArrayList<>();
        final CountDownLatch closed = new CountDownLatch(1);

        @Override
        public Action onOpen(Conn conn) {
            opened.add(conn);
            return Action.NONE;
        }

        @Override
        public Action onClose(Conn conn, Throwable cause) {
            if (cause != null) {
                causes.add(cause);
            }
            closed.countDown();
            return Action.NONE;
        }
    }

    @Test
    void refusedAsyncWritesWithoutACallbackCloseTheConnectionInsteadOfLeavingAHole() throws Exception {
        BufferPool pool = BufferPool.create();
        Registry handler = new Registry();
        Engine engine = TestServers.start(handler, Options.builder().numEventLoops(1).bufferPool(pool)
                .maxOutboundBuffered(64 * 1024).writeBufferWaterMarks(16 * 1024, 32 * 1024).socketSendBuffer(16 * 1024).build());
        try (Socket client = TestServers.connectSmallBuffers(engine, 16 * 1024)) {
            TestServers.await("connection opened", () -> handler.opened.size() == 1);
            Conn conn = handler.opened.get(0);
            BackpressureTest.PatternWriter pattern = new BackpressureTest.PatternWriter();
            int chunk = 10_000;
            for (int i = 0; i < 100; i++) {
                byte[] bytes = new byte[chunk];
                pattern.fill(bytes, chunk);
                conn.asyncWrite(ByteBuffer.wrap(bytes), null); // from this thread, no callback, client not reading
            }
            assertThat(handler.closed.await(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS))
                    .as("a refused write closed the connection").isTrue();
            assertThat(handler.causes).as("the cause onClose received").singleElement().isInstanceOf(OutboundLimitException.class);
            // A clean prefix (the writes queued before the refused one are dropped with the
            // connection, which may be all of them), then the end of stream.
            long received = readPrefix(client.getInputStream());
            assertThat(received).as("bytes received before the end").isLessThan(100L * chunk);
        } finally {
            engine.stop();
        }
        assertThat(pool.inUseBytes()).isZero();
    }

    @Test
    void aWritePastTheCapThrowsClosesAndTheCauseReachesOnClose() throws Exception {
        int cap = 32 * 1024;
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Registry handler = new Registry() {
            @Override
            public Action onTraffic(Conn conn) {
                conn.discard(-1);
                try {
                    conn.write(new byte[cap + 1]);
                } catch (OutboundLimitException e) {
                    thrown.set(e); // swallowed: the connection closes anyway
                }
                return Action.NONE;
            }
        };
        Engine engine = TestServers.start(handler, Options.builder().numEventLoops(1).maxOutboundBuffered(cap)
                .writeBufferWaterMarks(cap / 4, cap / 2).build());
        try (Socket client = TestServers.connect(engine)) {
            TestServers.write(client, new byte[] {1});
            assertThat(handler.closed.await(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(thrown.get()).isInstanceOf(OutboundLimitException.class);
            assertThat(handler.causes).singleElement().isSameAs(thrown.get());
            assertThat(readPrefix(client.getInputStream())).as("nothing of the refused write").isZero();
        } finally {
            engine.stop();
        }
    }

    /** Relays everything the first connection sends to the second, handing inbound views to asyncWrite. */
    static final class Relay extends Registry {
        @Override
        public Action onTraffic(Conn conn) {
            if (opened.size() == 2 && conn == opened.get(0)) {
                opened.get(1).asyncWrite(conn.next(-1).duplicate(), null);
            }
            return Action.NONE;
        }
    }

    @Test
    void aRelayHandingInboundViewsToAnotherLoopsConnectionDeliversEveryByteIntact() throws Exception {
        relay(2);
    }

    @Test
    void aRelayHandingInboundViewsToItsOwnLoopsConnectionDeliversEveryByteIntact() throws Exception {
        relay(1);
    }

    private static void relay(int loops) throws Exception {
        BufferPool pool = BufferPool.create();
        Relay handler = new Relay();
        Engine engine = TestServers.start(handler, Options.builder().numEventLoops(loops).bufferPool(pool).build());
        int total = 2_000_000;
        ExecutorService exec = Executors.newSingleThreadExecutor();
        try (Socket source = TestServers.connect(engine)) {
            TestServers.await("source open", () -> handler.opened.size() == 1);
            try (Socket sink = TestServers.connect(engine)) {
                TestServers.await("sink open", () -> handler.opened.size() == 2);
                Future<?> sent = exec.submit(() -> {
                    BackpressureTest.PatternWriter pattern = new BackpressureTest.PatternWriter();
                    OutputStream out = source.getOutputStream();
                    byte[] chunk = new byte[7_919]; // not a divisor of anything in the engine
                    for (int off = 0; off < total; off += chunk.length) {
                        int n = Math.min(chunk.length, total - off);
                        pattern.fill(chunk, n);
                        out.write(chunk, 0, n);
                    }
                    out.flush();
                    return null;
                });
                InputStream in = sink.getInputStream();
                BackpressureTest.PatternChecker checker = new BackpressureTest.PatternChecker();
                byte[] buf = new byte[64 * 1024];
                long received = 0;
                while (received < total) {
                    int r = in.read(buf, 0, (int) Math.min(buf.length, total - received));
                    assertThat(r).as("bytes relayed before the end of stream").isPositive();
                    checker.check(buf, r, received);
                    received += r;
                }
                sent.get(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS);
            }
        } finally {
            exec.shutdownNow();
            engine.stop();
        }
        assertThat(pool.inUseBytes()).isZero();
    }

    @Test
    void oneBufferGivenToManyConnectionsReachesEachOfThemWhole() throws Exception {
        Registry handler = new Registry();
        Engine engine = TestServers.start(handler, Options.builder().numEventLoops(2).build());
        int clients = 4;
        Socket[] sockets = new Socket[clients];
        try {
            for (int i = 0; i < clients; i++) {
                sockets[i] = TestServers.connect(engine);
            }
            TestServers.await("all open", () -> handler.opened.size() == clients);
            byte[] bytes = new byte[100_000];
            new BackpressureTest.PatternWriter().fill(bytes, bytes.length);
            ByteBuffer shared = ByteBuffer.wrap(bytes);
            AtomicInteger ok = new AtomicInteger();
            for (Conn conn : handler.opened) {
                conn.asyncWrite(shared, (c, error) -> {
                    if (error == null) {
                        ok.incrementAndGet();
                    }
                });
            }
            for (Socket socket : sockets) {
                assertThat(TestServers.readExactly(socket.getInputStream(), bytes.length)).isEqualTo(bytes);
            }
            TestServers.await("every callback succeeded", () -> ok.get() == clients);
            assertThat(shared.position()).as("the shared buffer is never moved").isZero();
        } finally {
            for (Socket socket : sockets) {
                if (socket != null) {
                    socket.close();
                }
            }
            engine.stop();
        }
    }

    /**
     * Reads until the end of stream (or a reset), checking the bytes are a prefix of
     * {@link BackpressureTest.PatternWriter}'s stream; returns how many were read.
     */
    static long readPrefix(InputStream in) throws IOException {
        BackpressureTest.PatternChecker checker = new BackpressureTest.PatternChecker();
        byte[] buf = new byte[64 * 1024];
        long received = 0;
        try {
            for (int r; (r = in.read(buf)) >= 0; ) {
                checker.check(buf, r, received);
                received += r;
            }
        } catch (SocketException reset) {
            // closed with bytes unsent: the kernel may reset; every byte before it was checked
        }
        return received;
    }
}
