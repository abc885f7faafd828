package io.gnetj.examples.redis;

import java.util.Arrays;

/**
 * A Redis list: a growable ring of elements with O(1) push and pop at both ends and O(1) access
 * by index (for LRANGE).
 *
 * <p>Threading: not thread-safe. {@link Keyspace} touches a list only inside
 * {@code ConcurrentHashMap.compute} for its key, which runs one caller at a time per key and
 * publishes the changes to the next.
 */
final class ListValue {

    private byte[][] items = new byte[8][];
    private int head;
    private int size;

    int size() {
        return size;
    }

    byte[] get(int index) {
        return items[(head + index) & (items.length - 1)];
    }

    void pushFirst(byte[] value) {
        grow();
        head = (head - 1) & (items.length - 1);
        items[head] = value;
        size++;
    }

    void pushLast(byte[] value) {
        grow();
        items[(head + size) & (items.length - 1)] = value;
        size++;
    }

    byte[] popFirst() {
        byte[] v = items[head];
        items[head] = null;
        head = (head + 1) & (items.length - 1);
        size--;
        return v;
    }

    byte[] popLast() {
        int i = (head + size - 1) & (items.length - 1);
        byte[] v = items[i];
        items[i] = null;
        size--;
        return v;
    }

    private void grow() {
        if (size < items.length) {
            return;
        }
        byte[][] bigger = new byte[items.length * 2][];
        for (int i = 0; i < size; i++) {
            bigger[i] = get(i);
        }
        items = bigger;
        head = 0;
    }

    @Override
    public String toString() {
        byte[][] copy = new byte[size][];
        for (int i = 0; i < size; i++) {
            copy[i] = get(i);
        }
        return "ListValue" + Arrays.deepToString(copy);
    }
}
