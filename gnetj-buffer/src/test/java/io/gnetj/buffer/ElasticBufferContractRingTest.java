package io.gnetj.buffer;

import static io.gnetj.buffer.Bytes.assertSameBytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class ElasticBufferContractRingTest extends ElasticBufferContractTest {

    @Override
    ElasticBuffer create(BufferAllocator allocator) {
        return new ElasticRingBuffer(allocator);
    }

    @Override
    boolean gathersManySegments() {
        return false;
    }

    ElasticRingBuffer ring() {
        return (ElasticRingBuffer) buf;
    }

    /** Writes so that the ring of 64 bytes holds {@code head} bytes at its end and {@code tail} at its start. */
    byte[] wrap(int head, int tail) {
        byte[] data = bytes(64, 30);
        buf.write(data, 0, 64);
        buf.discard(64 - head);
        buf.write(data, 0, tail);
        assertThat(ring().capacity()).isEqualTo(64);
        byte[] expected = new byte[head + tail];
        System.arraycopy(data, 64 - head, expected, 0, head);
        System.arraycopy(data, 0, expected, head, tail);
        return expected;
    }

    @Test
    void takesNoMemoryUntilTheFirstWrite() {
        assertThat(ring().capacity()).isZero();
        buf.write(new byte[3], 0, 3);
        assertThat(ring().capacity()).isEqualTo(16);
    }

    @Test
    void growsToTheNextPowerOfTwo() {
        buf.write(new byte[100], 0, 100);
        assertThat(ring().capacity()).isEqualTo(128);
        buf.write(new byte[29], 0, 29);
        assertThat(ring().capacity()).isEqualTo(256);
        assertThat(pool.inUseBytes()).isEqualTo(256);
    }

    @Test
    void peekOfWrappedBytesGivesTwoViews() {
        byte[] expected = wrap(10, 20);
        ByteBuffer[] views = new ByteBuffer[2];
        assertThat(buf.peek(-1, views)).isEqualTo(2);
        assertSameBytes(contentOf(views, 2), expected);
    }

    @Test
    void peekContiguousStraightensBySlidingTheTail() {
        byte[] expected = wrap(10, 20); // free 34 >= head 10
        ByteBuffer view = ring().peekContiguous(-1);
        assertSameBytes(contentOf(new ByteBuffer[] {view}, 1), expected);
        assertThat(ring().capacity()).isEqualTo(64);
        assertThat(pool.inUseCount()).isEqualTo(1);
    }

    @Test
    void peekContiguousStraightensBySlidingTheHead() {
        byte[] expected = wrap(40, 10); // free 14 < head 40, >= tail 10
        ByteBuffer view = ring().peekContiguous(45);
        assertSameBytes(contentOf(new ByteBuffer[] {view}, 1), java.util.Arrays.copyOf(expected, 45));
        assertThat(pool.inUseCount()).isEqualTo(1);
        assertSameBytes(readAll(), expected);
    }

    @Test
    void peekContiguousMovesToANewChunkWhenFreeSpaceIsTooSmall() {
        byte[] expected = wrap(30, 30); // free 4
        ByteBuffer view = ring().peekContiguous(-1);
        assertSameBytes(contentOf(new ByteBuffer[] {view}, 1), expected);
        assertThat(pool.inUseCount()).isEqualTo(1);
        assertSameBytes(readAll(), expected);
    }

    @Test
    void peekContiguousOfUnwrappedBytesDoesNotMoveThem() {
        byte[] data = bytes(50, 31);
        buf.write(data, 0, 50);
        buf.discard(5);
        ByteBuffer view = ring().peekContiguous(10);
        assertThat(view.position()).isEqualTo(5);
        assertThat(view.remaining()).isEqualTo(10);
    }

    @Test
    void peekContiguousOfNothingIsEmptyNotNull() {
        assertThat(ring().peekContiguous(-1).remaining()).isZero();
        buf.write(new byte[4], 0, 4);
        assertThat(ring().peekContiguous(0).remaining()).isZero();
    }

    @Test
    void trimMovesFewBytesToASmallerChunk() {
        buf.write(new byte[1000], 0, 1000);
        buf.discard(990);
        buf.trim();
        assertThat(ring().capacity()).isEqualTo(16);
        assertThat(pool.inUseBytes()).isEqualTo(16);
    }

    @Test
    void writeToOfContiguousBytesIsAPlainWrite() throws IOException {
        byte[] data = bytes(40, 41);
        buf.write(data, 0, 40);
        MemoryChannel ch = new MemoryChannel();
        assertThat(buf.writeTo(ch)).isEqualTo(40);
        assertThat(ch.plainWriteCalls).as("one segment needs no gathering write").isEqualTo(1);
        byte[] wrapped = wrap(10, 20);
        assertThat(buf.writeTo(ch)).isEqualTo(30);
        assertThat(ch.plainWriteCalls).as("two segments go in one gathering write").isEqualTo(1);
        assertThat(ch.writeCalls).isEqualTo(2);
        assertSameBytes(java.util.Arrays.copyOfRange(ch.written(), 40, 70), wrapped);
    }

    @Test
    void aKeepingRingHoldsItsEmptiedChunkUntilTrimmed() throws IOException {
        ElasticRingBuffer keeping = new ElasticRingBuffer(pool, 64);
        try {
            MemoryChannel ch = new MemoryChannel();
            byte[] data = bytes(50, 42);
            keeping.write(data, 0, 50);
            assertThat(keeping.writeTo(ch)).isEqualTo(50);
            assertThat(keeping.capacity()).as("a 64-byte chunk is kept through writeTo").isEqualTo(64);
            assertThat(pool.inUseCount()).isEqualTo(1);
            keeping.write(data, 10, 40); // refills the kept chunk from its start: no new take
            assertThat(pool.inUseCount()).isEqualTo(1);
            ByteBuffer[] views = new ByteBuffer[2];
            assertThat(keeping.peek(-1, views)).isEqualTo(1);
            assertThat(views[0].position()).isZero();
            assertThat(keeping.writeTo(ch)).isEqualTo(40);
            byte[] expected = new byte[90];
            System.arraycopy(data, 0, expected, 0, 50);
            System.arraycopy(data, 10, expected, 50, 40);
            assertSameBytes(ch.written(), expected);
            keeping.trim();
            assertThat(keeping.capacity()).as("trim gives the kept chunk back").isZero();
            assertThat(pool.inUseBytes()).isZero();
        } finally {
            keeping.release();
        }
    }

    @Test
    void aKeepingRingGivesBackAnEmptiedChunkLargerThanItKeeps() throws IOException {
        ElasticRingBuffer keeping = new ElasticRingBuffer(pool, 64);
        try {
            keeping.write(new byte[100], 0, 100);
            assertThat(keeping.capacity()).isEqualTo(128);
            MemoryChannel ch = new MemoryChannel();
            ch.writeLimit = 60;
            assertThat(keeping.writeTo(ch)).isEqualTo(60);
            assertThat(keeping.capacity()).as("not empty yet: kept").isEqualTo(128);
            assertThat(keeping.writeTo(ch)).isEqualTo(40);
            assertThat(keeping.capacity()).isZero();
            assertThat(pool.inUseBytes()).isZero();
        } finally {
            keeping.release();
        }
    }

    @Test
    void aNegativeKeepCapacityIsRefused() {
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> new ElasticRingBuffer(pool, -1))
                .withMessageContaining("keepCapacity");
    }
}
