package io.gnetj.buffer;

import static io.gnetj.buffer.Bytes.assertSameBytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class ElasticBufferContractLinkedListTest extends ElasticBufferContractTest {

    @Override
    ElasticBuffer create(BufferAllocator allocator) {
        return new LinkedListBuffer(allocator, 16);
    }

    @Test
    void aBigWriteFillsNodesInOrder() {
        byte[] data = bytes(100, 40);
        buf.write(data, 0, data.length);
        ByteBuffer[] views = new ByteBuffer[16];
        assertThat(buf.peek(-1, views)).isEqualTo(7);
        for (int i = 0; i < 6; i++) {
            assertThat(views[i].remaining()).isEqualTo(16);
        }
        assertSameBytes(contentOf(views, 7), data);
        assertThat(pool.inUseCount()).isEqualTo(7);
    }

    @Test
    void discardKeepsNodesUntilTrim() {
        buf.write(new byte[64], 0, 64);
        buf.discard(64);
        assertThat(pool.inUseCount()).isEqualTo(4);
        buf.write(new byte[64], 0, 64);
        assertThat(pool.inUseCount()).as("spare nodes are reused").isEqualTo(4);
        buf.discard(40);
        buf.trim();
        assertThat(pool.inUseCount()).isEqualTo(2);
    }
}
