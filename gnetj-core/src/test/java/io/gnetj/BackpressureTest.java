package io.gnetj;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.buffer.BufferPool;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/**
 * Outbound water marks: a peer that reads slowly (or not at all) makes the server stop reading
 * from it, so the server's memory for that connection stays bounded, and reading resumes once the
 * peer catches up. Every byte still arrives intact.
 */
class BackpressureTest {

    private static final int READ_BUFFER_CAP = 64 * 1024;
    private static final int LOW_WATER = 128 * 1024;
    private static final int HIGH_WATER = 512 * 1024;

    /** Echo that records what the water marks are meant to bound. */
    private static final class MeasuringEcho implements EventHandler {
        final BufferPool pool;
        final AtomicLong bytesRead = new AtomicLong();
        final AtomicInteger trafficCalls = new AtomicInteger();
        final AtomicInteger calledWhileOverHighWater = new AtomicInteger();
        volatile int maxOutboundAfterWrite;
        volatile long maxPoolInUse;

        MeasuringEcho(BufferPool pool) {
            this.pool = pool;
        }

        @Override
        public Action onTraffic(Conn conn) {
            trafficCalls.incrementAndGet();
            if (conn.outboundBuffered() >= HIGH_WATER) {
                // Reading should have been paused: the loop must not read (nor call us) now.
                calledWhileOverHighWater.incrementAndGet();
            }
            int n = conn.write(conn.next(-1));
            bytesRead.addAndGet(n);
            maxOutboundAfterWrite = Math.max(maxOutboundAfterWrite, conn.outboundBuffered());
            maxPoolInUse = Math.max(maxPoolInUse, pool.inUseBytes());
            return Action.NONE;
        }
    }

    private static Options options(BufferPool pool) {
        return Options.builder()
                .numEventLoops(1)
                .readBufferCap(READ_BUFFER_CAP)
                .writeBufferCap(64 * 1024)
                .writeBufferWaterMarks(LOW_WATER, HIGH_WATER)
                .socketRecvBuffer(64 * 1024)
                .socketSendBuffer(64 * 1024)
                .bufferPool(pool)
                .build();
    }

    @Test
    void slowReaderGets64MiBIntactWhileServerMemoryStaysUnderTheWaterMarks() throws Exception {
        BufferPool pool = BufferPool.create();
        MeasuringEcho echo = new MeasuringEcho(pool);
        Engine engine = TestServers.start(echo, options(pool));
        long total = 64L << 20;
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try (Socket socket = TestServers.connectSmallBuffers(engine, 64 * 1024)) {
            Future<?> sent = writer.submit(() -> writePattern(socket.getOutputStream(), total, 256 * 1024));
            InputStream in = socket.getInputStream();
            PatternChecker checker = new PatternChecker();
            byte[] chunk = new byte[64 * 1024];
            long received = 0;
            while (received < total) {
                int r = in.read(chunk, 0, (int) Math.min(chunk.length, total - received));
                assertThat(r).as("EOF after %d of %d bytes", received, total).isPositive();
                checker.check(chunk, r, received);
                received += r;
                // Pacing, not synchronisation: reading slower than the server echoes is the point.
                TimeUnit.MILLISECONDS.sleep(1);
            }
            sent.get(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS);
        } finally {
            writer.shutdownNow();
            engine.stop();
        }
        assertThat(echo.bytesRead.get()).isEqualTo(total);
        assertThat(echo.calledWhileOverHighWater.get()).as("onTraffic calls with the queue over the high-water mark").isZero();
        // Reading pauses once the queue reaches the high-water mark, and one read brings at most
        // readBufferCap bytes, so the queue never holds more than that.
        assertThat(echo.maxOutboundAfterWrite).isLessThan(HIGH_WATER + READ_BUFFER_CAP);
        // Pooled memory: the queued bytes rounded up to 64 KiB chunks, plus a few chunks of slack.
        assertThat(echo.maxPoolInUse).isLessThanOrEqualTo(HIGH_WATER + READ_BUFFER_CAP + 4 * 64 * 1024);
        assertThat(pool.inUseBytes()).as("pooled bytes still lent out after stop").isZero();
    }

