package io.gnetj.internal;

import io.gnetj.StopReport;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A server engine's stop: whether one was asked for, its deadline, and the report it ends with.
 *
 * <p>The deadline is a {@code System.nanoTime()} instant fixed when the stop is asked for
 * (not when the main reactor gets to it), so {@code stop(500 ms)} means 500 ms from the call. Each
 * later request may only bring it forward: a {@code stop(100 ms)} from a signal hook shortens a
 * running {@code stop(30 s)}, never the other way round. The loops read it again on every
 * iteration of their drain (see {@link EventLoop#shutdown(long)}).
 *
 * <p>Threading: {@link #request}, {@link #requested()}, {@link #deadline()} and {@link #report()}
 * from any thread; {@link #finish} once, on the main reactor thread, after the loops ended.
 */
final class EngineStop {

    private static final System.Logger LOG = System.getLogger("io.gnetj");
    private static final long UNSET = Long.MIN_VALUE;

    private final AtomicLong deadline = new AtomicLong(UNSET);
    private final CompletableFuture<StopReport> report = new CompletableFuture<>();
    private volatile long requestedAt;
    private volatile boolean requested;

    /**
     * Asks for a stop whose graceful part ends {@code within} from now, or sooner if an earlier
     * request said so.
     *
     * @return the deadline in force ({@code System.nanoTime()} instant)
     */
    long request(Duration within) {
        long now = System.nanoTime();
        long at = now + Durations.saturatedNanos(within);
        if (!requested) {
            synchronized (this) { // the first request fixes the start: two first requests agree on it
                if (!requested) {
                    requestedAt = now;
                    requested = true;
                }
            }
        }
        return deadline.accumulateAndGet(at, (current, asked) -> current == UNSET || asked - current < 0 ? asked : current);
    }

    /** Whether a stop was asked for. */
    boolean requested() {
        return requested;
    }

    /** The deadline in force; only meaningful once {@link #requested()}. */
    long deadline() {
        return deadline.get();
    }

    /** Completes with the report once every connection is closed and {@code onShutdown} ran. */
    CompletableFuture<StopReport> report() {
        return report;
    }

    /**
     * Sums what the loops counted (read after they ended: {@code Thread.join} orders it; a loop
     * that did not end in time is read racily and the log has said so), logs and completes the
     * report.
     */
    StopReport finish(EventLoop[] loops) {
        int open = 0;
        int cut = 0;
        long dropped = 0;
        for (EventLoop loop : loops) {
            open += loop.stopCounts().open();
            cut += loop.stopCounts().cut();
            dropped += loop.stopCounts().dropped();
        }
        long start = requestedAt;
        StopReport result = new StopReport(Math.max(0, open - cut), cut, dropped,
                Duration.ofNanos(Math.max(0, deadline.get() - start)), Duration.ofNanos(System.nanoTime() - start));
        LOG.log(cut == 0 ? System.Logger.Level.INFO : System.Logger.Level.WARNING, "engine " + result);
        report.complete(result);
        return result;
    }

    /**
     * What one loop's drain saw: connections open when it began, those it cut, the bytes they had
     * queued.
     *
     * <p>Threading: written by the loop thread only; read by the main reactor after the loop ended.
     */
    static final class Counts {
        private int open;
        private int cut;
        private long dropped;

        /** The drain begins with {@code connections} in the loop's table. */
        void began(int connections) {
            open = connections;
        }

        /** The stop closed a connection abortively with {@code unsent} bytes queued. */
        void cut(int unsent) {
            cut++;
            dropped += unsent;
        }

        int open() {
            return open;
        }

        int cut() {
            return cut;
        }

        long dropped() {
            return dropped;
        }
    }
}
