package io.gnetj.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.buffer.BufferCache;
import io.gnetj.buffer.BufferPool;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link OutboundQueue} on its own: bytes leave in the order they were queued, whatever the
 * channel takes per call; the cap is reported, never enforced behind the caller's back; and the
 * pooled memory held is at most about twice what is queued, plus the kept chunk, plus one list
 * chunk once the ring is full.
 */
class OutboundQueueContractTest {

    private static final int RING_CAP = 64 * 1024;
    private static final int MAX = 1024 * 1024;

    private final BufferPool pool = BufferPool.create();
    private final BufferCache cache = pool.newCache();
    private final OutboundQueue queue = new OutboundQueue(cache, RING_CAP, MAX);

    @AfterEach
    void releaseEverything() {
        queue.release();
        cache.close();
        assertThat(pool.inUseBytes()).as("pooled bytes still lent").isZero();
    }

    @Test
    void anEmptyQueueHoldsNothingAndTheCapIsReportedNotEnforced() {
        assertThat(queue.isEmpty()).isTrue();
        assertThat(queue.heldBytes()).isZero();
        assertThat(queue.wouldExceed(MAX)).isFalse();
        assertThat(queue.wouldExceed(MAX + 1L)).isTrue();
        queue.write(new byte[10], 0, 10);
        assertThat(queue.wouldExceed(MAX - 10)).isFalse();
        assertThat(queue.wouldExceed(MAX - 9)).isTrue();
        assertThat(queue.maxBuffered()).isEqualTo(MAX);
    }

    @Test
    void aSmallChunkIsKeptAfterDrainingUntilTrimmed() throws Exception {
        ScriptedChannel channel = new ScriptedChannel();
        queue.write(ByteBuffer.wrap(new byte[100]));
        assertThat(queue.writeTo(channel)).isEqualTo(100);
        assertThat(queue.isEmpty()).isTrue();
        assertThat(queue.heldBytes()).as("kept for the next response").isBetween(1L, (long) OutboundQueue.KEEP_CAPACITY);
        queue.trim();
        assertThat(queue.heldBytes()).isZero();
    }

    @Test
    void aBigChunkGoesBackAsSoonAsItDrains() throws Exception {
        ScriptedChannel channel = new ScriptedChannel();
        queue.write(ByteBuffer.wrap(new byte[50_000]));
        while (!queue.isEmpty()) {
            queue.writeTo(channel);
        }
        assertThat(queue.heldBytes()).isZero();
    }

    @Test
    void aSeededRandomRunSendsEveryByteInOrderWithMemoryBoundedByWhatIsQueued() throws Exception {
        for (long seed = 1; seed <= 20; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            ScriptedChannel channel = new ScriptedChannel();
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            byte next = 0;
            for (int step = 0; step < 500; step++) {
                int size = random.nextInt(8) == 0 ? random.nextInt(1, 100_000) : random.nextInt(1, 2_000);
                if (!queue.wouldExceed(size)) {
                    byte[] bytes = new byte[size];
                    for (int i = 0; i < size; i++) {
                        bytes[i] = next++;
                    }
                    expected.write(bytes, 0, size);
                    if (random.nextBoolean()) {
                        queue.write(bytes, 0, size);
                    } else {
                        ByteBuffer src = ByteBuffer.allocateDirect(size).put(bytes).flip();
                        queue.write(src);
                        assertThat(src.hasRemaining()).as("write consumes its source").isFalse();
                    }
                }
                long bound = 2L * queue.buffered() + OutboundQueue.KEEP_CAPACITY + 2L * RING_CAP;
                assertThat(queue.heldBytes()).as("seed %d step %d: held for %d queued", seed, step, queue.buffered())
                        .isLessThanOrEqualTo(bound);
                channel.accept = random.nextInt(4) == 0 ? 0 : random.nextInt(1, 70_000);
                queue.writeTo(channel);
            }
            channel.accept = Integer.MAX_VALUE;
            while (!queue.isEmpty()) {
                queue.writeTo(channel);
            }
            assertThat(channel.written()).as("seed %d: bytes in order", seed).isEqualTo(expected.toByteArray());
            queue.release();
        }
    }
}
