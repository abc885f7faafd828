package io.gnetj.examples.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A reproducible pseudo-random byte stream: the sender writes it from a seed, the receiver
 * regenerates it from the same seed and compares as bytes come, so many megabytes are checked
 * byte for byte without being kept, and a difference is reported at its offset.
 *
 * <p>Threading: one instance per stream and per side; not shared.
 */
final class PatternStream {

    private static final int BLOCK = 8192;

    private final SplittableRandom random;
    private final byte[] block = new byte[BLOCK];
    private int blockPos = BLOCK;

    private PatternStream(long seed) {
        this.random = new SplittableRandom(seed);
    }

    private byte next() {
        if (blockPos == BLOCK) {
            random.nextBytes(block);
            blockPos = 0;
        }
        return block[blockPos++];
    }

    /** Writes the first {@code total} bytes of stream {@code seed}, counting each write in {@code sent}. */
    static void write(OutputStream out, long seed, long total, AtomicLong sent) throws IOException {
        PatternStream p = new PatternStream(seed);
        byte[] chunk = new byte[64 * 1024];
        long left = total;
        while (left > 0) {
            int n = (int) Math.min(chunk.length, left);
            for (int i = 0; i < n; i++) {
                chunk[i] = p.next();
            }
            out.write(chunk, 0, n);
            sent.addAndGet(n);
            left -= n;
        }
        out.flush();
    }

    /**
     * Reads until end of stream and checks every byte against stream {@code seed}, counting each
     * read in {@code received}.
     *
     * @return the bytes read
     * @throws AssertionError at the first byte that differs
     */
    static long verify(InputStream in, long seed, AtomicLong received) throws IOException {
        PatternStream p = new PatternStream(seed);
        byte[] chunk = new byte[64 * 1024];
        long offset = 0;
        for (int n; (n = in.read(chunk)) >= 0; ) {
            for (int i = 0; i < n; i++) {
                byte expected = p.next();
                if (chunk[i] != expected) {
                    throw new AssertionError("stream " + seed + " differs at byte " + (offset + i) + ": expected "
                            + expected + ", got " + chunk[i]);
                }
            }
            offset += n;
            received.addAndGet(n);
        }
        return offset;
    }
}
