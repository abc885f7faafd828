package io.gnetj.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Finds a byte in a {@link ByteBuffer} eight bytes at a time: the search every text protocol does
 * for {@code '\n'} (line framing, HTTP heads, RESP), written once.
 *
 * <p>Why not a plain loop of {@code buf.get(i)}: each absolute {@code get} on a direct buffer
 * checks its index and the buffer's memory scope. Reading a {@code long} pays those checks once
 * per eight bytes, and a branch-free test finds the first matching byte in the word:
 *
 * <pre>
 *   x = word ^ (value * 0x0101010101010101)       matching bytes become 0x00
 *   t = ~(((x &amp; 0x7F..7F) + 0x7F..7F) | x | 0x7F..7F)   0x80 exactly where x has a 0x00 byte
 *   first match = lowest address: leading zeros of t (big-endian word) or trailing (little-endian), / 8
 * </pre>
 *
 * The addition cannot carry from one byte into the next ({@code 0x7F + 0x7F < 0x100}), so there
 * are no false matches, unlike the shorter {@code (x - 0x01..01) & ~x} form. The bytes before a
 * whole word and the last {@code < 8} bytes are compared one at a time.
 *
 * <p>Positions are absolute indices; the buffer's position, limit and byte order are read, never
 * changed. Heap and direct buffers, either byte order.
 *
 * <p>Threading: stateless; safe from any thread for a buffer no other thread is changing.
 */
public final class ByteSearch {

    private static final long ONES = 0x0101010101010101L;
    private static final long LOW7 = 0x7F7F7F7F7F7F7F7FL;

    private ByteSearch() {
    }

    /**
     * {@return the index of the first {@code value} in {@code buf} at absolute indices
     * {@code [from, to)}, or -1 if there is none} The buffer's position and limit do not move. Any
     * thread, for a buffer no other thread is changing.
     *
     * @param buf the bytes to search
     * @param from absolute index of the first byte searched
     * @param to absolute index past the last byte searched
     * @param value the byte to find
     * @throws IndexOutOfBoundsException if {@code from < 0}, {@code from > to} or
     *     {@code to > buf.limit()}
     */
    public static int indexOf(ByteBuffer buf, int from, int to, byte value) {
        Objects.checkFromToIndex(from, to, buf.limit());
        int i = from;
        if (to - from >= Long.BYTES) {
            long pattern = ONES * (value & 0xFF);
            boolean bigEndian = buf.order() == ByteOrder.BIG_ENDIAN;
            int lastWord = to - Long.BYTES;
            for (; i <= lastWord; i += Long.BYTES) {
                long x = buf.getLong(i) ^ pattern;
                long found = ~(((x & LOW7) + LOW7) | x | LOW7);
                if (found != 0) {
                    int zeros = bigEndian ? Long.numberOfLeadingZeros(found) : Long.numberOfTrailingZeros(found);
                    return i + (zeros >>> 3);
                }
            }
        }
        for (; i < to; i++) {
            if (buf.get(i) == value) {
                return i;
            }
        }
        return -1;
    }
}
