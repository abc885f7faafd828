package io.gnetj.examples.redis;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Redis hash: fields and values, both byte strings (a field is held as a {@link Key}, which gives
 * a byte string equality and a cached hash code).
 *
 * <p>Fields keep the order they were first set in, so HGETALL answers as Redis does for the small
 * hashes it stores as a listpack (an update keeps the field's place; a deleted and re-added field
 * goes last). Redis's large hashes come back in table order, which clients must not rely on.
 *
 * <p>Threading: not thread-safe. {@link Keyspace} touches a hash only inside
 * {@code ConcurrentHashMap.compute} for its key, which runs one caller at a time per key and
 * publishes the changes to the next.
 */
final class HashValue {

    private final LinkedHashMap<Key, byte[]> fields = new LinkedHashMap<>();

    int size() {
        return fields.size();
    }

    /** Sets {@code field}; whether it is new. */
    boolean put(Key field, byte[] value) {
        return fields.put(field, value) == null;
    }

    /** The value of {@code field}, or {@code null}. */
    byte[] get(Key field) {
        return fields.get(field);
    }

    /** Removes {@code field}; whether it was there. */
    boolean remove(Key field) {
        return fields.remove(field) != null;
    }

    /** Appends every field and its value, in order, to {@code out}. */
    void copyTo(List<byte[]> out) {
        for (Map.Entry<Key, byte[]> e : fields.entrySet()) {
            out.add(e.getKey().bytes());
            out.add(e.getValue());
        }
    }

    @Override
    public String toString() {
        return "HashValue" + fields.keySet();
    }
}
