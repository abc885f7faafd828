package io.gnetj.buffer;

import java.util.Arrays;

/** Byte-array assertions that report the first difference instead of printing whole arrays. */
final class Bytes {
    private Bytes() {
    }

    static void assertSameBytes(byte[] actual, byte[] expected) {
        int mismatch = Arrays.mismatch(actual, expected);
        if (mismatch >= 0) {
            throw new AssertionError("byte arrays differ at index " + mismatch + " (actual length "
                    + actual.length + ", expected length " + expected.length + ")"
                    + (mismatch < Math.min(actual.length, expected.length)
                            ? ": actual " + actual[mismatch] + ", expected " + expected[mismatch] : ""));
        }
    }
}
