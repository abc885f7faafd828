package io.gnetj;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.buffer.BufferPool;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A view of fresh bytes written back in the callback that received it is sent straight from the
 * loop's read buffer when the callback returns, and only what the kernel did not take is copied.
 * Whatever the kernel takes, whatever else the callback writes, and however the callback ends,
 * the peer gets exactly the bytes written, in program order, or (after an abort) a count of those
 * dropped. Small socket buffers make the kernel take part of a write; several connections on one
 * loop make the read buffer serve another read as soon as it can.
 */
class WriteBackViewTest {

    private static final int SMALL = 4096;

    private static Options.Builder smallBuffers(BufferPool pool) {
        return Options.builder().numEventLoops(1).bufferPool(pool).socketSendBuffer(SMALL).socketRecvBuffer(SMALL);
    }

    private static void stop(Engine engine, BufferPool pool) {
        TestServers.await("every connection closed", () -> engine.countConnections() == 0);
        engine.stop();
        assertThat(pool.inUseBytes()).as("pooled bytes still lent after stop").isZero();
    }

    @Test
    void anEchoThroughSmallSocketBuffersToSlowReadersOnOneLoopIsByteIdentical() throws Exception {
        BufferPool pool = BufferPool.create();
        AtomicInteger sawQueued = new AtomicInteger();
        Engine engine = TestServers.start(new EventHandler() {
            @Override
            public Action onTraffic(Conn conn) {
                if (conn.outboundBuffered() > 0) {
                    sawQueued.incrementAndGet(); // the kernel left part of an earlier write
                }
                conn.write(conn.next(-1));
                return Action.NONE;
            }
        }, smallBuffers(pool).build());
        int clients = 4;
        int size = 4 * 1024 * 1024;
        ExecutorService exec = Executors.newFixedThreadPool(2 * clients);
        try {
            List<Future<?>> results = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                Socket socket = TestServers.connectSmallBuffers(engine, SMALL);
                long seed = c;
                results.add(exec.submit(() -> {
                    Random random = new Random(seed);
                    byte[] message = new byte[4096];
                    OutputStream out = socket.getOutputStream();
                    for (int sent = 0; sent < size; sent += message.length) {
                        random.nextBytes(message);
                        out.write(message);
                    }
                    out.flush();
                    return null;
                }));
                results.add(exec.submit(() -> {
                    try (socket) {
                        readAndCheck(socket.getInputStream(), new Random(seed), size, 1000);
                    }
                    return null;
                }));
            }
            for (Future<?> f : results) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            exec.shutdownNow();
            stop(engine, pool);
        }
        assertThat(sawQueued.get()).as("callbacks that found bytes the kernel had not taken").isPositive();
    }

    @Test
    void anEchoTheKernelTakesWholeNeedsNoOutboundMemory() throws Exception {
        BufferPool pool = BufferPool.create();
        Engine engine = TestServers.start(new TestServers.Echo(), Options.builder().numEventLoops(1).bufferPool(pool).build());
        try (Socket socket = TestServers.connect(engine)) {
            byte[] ping = new byte[512];
            for (int i = 0; i < 100; i++) {
                java.util.Arrays.fill(ping, (byte) i);
                TestServers.write(socket, ping);
                assertThat(TestServers.readExactly(socket.getInputStream(), ping.length)).isEqualTo(ping);
                assertThat(pool.inUseBytes()).as("pooled bytes held after echo %d: the reply was not copied", i).isZero();
            }
        } finally {
            stop(engine, pool);
        }
    }

    /** Reads {@code size} bytes in small pieces, slowly, and checks them against {@code expected}'s stream. */
    private static void readAndCheck(InputStream in, Random expected, int size, int piece) throws Exception {
        byte[] want = new byte[4096];
        byte[] got = new byte[piece];
        int wantAt = want.length;
        for (int received = 0, reads = 0; received < size; reads++) {
            int r = in.read(got, 0, Math.min(piece, size - received));
            assertThat(r).as("EOF after %d of %d bytes", received, size).isPositive();
            for (int i = 0; i < r; i++) {
                if (wantAt == want.length) {
                    expected.nextBytes(want);
                    wantAt = 0;
                }
                if (got[i] != want[wantAt++]) {
                    throw new AssertionError("byte " + (received + i) + " differs");
                }
            }
            received += r;
            if (reads % 64 == 0) {
                Thread.sleep(1); // a slow reader: the server's socket fills and takes part of a write
            }
        }
    }

    /** Whether the order test runs over plain TCP or TLS (which never lends, but must keep order too). */
    enum Transport { PLAIN, TLS }

    /**
     * Frames of 16 bytes (a sequence number and a pattern); each is written back as two views
     * (the second continues the first), then a separator by a different write for each frame,
     * and every fifth frame a file region.
     */
    static final class FrameHandler implements EventHandler {
        static final int FRAME = 16;
        static final byte[] SEPARATOR = "|".getBytes(StandardCharsets.US_ASCII);
        private final FileChannel file;

        FrameHandler(FileChannel file) {
            this.file = file;
        }

        @Override
        public Action onTraffic(Conn conn) {
            while (conn.inboundBuffered() >= FRAME) {
                ByteBuffer header = conn.peek(4);
                int seq = header.getInt(header.position());
                conn.write(conn.next(FRAME / 2));
                conn.write(conn.next(FRAME / 2));
                switch (seq % 4) {
                    case 0:
                        conn.write(SEPARATOR);
                        break;
                    case 1:
                        conn.writev(ByteBuffer.wrap(SEPARATOR));
                        break;
                    case 2:
                        conn.flush(); // a send point inside the callback
                        conn.write(ByteBuffer.wrap(SEPARATOR));
                        break;
                    default:
                        conn.asyncWrite(ByteBuffer.wrap(SEPARATOR), null); // on the loop: queued now
                        break;
                }
                if (seq % 5 == 0) {
                    conn.sendFile(file, 0, 4, null);
                }
            }
            return Action.NONE;
        }
    }

    static byte[] frame(int seq) {
        ByteBuffer b = ByteBuffer.allocate(FrameHandler.FRAME).putInt(seq);
        while (b.hasRemaining()) {
            b.put((byte) ('a' + (seq + b.position()) % 26));
        }
        return b.array();
    }

    static byte[] expectedReply(int seq) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(frame(seq));
        out.writeBytes(FrameHandler.SEPARATOR);
        if (seq % 5 == 0) {
            out.writeBytes("FILE".getBytes(StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void writesAfterTheViewInTheSameCallbackKeepProgramOrder(Transport transport, @TempDir Path dir) throws Exception {
        Path path = dir.resolve("file");
        Files.write(path, "FILE".getBytes(StandardCharsets.US_ASCII));
        BufferPool pool = BufferPool.create();
        int frames = 40_000;
        ExecutorService exec = Executors.newSingleThreadExecutor();
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.READ)) {
            Engine engine;
            Socket socket;
            if (transport == Transport.TLS) {
                TlsTestSupport.Identity id = TlsTestSupport.localhost();
                engine = Gnet.start(new FrameHandler(file), "tls://127.0.0.1:0",
                        smallBuffers(pool).tls(id.server().build()).build());
                socket = TlsTestSupport.connect(id.trustingContext(), TlsTestSupport.port(engine, 0));
            } else {
                engine = TestServers.start(new FrameHandler(file), smallBuffers(pool).build());
                socket = TestServers.connectSmallBuffers(engine, SMALL);
            }
            try (socket) {
                Future<?> writer = exec.submit(() -> {
                    OutputStream out = socket.getOutputStream();
                    ByteArrayOutputStream batch = new ByteArrayOutputStream();
                    for (int seq = 0; seq < frames; seq++) {
                        batch.writeBytes(frame(seq));
                        if (batch.size() >= 10_000 || seq == frames - 1) { // batches split frames across reads
                            out.write(batch.toByteArray(), 0, batch.size() - 7);
                            out.flush();
                            out.write(batch.toByteArray(), batch.size() - 7, 7);
                            batch.reset();
                        }
                    }
                    out.flush();
                    return null;
                });
                InputStream in = socket.getInputStream();
                for (int seq = 0; seq < frames; seq++) {
                    byte[] want = expectedReply(seq);
                    byte[] got = TestServers.readExactly(in, want.length);
                    if (!java.util.Arrays.equals(got, want)) {
                        throw new AssertionError("reply " + seq + " differs: expected "
                                + new String(want, StandardCharsets.ISO_8859_1) + ", got "
                                + new String(got, StandardCharsets.ISO_8859_1));
                    }
                }
                writer.get(60, TimeUnit.SECONDS);
            } finally {
                exec.shutdownNow();
                stop(engine, pool);
            }
        }
    }

    /** How the callback that wrote the view ends. */
    enum Ending { CLOSE_CALLED, CLOSE_RETURNED, HANDLER_THREW }

    /** Writes back what came in its first callback, then ends it as told; drops the rest. */
    static final class WriteThenEnd implements EventHandler {
        final Ending ending;
        final AtomicInteger written = new AtomicInteger(-1);
        final List<Throwable> causes = new CopyOnWriteArrayList<>();
        final CountDownLatch closed = new CountDownLatch(1);

        WriteThenEnd(Ending ending) {
            this.ending = ending;
        }

        @Override
        public Action onTraffic(Conn conn) {
            written.set(conn.write(conn.next(-1)));
            switch (ending) {
                case CLOSE_CALLED:
                    conn.close();
                    return Action.NONE;
                case CLOSE_RETURNED:
                    return Action.CLOSE;
                default:
                    throw new IllegalStateException("the handler failed after writing");
            }
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

    @ParameterizedTest
    @EnumSource(Ending.class)
    void aCallbackThatWritesTheViewAndThenClosesOrThrowsStillDeliversIt(Ending ending) throws Exception {
        BufferPool pool = BufferPool.create();
        WriteThenEnd handler = new WriteThenEnd(ending);
        Engine engine = TestServers.start(handler, smallBuffers(pool).build());
        byte[] sent = new byte[256 * 1024];
        new Random(7).nextBytes(sent);
        ExecutorService exec = Executors.newSingleThreadExecutor();
        try (Socket socket = TestServers.connectSmallBuffers(engine, SMALL)) {
            Future<?> writer = exec.submit(() -> {
                try {
                    socket.getOutputStream().write(sent);
                    socket.shutdownOutput();
                } catch (IOException e) {
                    // the server may stop reading once it closed: what it wrote back is what counts
                }
                return null;
            });
            byte[] got = TestServers.readToEof(socket.getInputStream(), sent.length);
            assertThat(handler.closed.await(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(got.length).as("bytes delivered").isEqualTo(handler.written.get()).isPositive();
            assertThat(got).isEqualTo(java.util.Arrays.copyOf(sent, got.length));
            if (ending == Ending.HANDLER_THREW) {
                assertThat(handler.causes).singleElement().isInstanceOf(IllegalStateException.class);
            } else {
                assertThat(handler.causes).as("an orderly close").isEmpty();
            }
            writer.get(30, TimeUnit.SECONDS);
        } finally {
            exec.shutdownNow();
            stop(engine, pool);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void anAbortAfterWritingTheViewDropsItAndCountsItAsUnsent(boolean withBytesWrittenAfterIt) throws Exception {
        BufferPool pool = BufferPool.create();
        AtomicInteger written = new AtomicInteger();
        List<Throwable> causes = new CopyOnWriteArrayList<>();
        CountDownLatch closed = new CountDownLatch(1);
        Engine engine = TestServers.start(new EventHandler() {
            @Override
            public Action onTraffic(Conn conn) {
                written.set(conn.write(conn.next(-1)));
                if (withBytesWrittenAfterIt) {
                    conn.write(new byte[] {'!'}); // copied behind the view, then both dropped
                    written.incrementAndGet();
                }
                conn.abort(null);
                return Action.NONE;
            }

            @Override
            public Action onClose(Conn conn, Throwable cause) {
                causes.add(cause);
                closed.countDown();
                return Action.NONE;
            }
        }, smallBuffers(pool).build());
        try (Socket socket = TestServers.connect(engine)) {
            TestServers.write(socket, new byte[1000]);
            assertThat(closed.await(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS)).as("aborted").isTrue();
            assertThat(causes).singleElement().isInstanceOf(ConnectionClosedException.class);
            assertThat(causes.get(0).getMessage()).contains("closed with " + written.get() + " bytes unsent");
        } finally {
            stop(engine, pool);
        }
    }

    @Test
    void aViewWrittenToAnotherConnectionIsCopied() throws Exception {
        BufferPool pool = BufferPool.create();
        List<Conn> opened = new CopyOnWriteArrayList<>();
        Engine engine = TestServers.start(new EventHandler() {
            @Override
            public Action onOpen(Conn conn) {
                opened.add(conn);
                return Action.NONE;
            }

            @Override
            public Action onTraffic(Conn conn) {
                if (conn == opened.get(2)) {
                    conn.discard(-1);
                    try {
                        Thread.sleep(20); // holds the loop, so the next select finds the other two ready at once
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return Action.NONE;
                }
                Conn other = opened.get(0) == conn ? opened.get(1) : opened.get(0);
                other.write(conn.next(-1)); // sent at the end of the loop's step, after the other's read
                return Action.NONE;
            }
        }, smallBuffers(pool).build());
        try (Socket a = TestServers.connect(engine)) {
            TestServers.await("first connection opened", () -> opened.size() == 1);
            try (Socket b = TestServers.connect(engine)) {
                TestServers.await("second connection opened", () -> opened.size() == 2);
                try (Socket staller = TestServers.connect(engine)) {
                    TestServers.await("third connection opened", () -> opened.size() == 3);
                    Random random = new Random(3);
                    for (int round = 0; round < 50; round++) {
                        byte[] toB = new byte[1 + random.nextInt(3000)];
                        byte[] toA = new byte[1 + random.nextInt(3000)];
                        random.nextBytes(toB);
                        random.nextBytes(toA);
                        TestServers.write(staller, new byte[1]);
                        TestServers.write(a, toB);
                        TestServers.write(b, toA);
                        assertThat(TestServers.readExactly(b.getInputStream(), toB.length)).isEqualTo(toB);
                        assertThat(TestServers.readExactly(a.getInputStream(), toA.length)).isEqualTo(toA);
                    }
                }
            }
        } finally {
            stop(engine, pool);
        }
    }

    @Test
    void aViewWaitingToBeSentCountsAsQueuedAndTowardsTheCap() throws Exception {
        BufferPool pool = BufferPool.create();
        int max = 64 * 1024;
        AtomicInteger written = new AtomicInteger(-1);
        AtomicInteger counted = new AtomicInteger(-1);
        List<Throwable> causes = new CopyOnWriteArrayList<>();
        CountDownLatch closed = new CountDownLatch(1);
        Engine engine = TestServers.start(new EventHandler() {
            @Override
            public Action onTraffic(Conn conn) {
                written.set(conn.write(conn.next(-1)));
                counted.set(conn.outboundBuffered());
                conn.write(new byte[max - written.get() + 1]); // one byte past the cap with the view counted
                return Action.NONE;
            }

            @Override
            public Action onClose(Conn conn, Throwable cause) {
                causes.add(cause);
                closed.countDown();
                return Action.NONE;
            }
        }, smallBuffers(pool).maxOutboundBuffered(max).writeBufferWaterMarks(1024, 2048).build());
        try (Socket socket = TestServers.connect(engine)) {
            TestServers.write(socket, new byte[1000]);
            assertThat(closed.await(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS)).as("refused and closed").isTrue();
            assertThat(counted.get()).as("outboundBuffered() right after writing the view").isEqualTo(written.get());
            assertThat(causes).singleElement().isInstanceOf(OutboundLimitException.class);
        } finally {
            stop(engine, pool);
        }
    }
}
