package io.gnetj.examples.redis;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

/**
 * The redis example's data: one keyspace shared by every event loop.
 *
 * <h2>Data design</h2>
 * A client on any loop must see every key, and a loop must never wait on a lock held across I/O.
 * The keyspace is one {@link ConcurrentHashMap} from {@link Key} to an immutable {@link Entry}
 * (value and expiry time):
 * <ul>
 *   <li>Reads of strings and of what every entry has (GET, EXISTS, TTL, MGET, TYPE) are
 *       lock-free map lookups.
 *   <li>String writes replace whole entries with the map's atomic operations: SET and SETEX are a
 *       {@code put} (or a compare-and-set loop with {@code putIfAbsent}/{@code replace} for NX, XX,
 *       KEEPTTL and GET); INCR, APPEND, EXPIRE and PERSIST are compare-and-set loops, so
 *       concurrent INCRs or APPENDs from different loops never lose an update.
 *   <li>Lists and hashes are the mutable values. One is only touched, read or written, inside
 *       {@code compute} for its key, which the map runs for one caller at a time per key (holding, briefly, the lock
 *       of that hash bin: never across I/O, and uncontended unless two loops hit the same bin at
 *       once).
 * </ul>
 * Every single-key command is therefore atomic, as in Redis. Multi-key commands (MSET, MGET, DEL
 * and EXISTS of several keys) are atomic per key but not as a whole: a client on another loop may
 * see some keys of an MSET before the rest. Run with {@code --loops 1} to get Redis's
 * one-command-at-a-time behaviour exactly.
 *
 * <h2>Expiry</h2>
 * An entry past its expiry time is treated as absent and removed (conditionally, so a newer value
 * is never lost) when a command touches it; {@link #sweepExpired} removes the rest periodically.
 * Until then DBSIZE counts them, as Redis's does for keys its sampler has not yet reached.
 *
 * <h2>Whole-keyspace reads</h2>
 * KEYS walks the map once. SCAN's cursor is described in {@link KeyScan}: it returns every key
 * present for the whole scan at least once, though the map may be changed and resized meanwhile.
 *
 * <p>Threading: any thread.
 */
public final class Keyspace {

    /** A value and when it expires (epoch millis; 0 for never). Immutable, except a list's or hash's contents. */
    static final class Entry {
        final Object value; // byte[], ListValue or HashValue
        final long expireAt;

        Entry(Object value, long expireAt) {
            this.value = value;
            this.expireAt = expireAt;
        }

        boolean expired(long now) {
            return expireAt != 0 && expireAt <= now;
        }
    }

    /** SET's condition. */
    static final int SET_ALWAYS = 0;
    static final int SET_NX = 1;
    static final int SET_XX = 2;

    /** EXPIRE's flags. */
    static final int EXPIRE_NX = 1;
    static final int EXPIRE_XX = 2;
    static final int EXPIRE_GT = 4;
    static final int EXPIRE_LT = 8;

    private static final byte[] EMPTY = new byte[0];

    private final ConcurrentHashMap<Key, Entry> map = new ConcurrentHashMap<>();
    private final LongSupplier clock;
    private final KeyScan scan;

    /** A keyspace on the system clock. */
    public Keyspace() {
        this(System::currentTimeMillis);
    }

    /** A keyspace on {@code clockMillis} (tests drive expiry with it). */
    public Keyspace(LongSupplier clockMillis) {
        this(clockMillis, KeyScan.seeded(ThreadLocalRandom.current().nextLong()));
    }

    /** A keyspace on {@code clockMillis} whose SCAN orders keys by {@code scan} (tests choose collisions). */
    Keyspace(LongSupplier clockMillis, KeyScan scan) {
        this.clock = clockMillis;
        this.scan = scan;
    }

    /** Milliseconds since the epoch, by this keyspace's clock. */
    long now() {
        return clock.getAsLong();
    }

    /** The live entry of {@code key}, removing it if expired. */
    private Entry live(Key key, long now) {
        Entry e = map.get(key);
        if (e != null && e.expired(now)) {
            map.remove(key, e);
            return null;
        }
        return e;
    }

    // ---- strings ----

    /** The string at {@code key}, or {@code null}. */
    byte[] get(Key key, long now) {
        Entry e = live(key, now);
        if (e == null) {
            return null;
        }
        if (!(e.value instanceof byte[])) {
            throw RedisError.WRONG_TYPE;
        }
        return (byte[]) e.value;
    }

    /** What {@link #set} did. */
    static final class SetOutcome {
        static final SetOutcome DONE = new SetOutcome(true, null);
        static final SetOutcome NOT_DONE = new SetOutcome(false, null);

