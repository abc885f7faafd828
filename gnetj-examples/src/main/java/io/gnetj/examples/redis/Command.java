package io.gnetj.examples.redis;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The commands the redis example knows, with Redis 7's arity (positive: exactly that many
 * arguments including the name; negative: at least that many).
 */
enum Command {
    PING(-1), ECHO(2), QUIT(-1), SELECT(2), COMMAND(-1), CLIENT(-2), CONFIG(-2), INFO(-1),
    GET(2), SET(-3), DEL(-2), EXISTS(-2), INCR(2), INCRBY(3), DECR(2), DECRBY(3), MGET(-2), MSET(-3),
    EXPIRE(-3), PEXPIRE(-3), TTL(2), PTTL(2), DBSIZE(1), FLUSHALL(-1), FLUSHDB(-1),
    KEYS(2), SCAN(-2), TYPE(2), SETEX(4), PERSIST(2), APPEND(3),
    LPUSH(-3), RPUSH(-3), LPOP(-2), RPOP(-2), LRANGE(4), LLEN(2),
    HSET(-4), HGET(3), HDEL(-3), HGETALL(2), HLEN(2);

    final int arity;
    /** Lower-case name, as Redis shows it in errors. */
    final String lowerName;
    private final byte[] lower;

    Command(int arity) {
        this.arity = arity;
        this.lowerName = name().toLowerCase(java.util.Locale.ROOT);
        this.lower = lowerName.getBytes(StandardCharsets.US_ASCII);
    }

    boolean arityOk(int argc) {
        return arity > 0 ? argc == arity : argc >= -arity;
    }

    // An open-addressing table keyed by the case-folded name: lookup without allocating.
    private static final Command[] TABLE = new Command[128];

    static {
        for (Command c : values()) {
            int i = hash(ByteBuffer.wrap(c.lower), 0, c.lower.length) & (TABLE.length - 1);
            while (TABLE[i] != null) {
                i = (i + 1) & (TABLE.length - 1);
            }
            TABLE[i] = c;
        }
    }

    /** The command named by {@code len} bytes of {@code buf} at {@code off}, any case; or {@code null}. */
    static Command lookup(ByteBuffer buf, int off, int len) {
        int i = hash(buf, off, len) & (TABLE.length - 1);
        while (TABLE[i] != null) {
            if (TABLE[i].is(buf, off, len)) {
                return TABLE[i];
            }
            i = (i + 1) & (TABLE.length - 1);
        }
        return null;
    }

    /** Whether the bytes spell this command's name, any case. */
    boolean is(ByteBuffer buf, int off, int len) {
        return equalsIgnoreCase(buf, off, len, lower);
    }

    static boolean equalsIgnoreCase(ByteBuffer buf, int off, int len, byte[] lower) {
        if (len != lower.length) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (fold(buf.get(off + i)) != lower[i]) {
                return false;
            }
        }
        return true;
    }

    private static int hash(ByteBuffer buf, int off, int len) {
        int h = len;
        for (int i = 0; i < len; i++) {
            h = h * 31 + fold(buf.get(off + i));
        }
        return h ^ (h >>> 7);
    }

    private static byte fold(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
    }
}
