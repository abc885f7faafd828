package io.gnetj.buffer;

import java.util.Arrays;

/** The reference model for property tests: a plain FIFO of bytes. */
final class ByteModel {
    private byte[] bytes = new byte[64];
    private int head;
    private int tail;

    int size() {
        return tail - head;
    }

    void add(byte[] src, int off, int len) {
        if (tail + len > bytes.length) {
            byte[] next = new byte[Math.max(bytes.length * 2, size() + len + 64)];
            System.arraycopy(bytes, head, next, 0, size());
            tail -= head;
            head = 0;
            bytes = next;
        }
        System.arraycopy(src, off, bytes, tail, len);
        tail += len;
    }

    byte[] prefix(int n) {
        return Arrays.copyOfRange(bytes, head, head + n);
    }

    void drop(int n) {
        head += n;
    }
}
