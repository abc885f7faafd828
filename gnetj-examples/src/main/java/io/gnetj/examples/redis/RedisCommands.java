package io.gnetj.examples.redis;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one parsed command against the {@link Keyspace} and composes its reply, with Redis 7's
 * replies and error texts.
 *
 * <p>Threading: shared by every loop; all state is in the keyspace and the session.
 */
final class RedisCommands {

    private static final byte[] OK = ascii("OK");
    private static final byte[] PONG = ascii("PONG");
    private static final byte[] NX = ascii("nx");
    private static final byte[] XX = ascii("xx");
    private static final byte[] GT = ascii("gt");
    private static final byte[] LT = ascii("lt");
    private static final byte[] EX = ascii("ex");
    private static final byte[] PX = ascii("px");
    private static final byte[] EXAT = ascii("exat");
    private static final byte[] PXAT = ascii("pxat");
    private static final byte[] KEEPTTL = ascii("keepttl");
    private static final byte[] GET = ascii("get");
    private static final byte[] COUNT = ascii("count");
    private static final byte[] MATCH = ascii("match");
    private static final byte[] TYPE = ascii("type");
    private static final byte[] SETNAME = ascii("setname");
    private static final byte[] GETNAME = ascii("getname");
    private static final byte[] SETINFO = ascii("setinfo");
    private static final byte[] ID = ascii("id");
    private static final byte[] ASYNC = ascii("async");
    private static final byte[] SYNC = ascii("sync");
    private static final byte[] INFO_TEXT = ascii("# Server\r\nredis_version:7.0.0\r\nredis_mode:standalone\r\n"
            + "gnetj_example:redis\r\n");
    /**
     * What CONFIG GET answers: redis-benchmark asks for save and appendonly when it starts, and
     * clients (and people) check maxmemory before filling a server.
     */
    private static final String[][] CONFIG = {
        {"save", ""}, {"appendonly", "no"}, {"databases", "1"}, {"maxmemory", "0"}};
    private static final RedisError INVALID_CURSOR = new RedisError("ERR invalid cursor");
    /** SCAN's COUNT when not given, as in Redis. */
    private static final long SCAN_COUNT = 10;

    private final Keyspace db;
    private final long maxString;

    /**
     * @param maxString longest string APPEND may build: the bulk limit, as Redis's
     *                  {@code proto-max-bulk-len} bounds both
     */
    RedisCommands(Keyspace db, long maxString) {
        this.db = db;
        this.maxString = maxString;
    }

    /**
     * Runs the command held by {@code cmd} (at least one argument) and appends its reply.
     *
     * @return whether the connection is to be closed after the reply (QUIT)
     */
    boolean execute(RespParser cmd, Reply out, RedisSession session) {
        ByteBuffer src = cmd.argSource();
        int argc = cmd.argc();
        Command c = Command.lookup(src, cmd.argOffset(0), cmd.argLength(0));
        if (c == null) {
            out.error(unknownCommand(cmd));
            return false;
        }
        if (!c.arityOk(argc)) {
            out.error(arityError(c.lowerName));
            return false;
        }
        try {
            return run(c, cmd, argc, out, session);
        } catch (RedisError e) {
            out.error(e.getMessage());
            return false;
        }
    }

