package io.gnetj;

import io.gnetj.buffer.BufferPoolMetrics;
import java.util.List;

/**
 * What a running engine (or {@link Client}) has done, per event loop and in total:
 * {@link Engine#metrics()}. For Micrometer, {@code io.gnetj.metrics.GnetjMetrics} binds the same
 * figures as meters; docs/observability.md lists them.
 *
 * <p>Taking a snapshot reads each loop's counters without stopping or synchronising with it (see
 * {@link LoopMetrics}): it costs the loops nothing, and allocates only the snapshot itself.
 *
 * <p>Threading: immutable; any thread.
 *
 * @param loops          each event loop, in index order
 * @param total          the loops added up ({@link LoopMetrics#sum})
 * @param connections    open connections counted against {@link Options#maxConnections()} now
 *                       (including ones accepted and on their way to a loop)
 * @param acceptBackOffs accept failures ("too many open files") that paused accepting, main reactor and loops
 * @param bufferPool     the engine's buffer pool
 */
public record EngineMetrics(List<LoopMetrics> loops, LoopMetrics total, int connections, long acceptBackOffs,
                            BufferPoolMetrics bufferPool) {

    /**
     * {@return the mean share of the time since {@code earlier} the loops were busy (not waiting
     * in select), 0 to 1} Any thread.
     *
     * @param earlier an earlier snapshot of the same engine
     */
    public double busyRatioSince(EngineMetrics earlier) {
        return total.busyRatioSince(earlier.total);
    }
}
