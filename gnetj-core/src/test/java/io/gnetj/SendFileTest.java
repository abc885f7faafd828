package io.gnetj;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.buffer.BufferPool;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Conn#sendFile} on real sockets, plaintext and TLS: file bytes in order with the writes
 * around them, pooled memory flat while a large file goes out, the file's unsent bytes in
 * {@code outboundBuffered} and the water marks but not against the memory cap, a file truncated
 * while being sent closing the connection with an {@link EOFException} (never a short stream
 * that looks whole), and every callback told its outcome.
 */
class SendFileTest {

    private static final int FILE_SIZE = 8 << 20;

    @TempDir
    Path dir;

    /** Runs {@code onOpen} on each new connection; records callbacks and close causes. */
    private static class Sender implements EventHandler {
        volatile Consumer<Conn> onOpen;
        final List<String> outcomes = new CopyOnWriteArrayList<>();
        final CompletableFuture<Conn> opened = new CompletableFuture<>();
        final CompletableFuture<Throwable> closeCause = new CompletableFuture<>();
        final List<Boolean> writability = new CopyOnWriteArrayList<>();

        Sender(Consumer<Conn> onOpen) {
            this.onOpen = onOpen;
        }

        Callback record(String name) {
            return (conn, error) -> outcomes.add(name + (error == null ? " sent" : " failed: " + error)
                    + (conn.inEventLoop() ? "" : " OFF THE LOOP"));
        }

        /** On open: the whole of {@code file} goes out, its callback recorded as "file". */
        void onOpenSendFile(FileChannel file, long size) {
            onOpen = conn -> conn.sendFile(file, 0, size, record("file"));
        }

        @Override
        public Action onOpen(Conn conn) {
            opened.complete(conn);
            onOpen.accept(conn);
            return Action.NONE;
        }

        @Override
        public Action onWritabilityChanged(Conn conn, boolean writable) {
            writability.add(writable);
            return Action.NONE;
        }

        @Override
        public Action onClose(Conn conn, Throwable cause) {
            closeCause.complete(cause);
            return Action.NONE;
        }
    }

    private Path randomFile(String name, int size, long seed) throws IOException {
        byte[] bytes = new byte[size];
        new SplittableRandom(seed).nextBytes(bytes);
        return Files.write(dir.resolve(name), bytes);
    }

    private static Engine start(boolean tls, Sender handler, Options.Builder options) throws Exception {
        if (tls) {
            options.tls(TlsTestSupport.localhost().server().build());
            return Gnet.start(handler, "tls://127.0.0.1:0", options.build());
        }
        return Gnet.start(handler, "tcp://127.0.0.1:0", options.build());
    }

    private static Socket connect(boolean tls, Engine engine) throws Exception {
        if (tls) {
            SSLContext trusting = TlsTestSupport.localhost().trustingContext();
            return TlsTestSupport.connect(trusting, TestServers.port(engine));
        }
        return TestServers.connect(engine);
    }

