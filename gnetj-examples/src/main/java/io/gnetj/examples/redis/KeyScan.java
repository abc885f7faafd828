package io.gnetj.examples.redis;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;
import java.util.function.ToLongFunction;

/**
 * SCAN's cursor over the keyspace's {@link ConcurrentHashMap}.
 *
 * <h2>The cursor</h2>
 * Redis's cursor is a position in its own hash table, read in reverse-binary order so that a
 * rehash never skips a bucket. The map's table is not ours to read, so this cursor is a position
 * in an order the map cannot disturb: every key has a fixed 64-bit <em>scan position</em> (a
 * seeded hash of its bytes), and a cursor {@code c} means "the keys at positions {@code >= c},
 * compared unsigned". One call:
 * <ol>
 *   <li>walks the map once, keeping in a bounded max-heap the {@code COUNT} smallest positions at
 *       or past the cursor (of live keys that pass MATCH and TYPE); the largest of them,
 *       {@code last}, ends this page;
 *   <li>walks the map again and returns every wanted key with {@code cursor <= position <= last};
 *   <li>answers the cursor {@code last + 1}, or 0 when the first walk saw nothing past
 *       {@code last}.
 * </ol>
 * Consecutive pages cover consecutive intervals of the position space, and a key's position never
 * changes, so <b>a key present for the whole scan is returned</b> (by the page whose interval holds
 * its position: both walks of that call see it); keys added or removed meanwhile may or may not
 * be. Keys sharing a position are returned together, so a page may hold more than COUNT keys, as
 * Redis's may; with a 64-bit seeded hash that is rare.
 *
 * <h2>Cost, and what was not chosen</h2>
 * Each call walks the whole map twice and keeps COUNT positions, O(n log COUNT) time and
 * O(COUNT) memory, so a full scan costs O(n&sup2; / COUNT): fine for an example's keyspace, and the
 * price of not reading the map's internals (Redis pays O(1) per key). A cursor into a sorted
 * snapshot would need the snapshot kept between calls (memory per client, and when to drop it) or
 * rebuilt each call (O(n log n)); a cursor naming the last key returned cannot fit the 64-bit
 * integer clients expect ({@code redis-cli --scan} parses it as one). MATCH and TYPE filter before
 * a page is cut, not after as in Redis: each call walks every key anyway, and a page then comes
 * back empty with the scan unfinished only if its keys were deleted between the two walks, which
 * saves clients round trips.
 *
 * <p>Threading: immutable; any thread. The walks see the map weakly consistently, which is all
 * the guarantee above needs.
 */
final class KeyScan {

    /** One page of a scan: the next cursor (0 when done) and the keys. */
    static final class Page {
        final long cursor;
        final List<byte[]> keys;

        Page(long cursor, List<byte[]> keys) {
            this.cursor = cursor;
            this.keys = keys;
        }
    }

    private final ToLongFunction<byte[]> position;

    /** A scan whose positions are {@code position} of the key's bytes (tests choose collisions). */
    KeyScan(ToLongFunction<byte[]> position) {
        this.position = position;
    }

    /**
     * A scan ordering keys by a 64-bit hash seeded with {@code seed}: FNV-1a over the bytes, then
     * SplitMix64's finalizer so that every input bit reaches every output bit. The seed keeps
     * crafted keys from piling onto one position, which would make pages arbitrarily large.
     */
    static KeyScan seeded(long seed) {
        return new KeyScan(key -> {
            long h = seed ^ 0xCBF29CE484222325L;
            for (byte b : key) {
                h = (h ^ (b & 0xFF)) * 0x100000001B3L;
            }
            h ^= key.length;
            h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
            h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
            return h ^ (h >>> 31);
        });
    }

    /** The scan position of {@code key}. */
    long position(byte[] key) {
        return position.applyAsLong(key);
    }

    /**
     * One page: the keys of {@code map} that {@code wanted} accepts, from {@code cursor} on, about
     * {@code count} of them (see the class comment).
     *
     * @param count at least 1
     */
    <V> Page page(ConcurrentHashMap<Key, V> map, long cursor, long count, BiPredicate<Key, V> wanted) {
        Smallest smallest = new Smallest(count);
        long furthest = cursor;
        for (Map.Entry<Key, V> e : map.entrySet()) {
            if (!wanted.test(e.getKey(), e.getValue())) {
                continue;
            }
            long p = position(e.getKey().bytes());
            if (Long.compareUnsigned(p, cursor) >= 0) {
                smallest.offer(p);
                if (Long.compareUnsigned(p, furthest) > 0) {
                    furthest = p;
                }
            }
        }
        if (smallest.size == 0) {
            return new Page(0, List.of());
        }
        long last = smallest.largest();
        List<byte[]> keys = new ArrayList<>(smallest.size);
        for (Map.Entry<Key, V> e : map.entrySet()) {
            long p = position(e.getKey().bytes());
            if (Long.compareUnsigned(p, cursor) >= 0 && Long.compareUnsigned(p, last) <= 0
                    && wanted.test(e.getKey(), e.getValue())) {
                keys.add(e.getKey().bytes());
            }
        }
        // last + 1 cannot wrap to 0 here: nothing is past the largest unsigned value.
        return new Page(Long.compareUnsigned(furthest, last) > 0 ? last + 1 : 0, keys);
    }

    /**
     * The {@code limit} smallest positions offered (unsigned), in a max-heap so the largest of them
     * is at the root and is the one pushed out by a smaller newcomer.
     */
    private static final class Smallest {
        private final long limit;
        private long[] heap;
        int size;

        Smallest(long limit) {
            this.limit = Math.min(limit, Integer.MAX_VALUE - 8); // an array's bound: far past any keyspace here
            this.heap = new long[(int) Math.min(limit, 16)];
        }

        long largest() {
            return heap[0];
        }

        void offer(long p) {
            if (size < limit) {
                if (size == heap.length) {
                    heap = Arrays.copyOf(heap, (int) Math.min(limit, 2L * size));
                }
                int i = size++;
                while (i > 0 && Long.compareUnsigned(heap[(i - 1) / 2], p) < 0) {
                    heap[i] = heap[(i - 1) / 2];
                    i = (i - 1) / 2;
                }
                heap[i] = p;
            } else if (Long.compareUnsigned(p, heap[0]) < 0) {
                int i = 0;
                while (true) {
                    int child = 2 * i + 1;
                    if (child >= size) {
                        break;
                    }
                    if (child + 1 < size && Long.compareUnsigned(heap[child + 1], heap[child]) > 0) {
                        child++;
                    }
                    if (Long.compareUnsigned(heap[child], p) <= 0) {
                        break;
                    }
                    heap[i] = heap[child];
                    i = child;
                }
                heap[i] = p;
            }
        }
    }
}
