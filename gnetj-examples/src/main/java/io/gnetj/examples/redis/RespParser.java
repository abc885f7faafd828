package io.gnetj.examples.redis;

import io.gnetj.codec.ByteSearch;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * An incremental parser of Redis client requests (RESP2): multibulk ({@code *2\r\n$3\r\nGET\r\n$1\r\nk\r\n})
 * and inline ({@code GET k\n}, as telnet and {@code redis-cli} in some modes send).
 *
 * <h2>Use</h2>
 * {@link #parse} reads {@code buf} from its position with absolute gets (position and limit are
 * never changed) and returns
 * <ul>
 *   <li>{@code > 0}: one command of that many bytes; its arguments are readable with
 *       {@link #argc()}, {@link #argSource()}, {@link #argOffset(int)}, {@link #argLength(int)} until
 *       the next call. {@code argc} may be 0 (an empty inline line or {@code *0}): nothing to run.
 *       Multibulk arguments are read in place from {@code buf}; inline arguments (which may be
 *       quoted and escaped) are decoded into a scratch array.
 *   <li>{@link #NEED_MORE}: incomplete. Call again with the same bytes at the same start and more:
 *       arguments already parsed are not parsed again.
 *   <li>{@link #ERROR}: a protocol error; {@link #error()} has Redis's text (without
 *       {@code "ERR "}). Redis answers it and closes the connection.
 * </ul>
 *
 * <h2>Compatibility</h2>
 * Follows Redis 7's {@code processMultibulkBuffer} and {@code processInlineBuffer}: the same
 * error texts ({@code Protocol error: invalid multibulk length}, {@code invalid bulk length},
 * {@code expected '$', got 'x'}, {@code too big inline request}, {@code unbalanced quotes in
 * request}, ...), quoting rules of {@code sdssplitargs} for inline commands, 64 KiB for a line
 * without its newline. The limits on a bulk's length and a multibulk's count are settable.
 *
 * <p>Threading: one parser per connection, used by its loop thread only.
 */
public final class RespParser {

    /** The command is incomplete. */
    public static final int NEED_MORE = 0;
    /** A protocol error; see {@link #error()}. */
    public static final int ERROR = -1;

    /** Longest inline command, or count/length line, without its newline (Redis: PROTO_INLINE_MAX_SIZE). */
    public static final int MAX_INLINE = 64 * 1024;

    private final long maxBulk;
    private final long maxMultibulk;

    // Multibulk progress, relative to the command's first byte (kept across NEED_MORE).
    private long pendingCount = -1;
    private int resume;

    // The command.
    private ByteBuffer source;
    private int base;
    private int argc;
    private int[] offsets = new int[8];
    private int[] lengths = new int[8];
    private byte[] inline = new byte[64];
    private ByteBuffer inlineView = ByteBuffer.wrap(inline);
    private String error;

    /**
     * @param maxBulk      longest bulk string accepted ({@code invalid bulk length} past it)
     * @param maxMultibulk most arguments in one multibulk ({@code invalid multibulk length} past it)
     */
    public RespParser(long maxBulk, long maxMultibulk) {
        this.maxBulk = maxBulk;
        this.maxMultibulk = maxMultibulk;
    }

    /**
     * Parses one command starting at {@code buf.position()}.
     *
     * @return bytes of a complete command, {@link #NEED_MORE} or {@link #ERROR}
     */
    public int parse(ByteBuffer buf) {
        if (error != null) {
            return ERROR;
        }
        base = buf.position();
        int avail = buf.remaining();
        if (avail == 0) {
            return NEED_MORE;
        }
        if (pendingCount < 0 && buf.get(base) != '*') {
            return parseInline(buf, avail);
        }
        return parseMultibulk(buf, avail);
    }

    private int parseMultibulk(ByteBuffer buf, int avail) {
        source = buf;
        if (pendingCount < 0) {
            int cr = indexOf(buf, 1, avail, (byte) '\r');
            if (cr < 0) {
                return avail > MAX_INLINE ? fail("Protocol error: too big mbulk count string") : NEED_MORE;
            }
            if (cr + 1 >= avail) {
                return NEED_MORE; // the LF has not arrived
            }
            long count = parseLong(buf, 1, cr);
            if (count == Long.MIN_VALUE || count > maxMultibulk || buf.get(base + cr + 1) != '\n') {
                return fail("Protocol error: invalid multibulk length");
            }
            argc = 0;
            if (count <= 0) {
                return cr + 2; // "*0" and "*-1" are skipped, as Redis does
            }
            pendingCount = count;
            resume = cr + 2;
        }
        while (argc < pendingCount) {
            if (resume >= avail) {
                return NEED_MORE;
            }
            int cr = indexOf(buf, resume, avail, (byte) '\r');
            if (cr < 0) {
                return avail - resume > MAX_INLINE ? fail("Protocol error: too big bulk count string") : NEED_MORE;
            }
            byte first = buf.get(base + resume);
            if (first != '$') {
                return fail("Protocol error: expected '$', got '" + (char) (first & 0xff) + "'");
            }
            if (cr + 1 >= avail) {
                return NEED_MORE;
            }
            long length = parseLong(buf, resume + 1, cr);
            if (length == Long.MIN_VALUE || length < 0 || length > maxBulk || buf.get(base + cr + 1) != '\n') {
                return fail("Protocol error: invalid bulk length");
            }
            long end = cr + 2 + length + 2; // data, then its CRLF (skipped unchecked, as Redis does)
            if (avail < end) {
                return NEED_MORE;
            }
            addArg(cr + 2, (int) length);
            resume = (int) end;
        }
        pendingCount = -1;
        return resume;
    }

    private int parseInline(ByteBuffer buf, int avail) {
        int lf = indexOf(buf, 0, avail, (byte) '\n');
        if (lf < 0) {
            return avail > MAX_INLINE ? fail("Protocol error: too big inline request") : NEED_MORE;
        }
        int end = lf > 0 && buf.get(base + lf - 1) == '\r' ? lf - 1 : lf;
        if (inline.length < end) {
            inline = new byte[Math.max(end, inline.length * 2)];
            inlineView = ByteBuffer.wrap(inline);
        }
        source = inlineView;
        argc = 0;
        if (!splitArgs(buf, end)) {
            return fail("Protocol error: unbalanced quotes in request");
        }
        return lf + 1;
    }

    /**
     * Splits a line into arguments as Redis's {@code sdssplitargs} does: blanks separate; "double
     * quotes" take {@code \n \r \t \b \a \\ \" \xHH} escapes; 'single quotes' take {@code \'}; a
     * closing quote must be followed by a blank or the end. Decoded bytes go to the scratch array.
     */
    private boolean splitArgs(ByteBuffer buf, int end) {
        int p = 0;
        int w = 0;
        while (true) {
            while (p < end && isSpace(buf.get(base + p))) {
                p++;
            }
            if (p >= end || buf.get(base + p) == 0) {
                return true;
            }
            int argStart = w;
            boolean inDouble = false;
            boolean inSingle = false;
            boolean done = false;
            while (!done) {
                int c = p < end ? buf.get(base + p) & 0xff : 0;
                int next = p + 1 < end ? buf.get(base + p + 1) & 0xff : 0;
                if (inDouble) {
                    if (c == '\\' && next == 'x' && p + 3 < end
                            && hex(buf.get(base + p + 2)) >= 0 && hex(buf.get(base + p + 3)) >= 0) {
                        inline[w++] = (byte) (hex(buf.get(base + p + 2)) * 16 + hex(buf.get(base + p + 3)));
                        p += 3;
                    } else if (c == '\\' && next != 0) {
                        p++;
                        switch (next) {
                            case 'n': inline[w++] = '\n'; break;
                            case 'r': inline[w++] = '\r'; break;
                            case 't': inline[w++] = '\t'; break;
                            case 'b': inline[w++] = '\b'; break;
                            case 'a': inline[w++] = 7; break;
                            default: inline[w++] = (byte) next; break;
                        }
                    } else if (c == '"') {
                        if (next != 0 && !isSpace((byte) next)) {
                            return false;
                        }
                        done = true;
                    } else if (c == 0) {
                        return false;
                    } else {
                        inline[w++] = (byte) c;
                    }
                } else if (inSingle) {
                    if (c == '\\' && next == '\'') {
                        p++;
                        inline[w++] = '\'';
                    } else if (c == '\'') {
                        if (next != 0 && !isSpace((byte) next)) {
                            return false;
                        }
                        done = true;
                    } else if (c == 0) {
                        return false;
                    } else {
                        inline[w++] = (byte) c;
                    }
                } else {
                    switch (c) {
                        case ' ': case '\n': case '\r': case '\t': case 0:
                            done = true;
                            break;
                        case '"':
                            inDouble = true;
                            break;
                        case '\'':
                            inSingle = true;
                            break;
                        default:
                            inline[w++] = (byte) c;
                            break;
                    }
                }
                if (c != 0) {
                    p++;
                }
            }
            addArg(argStart, w - argStart);
        }
    }

    private void addArg(int offset, int length) {
        if (argc == offsets.length) {
            offsets = Arrays.copyOf(offsets, argc * 2);
            lengths = Arrays.copyOf(lengths, argc * 2);
        }
        offsets[argc] = offset;
        lengths[argc] = length;
        argc++;
    }

    /**
     * Redis's {@code string2ll}: an optional minus, then digits without leading zeros (or a single
     * 0), within a long.
     *
     * @return the value, or {@link Long#MIN_VALUE} when not such a number
     */
    private long parseLong(ByteBuffer buf, int from, int to) {
        return Resp.parseLong(buf, base + from, to - from);
    }

    private int fail(String message) {
        error = message;
        pendingCount = -1;
        return ERROR;
    }

    /** Index (relative to {@code base}) of the first {@code b} in {@code [from, to)}, or -1. */
    private int indexOf(ByteBuffer buf, int from, int to, byte b) {
        if (from >= to) {
            return -1;
        }
        int at = ByteSearch.indexOf(buf, base + from, base + to, b);
        return at < 0 ? -1 : at - base;
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t' || b == 0x0b || b == '\f';
    }

    private static int hex(byte b) {
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

    // ---- the command ----

    /** Arguments of the last command, the name included. */
    public int argc() {
        return argc;
    }

    /** The buffer the arguments are in: the parsed buffer, or the inline scratch buffer. */
    public ByteBuffer argSource() {
        return source;
    }

    /** Absolute index of argument {@code i} in {@link #argSource()}. */
    public int argOffset(int i) {
        return source == inlineView ? offsets[i] : base + offsets[i];
    }

    /** Length of argument {@code i}. */
    public int argLength(int i) {
        return lengths[i];
    }

    /** A copy of argument {@code i}. */
    public byte[] argBytes(int i) {
        byte[] b = new byte[lengths[i]];
        source.get(argOffset(i), b);
        return b;
    }

    /** The protocol error's text, or {@code null}. */
    public String error() {
        return error;
    }
}