    @ParameterizedTest(name = "tls={0}")
    @ValueSource(booleans = {false, true})
    void fileBytesArriveInOrderWithTheWritesAroundThemAndPooledMemoryStaysFlat(boolean tls) throws Exception {
        Path path = randomFile("eight-mib", FILE_SIZE, 1);
        byte[] fileBytes = Files.readAllBytes(path);
        BufferPool pool = BufferPool.create();
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.READ)) {
            Sender handler = new Sender(null) {
                @Override
                public Action onOpen(Conn conn) {
                    opened.complete(conn);
                    conn.write("<".getBytes(StandardCharsets.US_ASCII));
                    conn.sendFile(file, 0, FILE_SIZE, record("whole"));
                    conn.write("|".getBytes(StandardCharsets.US_ASCII));
                    conn.sendFile(file, 1000, 5000, record("range"));
                    conn.sendFile(file, 7, 0, record("empty"));
                    conn.write(">".getBytes(StandardCharsets.US_ASCII));
                    conn.close();
                    return Action.NONE;
                }
            };
            Engine engine = start(tls, handler, Options.builder().numEventLoops(1).bufferPool(pool));
            AtomicLong maxInUse = new AtomicLong();
            byte[] received;
            try (Socket socket = connect(tls, engine)) {
                InputStream in = socket.getInputStream();
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                byte[] chunk = new byte[16 * 1024];
                for (int r; (r = in.read(chunk)) >= 0; ) {
                    got.write(chunk, 0, r);
                    maxInUse.accumulateAndGet(pool.inUseBytes(), Math::max);
                }
                received = got.toByteArray();
            } finally {
                engine.stop();
            }
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            expected.write('<');
            expected.write(fileBytes);
            expected.write('|');
            expected.write(fileBytes, 1000, 5000);
            expected.write('>');
            assertThat(received.length).as("bytes received").isEqualTo(expected.size());
            assertThat(received).as("byte-identical, in order").isEqualTo(expected.toByteArray());
            assertThat(handler.outcomes).as("every callback, in order, on the loop")
                    .containsExactly("whole sent", "range sent", "empty sent");
            assertThat(handler.closeCause.get(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS)).isNull();
            assertThat(file.position()).as("the caller's file position never moves").isZero();
            assertThat(file.isOpen()).as("the file stays the caller's to close").isTrue();
            // Plaintext never copies file bytes; TLS holds one 16 KiB chunk besides its scratch.
            assertThat(maxInUse.get()).as("pooled bytes in use while %d bytes of file went out", FILE_SIZE)
                    .isLessThanOrEqualTo(256L * 1024);
            assertThat(pool.inUseBytes()).as("pooled bytes lent after stop").isZero();
        }
    }

    @Test
    void unsentFileBytesCountInOutboundBufferedAndTheWaterMarksButNotAgainstTheMemoryCap() throws Exception {
        Path path = randomFile("four-mib", 4 << 20, 2);
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.READ)) {
            Sender handler = new Sender(conn -> { });
            Options.Builder options = Options.builder().numEventLoops(1).maxOutboundBuffered(64 * 1024)
                    .writeBufferWaterMarks(8 * 1024, 32 * 1024).socketSendBuffer(16 * 1024);
            Engine engine = start(false, handler, options);
            try (Socket socket = TestServers.connectSmallBuffers(engine, 16 * 1024)) {
                Conn conn = handler.opened.get(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS);
                CompletableFuture<Integer> queued = new CompletableFuture<>();
                conn.eventLoop().execute(() -> {
                    conn.sendFile(file, 0, 4 << 20, handler.record("file"));
                    conn.write("after".getBytes(StandardCharsets.US_ASCII)); // memory: within the 64 KiB cap
                    queued.complete(conn.outboundBuffered());
                });
                assertThat(queued.get(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS))
                        .as("file bytes count in outboundBuffered").isGreaterThan(1 << 20);
                TestServers.await("the connection to turn unwritable", () -> !conn.isWritable());
                assertThat(conn.outboundBuffered()).as("read from the test thread").isGreaterThan(32 * 1024);
                byte[] got = TestServers.readExactly(socket.getInputStream(), (4 << 20) + 5);
                assertThat(got).isEqualTo(concat(Files.readAllBytes(path), "after".getBytes(StandardCharsets.US_ASCII)));
                TestServers.await("the writability reports", () -> handler.writability.size() == 2);
                assertThat(handler.writability).containsExactly(false, true);
                assertThat(handler.outcomes).containsExactly("file sent");
                assertThat(engine.countConnections()).as("nothing was refused").isEqualTo(1);
            } finally {
                engine.stop();
            }
        }
    }

    @ParameterizedTest(name = "tls={0}")
    @ValueSource(booleans = {false, true})
    void aFileTruncatedWhileSendingClosesTheConnectionWithAnEofException(boolean tls) throws Exception {
        int size = 48 << 20; // far more than loopback's socket buffers hold
        Path path = randomFile("truncated", size, 3);
        byte[] fileBytes = Files.readAllBytes(path);
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.READ)) {
            Sender handler = new Sender(conn -> { });
            handler.onOpenSendFile(file, size);
            Engine engine = start(tls, handler, Options.builder().numEventLoops(1));
            try (Socket socket = connect(tls, engine)) {
                Conn conn = handler.opened.get(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS);
                TestServers.await("the socket to stop taking the file", () -> conn.outboundBuffered() > 0
                        && stalled(conn));
                try (FileChannel writer = FileChannel.open(path, StandardOpenOption.WRITE)) {
                    writer.truncate(size / 2);
                }
                byte[] got = readUntilClosed(socket.getInputStream(), size);
                assertThat(got.length).as("bytes received of a file truncated to %d", size / 2)
                        .isLessThanOrEqualTo(size / 2);
                assertThat(got).as("what came is the file's prefix")
                        .isEqualTo(java.util.Arrays.copyOf(fileBytes, got.length));
                Throwable cause = handler.closeCause.get(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(cause).isInstanceOf(EOFException.class).hasMessageContaining("truncated");
                TestServers.await("the callback", () -> handler.outcomes.size() == 1);
                assertThat(handler.outcomes.get(0)).startsWith("file failed: java.io.EOFException");
            } finally {
                engine.stop();
            }
        }
    }

    @Test
    void aConnectionThatFailsWithAFileUnsentTellsItsCallbackTheCause() throws Exception {
        Path path = randomFile("unsent", 32 << 20, 4);
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.READ)) {
            Sender handler = new Sender(conn -> { });
            handler.onOpenSendFile(file, 32 << 20);
            Engine engine = start(false, handler, Options.builder().numEventLoops(1));
            try (Socket socket = TestServers.connect(engine)) {
                Conn conn = handler.opened.get(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS);
                TestServers.await("the socket to stop taking the file", () -> stalled(conn));
                conn.abort(new IllegalStateException("the test gives up"));
                Throwable cause = handler.closeCause.get(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(cause).hasMessage("the test gives up");
                TestServers.await("the callback", () -> handler.outcomes.size() == 1);
                assertThat(handler.outcomes).containsExactly("file failed: " + cause);
            } finally {
                engine.stop();
            }
        }
    }

    @Test
    void badRangesAndClosedOutputAreClearErrors() throws Exception {
        Path path = randomFile("small", 100, 5);
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.READ)) {
            CompletableFuture<List<Throwable>> errors = new CompletableFuture<>();
            Sender handler = new Sender(conn -> {
                List<Throwable> seen = new CopyOnWriteArrayList<>();
                for (long[] range : new long[][] {{-1, 10}, {0, -1}, {50, 51}, {101, 0}}) {
                    try {
                        conn.sendFile(file, range[0], range[1], null);
                        seen.add(null);
                    } catch (RuntimeException e) {
                        seen.add(e);
                    }
                }
                conn.shutdownOutput();
                try {
                    conn.sendFile(file, 0, 10, null);
                    seen.add(null);
                } catch (RuntimeException e) {
                    seen.add(e);
                }
                errors.complete(seen);
            });
            Engine engine = start(false, handler, Options.builder().numEventLoops(1));
            try (Socket socket = TestServers.connect(engine)) {
                List<Throwable> seen = errors.get(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(seen).hasSize(5);
                assertThat(seen.subList(0, 4)).allSatisfy(e -> assertThat(e).isInstanceOf(IllegalArgumentException.class));
                assertThat(seen.get(2)).hasMessageContaining("beyond the file's size of 100 bytes");
                assertThat(seen.get(4)).isInstanceOf(ConnectionClosedException.class);
                assertThat(socket.getInputStream().read()).as("output shut: EOF, and nothing sent").isEqualTo(-1);
            } finally {
                engine.stop();
            }
        }
    }

    /** Whether the connection's queue stayed the same over a short look (the socket takes no more). */
    private static boolean stalled(Conn conn) {
        int before = conn.outboundBuffered();
        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        return before > 0 && conn.outboundBuffered() == before;
    }

    /** Reads until EOF or a reset/TLS error (a connection closed on a failure may end either way). */
    private static byte[] readUntilClosed(InputStream in, int max) {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] chunk = new byte[64 * 1024];
        try {
            for (int r; (r = in.read(chunk)) >= 0 && got.size() <= max; ) {
                got.write(chunk, 0, r);
            }
        } catch (IOException endedByFailure) {
            // what came before the failure is what is checked
        }
        return got.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
