package io.gnetj.examples.http;

import java.nio.ByteBuffer;

/**
 * A {@code Range} header value (RFC 9110 14.2) applied to a file of known size, read in place
 * from the request bytes.
 *
 * <p>Only a single byte range is served: {@code bytes=a-b}, {@code bytes=a-} and
 * {@code bytes=-n}. Anything else yields {@link #WHOLE} (the header is ignored and the whole
 * file sent with 200, which RFC 9110 14.2 allows): other units, syntax errors, {@code b < a}, and
 * several ranges ({@code bytes=0-1,5-6}), since answering those would take a
 * {@code multipart/byteranges} body, and a client asking for several ranges must accept the whole
 * file. A range that starts at or past the end, or a suffix of 0 bytes, is
 * {@link #UNSATISFIABLE} (416). A last byte past the end is clamped to it; a suffix longer than
 * the file means the whole file (as a 206).
 *
 * <p>Numbers saturate instead of overflowing, so {@code bytes=99999999999999999999-} is simply
 * past the end.
 *
 * <p>Threading: one per connection (kept in its {@link HttpSession}), loop thread only.
 */
final class ByteRange {

    /** No usable range: send the whole file. */
    static final int WHOLE = 0;
    /** Send {@link #first()} to {@link #last()} (inclusive) with 206. */
    static final int PARTIAL = 1;
    /** 416, with {@code Content-Range: bytes *}{@code /size}. */
    static final int UNSATISFIABLE = 2;

    private static final byte[] BYTES_UNIT = HttpSyntax.ascii("bytes=");

    private long first;
    private long last;

    /** First byte of the last {@link #PARTIAL} range. */
    long first() {
        return first;
    }

    /** Last byte (inclusive) of the last {@link #PARTIAL} range. */
    long last() {
        return last;
    }

    /** Bytes of the last {@link #PARTIAL} range. */
    long length() {
        return last - first + 1;
    }

    /**
     * Applies the value at {@code [start, end)} of {@code buf} (absolute indexes, surrounding
     * whitespace already trimmed) to a file of {@code size} bytes.
     *
     * @return {@link #WHOLE}, {@link #PARTIAL} or {@link #UNSATISFIABLE}
     */
    int parse(ByteBuffer buf, int start, int end, long size) {
        if (end - start < BYTES_UNIT.length) {
            return WHOLE;
        }
        for (int i = 0; i < BYTES_UNIT.length; i++) {
            byte b = buf.get(start + i);
            if ((b >= 'A' && b <= 'Z' ? b + 32 : b) != BYTES_UNIT[i]) {
                return WHOLE; // another unit: ignored
            }
        }
        int i = skipSpace(buf, start + BYTES_UNIT.length, end);
        int e = end;
        while (e > i && isSpace(buf.get(e - 1))) {
            e--;
        }
        for (int k = i; k < e; k++) {
            if (buf.get(k) == ',') {
                return WHOLE; // several ranges: the whole file instead of multipart/byteranges
            }
        }
        if (i < e && buf.get(i) == '-') {
            int digitsEnd = digitsEnd(buf, i + 1, e);
            if (digitsEnd == i + 1 || digitsEnd != e) {
                return WHOLE;
            }
            long suffix = number(buf, i + 1, digitsEnd);
            if (suffix == 0 || size == 0) {
                return UNSATISFIABLE;
            }
            first = Math.max(0, size - suffix);
            last = size - 1;
            return PARTIAL;
        }
        int firstEnd = digitsEnd(buf, i, e);
        if (firstEnd == i || firstEnd == e || buf.get(firstEnd) != '-') {
            return WHOLE;
        }
        long a = number(buf, i, firstEnd);
        int lastEnd = digitsEnd(buf, firstEnd + 1, e);
        if (lastEnd != e) {
            return WHOLE;
        }
        long b = lastEnd == firstEnd + 1 ? Long.MAX_VALUE : number(buf, firstEnd + 1, lastEnd);
        if (b < a) {
            return WHOLE; // an invalid range-spec: ignored, like a syntax error
        }
        if (a >= size) {
            return UNSATISFIABLE;
        }
        first = a;
        last = Math.min(b, size - 1);
        return PARTIAL;
    }

    private static int digitsEnd(ByteBuffer buf, int from, int end) {
        int i = from;
        while (i < end && buf.get(i) >= '0' && buf.get(i) <= '9') {
            i++;
        }
        return i;
    }

    /** The decimal number at {@code [from, to)}, saturating at {@code Long.MAX_VALUE}. */
    private static long number(ByteBuffer buf, int from, int to) {
        long v = 0;
        for (int i = from; i < to; i++) {
            int d = buf.get(i) - '0';
            if (v > (Long.MAX_VALUE - d) / 10) {
                return Long.MAX_VALUE;
            }
            v = v * 10 + d;
        }
        return v;
    }

    private static int skipSpace(ByteBuffer buf, int from, int end) {
        int i = from;
        while (i < end && isSpace(buf.get(i))) {
            i++;
        }
        return i;
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t';
    }
}
