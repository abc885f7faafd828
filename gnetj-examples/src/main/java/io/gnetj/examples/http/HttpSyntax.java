package io.gnetj.examples.http;

import io.gnetj.codec.ByteSearch;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The byte-level grammar of HTTP/1.1 that {@link HttpRequestParser} reads requests with: the
 * {@code tchar} table, the method, scheme, header-name and token constants it matches against, and
 * the scanning primitives (line ends, byte search, whitespace trimming, exact and case-insensitive
 * compares, {@code Content-Length} and hex digits).
 *
 * <p>Every primitive reads a {@link ByteBuffer} with absolute gets at {@code base + index}, where
 * {@code index} is relative to the request's first byte; the buffer's position and limit are never
 * changed. Nothing here allocates (except {@link #ascii}, used for constants and tests), so the
 * parser's per-request path stays allocation-free.
 *
 * <p>Threading: stateless; every method may be called from any thread. The constant arrays are
 * shared and must never be written.
 */
final class HttpSyntax {

    static final byte CR = '\r';
    static final byte LF = '\n';
    static final byte SP = ' ';
    static final byte HT = '\t';

    static final byte[] GET = ascii("GET");
    static final byte[] HEAD = ascii("HEAD");
    static final byte[] POST = ascii("POST");
    static final byte[] HTTP_SLASH = ascii("HTTP/");
    static final byte[] HTTP_SCHEME = ascii("http://");
    static final byte[] HTTPS_SCHEME = ascii("https://");

    // Header names and tokens, lower case: compared with equalsLower.
    static final byte[] CONTENT_LENGTH = ascii("content-length");
    static final byte[] TRANSFER_ENCODING = ascii("transfer-encoding");
    static final byte[] CONNECTION = ascii("connection");
    static final byte[] HOST = ascii("host");
    static final byte[] EXPECT = ascii("expect");
    static final byte[] CHUNKED = ascii("chunked");
    static final byte[] CLOSE = ascii("close");
    static final byte[] KEEP_ALIVE = ascii("keep-alive");
    static final byte[] CONTINUE_100 = ascii("100-continue");

    /** {@code tchar} of RFC 9110 section 5.6.2. */
    private static final boolean[] TCHAR = new boolean[256];

    static {
        for (int c = '0'; c <= '9'; c++) {
            TCHAR[c] = true;
        }
        for (int c = 'a'; c <= 'z'; c++) {
            TCHAR[c] = true;
            TCHAR[c - 32] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TCHAR[c] = true;
        }
    }

    private HttpSyntax() {
    }

    /** Whether {@code b} may appear in a token (a method or a header name). */
    static boolean isTchar(byte b) {
        return TCHAR[b & 0xff];
    }

    /** Optional whitespace: SP or HTAB. */
    static boolean isOws(byte b) {
        return b == SP || b == HT;
    }

    /** A control byte not allowed in a field value or chunk extension (anything below SP but HTAB, and DEL). */
    static boolean isControl(byte b) {
        return (b < SP && b != HT) || b == 127;
    }

    /** {@return the value of a hex digit, or -1 if {@code b} is not one} */
    static int hexValue(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        return -1;
    }

    /** End of a line's content, given the index just past its LF (strips the LF and one CR). */
    static int lineEnd(ByteBuffer buf, int base, int afterLf) {
        int e = afterLf - 1;
        if (e > 0 && buf.get(base + e - 1) == CR) {
            e--;
        }
        return e;
    }

    /** Index (relative to {@code base}) of the first {@code b} in {@code [from, to)}, or -1. */
    static int indexOf(ByteBuffer buf, int base, int from, int to, byte b) {
        if (from >= to) {
            return -1;
        }
        int at = ByteSearch.indexOf(buf, base + from, base + to, b);
        return at < 0 ? -1 : at - base;
    }

    /** {@return the first index in {@code [s, e)} past leading optional whitespace, or {@code e}} */
    static int trimStart(ByteBuffer buf, int base, int s, int e) {
        while (s < e && isOws(buf.get(base + s))) {
            s++;
        }
        return s;
    }

    /** {@return the end of {@code [s, e)} without trailing optional whitespace} */
    static int trimEnd(ByteBuffer buf, int base, int s, int e) {
        while (e > s && isOws(buf.get(base + e - 1))) {
            e--;
        }
        return e;
    }

    /** Byte-for-byte compare of {@code len} bytes at {@code off} with {@code expected}. */
    static boolean equalsExact(ByteBuffer buf, int base, int off, int len, byte[] expected) {
        if (len != expected.length) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (buf.get(base + off + i) != expected[i]) {
                return false;
            }
        }
        return true;
    }

    /** Case-insensitive compare against a lower-case ASCII constant. */
    static boolean equalsLower(ByteBuffer buf, int base, int off, int len, byte[] lower) {
        if (len != lower.length) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            byte b = buf.get(base + off + i);
            if (b >= 'A' && b <= 'Z') {
                b += 32;
            }
            if (b != lower[i]) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code [off, end)} starts with {@code lower}, ignoring ASCII case. */
    static boolean startsWithLower(ByteBuffer buf, int base, int off, int end, byte[] lower) {
        return end - off >= lower.length && equalsLower(buf, base, off, lower.length, lower);
    }

    /**
     * Parses a {@code Content-Length} value in {@code [vs, ve)}: digits, or a comma-separated list
     * of equal values (RFC 9110 8.6).
     *
     * @return the value, -1 when invalid (empty, non-digit, or a list of differing values)
     */
    static long parseContentLength(ByteBuffer buf, int base, int vs, int ve) {
        long value = -1;
        int s = vs;
        while (s <= ve) {
            int comma = indexOf(buf, base, s, ve, (byte) ',');
            int e = comma < 0 ? ve : comma;
            int ts = trimStart(buf, base, s, e);
            int te = trimEnd(buf, base, ts, e);
            if (te == ts) {
                return -1;
            }
            long v = 0;
            for (int k = ts; k < te; k++) {
                int d = buf.get(base + k) - '0';
                if (d < 0 || d > 9) {
                    return -1;
                }
                // Saturate: any length past maxBody is refused with 413 anyway.
                v = v > (Long.MAX_VALUE - 9) / 10 ? Long.MAX_VALUE / 2 : v * 10 + d;
            }
            if (value != -1 && v != value) {
                return -1;
            }
            value = v;
            s = e + 1;
        }
        return value;
    }

    /** The US-ASCII bytes of {@code s}; allocates, so for constants and tests only. */
    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