        final boolean done;
        final byte[] old;

        SetOutcome(boolean done, byte[] old) {
            this.done = done;
            this.old = old;
        }
    }

    /**
     * SET with its options.
     *
     * @param condition {@link #SET_ALWAYS}, {@link #SET_NX} or {@link #SET_XX}
     * @param expireAt  epoch millis, or 0 for none
     * @param keepTtl   keep the current expiry
     * @param getOld    return the old string (a list there is then WRONGTYPE and nothing is set)
     */
    SetOutcome set(Key key, byte[] value, int condition, long expireAt, boolean keepTtl, boolean getOld, long now) {
        if (condition == SET_ALWAYS && !keepTtl && !getOld) {
            map.put(key, new Entry(value, expireAt));
            return SetOutcome.DONE;
        }
        while (true) {
            Entry old = map.get(key);
            boolean live = old != null && !old.expired(now);
            byte[] oldValue = null;
            if (live && getOld) {
                if (!(old.value instanceof byte[])) {
                    throw RedisError.WRONG_TYPE;
                }
                oldValue = (byte[]) old.value;
            }
            if ((condition == SET_NX && live) || (condition == SET_XX && !live)) {
                return getOld ? new SetOutcome(false, oldValue) : SetOutcome.NOT_DONE;
            }
            Entry next = new Entry(value, keepTtl && live ? old.expireAt : expireAt);
            if (old == null ? map.putIfAbsent(key, next) == null : map.replace(key, old, next)) {
                return getOld ? new SetOutcome(true, oldValue) : SetOutcome.DONE;
            }
        }
    }

