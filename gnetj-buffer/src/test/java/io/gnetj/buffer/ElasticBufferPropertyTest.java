package io.gnetj.buffer;

import static io.gnetj.buffer.Bytes.assertSameBytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random interleavings of every {@link ElasticBuffer} operation, checked byte for byte against
 * {@link ByteModel}. Seeds are fixed so the suite never flakes; a failure names its seed, step and
 * operation. Run more seeds with {@code -Dgnetj.seeds=N}.
 */
class ElasticBufferPropertyTest {

    static final int STEPS = 1500;

    static Stream<Arguments> cases() {
        int seeds = Integer.getInteger("gnetj.seeds", 6);
        Stream.Builder<Arguments> b = Stream.builder();
        for (String impl : new String[] {"ring", "list", "mixed"}) {
            for (long seed = 1; seed <= seeds; seed++) {
                b.add(Arguments.of(impl, seed * 7919));
            }
        }
        return b.build();
    }

    static ElasticBuffer create(String impl, BufferAllocator allocator) {
        switch (impl) {
            case "ring": return new ElasticRingBuffer(allocator);
            case "list": return new LinkedListBuffer(allocator, 64);
            default: return new ElasticMixedBuffer(allocator, 200, 64);
        }
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @MethodSource("cases")
    void randomOperationsMatchAReferenceModel(String impl, long seed) throws IOException {
        BufferPool pool = BufferPool.builder().minCapacity(16).maxPooledCapacity(1 << 14).build();
        BufferCache cache = (seed & 1) == 0 ? pool.newCache() : null;
        ElasticBuffer buf = create(impl, cache != null ? cache : pool);
        new Run(new Random(seed), buf, seed).go();
        buf.release();
        if (cache != null) {
            cache.close();
        }
        assertThat(pool.inUseBytes()).as("seed %d", seed).isZero();
        assertThat(pool.inUseCount()).isZero();
    }

    private static final class Run {
        final Random random;
        final ElasticBuffer buf;
        final long seed;
        final ByteModel model = new ByteModel();
        final ByteModel pending = new ByteModel(); // fed to the channel, not yet read
        final MemoryChannel channel = new MemoryChannel();
        ByteBuffer[] saved;
        int savedCount;
        byte[] savedContent;

        Run(Random random, ElasticBuffer buf, long seed) {
            this.random = random;
            this.buf = buf;
            this.seed = seed;
        }

        void go() throws IOException {
            int op = -1;
            int step = 0;
            try {
                for (; step < STEPS; step++) {
                    op = random.nextInt(13);
                    apply(op);
                    assertThat(buf.buffered()).isEqualTo(model.size());
                    assertThat(buf.isEmpty()).isEqualTo(model.size() == 0);
                }
                checkEverything();
            } catch (AssertionError | RuntimeException | IOException e) {
                throw new AssertionError("seed=" + seed + " step=" + step + " op=" + op + " buffer=" + buf, e);
            }
        }

        int randomSize() {
            switch (random.nextInt(10)) {
                case 0: return 0;
                case 1: return 40_000 + random.nextInt(30_000); // beyond the largest size class
                case 2: case 3: return random.nextInt(2000);
                default: return random.nextInt(100);
            }
        }

        byte[] randomBytes(int n) {
            byte[] b = new byte[n];
            random.nextBytes(b);
            return b;
        }

        void invalidateViews() {
            saved = null;
        }

        void apply(int op) throws IOException {
            switch (op) {
                case 0: { // heap ByteBuffer with an offset position
                    byte[] data = randomBytes(randomSize());
                    int pad = random.nextInt(5);
                    byte[] backing = new byte[data.length + 2 * pad];
                    System.arraycopy(data, 0, backing, pad, data.length);
                    ByteBuffer src = ByteBuffer.wrap(backing, pad, data.length);
                    invalidateViews();
                    buf.write(src);
                    assertThat(src.remaining()).isZero();
                    model.add(data, 0, data.length);
                    break;
                }
                case 1: { // direct ByteBuffer
                    byte[] data = randomBytes(randomSize());
                    ByteBuffer src = ByteBuffer.allocateDirect(data.length).put(data).flip();
                    invalidateViews();
                    buf.write(src);
                    model.add(data, 0, data.length);
                    break;
                }
                case 2: { // byte[] with offset
                    byte[] data = randomBytes(randomSize() + 3);
                    int off = random.nextInt(3);
                    int len = data.length - off - random.nextInt(1);
                    invalidateViews();
                    buf.write(data, off, len);
                    model.add(data, off, len);
                    break;
                }
                case 3: case 4: { // peek, and remember the views to check they survive discard/read
                    int n = random.nextInt(4) == 0 ? -1 : random.nextInt(model.size() + 10);
                    ByteBuffer[] views = new ByteBuffer[1 + random.nextInt(random.nextBoolean() ? 3 : 300)];
                    int k = buf.peek(n, views);
                    byte[] content = ElasticBufferContractTest.contentOf(views, k);
                    int want = n < 0 ? model.size() : Math.min(n, model.size());
                    assertThat(content.length).isLessThanOrEqualTo(want);
                    if (k < views.length) {
                        assertThat(content.length).isEqualTo(want);
                    }
                    assertSameBytes(content, model.prefix(content.length));
                    saved = views;
                    savedCount = k;
                    savedContent = content;
                    break;
                }
                case 5: { // peekContiguous (ring only), else another peek
                    if (buf instanceof ElasticRingBuffer) {
                        int n = random.nextInt(3) == 0 ? -1 : random.nextInt(model.size() + 10);
                        invalidateViews();
                        ByteBuffer view = ((ElasticRingBuffer) buf).peekContiguous(n);
                        int want = n < 0 ? model.size() : Math.min(n, model.size());
                        assertThat(view.remaining()).isEqualTo(want);
                        assertSameBytes(ElasticBufferContractTest.contentOf(new ByteBuffer[] {view}, 1), model.prefix(want));
                    } else {
                        apply(3);
                    }
                    break;
                }
                case 6: { // discard
                    int n = random.nextInt(3) == 0 ? random.nextInt(model.size() + 10) : random.nextInt(200);
                    int d = buf.discard(n);
                    assertThat(d).isEqualTo(Math.min(n, model.size()));
                    model.drop(d);
                    checkSavedViews();
                    break;
                }
                case 7: { // read into heap or direct
                    int n = random.nextInt(3000);
                    ByteBuffer dst = random.nextBoolean() ? ByteBuffer.allocate(n) : ByteBuffer.allocateDirect(n);
                    int r = buf.read(dst);
                    assertThat(r).isEqualTo(Math.min(n, model.size()));
                    assertThat(dst.position()).isEqualTo(r);
                    byte[] got = new byte[r];
                    dst.flip().get(got);
                    assertSameBytes(got, model.prefix(r));
                    model.drop(r);
                    checkSavedViews();
                    break;
                }
                case 8: case 9: { // readFrom a channel that hands out a limited number of bytes per call
                    if (random.nextBoolean()) {
                        byte[] fed = randomBytes(randomSize());
                        channel.feed(fed);
                        pending.add(fed, 0, fed.length);
                    }
                    channel.readLimit = 1 + random.nextInt(5000);
                    int max = 1 + random.nextInt(random.nextBoolean() ? 100 : 5000);
                    invalidateViews();
                    int n = buf.readFrom(channel, max);
                    assertThat(n).isBetween(0, max);
                    byte[] got = pending.prefix(n);
                    pending.drop(n);
                    model.add(got, 0, n);
                    break;
                }
                case 10: case 11: { // partial writeTo
                    channel.writeLimit = random.nextInt(4) == 0 ? Integer.MAX_VALUE : random.nextInt(3000);
                    channel.clearWritten();
                    invalidateViews();
                    channel.lastOffered = 0;
                    long n = buf.writeTo(channel);
                    assertThat(channel.maxGatherSeen).isLessThanOrEqualTo(ElasticBuffer.MAX_GATHER);
                    assertThat(n).isEqualTo(Math.min(channel.writeLimit, channel.lastOffered));
                    if (channel.lastOffered < model.size()) {
                        // only the segment cap may leave bytes out of one gathering write
                        assertThat(channel.maxGatherSeen).isEqualTo(ElasticBuffer.MAX_GATHER);
                    }
                    assertSameBytes(channel.written(), model.prefix((int) n));
                    model.drop((int) n);
                    break;
                }
                default: { // trim, or rarely release
                    invalidateViews();
                    if (random.nextInt(20) == 0) {
                        buf.release();
                        model.drop(model.size());
                    } else {
                        buf.trim();
                    }
                    break;
                }
            }
        }

        void checkSavedViews() {
            if (saved != null) {
                assertSameBytes(ElasticBufferContractTest.contentOf(saved, savedCount), savedContent);
            }
        }

        void checkEverything() {
            ByteBuffer dst = ByteBuffer.allocate(model.size());
            buf.read(dst);
            assertSameBytes(dst.array(), Arrays.copyOf(model.prefix(model.size()), model.size()));
        }
    }
}
