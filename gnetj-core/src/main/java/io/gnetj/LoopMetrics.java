package io.gnetj;

import java.util.List;

/**
 * What one event loop has done since it started, as {@link Engine#metrics()} saw it: its
 * connections, bytes and syscalls, tasks, how busy it is and how far behind it runs.
 *
 * <p>Counts are cumulative (monotonic) unless said otherwise; a monitoring system turns them into
 * rates. The loop keeps them in plain fields that only its own thread writes and that
 * {@link Engine#metrics()} reads without synchronisation: a snapshot may be a few events stale,
 * and two figures of one snapshot may come from slightly different moments (the sum of the closed
 * by cause may briefly trail {@link #connectionsClosed()}), but costs the loop nothing per event.
 *
 * <p>Threading: immutable; any thread.
 *
 * @param index                 the loop's index ({@code -1} for an engine's total)
 * @param connectionsOpen       connections in the loop's table now (dialing, handshaking, open or closing)
 * @param connectionsOpened     connections registered with the loop (accepted, dialed or enrolled)
 * @param connectionsClosed     connections that left it, whatever the cause
 * @param closedByPeer          closes that began with the peer's end of stream (an orderly close by the peer)
 * @param closedLocally         closes the application asked for ({@code close()}, {@code Action.CLOSE},
 *                              {@code abort(null)}, the engine's stop)
 * @param closedIdle            closes by an idle timeout ({@link IdleTimeoutException})
 * @param closedInboundLimit    closes by {@code maxInboundBuffered} ({@link InboundLimitException})
 * @param closedOutboundLimit   closes by a refused write past {@code maxOutboundBuffered}
 *                              ({@link OutboundLimitException})
 * @param closedMemoryLimit     closes by the loop's memory budget ({@link MemoryBudgetException})
 * @param closedError           closes by anything else: an I/O error (a reset), a handler's exception,
 *                              a failed TLS handshake or dial
 * @param bytesRead             bytes read from sockets (TLS: ciphertext)
 * @param bytesWritten          bytes written to sockets (TLS: ciphertext)
 * @param reads                 read syscalls on stream connections
 * @param writes                write syscalls on stream connections
 * @param tasksRun              tasks the loop ran (posted work: async writes, wakes, closes, user tasks)
 * @param tasksPending          tasks queued and not yet run, now (a gauge)
 * @param wakeups               {@code Selector.wakeup()} calls other threads made to wake the loop
 * @param busyNanos             time the loop spent not waiting in select
 * @param uptimeNanos           time since the loop was made
 * @param stalls                loop iterations (and, while a JFR recording has {@code io.gnetj.HandlerStall}
 *                              on, handler callbacks) longer than the stall threshold (20 ms)
 * @param lastLagNanos          how late the last lag probe ran: a task the loop posts to itself each
 *                              sweep (at most once a second), from posting to running (a gauge)
 * @param maxLagNanos           the largest lag a probe saw
 * @param lastTickLateNanos     how late the last sweep tick ran after it was due (a gauge)
 * @param maxTickLateNanos      the latest a sweep tick ran
 * @param waterMarkPauses       times a connection's outbound queue passed the high-water mark (it turned
 *                              unwritable and, with {@code pauseReadingWhenUnwritable}, stopped reading)
 * @param waterMarkResumes      times one drained below the low-water mark again
 * @param refusedWrites         writes refused by {@code maxOutboundBuffered} (each closes its connection)
 * @param acceptBackOffs        accept failures that paused accepting (this loop's own listeners, with
 *                              {@code reusePort}; the main reactor's are in {@link EngineMetrics})
 * @param tlsHandshakes         TLS handshakes completed
 * @param tlsHandshakeFailures  TLS handshakes that failed
 * @param tlsHandshakeNanos     total time of the completed handshakes, from registration to done
 */
