package io.gnetj.buffer;

import static io.gnetj.buffer.Bytes.assertSameBytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class ElasticBufferContractMixedTest extends ElasticBufferContractTest {

    static final int RING_CAP = 100;

    @Override
    ElasticBuffer create(BufferAllocator allocator) {
        return new ElasticMixedBuffer(allocator, RING_CAP, 16);
    }

    @Test
    void spillsIntoTheListPastTheRingCap() {
        byte[] data = bytes(150, 50);
        buf.write(data, 0, 150);
        // ring: 100 bytes (128-byte chunk), list: 50 bytes in 4 nodes of 16
        assertThat(pool.inUseCount()).isEqualTo(5);
        ByteBuffer[] views = new ByteBuffer[16];
        int k = buf.peek(-1, views);
        assertThat(views[0].remaining()).isEqualTo(RING_CAP);
        assertSameBytes(contentOf(views, k), data);
    }

    @Test
    void writesGoToTheListWhileItHoldsAnything() {
        byte[] data = bytes(300, 51);
        buf.write(data, 0, 150);
        buf.discard(120); // ring has room again, but the list is not empty
        buf.write(data, 150, 150);
        assertSameBytes(readAll(), java.util.Arrays.copyOfRange(data, 120, 300));
        buf.write(data, 0, 10); // both empty: back to the ring
        ByteBuffer[] views = new ByteBuffer[4];
        assertThat(buf.peek(-1, views)).isEqualTo(1);
        assertThat(views[0].capacity()).isEqualTo(128);
    }

    @Test
    void aKeepingBufferKeepsItsRingChunkButNotItsListNodes() throws IOException {
        ElasticMixedBuffer keeping = new ElasticMixedBuffer(pool, RING_CAP, 16, 128);
        try {
            MemoryChannel ch = new MemoryChannel();
            byte[] data = bytes(150, 52);
            keeping.write(data, 0, 150); // ring: 100 bytes in a 128-byte chunk, list: 4 nodes
            while (!keeping.isEmpty()) {
                keeping.writeTo(ch);
            }
            assertSameBytes(ch.written(), data);
            assertThat(pool.inUseCount()).as("only the ring's chunk is kept").isEqualTo(1);
            assertThat(pool.inUseBytes()).isEqualTo(128);
            keeping.write(data, 0, 20);
            assertThat(pool.inUseCount()).isEqualTo(1);
            assertThat(keeping.writeTo(ch)).isEqualTo(20);
            assertThat(ch.plainWriteCalls).as("ring bytes alone go out in a plain write").isEqualTo(1);
            keeping.trim();
            assertThat(pool.inUseBytes()).isZero();
        } finally {
            keeping.release();
        }
    }
}
