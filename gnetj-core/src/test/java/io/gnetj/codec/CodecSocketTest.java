package io.gnetj.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.Action;
import io.gnetj.Conn;
import io.gnetj.Engine;
import io.gnetj.EventHandler;
import io.gnetj.Gnet;
import io.gnetj.Options;
import io.gnetj.pool.WorkerPool;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The codecs on real sockets, served by the engine over loopback. */
class CodecSocketTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    /** Echoes every length-field frame back, re-encoded; one encoder per connection. */
    static final class LengthFieldEcho implements EventHandler {
        final LengthFieldFrameDecoder decoder = LengthFieldFrameDecoder.builder()
                .initialBytesToStrip(4).maxFrameLength(64 * 1024).build(); // stateless: shared

        @Override
        public Action onOpen(Conn conn) {
            conn.context(new LengthFieldFrameEncoder());
            return Action.NONE;
        }

        @Override
        public Action onTraffic(Conn conn) {
            LengthFieldFrameEncoder encoder = conn.context();
            for (ByteBuffer frame; (frame = decoder.decode(conn)) != null; ) {
                encoder.write(conn, frame);
            }
            return Action.NONE;
        }
    }

    @Test
    void lengthFieldEchoServerReturnsEveryFrameToManyClientsSendingRandomChunks() throws Exception {
        Engine engine = Gnet.start(new LengthFieldEcho(), "tcp://127.0.0.1:0",
                Options.builder().numEventLoops(2).build());
        int clients = 20;
        int framesPerClient = 200;
        // Each client needs a writer and a reader: the pool is the one under test elsewhere.
        try (WorkerPool pool = WorkerPool.builder(2 * clients).name("codec-clients").build()) {
            List<Future<?>> results = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                long seed = 1000 + c;
                results.add(pool.submit(() -> {
                    runLengthFieldClient(engine, seed, framesPerClient, pool);
                    return null;
                }));
            }
            for (Future<?> f : results) {
                f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
        } finally {
            engine.stop();
        }
        assertThat(engine.isRunning()).isFalse();
    }

    private static void runLengthFieldClient(Engine engine, long seed, int frames, WorkerPool pool) throws Exception {
        Random random = new Random(seed);
        List<byte[]> payloads = new ArrayList<>();
        ByteBuffer stream = ByteBuffer.allocate(frames * (4 + 8_000));
        for (int i = 0; i < frames; i++) {
            byte[] payload = new byte[random.nextInt(10) < 7 ? random.nextInt(100) : random.nextInt(8_000)];
            random.nextBytes(payload);
            payloads.add(payload);
            stream.putInt(payload.length).put(payload);
        }
        byte[] bytes = Arrays.copyOf(stream.array(), stream.position());
        try (Socket socket = connect(engine)) {
            // Write in random chunks on another thread while this one reads the echoes.
            Future<?> writer = pool.submit(() -> {
                OutputStream out = socket.getOutputStream();
                Random chunks = new Random(seed * 31);
                for (int off = 0; off < bytes.length; ) {
                    int len = Math.min(bytes.length - off, 1 + chunks.nextInt(chunks.nextBoolean() ? 16 : 3_000));
                    out.write(bytes, off, len);
                    out.flush();
                    off += len;
                }
                return null;
            });
            DataInputStream in = new DataInputStream(socket.getInputStream());
            for (int i = 0; i < frames; i++) {
                int length = in.readInt();
                assertThat(length).as("client %d frame %d length", seed, i).isEqualTo(payloads.get(i).length);
                byte[] echoed = new byte[length];
                in.readFully(echoed);
                assertThat(echoed).as("client %d frame %d", seed, i).isEqualTo(payloads.get(i));
            }
            writer.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /** Echoes lines; records why each connection closed. */
    static final class LineEcho implements EventHandler {
        final CompletableFuture<Throwable> closeCause = new CompletableFuture<>();

        /** Per connection: the decoder remembers how far it searched, the encoder has scratch space. */
        record LineCodec(LineFrameDecoder decoder, LineFrameEncoder encoder) {
        }

        @Override
        public Action onOpen(Conn conn) {
            conn.context(new LineCodec(new LineFrameDecoder(1024), new LineFrameEncoder()));
            return Action.NONE;
        }

        @Override
        public Action onTraffic(Conn conn) {
            LineCodec codec = conn.context();
            for (ByteBuffer line; (line = codec.decoder().decode(conn)) != null; ) {
                codec.encoder().write(conn, line);
            }
            return Action.NONE;
        }

        @Override
        public Action onClose(Conn conn, Throwable cause) {
            closeCause.complete(cause);
            return Action.NONE;
        }
    }

    @Test
    void lineServerClosesAClientThatSendsTooLongALineWithoutANewline() throws Exception {
        LineEcho handler = new LineEcho();
        Engine engine = Gnet.start(handler, "tcp://127.0.0.1:0", Options.builder().numEventLoops(1).build());
        try (Socket socket = connect(engine)) {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write("hello\r\nworld".getBytes(StandardCharsets.US_ASCII));
            out.write("\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(new String(in.readNBytes(12), StandardCharsets.US_ASCII)).isEqualTo("hello\nworld\n");

            // Up to 100 MiB without a newline, 64 KiB at a time: the server must give up long before.
            byte[] chunk = new byte[64 * 1024];
            Arrays.fill(chunk, (byte) 'a');
            long sent = 0;
            IOException refused = null;
            while (sent < 100L * 1024 * 1024 && refused == null) {
                try {
                    out.write(chunk);
                    out.flush();
                    sent += chunk.length;
                } catch (IOException e) {
                    refused = e; // the server closed (reset) the connection
                }
                if (handler.closeCause.isDone() && refused == null) {
                    break;
                }
            }
            Throwable cause = handler.closeCause.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(cause).isInstanceOf(CorruptFrameException.class)
                    .hasMessageContaining("limit of 1024 bytes");
            assertThat(sent).as("bytes sent before the server gave up").isLessThan(100L * 1024 * 1024);
            assertThat(readsEndOfStream(in)).as("the client sees the connection closed").isTrue();
        } finally {
            engine.stop();
        }
    }

    /** Reads until end of stream or reset; {@code true} if the connection turned out closed. */
    private static boolean readsEndOfStream(InputStream in) {
        byte[] sink = new byte[8192];
        try {
            while (in.read(sink) >= 0) {
                // the server sent nothing more than the echoes already read; drain anything else
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true; // "connection reset": closed with our bytes unread, as expected
        }
    }

    private static Socket connect(Engine engine) throws IOException {
        Socket socket = new Socket();
        socket.connect(engine.addresses().get(0), 5_000);
        socket.setSoTimeout((int) WAIT.toMillis());
        socket.setTcpNoDelay(true);
        return socket;
    }
}