public record LoopMetrics(int index, int connectionsOpen, long connectionsOpened, long connectionsClosed,
                          long closedByPeer, long closedLocally, long closedIdle, long closedInboundLimit,
                          long closedOutboundLimit, long closedMemoryLimit, long closedError,
                          long bytesRead, long bytesWritten, long reads, long writes,
                          long tasksRun, long tasksPending, long wakeups,
                          long busyNanos, long uptimeNanos, long stalls,
                          long lastLagNanos, long maxLagNanos, long lastTickLateNanos, long maxTickLateNanos,
                          long waterMarkPauses, long waterMarkResumes, long refusedWrites, long acceptBackOffs,
                          long tlsHandshakes, long tlsHandshakeFailures, long tlsHandshakeNanos) {

    /** {@return closes by any limit: inbound, outbound and memory} Any thread. */
    public long closedByLimit() {
        return closedInboundLimit + closedOutboundLimit + closedMemoryLimit;
    }

    /** {@return tasks posted so far: those run plus those pending} Any thread. */
    public long tasksPosted() {
        return tasksRun + tasksPending;
    }

    /**
     * {@return the share of its life the loop was busy (not waiting in select), 0 to 1} Any thread.
     * For the share over an interval, use {@link #busyRatioSince(LoopMetrics)}.
     */
    public double busyRatio() {
        return uptimeNanos == 0 ? 0 : Math.min(1.0, (double) busyNanos / uptimeNanos);
    }

    /**
     * {@return the share of the time between {@code earlier} and this snapshot the loop was busy,
     * 0 to 1 (0 if no time passed)} Any thread.
     *
     * @param earlier an earlier snapshot of the same loop
     */
    public double busyRatioSince(LoopMetrics earlier) {
        long wall = uptimeNanos - earlier.uptimeNanos;
        return wall <= 0 ? 0 : Math.max(0, Math.min(1.0, (double) (busyNanos - earlier.busyNanos) / wall));
    }

    /** {@return the mean time of a completed TLS handshake in nanoseconds, or 0 if none completed} Any thread. */
    public long tlsHandshakeMeanNanos() {
        return tlsHandshakes == 0 ? 0 : tlsHandshakeNanos / tlsHandshakes;
    }

    /**
     * {@return the figures of {@code loops} added up (index -1): counts and gauges summed, the
     * largest of the maxima, the largest of the last lags, busy time and uptime summed (so
     * {@link #busyRatio()} is the mean over the loops)} Any thread.
     *
     * @param loops the loops to add up
     */
    public static LoopMetrics sum(List<LoopMetrics> loops) {
        int open = 0;
        long[] s = new long[29];
        for (LoopMetrics m : loops) {
            open += m.connectionsOpen;
            long[] v = m.values();
            for (int i = 0; i < s.length; i++) {
                s[i] = MAX_FIELDS[i] ? Math.max(s[i], v[i]) : s[i] + v[i];
            }
        }
        return new LoopMetrics(-1, open, s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9], s[10],
                s[11], s[12], s[13], s[14], s[15], s[16], s[17], s[18], s[19], s[20], s[21], s[22], s[23],
                s[24], s[25], s[26], s[27], s[28], sumTls(loops));
    }

    private static long sumTls(List<LoopMetrics> loops) {
        long total = 0;
        for (LoopMetrics m : loops) {
            total += m.tlsHandshakeNanos;
        }
        return total;
    }

    /** Which of {@link #values()} take the largest rather than the sum. */
    private static final boolean[] MAX_FIELDS = {false, false, false, false, false, false, false, false, false,
        false, false, false, false, false, false, false, false, false, false, true, true, true, true,
        false, false, false, false, false, false};

    private long[] values() {
        return new long[] {connectionsOpened, connectionsClosed, closedByPeer, closedLocally, closedIdle,
            closedInboundLimit, closedOutboundLimit, closedMemoryLimit, closedError, bytesRead, bytesWritten,
            reads, writes, tasksRun, tasksPending, wakeups, busyNanos, uptimeNanos, stalls,
            lastLagNanos, maxLagNanos, lastTickLateNanos, maxTickLateNanos,
            waterMarkPauses, waterMarkResumes, refusedWrites, acceptBackOffs, tlsHandshakes, tlsHandshakeFailures};
    }
}
