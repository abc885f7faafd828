package io.gnetj.examples.redis;

import java.nio.ByteBuffer;

/** Number parsing and formatting shared by the RESP parser, the commands and the replies. */
final class Resp {

    /** Not a number by {@link #parseLong}'s rules. */
    static final long NOT_A_NUMBER = Long.MIN_VALUE;

    private Resp() {
    }

    /**
     * Redis's {@code string2ll}: an optional minus, then digits without leading zeros (or a single
     * 0), within a long (but never {@link Long#MIN_VALUE}, which stands for "not a number").
     */
    static long parseLong(ByteBuffer buf, int off, int len) {
        if (len <= 0 || len > 20) {
            return NOT_A_NUMBER;
        }
        int i = off;
        int end = off + len;
        boolean negative = false;
        if (buf.get(i) == '-') {
            negative = true;
            i++;
            if (i == end) {
                return NOT_A_NUMBER;
            }
        }
        if (buf.get(i) == '0') {
            return len == 1 ? 0 : NOT_A_NUMBER;
        }
        long v = 0;
        for (; i < end; i++) {
            int d = buf.get(i) - '0';
            if (d < 0 || d > 9) {
                return NOT_A_NUMBER;
            }
            // Accumulate negatively: the negative range is one larger.
            if (v < (Long.MIN_VALUE + d) / 10) {
                return NOT_A_NUMBER;
            }
            v = v * 10 - d;
        }
        if (negative) {
            return v;
        }
        return v == Long.MIN_VALUE ? NOT_A_NUMBER : -v;
    }

    /** {@link #parseLong} over an array. */
    static long parseLong(byte[] b) {
        return parseLong(ByteBuffer.wrap(b), 0, b.length);
    }

    /** Decimal ASCII of {@code v}. */
    static byte[] toBytes(long v) {
        return Long.toString(v).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