    private boolean run(Command c, RespParser cmd, int argc, Reply out, RedisSession session) {
        long now = db.now();
        switch (c) {
            case PING:
                if (argc > 2) {
                    out.error(arityError("ping"));
                } else if (argc == 2) {
                    bulkArg(out, cmd, 1);
                } else {
                    out.simple(PONG);
                }
                return false;
            case ECHO:
                bulkArg(out, cmd, 1);
                return false;
            case QUIT:
                out.simple(OK);
                return true;
            case SELECT:
                if (longArg(cmd, 1) != 0) {
                    throw new RedisError("ERR DB index is out of range");
                }
                out.simple(OK);
                return false;
            case COMMAND:
                if (argc >= 2 && argIs(cmd, 1, COUNT)) {
                    out.integer(Command.values().length);
                } else {
                    out.array(0); // no command docs: enough for redis-cli to start
                }
                return false;
            case CLIENT:
                client(cmd, argc, out, session);
                return false;
            case CONFIG:
                config(cmd, argc, out);
                return false;
            case INFO:
                out.bulk(INFO_TEXT);
                return false;
            case GET: {
                byte[] v = db.get(key(cmd, 1), now);
                if (v == null) {
                    out.nullBulk();
                } else {
                    out.bulk(v);
                }
                return false;
            }
            case SET:
                set(cmd, argc, out, now);
                return false;
            case SETEX: {
                long expireAt = expireAt(longArg(cmd, 2), true, true, c, now);
                db.set(key(cmd, 1), cmd.argBytes(3), Keyspace.SET_ALWAYS, expireAt, false, false, now);
                out.simple(OK);
                return false;
            }
            case APPEND:
                out.integer(db.append(key(cmd, 1), cmd.argBytes(2), maxString, now));
                return false;
            case PERSIST:
                out.integer(db.persist(key(cmd, 1), now) ? 1 : 0);
                return false;
            case TYPE:
                out.simple(ascii(db.type(key(cmd, 1), now)));
                return false;
            case KEYS:
                bulks(out, db.keys(GlobPattern.compile(cmd.argBytes(1)), now));
                return false;
            case SCAN:
                scan(cmd, argc, out, now);
                return false;
            case DEL: {
                long n = 0;
                for (int i = 1; i < argc; i++) {
                    n += db.delete(key(cmd, i), now) ? 1 : 0;
                }
                out.integer(n);
                return false;
            }
            case EXISTS: {
                long n = 0;
                for (int i = 1; i < argc; i++) {
                    n += db.exists(key(cmd, i), now) ? 1 : 0;
                }
                out.integer(n);
                return false;
            }
            case INCR:
                out.integer(db.incrBy(key(cmd, 1), 1, now));
                return false;
            case DECR:
                out.integer(db.incrBy(key(cmd, 1), -1, now));
                return false;
            case INCRBY:
                out.integer(db.incrBy(key(cmd, 1), longArg(cmd, 2), now));
                return false;
            case DECRBY: {
                long by = longArg(cmd, 2);
                if (by == Long.MIN_VALUE) {
                    throw new RedisError("ERR decrement would overflow");
                }
                out.integer(db.incrBy(key(cmd, 1), -by, now));
                return false;
            }
            case MGET:
                out.array(argc - 1);
                for (int i = 1; i < argc; i++) {
                    byte[] v;
                    try {
                        v = db.get(key(cmd, i), now);
                    } catch (RedisError wrongType) {
                        v = null; // MGET answers nil for a key of another type
                    }
                    if (v == null) {
                        out.nullBulk();
                    } else {
                        out.bulk(v);
                    }
                }
                return false;
            case MSET:
                if (argc % 2 == 0) {
                    out.error(arityError("mset"));
                    return false;
                }
                for (int i = 1; i < argc; i += 2) {
                    db.put(key(cmd, i), cmd.argBytes(i + 1));
                }
                out.simple(OK);
                return false;
            case EXPIRE:
            case PEXPIRE:
                expire(c, cmd, argc, out, now);
                return false;
            case TTL: {
                long ms = db.ttlMillis(key(cmd, 1), now);
                out.integer(ms < 0 ? ms : (ms + 500) / 1000);
                return false;
            }
            case PTTL:
                out.integer(db.ttlMillis(key(cmd, 1), now));
                return false;
            case DBSIZE:
                out.integer(db.size());
                return false;
            case FLUSHALL:
            case FLUSHDB:
                if (argc > 2 || (argc == 2 && !argIs(cmd, 1, ASYNC) && !argIs(cmd, 1, SYNC))) {
                    throw RedisError.SYNTAX;
                }
                db.clear();
                out.simple(OK);
                return false;
            case LPUSH:
            case RPUSH: {
                byte[][] values = new byte[argc - 2][];
                for (int i = 2; i < argc; i++) {
                    values[i - 2] = cmd.argBytes(i);
                }
                out.integer(db.push(key(cmd, 1), values, c == Command.LPUSH, now));
                return false;
            }
            case LPOP:
            case RPOP:
                pop(c, cmd, argc, out, now);
                return false;
            case LRANGE: {
                long start = longArg(cmd, 2);
                long stop = longArg(cmd, 3);
                bulks(out, db.range(key(cmd, 1), start, stop, now));
                return false;
            }
            case LLEN:
                out.integer(db.length(key(cmd, 1), now));
                return false;
            case HSET: {
                if (argc % 2 != 0) {
                    out.error(arityError("hset"));
                    return false;
                }
                byte[][] pairs = new byte[argc - 2][];
                for (int i = 2; i < argc; i++) {
                    pairs[i - 2] = cmd.argBytes(i);
                }
                out.integer(db.hset(key(cmd, 1), pairs, now));
                return false;
            }
            case HGET: {
                byte[] v = db.hget(key(cmd, 1), key(cmd, 2), now);
                if (v == null) {
                    out.nullBulk();
                } else {
                    out.bulk(v);
                }
                return false;
            }
            case HDEL: {
                byte[][] fields = new byte[argc - 2][];
                for (int i = 2; i < argc; i++) {
                    fields[i - 2] = cmd.argBytes(i);
                }
                out.integer(db.hdel(key(cmd, 1), fields, now));
                return false;
            }
            case HGETALL:
                bulks(out, db.hgetall(key(cmd, 1), now));
                return false;
            case HLEN:
                out.integer(db.hlen(key(cmd, 1), now));
                return false;
            default:
                throw new AssertionError(c);
        }
    }

