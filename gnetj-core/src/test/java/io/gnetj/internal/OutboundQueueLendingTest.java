package io.gnetj.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.buffer.BufferCache;
import io.gnetj.buffer.BufferPool;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link OutboundQueue}'s lent bytes: queued without a copy, counted as queued memory, always
 * first in line, and copied (only what the channel did not take) before the memory they are in
 * is given back. Each test overwrites the lent memory once the queue should no longer need it, so
 * a queue that still read it would send the wrong bytes.
 */
class OutboundQueueLendingTest {

    private final BufferPool pool = BufferPool.create();
    private final BufferCache cache = pool.newCache();
    private final OutboundQueue queue = new OutboundQueue(cache, 64 * 1024, 1024 * 1024);
    /** Stands for the loop's read buffer. */
    private final ByteBuffer memory = ByteBuffer.allocateDirect(256);

    @AfterEach
    void releaseEverything() {
        queue.release(new java.io.IOException("the test ended"));
        cache.close();
        assertThat(pool.inUseBytes()).as("pooled bytes still lent").isZero();
    }

    private void fill(String text) {
        memory.clear();
        memory.put(text.getBytes(StandardCharsets.US_ASCII));
        memory.clear();
    }

    /** The memory is reused, as the read buffer is by the next read. */
    private void overwrite() {
        memory.clear();
        for (int i = 0; i < memory.capacity(); i++) {
            memory.put(i, (byte) '!');
        }
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    @Test
    void lentBytesCountAsQueuedMemoryAndHoldNoPooledMemory() {
        fill("hello, world");
        assertThat(queue.lend(memory, 0, 5)).isTrue();
        assertThat(queue.lending()).isTrue();
        assertThat(queue.isEmpty()).isFalse();
        assertThat(queue.buffered()).isEqualTo(5);
        assertThat(queue.pending()).isEqualTo(5);
        assertThat(queue.wouldExceed(1024 * 1024 - 5)).isFalse();
        assertThat(queue.wouldExceed(1024 * 1024 - 4)).isTrue();
        assertThat(queue.heldBytes()).isZero();
        assertThat(queue.mark()).as("lent bytes come before a region queued now").isEqualTo(5);
    }

    @Test
    void aContinuationJoinsTheLentBytesAndAnythingElseIsNotLent() throws Exception {
        fill("abcdefghijklmnop");
        assertThat(queue.lend(memory, 0, 4)).isTrue();
        assertThat(queue.lend(memory, 4, 9)).as("continues the lent bytes").isTrue();
        assertThat(queue.lend(memory, 10, 12)).as("a gap").isFalse();
        assertThat(queue.lend(ByteBuffer.allocateDirect(16), 9, 12)).as("other memory").isFalse();
        assertThat(queue.buffered()).isEqualTo(9);
        ScriptedChannel channel = new ScriptedChannel();
        assertThat(queue.sendLent(channel)).isEqualTo(9);
        assertThat(queue.lending()).isFalse();
        assertThat(queue.isEmpty()).isTrue();
        assertThat(text(channel.written())).isEqualTo("abcdefghi");
    }

    @Test
    void nothingIsLentBehindQueuedBytes() throws Exception {
        fill("abcdef");
        queue.write(new byte[] {'x'}, 0, 1);
        assertThat(queue.lend(memory, 0, 3)).isFalse();
        assertThat(queue.lending()).isFalse();
    }

    @Test
    void aPartialSendCopiesOnlyWhatTheChannelDidNotTake() throws Exception {
        fill("0123456789");
        queue.lend(memory, 0, 10);
        ScriptedChannel channel = new ScriptedChannel();
        channel.accept = 4;
        assertThat(queue.sendLent(channel)).isEqualTo(4);
        assertThat(queue.lending()).as("the rest was copied").isFalse();
        assertThat(queue.buffered()).isEqualTo(6);
        assertThat(queue.heldBytes()).as("pooled memory for the six bytes copied").isPositive();
        overwrite();
        channel.accept = Integer.MAX_VALUE;
        queue.writeTo(channel);
        assertThat(text(channel.written())).isEqualTo("0123456789");
        assertThat(queue.isEmpty()).isTrue();
    }

    @Test
    void aSendTheChannelRefusesCopiesEverything() throws Exception {
        fill("0123456789");
        queue.lend(memory, 2, 8);
        ScriptedChannel channel = new ScriptedChannel();
        channel.accept = 0;
        assertThat(queue.sendLent(channel)).isZero();
        assertThat(queue.lending()).isFalse();
        assertThat(queue.pending()).isEqualTo(6);
        overwrite();
        channel.accept = Integer.MAX_VALUE;
        queue.writeTo(channel);
        assertThat(text(channel.written())).isEqualTo("234567");
    }

    @Test
    void bytesQueuedAfterLentBytesLeaveAfterThem() throws Exception {
        fill("view");
        queue.lend(memory, 0, 4);
        queue.write(new byte[] {'|'}, 0, 1);
        queue.write(ByteBuffer.wrap(new byte[] {'b', 'b'}));
        overwrite();
        ScriptedChannel channel = new ScriptedChannel();
        queue.writeTo(channel);
        assertThat(text(channel.written())).isEqualTo("view|bb");
    }

    @Test
    void writeToSendsLentBytesFirstAndCopiesWhatIsLeft() throws Exception {
        fill("abcdefgh");
        queue.lend(memory, 0, 8);
        ScriptedChannel channel = new ScriptedChannel();
        channel.accept = 3;
        assertThat(queue.writeTo(channel)).as("a flush inside the callback").isEqualTo(8);
        assertThat(text(channel.written())).isEqualTo("abcdefgh");
        fill("ijkl");
        channel.accept = 0;
        assertThat(queue.lend(memory, 0, 4)).as("the queue is empty again").isTrue();
        queue.writeTo(channel);
        overwrite();
        channel.accept = Integer.MAX_VALUE;
        queue.writeTo(channel);
        assertThat(text(channel.written())).isEqualTo("abcdefghijkl");
    }

    @Test
    void aFileQueuedAfterLentBytesKeepsItsPlace(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("f");
        Files.write(path, "FILE".getBytes(StandardCharsets.US_ASCII));
        fill("view");
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.READ)) {
            queue.lend(memory, 0, 4);
            queue.add(new FileRegion(null, cache, file, 0, 4, null, queue.mark()));
            queue.write(new byte[] {'|'}, 0, 1);
            overwrite();
            ScriptedChannel channel = new ScriptedChannel();
            while (!queue.isEmpty()) {
                queue.writeTo(channel);
            }
            assertThat(text(channel.written())).isEqualTo("viewFILE|");
        }
    }

    @Test
    void tlsPeekingTakesTheLentBytesAsCopiedBytes() throws Exception {
        fill("plain");
        queue.lend(memory, 0, 5);
        ByteBuffer[] views = new ByteBuffer[4];
        int k = queue.peek(1024, views);
        overwrite();
        StringBuilder seen = new StringBuilder();
        for (int i = 0; i < k; i++) {
            while (views[i].hasRemaining()) {
                seen.append((char) views[i].get());
            }
        }
        queue.discard(5);
        assertThat(seen.toString()).isEqualTo("plain");
        assertThat(queue.isEmpty()).isTrue();
    }

    @Test
    void releaseDropsLentBytes() {
        fill("gone");
        queue.lend(memory, 0, 4);
        queue.release(new java.io.IOException("closed"));
        assertThat(queue.lending()).isFalse();
        assertThat(queue.pending()).isZero();
        assertThat(queue.isEmpty()).isTrue();
    }
}
