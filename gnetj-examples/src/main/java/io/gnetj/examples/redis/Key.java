package io.gnetj.examples.redis;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A key of the keyspace: an immutable byte string with its hash computed once. */
final class Key {

    private final byte[] bytes;
    private final int hash;

    Key(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    /** The key's bytes; the caller must not change them (they are the map's). */
    byte[] bytes() {
        return bytes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Key && ((Key) o).hash == hash && Arrays.equals(((Key) o).bytes, bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
