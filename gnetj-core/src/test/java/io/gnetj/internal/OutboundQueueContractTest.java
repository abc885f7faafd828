package io.gnetj.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.buffer.BufferCache;
import io.gnetj.buffer.BufferPool;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link OutboundQueue} on its own: bytes leave in the order they were queued, whatever the
 * channel takes per call; the cap is reported, never enforced behind the caller's back; and the
 * pooled memory held is at most about twice what is queued, plus the kept chunk, plus one list
 * chunk once the ring is full. File regions leave in their place among the memory bytes, by
 * {@code writeTo} (plaintext) and by {@code peek}/{@code discard} (TLS), and finish in order.
 */
class OutboundQueueContractTest {

    private static final int RING_CAP = 64 * 1024;
    private static final int MAX = 1024 * 1024;

    private final BufferPool pool = BufferPool.create();
    private final BufferCache cache = pool.newCache();
    private final OutboundQueue queue = new OutboundQueue(cache, RING_CAP, MAX);

    @AfterEach
    void releaseEverything() {
        queue.release(new java.io.IOException("the test ended"));
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
            queue.release(new java.io.IOException("the test ended"));
        }
    }

    @TempDir
    Path dir;

    @ParameterizedTest(name = "tls-style={0}")
    @ValueSource(booleans = {false, true})
    void fileRegionsLeaveInTheirPlaceAmongMemoryBytesAndFinishInOrder(boolean tlsStyle) throws Exception {
        byte[] fileBytes = new byte[30_000];
        new SplittableRandom(99).nextBytes(fileBytes);
        Path path = Files.write(dir.resolve("file"), fileBytes);
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.READ)) {
            for (long seed = 1; seed <= 20; seed++) {
                SplittableRandom random = new SplittableRandom(seed);
                ScriptedChannel channel = new ScriptedChannel();
                ByteArrayOutputStream expected = new ByteArrayOutputStream();
                List<FileRegion> queued = new ArrayList<>();
                List<FileRegion> finished = new ArrayList<>();
                byte next = 0;
                for (int step = 0; step < 300; step++) {
                    if (random.nextInt(3) == 0) {
                        int position = random.nextInt(fileBytes.length);
                        int count = random.nextInt(5) == 0 ? 0 : random.nextInt(fileBytes.length - position + 1);
                        FileRegion region = new FileRegion(null, cache, file, position, count, null, queue.mark());
                        queue.add(region);
                        queued.add(region);
                        expected.write(fileBytes, position, count);
                    } else {
                        int size = random.nextInt(1, 3_000);
                        byte[] bytes = new byte[size];
                        for (int i = 0; i < size; i++) {
                            bytes[i] = next++;
                        }
                        queue.write(bytes, 0, size);
                        expected.write(bytes, 0, size);
                    }
                    assertThat(queue.pending()).as("seed %d step %d: pending", seed, step)
                            .isEqualTo(expected.size() - (long) channel.writtenCount());
                    channel.accept = random.nextInt(4) == 0 ? 0 : random.nextInt(1, 70_000);
                    send(tlsStyle, channel, random);
                    collect(finished);
                }
                channel.accept = Integer.MAX_VALUE;
                while (!queue.isEmpty()) {
                    send(tlsStyle, channel, random);
                }
                collect(finished);
                assertThat(channel.written()).as("seed %d: bytes in order", seed).isEqualTo(expected.toByteArray());
                assertThat(finished).as("seed %d: every region finished, in order", seed).containsExactlyElementsOf(queued);
                assertThat(queue.pending()).isZero();
                queue.trim();
                assertThat(queue.heldBytes()).as("nothing held once trimmed: no file chunk kept").isZero();
            }
        }
    }

    @Test
    void regionsDroppedByReleaseFinishWithTheCause() throws Exception {
        Path path = Files.write(dir.resolve("small"), new byte[1000]);
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.READ)) {
            queue.write(new byte[10], 0, 10);
            FileRegion region = new FileRegion(null, cache, file, 0, 1000, null, queue.mark());
            queue.add(region);
            assertThat(queue.buffered()).as("memory, and the region's overhead, not its file bytes")
                    .isEqualTo(10 + FileRegion.OVERHEAD);
            assertThat(queue.pending()).isEqualTo(1010);
            queue.release(new java.io.IOException("reset by peer"));
            assertThat(queue.pollFinished()).isSameAs(region);
            assertThat(queue.pollFinished()).isNull();
            assertThat(queue.pending()).isZero();
        }
    }

    /** One send: writeTo, or TLS's way (peek at most a record, take some of it, discard that). */
    private void send(boolean tlsStyle, ScriptedChannel channel, SplittableRandom random) throws Exception {
        if (!tlsStyle) {
            queue.writeTo(channel);
            return;
        }
        ByteBuffer[] views = new ByteBuffer[16];
        for (int i = 0; i < 4 && !queue.isEmpty(); i++) {
            int k = queue.peek(16 * 1024, views);
            int want = Math.min(channel.accept, random.nextInt(1, 20_000));
            int taken = 0;
            for (int v = 0; v < k && taken < want; v++) {
                ByteBuffer view = views[v];
                int n = Math.min(view.remaining(), want - taken);
                ByteBuffer part = view.duplicate();
                part.limit(part.position() + n);
                channel.write(part);
                view.position(view.position() + n); // as the engine advances what it consumed
                taken += n;
            }
            java.util.Arrays.fill(views, null);
            queue.discard(taken);
        }
    }

    private void collect(List<FileRegion> finished) {
        for (FileRegion r; (r = queue.pollFinished()) != null; ) {
            finished.add(r);
        }
    }
}
