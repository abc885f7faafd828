package io.gnetj.examples.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The redis example's data: one keyspace shared by every event loop.
 *
 * <h2>Data design</h2>
 * A client on any loop must see every key, and a loop must never wait on a lock held across I/O.
 * The keyspace is one {@link ConcurrentHashMap} from {@link Key} to an immutable {@link Entry}
 * (value and expiry time):
 * <ul>
 *   <li>Reads (GET, EXISTS, TTL, MGET) are lock-free map lookups.
 *   <li>String writes replace whole entries with the map's atomic operations: SET is a
 *       {@code put} (or a compare-and-set loop with {@code putIfAbsent}/{@code replace} for NX, XX,
 *       KEEPTTL and GET), INCR and EXPIRE are compare-and-set loops, so concurrent INCRs from
 *       different loops never lose an update.
 *   <li>A list is the one mutable value. It is only touched inside {@code compute} for its key,
 *       which the map runs for one caller at a time per key (holding, briefly, the lock of that
 *       hash bin: never across I/O, and uncontended unless two loops hit the same bin at once).
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
 * <p>Threading: any thread.
 */
public final class Keyspace {

    /** A value and when it expires (epoch millis; 0 for never). Immutable, except a list's contents. */
    static final class Entry {
        final Object value; // byte[] or ListValue
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

    private final ConcurrentHashMap<Key, Entry> map = new ConcurrentHashMap<>();
    private final LongSupplier clock;

    /** A keyspace on the system clock. */
    public Keyspace() {
        this(System::currentTimeMillis);
    }

    /** A keyspace on {@code clockMillis} (tests drive expiry with it). */
    public Keyspace(LongSupplier clockMillis) {
        this.clock = clockMillis;
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
}
