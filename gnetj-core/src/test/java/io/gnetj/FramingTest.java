package io.gnetj;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.buffer.BufferPool;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/**
 * Frames split across reads and many frames per read: a length-prefixed decoder written against
 * {@link Conn#peek}/{@link Conn#discard}/{@link Conn#next} must see every frame exactly once, in
 * order, whatever the segmentation.
 */
class FramingTest {

    /** Frame: int32 length of the body, then the body: int32 sequence number, then random bytes. */
    private static final class FrameDecoder implements EventHandler {
        /** Per connection (keyed by client port): the frames decoded, as "seq:crc". */
        final Map<Integer, List<String>> seen = new ConcurrentHashMap<>();

        @Override
        public Action onOpen(Conn conn) {
            List<String> frames = new ArrayList<>();
            conn.context(frames);
            seen.put(((java.net.InetSocketAddress) conn.remoteAddress()).getPort(), frames);
            return Action.NONE;
        }

        @Override
        public Action onTraffic(Conn conn) {
            List<String> frames = conn.context();
            while (conn.inboundBuffered() >= 4) {
                ByteBuffer header = conn.peek(4);
                int length = header.getInt(header.position());
                if (conn.inboundBuffered() < 4 + length) {
                    break; // incomplete: wait for more bytes, which will call onTraffic again
                }
                conn.discard(4);
                ByteBuffer body = conn.next(length);
                assertThat(body.remaining()).isEqualTo(length);
                int seq = body.getInt(body.position());
                CRC32 crc = new CRC32();
                crc.update(body);
                synchronized (frames) {
                    frames.add(seq + ":" + crc.getValue());
                }
            }
            return Action.NONE;
        }
    }

    @Test
    void decoderSeesEveryFrameExactlyOnceInOrderWhateverTheSegmentation() throws Exception {
        BufferPool pool = BufferPool.create();
        FrameDecoder decoder = new FrameDecoder();
        // A small read buffer makes frames straddle reads often, and leftovers wrap in the ring.
        Engine engine = TestServers.start(decoder,
                Options.builder().numEventLoops(2).readBufferCap(1024).bufferPool(pool).build());
        int clients = 8;
        int framesPerClient = 2_000;
        ExecutorService exec = Executors.newFixedThreadPool(clients);
        try {
            List<Future<Map.Entry<Integer, List<String>>>> results = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                long seed = 1000 + c;
                results.add(exec.submit(() -> sendFrames(engine, seed, framesPerClient)));
            }
            for (Future<Map.Entry<Integer, List<String>>> f : results) {
                Map.Entry<Integer, List<String>> sent = f.get(60, TimeUnit.SECONDS);
                List<String> expected = sent.getValue();
                TestServers.await("server decoded " + expected.size() + " frames from client port " + sent.getKey(),
                        () -> {
                            List<String> got = decoder.seen.get(sent.getKey());
                            if (got == null) {
                                return false;
                            }
                            synchronized (got) {
                                return got.size() >= expected.size();
                            }
                        });
                List<String> got = decoder.seen.get(sent.getKey());
                synchronized (got) {
                    assertThat(got).as("frames decoded from client port " + sent.getKey()).isEqualTo(expected);
                }
            }
            TestServers.await("every connection closed", () -> engine.countConnections() == 0);
        } finally {
            exec.shutdownNow();
            engine.stop();
        }
        assertThat(pool.inUseBytes()).as("pooled bytes still lent out after stop").isZero();
    }

    /** Sends the frames as one stream cut at random points; returns (client port, expected "seq:crc" list). */
    private static Map.Entry<Integer, List<String>> sendFrames(Engine engine, long seed, int count) throws IOException {
        Random random = new Random(seed);
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        DataOutputStream data = new DataOutputStream(stream);
        List<String> expected = new ArrayList<>(count);
        for (int seq = 0; seq < count; seq++) {
            // Mostly small frames (many per write), some larger than the server's read buffer.
            int extra = random.nextInt(10) == 0 ? random.nextInt(5_000) : random.nextInt(40);
            byte[] body = new byte[4 + extra];
            ByteBuffer.wrap(body).putInt(seq);
            for (int i = 4; i < body.length; i++) {
                body[i] = (byte) random.nextInt();
            }
            data.writeInt(body.length);
            data.write(body);
            CRC32 crc = new CRC32();
            crc.update(body);
            expected.add(seq + ":" + crc.getValue());
        }
        byte[] all = stream.toByteArray();
        try (Socket socket = TestServers.connect(engine)) {
            int port = socket.getLocalPort();
            OutputStream out = socket.getOutputStream();
            int off = 0;
            while (off < all.length) {
                // Cut anywhere: inside a length prefix, inside a body, or after many whole frames.
                int len = Math.min(all.length - off, 1 + random.nextInt(random.nextBoolean() ? 7 : 6_000));
                out.write(all, off, len);
                out.flush();
                off += len;
            }
            // Half-close and wait for the server's FIN: by then it has read (and decoded) everything.
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            assertThat(in.read()).as("server closes after the client's FIN").isEqualTo(-1);
            return Map.entry(port, expected);
        }
    }
}
