package io.gnetj.examples.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.buffer.BufferPool;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * One side pushes 64 MiB at a side that does not read. The proxy must pause reading from the
 * sender once the queue towards the stalled side reaches the high-water mark, so the pooled memory
 * it holds stays near the mark while TCP flow control holds the sender back; once the stalled side
 * reads, every byte must arrive, in order (the outbound cap, which would close the connection,
 * must never be reached).
 */
class ProxyBackpressureTest {

    private static final long PUSHED = 64L << 20;
    /** The proxy's mark: its default. */
    private static final int HIGH_WATER = 256 << 10;
    /**
     * Pooled memory the stalled pair may hold beyond what the proxy held before it connected: the
     * mark, the reads in flight when the pause landed (a read is at most 64 KiB), and the pool's
     * rounding of the queue's chunks to power-of-two size classes.
     */
    private static final long BOUND = 4 * HIGH_WATER;
    /**
     * Longest queue a relay write may leave: under the mark before it, plus one read of at most
     * {@link io.gnetj.Options#readBufferCap()} (64 KiB), plus one more that may come before the
     * pause lands (the writability report runs as a loop task after the flush).
     */
    private static final int MAX_QUEUE = HIGH_WATER + 2 * 64 * 1024;
    /** A sender that has not got a byte further for this long is held back. */
    private static final long STALLED_NANOS = TimeUnit.SECONDS.toNanos(1);

    @Test
    void aClientThatDoesNotReadHoldsTheProxyNearTheWaterMarkThenGetsEverything() throws Exception {
        AtomicLong pushed = new AtomicLong();
        BufferPool pool = BufferPool.create();
        try (TestUpstream upstream = TestUpstream.start(s -> {
            PatternStream.write(s.getOutputStream(), 7, PUSHED, pushed);
            s.shutdownOutput();
            assertThat(s.getInputStream().read()).as("the client sends nothing").isEqualTo(-1);
        });
             ProxyTesting.Watched proxy = ProxyTesting.startWatched(upstream.address(), b -> b.bufferPool(pool))) {
            long idle = pool.inUseBytes();
            try (Socket client = ProxyTesting.connect(proxy.port(), 64 * 1024)) {
                long peak = awaitStalled("the upstream pushing to a client that does not read", pushed, pool);
                report("client does not read", pushed.get(), peak - idle, proxy.watch().maxQueued());
                assertThat(proxy.watch().maxQueued()).as("longest queue towards the client").isLessThanOrEqualTo(MAX_QUEUE);
                assertThat(pushed.get()).as("bytes the upstream got rid of while the client did not read")
                        .isLessThan(PUSHED);
                assertThat(peak - idle).as("pooled bytes the proxy held for the stalled pair").isLessThan(BOUND);

                long got = PatternStream.verify(client.getInputStream(), 7, new AtomicLong());
                assertThat(got).as("bytes the client read once it started").isEqualTo(PUSHED);
                client.shutdownOutput();
                upstream.awaitFinished(1);
            }
            ProxyTesting.awaitNoConnections(proxy.engine());
            Waits.until("the pair's buffers returned to the pool (" + pool.inUseBytes() + " bytes in use, "
                    + idle + " before)", () -> pool.inUseBytes() <= idle);
        }
    }

    @Test
    void anUpstreamThatDoesNotReadHoldsTheProxyNearTheWaterMarkThenGetsEverything() throws Exception {
        AtomicLong pushed = new AtomicLong();
        AtomicLong upstreamGot = new AtomicLong();
        CountDownLatch startReading = new CountDownLatch(1);
        BufferPool pool = BufferPool.create();
        try (TestUpstream upstream = TestUpstream.start(s -> {
            s.setReceiveBufferSize(64 * 1024);
            assertThat(startReading.await(Waits.BOUND.toMillis(), TimeUnit.MILLISECONDS))
                    .as("the test let the upstream read").isTrue();
            PatternStream.verify(s.getInputStream(), 8, upstreamGot);
            s.shutdownOutput();
        });
             ProxyTesting.Watched proxy = ProxyTesting.startWatched(upstream.address(), b -> b.bufferPool(pool))) {
            long idle = pool.inUseBytes();
            try (Socket client = ProxyTesting.connect(proxy.port())) {
                CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                    try {
                        PatternStream.write(client.getOutputStream(), 8, PUSHED, pushed);
                        client.shutdownOutput();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                long peak;
                try {
                    peak = awaitStalled("the client pushing to an upstream that does not read", pushed, pool);
                } finally {
                    startReading.countDown();
                }
                report("upstream does not read", pushed.get(), peak - idle, proxy.watch().maxQueued());
                assertThat(proxy.watch().maxQueued()).as("longest queue towards the upstream").isLessThanOrEqualTo(MAX_QUEUE);
                assertThat(pushed.get()).as("bytes the client got rid of while the upstream did not read")
                        .isLessThan(PUSHED);
                assertThat(peak - idle).as("pooled bytes the proxy held for the stalled pair").isLessThan(BOUND);

                sending.get(Waits.BOUND.toMillis(), TimeUnit.MILLISECONDS);
                upstream.awaitFinished(1);
                assertThat(upstreamGot.get()).as("bytes the upstream read once it started").isEqualTo(PUSHED);
                assertThat(client.getInputStream().read()).as("the upstream's FIN, passed on").isEqualTo(-1);
            }
            ProxyTesting.awaitNoConnections(proxy.engine());
            Waits.until("the pair's buffers returned to the pool (" + pool.inUseBytes() + " bytes in use, "
                    + idle + " before)", () -> pool.inUseBytes() <= idle);
        }
    }

    /**
     * Waits until {@code progress} has not moved for {@link #STALLED_NANOS} (bounded by
     * {@link Waits#BOUND}), sampling the pool meanwhile.
     *
     * @return the most pooled bytes in use seen
     */
    private static long awaitStalled(String what, AtomicLong progress, BufferPool pool) throws InterruptedException {
        long deadline = System.nanoTime() + Waits.BOUND.toNanos();
        long last = -1;
        long lastMoved = System.nanoTime();
        long peak = 0;
        while (true) {
            long now = System.nanoTime();
            long p = progress.get();
            peak = Math.max(peak, pool.inUseBytes());
            if (p != last) {
                last = p;
                lastMoved = now;
            } else if (p > 0 && now - lastMoved >= STALLED_NANOS) {
                return peak;
            }
            if (now - deadline > 0) {
                throw new AssertionError("timed out after " + Waits.BOUND.toMillis() + " ms waiting for " + what
                        + " to be held back; it got " + p + " bytes out, still moving");
            }
            TimeUnit.MILLISECONDS.sleep(2);
        }
    }

    private static void report(String what, long sent, long held, int maxQueued) {
        System.out.printf("proxy, %s: the sender got %d KiB out of %d MiB before being held back;"
                + " the proxy held %d KiB of pooled memory for the pair (bound %d KiB); longest queue %d KiB"
                + " (bound %d KiB)%n",
                what, sent >> 10, PUSHED >> 20, held >> 10, BOUND >> 10, maxQueued >> 10, MAX_QUEUE >> 10);
    }
}
