package io.gnetj.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.testing.MemoryConn;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.Supplier;

/** Feeds byte streams to decoders in every chunking and checks the frames that come out. */
final class Frames {

    /** Random multi-chunkings tried per stream, on top of every single split point. */
    static final int RANDOM_CHUNKINGS = 300;

    private Frames() {
    }

    /** Bytes of an ISO-8859-1 string: one byte per char, so any byte value can be written. */
    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The string whose ISO-8859-1 bytes are {@code frame}'s remaining bytes; does not move it. */
    static String text(ByteBuffer frame) {
        byte[] b = new byte[frame.remaining()];
        frame.duplicate().get(b);
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** Decodes until {@code null}, as a handler would, copying each frame before the next call. */
    static List<String> drain(FrameDecoder decoder, MemoryConn conn) {
        List<String> frames = new ArrayList<>();
        for (ByteBuffer frame; (frame = decoder.decode(conn)) != null; ) {
            frames.add(text(frame));
        }
        conn.endCallback();
        return frames;
    }

    /** Feeds {@code stream} cut at {@code cuts} (sorted offsets) and returns every frame decoded. */
    static List<String> feed(FrameDecoder decoder, MemoryConn conn, byte[] stream, int... cuts) {
        List<String> frames = new ArrayList<>();
        int from = 0;
        for (int i = 0; i <= cuts.length; i++) {
            int to = i < cuts.length ? cuts[i] : stream.length;
            conn.receive(stream, from, to - from);
            frames.addAll(drain(decoder, conn));
            from = to;
        }
        return frames;
    }

    /**
     * Asserts that {@code stream} decodes to exactly {@code expected}, leaving {@code leftover}
     * bytes buffered, however it is chunked: whole; split at every offset; one byte at a time; and
     * {@link #RANDOM_CHUNKINGS} random multi-splits from a fixed seed. A fresh decoder from
     * {@code decoders} and a fresh connection serve each chunking.
     */
    static void assertDecodesInEveryChunking(Supplier<? extends FrameDecoder> decoders, byte[] stream,
                                             int leftover, String... expected) {
        List<String> want = List.of(expected);
        check(decoders, stream, leftover, want, new int[0], "whole");
        for (int cut = 0; cut <= stream.length; cut++) {
            check(decoders, stream, leftover, want, new int[] {cut}, "split at " + cut);
        }
        int[] everyByte = new int[Math.max(0, stream.length - 1)];
        for (int i = 0; i < everyByte.length; i++) {
            everyByte[i] = i + 1;
        }
        check(decoders, stream, leftover, want, everyByte, "one byte at a time");
        Random random = new Random(0x6e65746aL ^ stream.length);
        for (int round = 0; round < RANDOM_CHUNKINGS; round++) {
            int[] cuts = randomCuts(random, stream.length);
            check(decoders, stream, leftover, want, cuts, "random cuts " + java.util.Arrays.toString(cuts));
        }
    }

    private static void check(Supplier<? extends FrameDecoder> decoders, byte[] stream, int leftover,
                              List<String> want, int[] cuts, String how) {
        MemoryConn conn = new MemoryConn();
        List<String> got = feed(decoders.get(), conn, stream, cuts);
        assertThat(got).as("frames decoded, stream fed %s", how).containsExactlyElementsOf(want);
        assertThat(conn.inboundBuffered()).as("bytes left buffered, stream fed %s", how).isEqualTo(leftover);
    }

    /** Up to 8 distinct sorted cut points in (0, length). */
    static int[] randomCuts(Random random, int length) {
        if (length < 2) {
            return new int[0];
        }
        TreeSet<Integer> cuts = new TreeSet<>();
        int n = 1 + random.nextInt(8);
        for (int i = 0; i < n; i++) {
            cuts.add(1 + random.nextInt(length - 1));
        }
        return cuts.stream().mapToInt(Integer::intValue).toArray();
    }
}
