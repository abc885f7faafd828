package io.gnetj.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Reads and writes unsigned length fields of 1, 2, 4 or 8 bytes in either byte order. */
final class LengthFields {

    private LengthFields() {
    }

    static int checkSize(int size) {
        if (size != 1 && size != 2 && size != 4 && size != 8) {
            throw new IllegalArgumentException("length field must be 1, 2, 4 or 8 bytes, was " + size);
        }
        return size;
    }

    /** The largest value a field of {@code size} bytes holds, unsigned (8 bytes: up to 2^63 - 1). */
    static long maxValue(int size) {
        return size == 8 ? Long.MAX_VALUE : (1L << (size * 8)) - 1;
    }

    /**
     * The unsigned value of the {@code size}-byte field at absolute index {@code at}, byte by byte
     * so the view's own byte order is neither used nor changed. An 8-byte field whose top bit is
     * set comes back negative.
     */
    static long read(ByteBuffer buf, int at, int size, ByteOrder order) {
        long value = 0;
        if (order == ByteOrder.BIG_ENDIAN) {
            for (int i = 0; i < size; i++) {
                value = (value << 8) | (buf.get(at + i) & 0xFF);
            }
        } else {
            for (int i = size - 1; i >= 0; i--) {
                value = (value << 8) | (buf.get(at + i) & 0xFF);
            }
        }
        return value;
    }

    /** Puts {@code value} as a {@code size}-byte field at {@code dst}'s position, advancing it. */
    static void write(ByteBuffer dst, long value, int size, ByteOrder order) {
        if (order == ByteOrder.BIG_ENDIAN) {
            for (int i = size - 1; i >= 0; i--) {
                dst.put((byte) (value >>> (i * 8)));
            }
        } else {
            for (int i = 0; i < size; i++) {
                dst.put((byte) (value >>> (i * 8)));
            }
        }
    }
}
