package io.gnetj.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gnetj.buffer.BufferCache;
import io.gnetj.buffer.BufferPool;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link InboundBytes} on its own, without a socket: fresh bytes are lent without a copy, what a
 * handler leaves is kept in order, views are read-only and stay valid until the callback ends,
 * and the memory held is bounded by what is held: at rest at most {@code max(256, 2 × buffered)}.
 */
class InboundBytesContractTest {

    private static final int READ_BUFFER = 64 * 1024;

    private final BufferPool pool = BufferPool.create();
    private final BufferCache cache = pool.newCache();
    private final LoopBuffers shared = new LoopBuffers(cache, READ_BUFFER);
    private final InboundBytes inbound = new InboundBytes(shared);

    @AfterEach
    void releaseEverything() {
        inbound.release();
        cache.close();
        assertThat(pool.inUseBytes()).as("pooled bytes still lent").isZero();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String text(ByteBuffer view) {
        return StandardCharsets.US_ASCII.decode(view.duplicate()).toString();
    }

    @Test
    void freshBytesAreLentFromTheReadBufferWithoutACopyAndLeaveNothingBehind() throws Exception {
        ScriptedChannel channel = new ScriptedChannel().arrive(ascii("hello"));
        assertThat(inbound.readFrom(channel, Integer.MAX_VALUE)).isEqualTo(5);
        ByteBuffer view = inbound.peek(-1);
        assertThat(text(view)).isEqualTo("hello");
        assertThat(view.isReadOnly()).as("a lent view is read-only").isTrue();
        assertThat(inbound.heldBytes()).as("no ring for fresh bytes").isZero();
        assertThat(text(inbound.next(-1))).isEqualTo("hello");
        inbound.afterCallback();
        assertThat(inbound.buffered()).isZero();
        assertThat(inbound.heldBytes()).isZero();
    }

    @Test
    void leftoversAreKeptInOrderAndNewBytesJoinThem() throws Exception {
        ScriptedChannel channel = new ScriptedChannel().arrive(ascii("GET /pl")).arrive(ascii("aintext\r\n"));
        inbound.readFrom(channel, Integer.MAX_VALUE);
        inbound.afterCallback(); // the handler consumed nothing: an unfinished request
        assertThat(inbound.ringBuffered()).isEqualTo(7);
        assertThat(inbound.heldBytes()).as("one chunk of the smallest class").isEqualTo(pool.sizeClassOf(1));
        inbound.readFrom(channel, Integer.MAX_VALUE);
        assertThat(text(inbound.peek(-1))).isEqualTo("GET /plaintext\r\n");
        assertThat(inbound.heldBytes()).isEqualTo(pool.sizeClassOf(1));
        assertThat(text(inbound.next(4))).isEqualTo("GET ");
        assertThat(inbound.discard(1)).isEqualTo(1);
        ByteBuffer dst = ByteBuffer.allocate(4);
        assertThat(inbound.read(dst)).isEqualTo(4);
        assertThat(new String(dst.array(), StandardCharsets.US_ASCII)).isEqualTo("plai");
        assertThat(text(inbound.next(-1))).isEqualTo("ntext\r\n");
        inbound.afterCallback();
        assertThat(inbound.heldBytes()).as("an emptied ring gives its chunk back").isZero();
    }

    @Test
    void aRingHoldingAFewBytesNeverGrowsForReadsThatBringFew() throws Exception {
        ScriptedChannel channel = new ScriptedChannel();
        for (int i = 0; i < 200; i++) {
            channel.arrive(new byte[] {(byte) i});
            inbound.readFrom(channel, Integer.MAX_VALUE);
            inbound.afterCallback();
            assertThat(inbound.heldBytes()).as("held after %d bytes", i + 1)
                    .isLessThanOrEqualTo(Math.max(pool.sizeClassOf(1), 2 * inbound.buffered()));
        }
        ByteBuffer all = inbound.peek(-1);
        for (int i = 0; i < 200; i++) {
            assertThat(all.get(all.position() + i)).isEqualTo((byte) i);
        }
    }

    @Test
    void aBusyRingWithRoomIsReadIntoDirectlyWithoutGrowing() throws Exception {
        ScriptedChannel channel = new ScriptedChannel().arrive(new byte[20_000]);
        inbound.readFrom(channel, Integer.MAX_VALUE);
        inbound.afterCallback();
        int held = inbound.heldBytes();
        assertThat(held - inbound.ringBuffered()).as("free room").isGreaterThanOrEqualTo(InboundBytes.DIRECT_READ_MIN_FREE);
        channel.arrive(new byte[5_000]);
        inbound.readFrom(channel, Integer.MAX_VALUE);
        assertThat(inbound.heldBytes()).as("no growth: the read fit the free room").isEqualTo(held);
        assertThat(inbound.ringBuffered()).isEqualTo(25_000);
    }

    @Test
    void viewsAreReadOnlyAndStayValidUntilTheCallbackEnds() throws Exception {
        ScriptedChannel channel = new ScriptedChannel().arrive(ascii("abcdef"));
        inbound.readFrom(channel, Integer.MAX_VALUE);
        inbound.afterCallback();
        channel.arrive(ascii("ghij"));
        inbound.readFrom(channel, Integer.MAX_VALUE);
        ByteBuffer first = inbound.next(6);
        assertThatThrownBy(() -> first.put(first.position(), (byte) 0)).isInstanceOf(ReadOnlyBufferException.class);
        assertThatThrownBy(() -> first.duplicate().put((byte) 0)).as("a duplicate of a view is read-only too")
                .isInstanceOf(ReadOnlyBufferException.class);
        String firstText = text(first);
        inbound.discard(2); // does not give memory back: the first view still shows its bytes
        assertThat(firstText).isEqualTo("abcdef");
        assertThat(text(first)).isEqualTo("abcdef");
        inbound.afterCallback();
        assertThat(text(inbound.peek(-1))).isEqualTo("ij");
    }

    @Test
    void aReadIsCappedByTheRoomItIsGiven() throws Exception {
        ScriptedChannel channel = new ScriptedChannel().arrive(new byte[10_000]);
        assertThat(inbound.readFrom(channel, 1_000)).isEqualTo(1_000);
        inbound.afterCallback();
        assertThat(inbound.readFrom(channel, 500)).isEqualTo(500);
        assertThat(inbound.buffered()).isEqualTo(1_500);
    }

    @Test
    void endOfStreamAndNothingReadyPassThrough() throws Exception {
        ScriptedChannel channel = new ScriptedChannel();
        assertThat(inbound.readFrom(channel, Integer.MAX_VALUE)).isZero();
        channel.end();
        assertThat(inbound.readFrom(channel, Integer.MAX_VALUE)).isEqualTo(-1);
        assertThat(inbound.buffered()).isZero();
        assertThat(inbound.peek(-1).remaining()).isZero();
        assertThat(inbound.next(5).remaining()).isZero();
    }

    @Test
    void aSeededRandomRunKeepsEveryByteInOrderAndMemoryBoundedByWhatIsHeld() throws Exception {
        for (long seed = 1; seed <= 20; seed++) {
            runRandom(seed);
            inbound.release();
        }
    }

    private void runRandom(long seed) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        ScriptedChannel channel = new ScriptedChannel();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        ByteArrayOutputStream consumed = new ByteArrayOutputStream();
        byte next = 0;
        for (int step = 0; step < 300; step++) {
            int size = random.nextInt(10) == 0 ? random.nextInt(1, 150_000) : random.nextInt(1, 300);
            byte[] chunk = new byte[size];
            for (int i = 0; i < size; i++) {
                chunk[i] = next++;
            }
            expected.write(chunk, 0, size);
            channel.arrive(chunk);
            while (inbound.readFrom(channel, Integer.MAX_VALUE) > 0) {
                // one "callback": consume a random part in a random way
                int take = random.nextInt(inbound.buffered() + 1);
                switch (random.nextInt(3)) {
                    case 0:
                        while (take > 0) {
                            ByteBuffer view = inbound.next(take);
                            if (!view.hasRemaining()) {
                                break;
                            }
                            take -= view.remaining();
                            byte[] copy = new byte[view.remaining()];
                            view.duplicate().get(copy);
                            consumed.write(copy, 0, copy.length);
                        }
                        break;
                    case 1:
                        ByteBuffer dst = ByteBuffer.allocate(take);
                        inbound.read(dst);
                        consumed.write(dst.array(), 0, dst.position());
                        break;
                    default:
                        ByteBuffer view = inbound.peek(take);
                        byte[] copy = new byte[view.remaining()];
                        view.duplicate().get(copy);
                        consumed.write(copy, 0, copy.length);
                        inbound.discard(copy.length);
                        break;
                }
                inbound.afterCallback();
                assertThat(inbound.heldBytes()).as("seed %d step %d: held for %d buffered", seed, step, inbound.buffered())
                        .isLessThanOrEqualTo(Math.max(pool.sizeClassOf(1), 2 * inbound.buffered()));
            }
        }
        while (inbound.buffered() > 0) {
            ByteBuffer view = inbound.next(-1);
            byte[] copy = new byte[view.remaining()];
            view.duplicate().get(copy);
            consumed.write(copy, 0, copy.length);
        }
        inbound.afterCallback();
        assertThat(consumed.toByteArray()).as("seed %d: bytes in order", seed).isEqualTo(expected.toByteArray());
    }
}
