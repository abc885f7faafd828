package io.gnetj.buffer;

import static io.gnetj.buffer.Bytes.assertSameBytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link ElasticBuffer} shares; one tiny subclass per implementation. Each
 * test gets a fresh pool with small size classes (16 B .. 64 KiB) so that growth, wrap-around,
 * node boundaries and unpooled chunks all happen with little data.
 */
abstract class ElasticBufferContractTest {

    static final int POOL_MAX = 1 << 16;

    BufferPool pool;
    ElasticBuffer buf;

    /** A new, empty buffer of the implementation under test. */
    abstract ElasticBuffer create(BufferAllocator allocator);

    /** Whether the implementation hands more than two segments to one gathering write. */
    boolean gathersManySegments() {
        return true;
    }

    @BeforeEach
    void setUp() {
        pool = BufferPool.builder().minCapacity(16).maxPooledCapacity(POOL_MAX).build();
        buf = create(pool);
    }

    @AfterEach
    void releaseReturnsEverythingToThePool() {
        buf.release();
        assertThat(buf.isEmpty()).isTrue();
        assertThat(pool.inUseBytes()).isZero();
        assertThat(pool.inUseCount()).isZero();
    }

    static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** The bytes between position and limit of {@code views[0..k)}, without moving them. */
    static byte[] contentOf(ByteBuffer[] views, int k) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < k; i++) {
            for (int j = views[i].position(); j < views[i].limit(); j++) {
                out.write(views[i].get(j));
            }
        }
        return out.toByteArray();
    }

    /** Enough views for everything buffered (nodes are at least 16 bytes). */
    ByteBuffer[] viewsForAll() {
        return new ByteBuffer[buf.buffered() / 16 + 4];
    }

    byte[] readAll() {
        ByteBuffer dst = ByteBuffer.allocate(buf.buffered());
        buf.read(dst);
        return dst.array();
    }

    @Test
    void newBufferIsEmptyAndHoldsNoMemory() {
        assertThat(buf.buffered()).isZero();
        assertThat(buf.isEmpty()).isTrue();
        assertThat(pool.inUseBytes()).isZero();
    }

    @Test
    void writeOfNothingTakesNoMemory() {
        buf.write(new byte[0], 0, 0);
        buf.write(ByteBuffer.allocate(0));
        assertThat(pool.inUseBytes()).isZero();
        assertThat(buf.isEmpty()).isTrue();
    }

    @Test
    void bytesComeOutInTheOrderTheyWentIn() {
        byte[] a = bytes(10, 1);
        byte[] b = bytes(300, 2);
        byte[] c = bytes(5000, 3);
        buf.write(a, 0, a.length);
        buf.write(ByteBuffer.wrap(b));
        ByteBuffer direct = ByteBuffer.allocateDirect(c.length).put(c).flip();
        buf.write(direct);
        assertThat(direct.hasRemaining()).isFalse();
        assertThat(buf.buffered()).isEqualTo(a.length + b.length + c.length);

        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(a);
        expected.writeBytes(b);
        expected.writeBytes(c);
        assertSameBytes(readAll(), expected.toByteArray());
        assertThat(buf.isEmpty()).isTrue();
    }

    @Test
    void writeHonoursSourcePositionAndLimit() {
        byte[] all = bytes(100, 4);
        ByteBuffer src = ByteBuffer.wrap(all, 10, 50).slice().position(5);
        buf.write(src);
        assertThat(src.position()).isEqualTo(src.limit());
        buf.write(all, 90, 10);
        byte[] expected = new byte[55];
        System.arraycopy(all, 15, expected, 0, 45);
        System.arraycopy(all, 90, expected, 45, 10);
        assertSameBytes(readAll(), expected);
    }

    @Test
    void peekShowsBytesWithoutConsumingThem() {
        byte[] data = bytes(1000, 5);
        buf.write(data, 0, data.length);
        ByteBuffer[] views = viewsForAll();
        int k = buf.peek(100, views);
        assertSameBytes(contentOf(views, k), java.util.Arrays.copyOf(data, 100));
        k = buf.peek(-1, views);
        assertSameBytes(contentOf(views, k), data);
        k = buf.peek(5000, views);
        assertSameBytes(contentOf(views, k), data);
        assertThat(buf.buffered()).isEqualTo(data.length);
        assertThat(buf.peek(0, views)).isZero();
    }

    @Test
    void peekStopsEarlyWhenViewsAreFull() {
        byte[] data = bytes(2000, 6);
        buf.write(data, 0, data.length);
        ByteBuffer[] one = new ByteBuffer[1];
        int k = buf.peek(-1, one);
        assertThat(k).isEqualTo(1);
        byte[] seen = contentOf(one, k);
        assertThat(seen.length).isBetween(1, data.length);
        assertThat(seen).isEqualTo(java.util.Arrays.copyOf(data, seen.length));
        assertThat(buf.peek(-1, new ByteBuffer[0])).isZero();
    }

    @Test
    void peekOfAnEmptyBufferGivesNoViews() {
        assertThat(buf.peek(-1, new ByteBuffer[4])).isZero();
    }

    @Test
    void discardDropsFromTheFront() {
        byte[] data = bytes(700, 7);
        buf.write(data, 0, data.length);
        assertThat(buf.discard(0)).isZero();
        assertThat(buf.discard(-3)).isZero();
        assertThat(buf.discard(200)).isEqualTo(200);
        assertThat(buf.buffered()).isEqualTo(500);
        assertSameBytes(readAll(), java.util.Arrays.copyOfRange(data, 200, 700));
        buf.write(data, 0, 10);
        assertThat(buf.discard(1000)).isEqualTo(10);
        assertThat(buf.discard(1)).isZero();
    }

    @Test
    void readCopiesAsMuchAsTheDestinationTakes() {
        byte[] data = bytes(600, 8);
        buf.write(data, 0, data.length);
        ByteBuffer small = ByteBuffer.allocateDirect(250);
        assertThat(buf.read(small)).isEqualTo(250);
        assertThat(small.position()).isEqualTo(250);
        small.flip();
        byte[] got = new byte[250];
        small.get(got);
        assertThat(got).isEqualTo(java.util.Arrays.copyOf(data, 250));
        ByteBuffer rest = ByteBuffer.allocate(1000).position(7);
        assertThat(buf.read(rest)).isEqualTo(350);
        assertThat(rest.position()).isEqualTo(357);
        assertSameBytes(java.util.Arrays.copyOfRange(rest.array(), 7, 357), java.util.Arrays.copyOfRange(data, 250, 600));
        assertThat(buf.read(rest)).isZero();
    }

    @Test
    void wrapAroundKeepsOrder() {
        // Steady trickle: the ring's indexes wrap many times, the list cycles its nodes.
        Random random = new Random(9);
        ByteModel model = new ByteModel();
        for (int i = 0; i < 500; i++) {
            byte[] chunk = bytes(1 + random.nextInt(40), i);
            buf.write(chunk, 0, chunk.length);
            model.add(chunk, 0, chunk.length);
            int d = random.nextInt(45);
            byte[] expected = model.prefix(Math.min(d, model.size()));
            ByteBuffer dst = ByteBuffer.allocate(d);
            int r = buf.read(dst);
            model.drop(r);
            assertSameBytes(java.util.Arrays.copyOf(dst.array(), r), expected);
            assertThat(buf.buffered()).isEqualTo(model.size());
        }
    }

    @Test
    void growthKeepsOrderPastPooledSizes() {
        byte[] big = bytes(3 * POOL_MAX + 17, 10);
        buf.write(big, 0, 100);
        buf.write(ByteBuffer.wrap(big, 100, big.length - 100));
        assertThat(buf.buffered()).isEqualTo(big.length);
        ByteBuffer[] views = viewsForAll();
        int k = buf.peek(-1, views);
        assertSameBytes(contentOf(views, k), big);
        assertSameBytes(readAll(), big);
    }

    @Test
    void emptyAndTrimmedHoldsNoPoolMemory() {
        byte[] data = bytes(5000, 11);
        buf.write(data, 0, data.length);
        assertThat(pool.inUseBytes()).isPositive();
        buf.discard(4000);
        buf.read(ByteBuffer.allocate(1000));
        assertThat(buf.isEmpty()).isTrue();
        buf.trim();
        assertThat(pool.inUseBytes()).isZero();
        // still usable
        buf.write(data, 0, 10);
        assertSameBytes(readAll(), java.util.Arrays.copyOf(data, 10));
        buf.trim();
        assertThat(pool.inUseBytes()).isZero();
    }

    @Test
    void trimKeepsBufferedBytes() {
        byte[] data = bytes(5000, 12);
        buf.write(data, 0, data.length);
        buf.discard(4900);
        buf.trim();
        assertSameBytes(readAll(), java.util.Arrays.copyOfRange(data, 4900, 5000));
    }

    @Test
    void viewsStayValidAfterDiscard() {
        byte[] data = bytes(3000, 13);
        buf.write(data, 0, 1000);
        buf.discard(900); // move the front so views start mid-chunk
        buf.write(data, 1000, 2000);
        ByteBuffer[] views = viewsForAll();
        int k = buf.peek(-1, views);
        byte[] before = contentOf(views, k);
        assertThat(buf.discard(1500)).isEqualTo(1500);
        assertSameBytes(contentOf(views, k), before);
        assertThat(buf.discard(Integer.MAX_VALUE)).isEqualTo(600);
        assertSameBytes(contentOf(views, k), before);
        assertThat(pool.inUseBytes()).as("discard returns no memory").isPositive();
    }

    @Test
    void viewsStayValidAfterRead() {
        byte[] data = bytes(2500, 14);
        buf.write(data, 0, data.length);
        ByteBuffer[] views = viewsForAll();
        int k = buf.peek(-1, views);
        buf.read(ByteBuffer.allocate(3000));
        assertSameBytes(contentOf(views, k), data);
    }

    @Test
    void movingAViewsPositionDoesNotDisturbTheBuffer() {
        byte[] data = bytes(1200, 15);
        buf.write(data, 0, data.length);
        ByteBuffer[] views = viewsForAll();
        int k = buf.peek(-1, views);
        for (int i = 0; i < k; i++) {
            views[i].position(views[i].limit());
        }
        assertSameBytes(readAll(), data);
    }

    @Test
    void writeToDrainsThroughPartialWritesAndGivesMemoryBack() throws IOException {
        byte[] data = bytes(20_000, 16);
        buf.write(data, 0, data.length);
        MemoryChannel ch = new MemoryChannel();
        ch.writeLimit = 777;
        long total = 0;
        while (!buf.isEmpty()) {
            long n = buf.writeTo(ch);
            assertThat(n).isBetween(1L, 777L);
            total += n;
        }
        assertThat(total).isEqualTo(data.length);
        assertSameBytes(ch.written(), data);
        assertThat(pool.inUseBytes()).as("writeTo gives memory back once empty").isZero();
        assertThat(buf.writeTo(ch)).isZero();
    }

    @Test
    void writeToOfAChannelThatTakesNothingKeepsEverything() throws IOException {
        byte[] data = bytes(3000, 17);
        buf.write(data, 0, data.length);
        MemoryChannel ch = new MemoryChannel();
        ch.writeLimit = 0;
        assertThat(buf.writeTo(ch)).isZero();
        assertSameBytes(readAll(), data);
    }

    @Test
    void writeToGathersAtMostMaxGatherSegments() throws IOException {
        // 16-byte size classes and 16-byte nodes: 40 000 bytes need 2 500 segments.
        byte[] data = bytes(40_000, 18);
        for (int off = 0; off < data.length; off += 16) {
            buf.write(data, off, 16);
        }
        MemoryChannel ch = new MemoryChannel();
        while (!buf.isEmpty()) {
            buf.writeTo(ch);
            assertThat(ch.maxGatherSeen).isLessThanOrEqualTo(ElasticBuffer.MAX_GATHER);
        }
        assertSameBytes(ch.written(), data);
        if (gathersManySegments()) {
            assertThat(ch.maxGatherSeen).isEqualTo(ElasticBuffer.MAX_GATHER);
            assertThat(ch.writeCalls).isGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void readFromAndWriteToAPipe() throws IOException {
        byte[] data = bytes(300_000, 19);
        Pipe pipe = Pipe.open();
        try (Pipe.SinkChannel sink = pipe.sink(); Pipe.SourceChannel source = pipe.source()) {
            sink.configureBlocking(false);
            source.configureBlocking(false);
            buf.write(data, 0, data.length);
            // Out through the pipe (partial non-blocking writes) and back in through readFrom.
            ElasticBuffer back = create(pool);
            try {
                int spins = 0;
                while ((!buf.isEmpty() || back.buffered() < data.length) && spins++ < 100_000) {
                    buf.writeTo(sink);
                    int n = back.readFrom(source, 4096);
                    assertThat(n).isBetween(0, 4096);
                }
                assertThat(buf.isEmpty()).isTrue();
                assertThat(back.buffered()).isEqualTo(data.length);
                ByteBuffer dst = ByteBuffer.allocate(data.length);
                back.read(dst);
                assertSameBytes(dst.array(), data);
            } finally {
                back.release();
            }
            sink.close();
            ElasticBuffer eof = create(pool);
            try {
                assertThat(eof.readFrom(source, 100)).isEqualTo(-1);
                eof.trim();
            } finally {
                eof.release();
            }
        }
    }

    @Test
    void readFromAppendsAfterBufferedBytes() throws IOException {
        byte[] data = bytes(5000, 20);
        buf.write(data, 0, 100);
        MemoryChannel ch = new MemoryChannel();
        ch.feed(java.util.Arrays.copyOfRange(data, 100, 5000));
        ch.readLimit = 1000;
        while (buf.buffered() < 5000) {
            assertThat(buf.readFrom(ch, 3000)).isPositive();
        }
        assertThat(buf.readFrom(ch, 10)).isZero();
        ch.endOfStream = true;
        assertThat(buf.readFrom(ch, 10)).isEqualTo(-1);
        assertThat(buf.readFrom(ch, 0)).isZero();
        assertSameBytes(readAll(), data);
    }

    @Test
    void releaseDropsEverythingAndTheBufferStaysUsable() {
        byte[] data = bytes(9000, 21);
        buf.write(data, 0, data.length);
        buf.discard(10);
        buf.release();
        assertThat(buf.isEmpty()).isTrue();
        assertThat(pool.inUseBytes()).isZero();
        buf.write(data, 0, 50);
        assertSameBytes(readAll(), java.util.Arrays.copyOf(data, 50));
    }

    @Test
    void worksThroughACache() {
        try (BufferCache cache = pool.newCache()) {
            ElasticBuffer cached = create(cache);
            byte[] data = bytes(10_000, 22);
            for (int round = 0; round < 3; round++) {
                cached.write(data, 0, data.length);
                ByteBuffer dst = ByteBuffer.allocate(data.length);
                cached.read(dst);
                assertSameBytes(dst.array(), data);
                cached.trim();
            }
            cached.release();
            assertThat(pool.inUseBytes()).isZero();
            assertThat(cache.cachedCount()).isPositive();
        }
        assertThat(pool.retainedBytes()).isPositive();
    }
}
