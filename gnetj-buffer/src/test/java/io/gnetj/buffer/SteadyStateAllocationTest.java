package io.gnetj.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import org.junit.jupiter.api.Test;

/**
 * With leak detection disabled, warmed-up take/release through a cache and elastic buffer cycles
 * allocate nothing on the calling thread, measured with the JVM's per-thread allocation counter.
 */
class SteadyStateAllocationTest {

    /** Bound on bytes allocated by the measured 100 000 cycles: less than one object per 1 000 cycles. */
    static final long MAX_ALLOCATED_BYTES = 1024;

    static final int CYCLES = 100_000;

    /** A sink that takes everything and keeps nothing, without allocating. */
    static final class NullChannel implements GatheringByteChannel {
        long total;

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) {
            long n = 0;
            for (int i = offset; i < offset + length; i++) {
                n += srcs[i].remaining();
                srcs[i].position(srcs[i].limit());
            }
            total += n;
            return n;
        }

        @Override
        public long write(ByteBuffer[] srcs) {
            return write(srcs, 0, srcs.length);
        }

        @Override
        public int write(ByteBuffer src) {
            int n = src.remaining();
            src.position(src.limit());
            total += n;
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    final BufferPool pool = BufferPool.builder().leakDetection(LeakDetector.Level.DISABLED).build();
    final BufferCache cache = pool.newCache();
    final ElasticRingBuffer ring = new ElasticRingBuffer(cache);
    final LinkedListBuffer list = new LinkedListBuffer(cache, 1024);
    final ElasticMixedBuffer mixed = new ElasticMixedBuffer(cache, 4096, 1024);
    final NullChannel sink = new NullChannel();
    final byte[] data = new byte[3000];
    final ByteBuffer direct = ByteBuffer.allocateDirect(3000);
    final ByteBuffer dst = ByteBuffer.allocateDirect(3000);
    final ByteBuffer[] views = new ByteBuffer[8];

    @Test
    void warmedUpCyclesAllocateNothing() throws IOException {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "needs com.sun.management.ThreadMXBean");
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(mx.isThreadAllocatedMemorySupported(), "per-thread allocation counting unsupported");
        mx.setThreadAllocatedMemoryEnabled(true);

        for (int round = 0; round < 5; round++) {
            cycles(CYCLES / 5);
        }
        long before = mx.getCurrentThreadAllocatedBytes();
        cycles(CYCLES);
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;

        assertThat(allocated)
                .as("bytes allocated by %d warmed-up cycles (bound %d)", CYCLES, MAX_ALLOCATED_BYTES)
                .isLessThan(MAX_ALLOCATED_BYTES);
        assertThat(sink.total).isPositive();

        ring.release();
        list.release();
        mixed.release();
        cache.close();
        assertThat(pool.inUseBytes()).isZero();
    }

    private void cycles(int n) throws IOException {
        for (int i = 0; i < n; i++) {
            // take/release of varying size classes through the cache
            PooledBuffer b = cache.take(1 + ((i * 977) & 16383));
            b.buffer().put(0, (byte) i);
            cache.release(b);

            // ring: write heap and direct, peek, discard, read, sometimes straighten, drain and trim
            int len = 1 + (i & 1023);
            ring.write(data, 0, len);
            direct.clear().limit(1 + (i & 511));
            ring.write(direct);
            ring.peek(-1, views);
            ring.discard(len);
            dst.clear().limit(1 + (i & 255));
            ring.read(dst);
            if ((i & 7) == 0) {
                ring.peekContiguous(-1);
            }
            if ((i & 15) == 0) {
                ring.writeTo(sink);
            }
            if ((i & 63) == 0) {
                ring.trim();
            }

            // list and mixed: write, peek, gathering write
            list.write(data, 0, 1 + (i & 2047));
            list.peek(-1, views);
            mixed.write(data, 0, 1 + (i & 2047));
            mixed.peek(-1, views);
            if ((i & 3) == 0) {
                list.writeTo(sink);
                mixed.writeTo(sink);
            }
        }
    }
}
