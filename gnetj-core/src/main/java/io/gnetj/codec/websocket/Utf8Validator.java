package io.gnetj.codec.websocket;

import java.nio.ByteBuffer;

/**
 * Checks that bytes are well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
 * past U+10FFFF), a chunk at a time: a code point may be cut anywhere between two chunks (between
 * two fragments of a text message), and an invalid byte is reported as soon as it is seen, so a
 * bad text message fails before it has all arrived (RFC 6455 section 8.1).
 *
 * <p>The state is the number of continuation bytes still expected and the range the next one
 * must fall in; the ranges for the bytes after {@code E0}, {@code ED}, {@code F0} and {@code F4}
 * are narrower (Unicode 15, table 3-7). Runs of ASCII are skipped eight bytes at a time.
 *
 * <p>Threading: not thread-safe; one per decoder, on its connection's loop thread.
 */
final class Utf8Validator {

    private static final long HIGH_BITS = 0x8080808080808080L;

    /** Continuation bytes still expected in the current code point. */
    private int needed;
    private int lower = 0x80;
    private int upper = 0xBF;

    /** Forgets any partial code point: the start of a new message. */
    void reset() {
        needed = 0;
        lower = 0x80;
        upper = 0xBF;
    }

    /** Whether the bytes seen so far end on a code point boundary (a message may end here). */
    boolean complete() {
        return needed == 0;
    }

    /**
     * Checks {@code buf}'s bytes from {@code from} (inclusive) to {@code to} (exclusive), absolute
     * indexes; the buffer's position and limit do not move.
     *
     * @return {@code false} at the first byte that cannot be UTF-8 here
     */
    boolean check(ByteBuffer buf, int from, int to) {
        int i = from;
        while (i < to) {
            if (needed == 0) {
                while (i + 8 <= to && (buf.getLong(i) & HIGH_BITS) == 0) {
                    i += 8;
                }
                if (i == to) {
                    return true;
                }
            }
            if (!step(buf.get(i) & 0xFF)) {
                return false;
            }
            i++;
        }
        return true;
    }

    /** Checks {@code bytes[from..to)}. */
    boolean check(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!step(bytes[i] & 0xFF)) {
                return false;
            }
        }
        return true;
    }

    private boolean step(int b) {
        if (needed > 0) {
            if (b < lower || b > upper) {
                return false;
            }
            needed--;
            lower = 0x80;
            upper = 0xBF;
            return true;
        }
        if (b < 0x80) {
            return true;
        }
        if (b >= 0xC2 && b <= 0xDF) {
            needed = 1;
        } else if (b == 0xE0) {
            needed = 2;
            lower = 0xA0;
        } else if (b == 0xED) {
            needed = 2;
            upper = 0x9F; // U+D800..U+DFFF are surrogates, not characters
        } else if (b >= 0xE1 && b <= 0xEF) {
            needed = 2;
        } else if (b == 0xF0) {
            needed = 3;
            lower = 0x90;
        } else if (b >= 0xF1 && b <= 0xF3) {
            needed = 3;
        } else if (b == 0xF4) {
            needed = 3;
            upper = 0x8F; // nothing past U+10FFFF
        } else {
            return false; // 80..C1 (continuation or overlong lead), F5..FF
        }
        return true;
    }
}