    private void set(RespParser cmd, int argc, Reply out, long now) {
        int condition = Keyspace.SET_ALWAYS;
        boolean get = false;
        boolean keepTtl = false;
        byte[] unit = null; // EX, PX, EXAT or PXAT
        int expireArg = -1;
        for (int j = 3; j < argc; j++) {
            boolean hasNext = j + 1 < argc;
            if (argIs(cmd, j, NX) && condition != Keyspace.SET_XX) {
                condition = Keyspace.SET_NX;
            } else if (argIs(cmd, j, XX) && condition != Keyspace.SET_NX) {
                condition = Keyspace.SET_XX;
            } else if (argIs(cmd, j, GET)) {
                get = true;
            } else if (argIs(cmd, j, KEEPTTL) && unit == null) {
                keepTtl = true;
            } else if (!keepTtl && hasNext && (unit == null || argIs(cmd, j, unit))
                    && (argIs(cmd, j, EX) || argIs(cmd, j, PX) || argIs(cmd, j, EXAT) || argIs(cmd, j, PXAT))) {
                unit = argIs(cmd, j, EX) ? EX : argIs(cmd, j, PX) ? PX : argIs(cmd, j, EXAT) ? EXAT : PXAT;
                expireArg = ++j;
            } else {
                throw RedisError.SYNTAX;
            }
        }
        long expireAt = 0;
        if (unit != null) {
            expireAt = expireAt(longArg(cmd, expireArg), unit == EX || unit == EXAT, unit == EX || unit == PX,
                    Command.SET, now);
        }
        Keyspace.SetOutcome outcome = db.set(key(cmd, 1), cmd.argBytes(2), condition, expireAt, keepTtl, get, now);
        if (get) {
            if (outcome.old == null) {
                out.nullBulk();
            } else {
                out.bulk(outcome.old);
            }
        } else if (outcome.done) {
            out.simple(OK);
        } else {
            out.nullBulk();
        }
    }

    /**
     * SET's and SETEX's expiry argument {@code v} as epoch millis: in seconds or milliseconds,
     * from now ({@code relative}) or since the epoch. Not positive, or past a long once converted,
     * is {@code invalid expire time}, as Redis's {@code getExpireMillisecondsOrReply} says.
     */
    private static long expireAt(long v, boolean seconds, boolean relative, Command c, long now) {
        if (v <= 0 || (seconds && v > Long.MAX_VALUE / 1000)) {
            throw invalidExpireTime(c);
        }
        long ms = seconds ? v * 1000 : v;
        if (relative) {
            ms += now; // wraps negative on overflow, caught below
        }
        if (ms <= 0) {
            throw invalidExpireTime(c);
        }
        return ms;
    }

    private static RedisError invalidExpireTime(Command c) {
        return new RedisError("ERR invalid expire time in '" + c.lowerName + "' command");
    }

    /**
     * {@code SCAN cursor [MATCH pattern] [COUNT n] [TYPE type]}: options in any order, the last of
     * a kind wins, as in Redis.
     */
    private void scan(RespParser cmd, int argc, Reply out, long now) {
        long cursor = cursorArg(cmd, 1);
        long count = SCAN_COUNT;
        GlobPattern pattern = null;
        String type = null;
        for (int j = 2; j < argc; j += 2) {
            boolean hasValue = j + 1 < argc;
            if (hasValue && argIs(cmd, j, COUNT)) {
                count = longArg(cmd, j + 1);
                if (count < 1) {
                    throw RedisError.SYNTAX;
                }
            } else if (hasValue && argIs(cmd, j, MATCH)) {
                pattern = GlobPattern.compile(cmd.argBytes(j + 1));
            } else if (hasValue && argIs(cmd, j, TYPE)) {
                type = argString(cmd, j + 1);
            } else {
                throw RedisError.SYNTAX;
            }
        }
        KeyScan.Page page = db.scan(cursor, count, pattern, type, now);
        out.array(2);
        out.bulk(ascii(Long.toUnsignedString(page.cursor)));
        bulks(out, page.keys);
    }