    /**
     * APPEND: adds {@code suffix} to the string at {@code key} (absent counts as empty), keeping its
     * expiry; the string may not grow past {@code maxLength}.
     *
     * @return the string's length after the append
     */
    long append(Key key, byte[] suffix, long maxLength, long now) {
        while (true) {
            Entry old = map.get(key);
            boolean live = old != null && !old.expired(now);
            byte[] current = EMPTY;
            if (live) {
                if (!(old.value instanceof byte[])) {
                    throw RedisError.WRONG_TYPE;
                }
                current = (byte[]) old.value;
            }
            long length = (long) current.length + suffix.length;
            if (length > maxLength) {
                throw new RedisError("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
            }
            // A copy per append (Redis grows its string in place): entries stay immutable, so
            // readers on other loops never see a half-written value.
            byte[] value = Arrays.copyOf(current, (int) length);
            System.arraycopy(suffix, 0, value, current.length, suffix.length);
            Entry next = new Entry(value, live ? old.expireAt : 0);
            if (old == null ? map.putIfAbsent(key, next) == null : map.replace(key, old, next)) {
                return length;
            }
        }
    }

    /** MSET's per-key part: a plain string with no expiry. */
    void put(Key key, byte[] value) {
        map.put(key, new Entry(value, 0));
    }

    /**
     * INCRBY: atomically adds {@code delta} to the integer at {@code key} (absent counts as 0),
     * keeping its expiry.
     */
    long incrBy(Key key, long delta, long now) {
        while (true) {
            Entry old = map.get(key);
            boolean live = old != null && !old.expired(now);
            long current = 0;
            if (live) {
                if (!(old.value instanceof byte[])) {
                    throw RedisError.WRONG_TYPE;
                }
                current = Resp.parseLong((byte[]) old.value);
                if (current == Resp.NOT_A_NUMBER) {
                    throw RedisError.NOT_INTEGER;
                }
            }
            if ((delta < 0 && current < 0 && delta < Long.MIN_VALUE + 1 - current)
                    || (delta > 0 && current > 0 && delta > Long.MAX_VALUE - current)) {
                throw RedisError.OVERFLOW;
            }
            long result = current + delta;
            Entry next = new Entry(Resp.toBytes(result), live ? old.expireAt : 0);
            if (old == null ? map.putIfAbsent(key, next) == null : map.replace(key, old, next)) {
                return result;
            }
        }
    }

    // ---- any type ----

    /** DEL of one key: whether a live key was removed. */
    boolean delete(Key key, long now) {
        Entry e = map.remove(key);
        return e != null && !e.expired(now);
    }

    /** Whether {@code key} exists. */
    boolean exists(Key key, long now) {
        return live(key, now) != null;
    }

    /**
     * EXPIRE/PEXPIRE: sets {@code key} to expire at {@code expireAt}; a time not in the future
     * deletes it.
     *
     * @return whether the expiry was set (0/1 of Redis)
     */
    boolean expire(Key key, long expireAt, int flags, long now) {
        while (true) {
            Entry old = live(key, now);
            if (old == null) {
                return false;
            }
            long current = old.expireAt; // 0: never, which compares as infinite
            if ((flags & EXPIRE_NX) != 0 && current != 0
                    || (flags & EXPIRE_XX) != 0 && current == 0
                    || (flags & EXPIRE_GT) != 0 && (current == 0 || expireAt <= current)
                    || (flags & EXPIRE_LT) != 0 && current != 0 && expireAt >= current) {
                return false;
            }
            if (expireAt <= now) {
                if (map.remove(key, old)) {
                    return true;
                }
            } else if (map.replace(key, old, new Entry(old.value, expireAt))) {
                return true;
            }
        }
    }

    /** PERSIST: removes {@code key}'s expiry; whether it had one. */
    boolean persist(Key key, long now) {
        while (true) {
            Entry old = live(key, now);
            if (old == null || old.expireAt == 0) {
                return false;
            }
            if (map.replace(key, old, new Entry(old.value, 0))) {
                return true;
            }
        }
    }

    /** TYPE: {@code string}, {@code list}, {@code hash}, or {@code none} when absent. */
    String type(Key key, long now) {
        Entry e = live(key, now);
        return e == null ? "none" : typeName(e.value);
    }

    private static String typeName(Object value) {
        if (value instanceof byte[]) {
            return "string";
        }
        return value instanceof ListValue ? "list" : "hash";
    }

    /** KEYS: every live key matching {@code pattern}, in no particular order. */
    List<byte[]> keys(GlobPattern pattern, long now) {
        List<byte[]> out = new ArrayList<>();
        for (Map.Entry<Key, Entry> e : map.entrySet()) {
            if (!e.getValue().expired(now) && (pattern.matchesEverything() || pattern.matches(e.getKey().bytes()))) {
                out.add(e.getKey().bytes());
            }
        }
        return out;
    }

    /**
     * SCAN: one page of live keys from {@code cursor} on (see {@link KeyScan}).
     *
     * @param count   about how many keys to return, at least 1
     * @param pattern MATCH, or {@code null}
     * @param type    TYPE ({@code string}, {@code list}, {@code hash}; any case; another name
     *                matches nothing, as in Redis 7.0), or {@code null}
     */
    KeyScan.Page scan(long cursor, long count, GlobPattern pattern, String type, long now) {
        boolean everyName = pattern == null || pattern.matchesEverything();
        return scan.page(map, cursor, count, (k, e) -> !e.expired(now)
                && (everyName || pattern.matches(k.bytes()))
                && (type == null || type.equalsIgnoreCase(typeName(e.value))));
    }

    /** PTTL: -2 when absent, -1 without expiry, else milliseconds left. */
    long ttlMillis(Key key, long now) {
        Entry e = live(key, now);
        if (e == null) {
            return -2;
        }
        return e.expireAt == 0 ? -1 : e.expireAt - now;
    }

    /** Keys held, counting expired ones not yet removed. */
    long size() {
        return map.mappingCount();
    }

    /** FLUSHALL. */
    void clear() {
        map.clear();
    }

    /** Removes every expired entry; returns how many. */
    public int sweepExpired() {
        long now = now();
        int[] removed = {0};
        map.forEach(Long.MAX_VALUE, (k, e) -> {
            if (e.expired(now) && map.remove(k, e)) {
                removed[0]++;
            }
        });
        return removed[0];
    }

    // ---- lists ----

    /** LPUSH/RPUSH: returns the list's length after the push. */
    long push(Key key, byte[][] values, boolean left, long now) {
        long[] length = {0};
        map.compute(key, (k, e) -> {
            ListValue list;
            Entry result = e;
            if (e == null || e.expired(now)) {
                list = new ListValue();
                result = new Entry(list, 0);
            } else if (e.value instanceof ListValue) {
                list = (ListValue) e.value;
            } else {
                throw RedisError.WRONG_TYPE; // leaves the map unchanged
            }
            for (byte[] v : values) {
                if (left) {
                    list.pushFirst(v);
                } else {
                    list.pushLast(v);
                }
            }
            length[0] = list.size();
            return result;
        });
        return length[0];
    }

    /**
     * LPOP/RPOP: removes up to {@code count} elements; an emptied list's key is deleted.
     *
     * @return the elements, or {@code null} when there is no such key
     */
    List<byte[]> pop(Key key, long count, boolean left, long now) {
        List<byte[]> popped = new ArrayList<>();
        boolean[] found = {false};
        map.computeIfPresent(key, (k, e) -> {
            if (e.expired(now)) {
                return null;
            }
            if (!(e.value instanceof ListValue)) {
                throw RedisError.WRONG_TYPE;
            }
            found[0] = true;
            ListValue list = (ListValue) e.value;
            for (long i = 0; i < count && list.size() > 0; i++) {
                popped.add(left ? list.popFirst() : list.popLast());
            }
            return list.size() == 0 ? null : e;
        });
        return found[0] ? popped : null;
    }

    /** LRANGE with Redis's index rules; an absent key is an empty list. */
    List<byte[]> range(Key key, long start, long stop, long now) {
        List<byte[]> out = new ArrayList<>();
        map.computeIfPresent(key, (k, e) -> {
            if (e.expired(now)) {
                return null;
            }
            if (!(e.value instanceof ListValue)) {
                throw RedisError.WRONG_TYPE;
            }
            ListValue list = (ListValue) e.value;
            long size = list.size();
            long s = start < 0 ? size + start : start;
            long t = stop < 0 ? size + stop : stop;
            if (s < 0) {
                s = 0;
            }
            if (t >= size) {
                t = size - 1;
            }
            for (long i = s; i <= t; i++) {
                out.add(list.get((int) i));
            }
            return e;
        });
        return out;
    }

    /** LLEN; 0 for an absent key. */
    long length(Key key, long now) {
        long[] length = {0};
        map.computeIfPresent(key, (k, e) -> {
            if (e.expired(now)) {
                return null;
            }
            if (!(e.value instanceof ListValue)) {
                throw RedisError.WRONG_TYPE;
            }
            length[0] = ((ListValue) e.value).size();
            return e;
        });
        return length[0];
    }

    // ---- hashes ----

    /**
     * HSET: sets each field of {@code fieldsAndValues} (field, value, field, value, ...), creating
     * the hash if absent; a field given twice takes its last value.
     *
     * @return how many fields are new
     */
    long hset(Key key, byte[][] fieldsAndValues, long now) {
        long[] added = {0};
        map.compute(key, (k, e) -> {
            HashValue hash;
            Entry result = e;
            if (e == null || e.expired(now)) {
                hash = new HashValue();
                result = new Entry(hash, 0);
            } else if (e.value instanceof HashValue) {
                hash = (HashValue) e.value;
            } else {
                throw RedisError.WRONG_TYPE; // leaves the map unchanged
            }
            for (int i = 0; i < fieldsAndValues.length; i += 2) {
                if (hash.put(new Key(fieldsAndValues[i]), fieldsAndValues[i + 1])) {
                    added[0]++;
                }
            }
            return result;
        });
        return added[0];
    }

    /** HGET: the value of {@code field}, or {@code null} when the field or the key is absent. */
    byte[] hget(Key key, Key field, long now) {
        byte[][] value = {null};
        map.computeIfPresent(key, (k, e) -> {
            if (e.expired(now)) {
                return null;
            }
            value[0] = hashOf(e).get(field);
            return e;
        });
        return value[0];
    }

    /** HDEL: removes the fields; an emptied hash's key is deleted. Returns how many were there. */
    long hdel(Key key, byte[][] fields, long now) {
        long[] removed = {0};
        map.computeIfPresent(key, (k, e) -> {
            if (e.expired(now)) {
                return null;
            }
            HashValue hash = hashOf(e);
            for (byte[] field : fields) {
                if (hash.remove(new Key(field))) {
                    removed[0]++;
                }
            }
            return hash.size() == 0 ? null : e;
        });
        return removed[0];
    }

    /** HGETALL: field, value, field, value, ... in the hash's order; empty for an absent key. */
    List<byte[]> hgetall(Key key, long now) {
        List<byte[]> out = new ArrayList<>();
        map.computeIfPresent(key, (k, e) -> {
            if (e.expired(now)) {
                return null;
            }
            hashOf(e).copyTo(out);
            return e;
        });
        return out;
    }

    /** HLEN; 0 for an absent key. */
    long hlen(Key key, long now) {
        long[] length = {0};
        map.computeIfPresent(key, (k, e) -> {
            if (e.expired(now)) {
                return null;
            }
            length[0] = hashOf(e).size();
            return e;
        });
        return length[0];
    }

    private static HashValue hashOf(Entry e) {
        if (!(e.value instanceof HashValue)) {
            throw RedisError.WRONG_TYPE;
        }
        return (HashValue) e.value;
    }
}
