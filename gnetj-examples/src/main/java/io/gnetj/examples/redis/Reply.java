package io.gnetj.examples.redis;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * RESP2 replies composed into a growable array, written to the connection once per batch so that
 * pipelined commands are answered with one write.
 *
 * <p>Threading: one per connection, its loop thread only.
 */
public final class Reply {

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] NULL_BULK = "$-1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL_ARRAY = "*-1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int KEEP = 16 * 1024;

    private byte[] buf = new byte[256];
    private int length;

    /** The bytes composed so far: {@link #length()} of them from index 0. */
    public byte[] array() {
        return buf;
    }

    /** Bytes composed so far. */
    public int length() {
        return length;
    }

    /** Forgets what was composed; a large array is dropped so an idle connection stays small. */
    public void clear() {
        length = 0;
        if (buf.length > KEEP) {
            buf = new byte[256];
        }
    }

    /** What was composed, as text (tests). */
    @Override
    public String toString() {
        return new String(buf, 0, length, StandardCharsets.ISO_8859_1);
    }

    /** {@code +text}. */
    public Reply simple(byte[] text) {
        put((byte) '+');
        put(text, 0, text.length);
        return put(CRLF, 0, 2);
    }

    /** {@code -message}; CR and LF in it become spaces, as Redis does. */
    public Reply error(String message) {
        put((byte) '-');
        byte[] b = message.getBytes(StandardCharsets.ISO_8859_1); // args are echoed byte for byte
        for (int i = 0; i < b.length; i++) {
            if (b[i] == '\r' || b[i] == '\n') {
                b[i] = ' ';
            }
        }
        put(b, 0, b.length);
        return put(CRLF, 0, 2);
    }

    /** {@code :n}. */
    public Reply integer(long n) {
        put((byte) ':');
        putLong(n);
        return put(CRLF, 0, 2);
    }

    /** {@code $len} and the bytes. */
    public Reply bulk(byte[] b) {
        return bulk(b, 0, b.length);
    }

    /** {@code $len} and {@code len} bytes of {@code b} from {@code off}. */
    public Reply bulk(byte[] b, int off, int len) {
        put((byte) '$');
        putLong(len);
        put(CRLF, 0, 2);
        put(b, off, len);
        return put(CRLF, 0, 2);
    }

    /** {@code $len} and {@code len} bytes of {@code src} from absolute index {@code off}. */
    public Reply bulk(ByteBuffer src, int off, int len) {
        put((byte) '$');
        putLong(len);
        put(CRLF, 0, 2);
        ensure(len);
        src.get(off, buf, length, len);
        length += len;
        return put(CRLF, 0, 2);
    }

    /** The null bulk string {@code $-1}. */
    public Reply nullBulk() {
        return put(NULL_BULK, 0, NULL_BULK.length);
    }

    /** The null array {@code *-1}. */
    public Reply nullArray() {
        return put(NULL_ARRAY, 0, NULL_ARRAY.length);
    }

    /** {@code *n}: {@code n} replies follow. */
    public Reply array(long n) {
        put((byte) '*');
        putLong(n);
        return put(CRLF, 0, 2);
    }

    private Reply put(byte b) {
        ensure(1);
        buf[length++] = b;
        return this;
    }

    private Reply put(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, buf, length, len);
        length += len;
        return this;
    }

    private void putLong(long n) {
        ensure(20);
        if (n < 0) {
            if (n == Long.MIN_VALUE) {
                byte[] digits = Resp.toBytes(n);
                put(digits, 0, digits.length);
                return;
            }
            buf[length++] = '-';
            n = -n;
        }
        int digits = 1;
        for (long v = n; v >= 10; v /= 10) {
            digits++;
        }
        for (int i = length + digits - 1; i >= length; i--, n /= 10) {
            buf[i] = (byte) ('0' + n % 10);
        }
        length += digits;
    }

    private void ensure(int more) {
        if (length + more > buf.length) {
            long cap = Math.max((long) buf.length * 2, (long) length + more);
            if (cap > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("reply too large");
            }
            buf = Arrays.copyOf(buf, (int) cap);
        }
    }
}