    /**
     * A SCAN cursor, read as Redis reads it (C's {@code strtoul} in base 10, up to the first NUL
     * byte): no leading space, an optional sign ({@code -1} is 2^64 - 1), digits to the end; the
     * empty string is 0. Anything else, or more than 64 bits, is {@code ERR invalid cursor}.
     */
    private static long cursorArg(RespParser cmd, int i) {
        ByteBuffer src = cmd.argSource();
        int off = cmd.argOffset(i);
        int end = off;
        while (end < off + cmd.argLength(i) && src.get(end) != 0) {
            end++;
        }
        if (end == off) {
            return 0;
        }
        int p = off;
        byte first = src.get(p);
        if (first == ' ' || (first >= '\t' && first <= '\r')) {
            throw INVALID_CURSOR;
        }
        boolean negative = first == '-';
        if (first == '-' || first == '+') {
            p++;
        }
        if (p == end) {
            throw INVALID_CURSOR;
        }
        long v = 0;
        for (; p < end; p++) {
            int d = src.get(p) - '0';
            if (d < 0 || d > 9) {
                throw INVALID_CURSOR;
            }
            // 2^64 - 1 = 1844674407370955161 * 10 + 5
            if (Long.compareUnsigned(v, 1844674407370955161L) > 0 || (v == 1844674407370955161L && d > 5)) {
                throw INVALID_CURSOR;
            }
            v = v * 10 + d;
        }
        return negative ? -v : v;
    }

    private void expire(Command c, RespParser cmd, int argc, Reply out, long now) {
        int flags = 0;
        for (int j = 3; j < argc; j++) {
            if (argIs(cmd, j, NX)) {
                flags |= Keyspace.EXPIRE_NX;
            } else if (argIs(cmd, j, XX)) {
                flags |= Keyspace.EXPIRE_XX;
            } else if (argIs(cmd, j, GT)) {
                flags |= Keyspace.EXPIRE_GT;
            } else if (argIs(cmd, j, LT)) {
                flags |= Keyspace.EXPIRE_LT;
            } else {
                throw new RedisError("ERR Unsupported option " + argString(cmd, j));
            }
        }
        if ((flags & Keyspace.EXPIRE_NX) != 0 && flags != Keyspace.EXPIRE_NX) {
            throw new RedisError("ERR NX and XX, GT or LT options at the same time are not compatible");
        }
        if ((flags & Keyspace.EXPIRE_GT) != 0 && (flags & Keyspace.EXPIRE_LT) != 0) {
            throw new RedisError("ERR GT and LT options at the same time are not compatible");
        }
        long when = longArg(cmd, 2);
        if (c == Command.EXPIRE) {
            if (when > Long.MAX_VALUE / 1000 || when < Long.MIN_VALUE / 1000) {
                throw new RedisError("ERR invalid expire time in '" + c.lowerName + "' command");
            }
            when *= 1000;
        }
        if (when > Long.MAX_VALUE - now) {
            throw new RedisError("ERR invalid expire time in '" + c.lowerName + "' command");
        }
        out.integer(db.expire(key(cmd, 1), when + now, flags, now) ? 1 : 0);
    }

    private void pop(Command c, RespParser cmd, int argc, Reply out, long now) {
        if (argc > 3) {
            out.error(arityError(c.lowerName));
            return;
        }
        boolean withCount = argc == 3;
        long count = 1;
        if (withCount) {
            count = longArg(cmd, 2);
            if (count < 0) {
                throw new RedisError("ERR value is out of range, must be positive");
            }
        }
        List<byte[]> popped = db.pop(key(cmd, 1), count, c == Command.LPOP, now);
        if (!withCount) {
            if (popped == null || popped.isEmpty()) {
                out.nullBulk();
            } else {
                out.bulk(popped.get(0));
            }
            return;
        }
        if (popped == null) {
            out.nullArray();
            return;
        }
        out.array(popped.size());
        for (byte[] v : popped) {
            out.bulk(v);
        }
    }

