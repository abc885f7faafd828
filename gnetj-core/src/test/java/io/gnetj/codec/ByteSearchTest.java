package io.gnetj.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link ByteSearch} against a plain loop, on every layout that could trip the word-at-a-time path. */
class ByteSearchTest {

    /** The obvious answer. */
    private static int naive(ByteBuffer buf, int from, int to, byte value) {
        for (int i = from; i < to; i++) {
            if (buf.get(i) == value) {
                return i;
            }
        }
        return -1;
    }

    private static ByteBuffer[] layouts(byte[] bytes) {
        ByteBuffer heap = ByteBuffer.wrap(bytes);
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
        ByteBuffer heapLittle = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer directLittle = direct.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        return new ByteBuffer[] {heap, direct, heapLittle, directLittle};
    }

    @Test
    void findsTheFirstMatchAtEveryOffsetAndLength() {
        for (int len = 0; len <= 40; len++) {
            for (int at = -1; at < len; at++) {
                byte[] bytes = new byte[len];
                java.util.Arrays.fill(bytes, (byte) 'a');
                if (at >= 0) {
                    bytes[at] = '\n';
                    if (at + 3 < len) {
                        bytes[at + 3] = '\n'; // a later match must not win
                    }
                }
                for (ByteBuffer buf : layouts(bytes)) {
                    for (int from = 0; from <= len; from++) {
                        assertThat(ByteSearch.indexOf(buf, from, len, (byte) '\n'))
                                .as("len %d, match at %d, from %d, %s", len, at, from, buf)
                                .isEqualTo(naive(buf, from, len, (byte) '\n'));
                    }
                }
            }
        }
    }

    @Test
    void noFalseMatchesNextToBytesThatDifferByOne() {
        // 0x0B before 0x0A is where the short (x - 0x01..01) & ~x test reports a false match.
        byte[] bytes = {0x0B, 0x0B, 0x0A, 0x0B, 0x09, (byte) 0x8A, 0x0B, 0x0B, 0x0B, 0x0A, 0x01};
        for (ByteBuffer buf : layouts(bytes)) {
            assertThat(ByteSearch.indexOf(buf, 0, bytes.length, (byte) 0x0A)).as("%s", buf).isEqualTo(2);
            assertThat(ByteSearch.indexOf(buf, 3, bytes.length, (byte) 0x0A)).as("%s", buf).isEqualTo(9);
            assertThat(ByteSearch.indexOf(buf, 0, bytes.length, (byte) 0x8A)).as("%s", buf).isEqualTo(5);
            assertThat(ByteSearch.indexOf(buf, 0, bytes.length, (byte) 0x00)).as("%s", buf).isEqualTo(-1);
        }
    }

    @Test
    void agreesWithAPlainLoopOnRandomBytes() {
        Random random = new Random(20261124);
        for (int round = 0; round < 2_000; round++) {
            byte[] bytes = new byte[random.nextInt(100)];
            random.nextBytes(bytes);
            byte value = (byte) random.nextInt(256);
            int from = bytes.length == 0 ? 0 : random.nextInt(bytes.length + 1);
            int to = from + random.nextInt(bytes.length - from + 1);
            for (ByteBuffer buf : layouts(bytes)) {
                assertThat(ByteSearch.indexOf(buf, from, to, value))
                        .as("round %d, %s, [%d, %d), value %d", round, buf, from, to, value)
                        .isEqualTo(naive(buf, from, to, value));
            }
        }
    }

    @Test
    void readsOnlyBetweenFromAndToAndMovesNothing() {
        ByteBuffer buf = ByteBuffer.allocateDirect(32);
        buf.put(3, (byte) '\n').put(20, (byte) '\n');
        buf.position(5).limit(30);
        assertThat(ByteSearch.indexOf(buf, 4, 20, (byte) '\n')).isEqualTo(-1);
        assertThat(ByteSearch.indexOf(buf, 4, 21, (byte) '\n')).isEqualTo(20);
        assertThat(buf.position()).isEqualTo(5);
        assertThat(buf.limit()).isEqualTo(30);
    }

    @Test
    void refusesIndicesOutsideTheLimit() {
        ByteBuffer buf = ByteBuffer.allocate(16).limit(10);
        assertThatThrownBy(() -> ByteSearch.indexOf(buf, 0, 11, (byte) 1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> ByteSearch.indexOf(buf, -1, 5, (byte) 1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> ByteSearch.indexOf(buf, 6, 5, (byte) 1)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