    @Test
    void readingPausesWhileThePeerDoesNotReadAndResumesWhenItDoes() throws Exception {
        BufferPool pool = BufferPool.create();
        MeasuringEcho echo = new MeasuringEcho(pool);
        Engine engine = TestServers.start(echo, options(pool));
        long total = 8L << 20;
        AtomicLong written = new AtomicLong();
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try (Socket socket = TestServers.connectSmallBuffers(engine, 64 * 1024)) {
            Future<?> sent = writer.submit(() -> {
                OutputStream out = socket.getOutputStream();
                PatternWriter pattern = new PatternWriter();
                byte[] chunk = new byte[16 * 1024];
                while (written.get() < total) {
                    int n = (int) Math.min(chunk.length, total - written.get());
                    pattern.fill(chunk, n);
                    out.write(chunk, 0, n);
                    written.addAndGet(n);
                }
                out.flush();
                return null;
            });
            // The client reads nothing: the server's queue fills up, reading pauses, and then
            // the kernel buffers fill up and the writer blocks.
            TestServers.await("server read past the high-water mark", () -> echo.bytesRead.get() >= HIGH_WATER);
            awaitQuiet("server stops reading while the peer does not read", echo.bytesRead::get);
            int callsWhilePaused = echo.trafficCalls.get();
            long readWhilePaused = echo.bytesRead.get();
            // Kernel buffers on both sides absorb some bytes: allow 1 MiB for them.
            assertThat(readWhilePaused).as("bytes the server read from a peer that reads nothing")
                    .isLessThan(HIGH_WATER + READ_BUFFER_CAP + (1 << 20));
            assertThat(written.get()).as("the writer is blocked").isLessThan(total);

            // The peer catches up: reading resumes and every byte comes back.
            InputStream in = socket.getInputStream();
            PatternChecker checker = new PatternChecker();
            byte[] chunk = new byte[64 * 1024];
            long received = 0;
            while (received < total) {
                int r = in.read(chunk, 0, (int) Math.min(chunk.length, total - received));
                assertThat(r).as("EOF after %d of %d bytes", received, total).isPositive();
                checker.check(chunk, r, received);
                received += r;
            }
            sent.get(TestServers.WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(echo.trafficCalls.get()).as("onTraffic resumed").isGreaterThan(callsWhilePaused);
        } finally {
            writer.shutdownNow();
            engine.stop();
        }
        assertThat(echo.calledWhileOverHighWater.get()).as("onTraffic calls with the queue over the high-water mark").isZero();
        assertThat(echo.maxOutboundAfterWrite).isLessThan(HIGH_WATER + READ_BUFFER_CAP);
        assertThat(pool.inUseBytes()).as("pooled bytes still lent out after stop").isZero();
    }

    /** Each request byte asks for a 256 KiB answer; stops decoding at the high-water mark. */
    private static final class Amplifier implements EventHandler {
        static final int ANSWER = 256 * 1024;
        final byte[] answer = new byte[ANSWER];
        final AtomicLong maxOutbound = new AtomicLong();

        @Override
        public Action onTraffic(Conn conn) {
            while (conn.inboundBuffered() > 0 && conn.outboundBuffered() < HIGH_WATER) {
                byte request = conn.next(1).get();
                java.util.Arrays.fill(answer, request);
                conn.write(answer);
                maxOutbound.accumulateAndGet(conn.outboundBuffered(), Math::max);
            }
            return Action.NONE;
        }
    }

    @Test
    void aHandlerThatStopsAtTheHighWaterMarkIsCalledAgainWhenReadingResumes() throws Exception {
        BufferPool pool = BufferPool.create();
        Amplifier handler = new Amplifier();
        Engine engine = TestServers.start(handler, options(pool));
        int requests = 64; // 16 MiB of answers to 64 bytes sent in one write
        try (Socket socket = TestServers.connectSmallBuffers(engine, 64 * 1024)) {
            byte[] pipeline = new byte[requests];
            for (int i = 0; i < requests; i++) {
                pipeline[i] = (byte) i;
            }
            TestServers.write(socket, pipeline);
            // Every answer arrives, in order, though the client sends nothing more to trigger onTraffic.
            InputStream in = socket.getInputStream();
            for (int i = 0; i < requests; i++) {
                byte[] got = TestServers.readExactly(in, Amplifier.ANSWER);
                assertThat(got[0]).as("answer %d", i).isEqualTo((byte) i);
                assertThat(got[Amplifier.ANSWER - 1]).as("answer %d", i).isEqualTo((byte) i);
            }
        } finally {
            engine.stop();
        }
        assertThat(handler.maxOutbound.get()).as("most bytes queued").isLessThan(HIGH_WATER + Amplifier.ANSWER);
        assertThat(pool.inUseBytes()).as("pooled bytes still lent out after stop").isZero();
    }

    /**
     * Waits until {@code value} has not changed for 300 ms (bounded by {@link TestServers#WAIT}).
     * Used only to look for a negative (no more reads); the assertions that follow hold at any
     * moment for a correct engine, so a slow machine can make this weaker, never flaky.
     */
    private static void awaitQuiet(String what, LongSupplier value) {
        long quietNanos = TimeUnit.MILLISECONDS.toNanos(300);
        long last = value.getAsLong();
        long since = System.nanoTime();
        long deadline = System.nanoTime() + TestServers.WAIT.toNanos();
        while (System.nanoTime() - since < quietNanos) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting for: " + what + " (still changing: " + value.getAsLong() + ")");
            }
            try {
                TimeUnit.MILLISECONDS.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for: " + what, e);
            }
            long now = value.getAsLong();
            if (now != last) {
                last = now;
                since = System.nanoTime();
            }
        }
    }

    private static Void writePattern(OutputStream out, long total, int chunkSize) throws IOException {
        PatternWriter pattern = new PatternWriter();
        byte[] chunk = new byte[chunkSize];
        long left = total;
        while (left > 0) {
            int n = (int) Math.min(chunk.length, left);
            pattern.fill(chunk, n);
            out.write(chunk, 0, n);
            left -= n;
        }
        out.flush();
        return null;
    }

    /** A deterministic byte stream (xorshift), so 64 MiB can be checked without keeping a copy. */
    static final class PatternWriter {
        private long state = 0x9E3779B97F4A7C15L;

        void fill(byte[] dst, int n) {
            for (int i = 0; i < n; i++) {
                dst[i] = next();
            }
        }

        byte next() {
            state ^= state << 13;
            state ^= state >>> 7;
            state ^= state << 17;
            return (byte) state;
        }
    }

    /** Checks received bytes against {@link PatternWriter}'s stream. */
    static final class PatternChecker {
        private final PatternWriter expected = new PatternWriter();

        void check(byte[] got, int n, long offset) {
            for (int i = 0; i < n; i++) {
                byte want = expected.next();
                if (got[i] != want) {
                    throw new AssertionError("byte " + (offset + i) + " differs: expected " + want + ", got " + got[i]);
                }
            }
        }
    }
}