    private void client(RespParser cmd, int argc, Reply out, RedisSession session) {
        if (argIs(cmd, 1, SETNAME) && argc == 3) {
            session.name = cmd.argLength(2) == 0 ? null : cmd.argBytes(2);
            out.simple(OK);
        } else if (argIs(cmd, 1, GETNAME) && argc == 2) {
            if (session.name == null) {
                out.nullBulk();
            } else {
                out.bulk(session.name);
            }
        } else if (argIs(cmd, 1, ID) && argc == 2) {
            out.integer(session.id);
        } else if (argIs(cmd, 1, SETINFO) && argc == 4) {
            out.simple(OK);
        } else {
            out.error("ERR unknown subcommand '" + argString(cmd, 1) + "'. Try CLIENT HELP.");
        }
    }

    /**
     * {@code CONFIG GET parameter [parameter ...]}, as Redis 7: a name is looked up in any case and
     * answered under the name as typed; a name with {@code *}, {@code ?} or {@code [} is a glob
     * matched in any case and answers the canonical names; each parameter is answered once; an
     * unknown one adds nothing. Pairs come in the order asked (Redis's order is its table's).
     */
    private void config(RespParser cmd, int argc, Reply out) {
        if (!argIs(cmd, 1, GET)) {
            out.error("ERR unknown subcommand '" + argString(cmd, 1) + "'. Try CONFIG HELP.");
            return;
        }
        if (argc < 3) {
            out.error(arityError("config|get"));
            return;
        }
        String[] shownAs = new String[CONFIG.length];
        List<String[]> found = new ArrayList<>();
        for (int i = 2; i < argc; i++) {
            String name = argString(cmd, i);
            boolean glob = name.indexOf('*') >= 0 || name.indexOf('?') >= 0 || name.indexOf('[') >= 0;
            GlobPattern pattern = glob ? GlobPattern.compile(cmd.argBytes(i), true) : null;
            for (int k = 0; k < CONFIG.length; k++) {
                String canonical = CONFIG[k][0];
                boolean hit = glob ? pattern.matches(ascii(canonical)) : canonical.equalsIgnoreCase(name);
                if (hit && shownAs[k] == null) {
                    shownAs[k] = glob ? canonical : name;
                    found.add(new String[] {shownAs[k], CONFIG[k][1]});
                }
            }
        }
        out.array(found.size() * 2L);
        for (String[] pair : found) {
            out.bulk(pair[0].getBytes(StandardCharsets.ISO_8859_1));
            out.bulk(ascii(pair[1]));
        }
    }

    // ---- helpers ----

    static String arityError(String lowerName) {
        return "ERR wrong number of arguments for '" + lowerName + "' command";
    }

    /** Redis 7: {@code ERR unknown command 'FOO', with args beginning with: 'a' 'b' }. */
    static String unknownCommand(RespParser cmd) {
        String name = argString(cmd, 0);
        if (name.length() > 128) {
            name = name.substring(0, 128);
        }
        StringBuilder args = new StringBuilder();
        for (int i = 1; i < cmd.argc() && args.length() < 128; i++) {
            String a = argString(cmd, i);
            int room = 128 - args.length();
            args.append('\'').append(a.length() > room ? a.substring(0, room) : a).append("' ");
        }
        return "ERR unknown command '" + name + "', with args beginning with: " + args;
    }

    private static void bulks(Reply out, List<byte[]> items) {
        out.array(items.size());
        for (byte[] item : items) {
            out.bulk(item);
        }
    }

    private static Key key(RespParser cmd, int i) {
        return new Key(cmd.argBytes(i));
    }

    private static void bulkArg(Reply out, RespParser cmd, int i) {
        out.bulk(cmd.argSource(), cmd.argOffset(i), cmd.argLength(i));
    }

    private static boolean argIs(RespParser cmd, int i, byte[] lower) {
        return Command.equalsIgnoreCase(cmd.argSource(), cmd.argOffset(i), cmd.argLength(i), lower);
    }

    private static long longArg(RespParser cmd, int i) {
        long v = Resp.parseLong(cmd.argSource(), cmd.argOffset(i), cmd.argLength(i));
        if (v == Resp.NOT_A_NUMBER) {
            throw RedisError.NOT_INTEGER;
        }
        return v;
    }

    private static String argString(RespParser cmd, int i) {
        return new String(cmd.argBytes(i), StandardCharsets.ISO_8859_1);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
