package io.gnetj.internal;

import io.gnetj.IdleTimeoutException;
import io.gnetj.InboundLimitException;
import io.gnetj.LoopMetrics;
import io.gnetj.MemoryBudgetException;
import io.gnetj.OutboundLimitException;

/**
 * One event loop's counters: what {@link io.gnetj.Engine#metrics()} reports for it.
 *
 * <p>Racy but safe: every field is a plain {@code long} written only by the loop thread (one
 * writer, so {@code x++} loses nothing) and read by {@link #snapshot} on any thread without a
 * fence. A reader may see a figure a few events stale, or two figures from slightly different
 * moments; on a 64-bit JVM (every JVM gnetj supports runs 64-bit longs untorn in practice) it never
 * sees a half-written value. The hot path pays a plain add per event: no atomic, no fence, no
 * allocation (issue 15; DESIGN.md, "Counters for metrics are loop-local plain fields").
 *
 * <h2>Where the counts come from</h2>
 * <ul>
 *   <li>bytes and syscalls: {@link InboundBytes} and {@link OutboundQueue} (plain), {@link TlsConn} (TLS);
 *   <li>connections: {@link EventLoop#addToTable} (opened), {@link ConnSlot#release(Throwable, GracefulClose)}
 *       (closed, with the cause sorted by {@link #closed(Throwable, boolean)});
 *   <li>busy time and stalls: {@link EventLoop}'s select, around which this class keeps the clock;
 *   <li>lag: a probe task the sweep posts to its own loop, and how late the sweep itself ran.
 * </ul>
 *
 * <p>Threading: the loop thread writes; {@link #snapshot} from any thread.
 */
final class LoopCounters {

    /** Iterations or callbacks at least this long are stalls: {@code -Dgnetj.stallThresholdMillis}, default 20. */
    static final long STALL_THRESHOLD_NANOS = Long.getLong("gnetj.stallThresholdMillis", 20L) * 1_000_000L;

    private final long startedAt = System.nanoTime();

    long opened;
    long closed;
    long closedByPeer;
    long closedLocally;
    long closedIdle;
    long closedInboundLimit;
    long closedOutboundLimit;
    long closedMemoryLimit;
    long closedError;
    long bytesRead;
    long reads;
    long bytesWritten;
    long writes;
    long tasksRun;
    long refusedWrites;
    long waterMarkPauses;
    long waterMarkResumes;
    long acceptBackOffs;
    long tlsHandshakes;
    long tlsHandshakeFailures;
    long tlsHandshakeNanos;
    long stalls;
    /** Nanoseconds blocked in select, waiting for something to do. */
    long idleNanos;
    long lastLagNanos;
    long maxLagNanos;
    long lastTickLateNanos;
    long maxTickLateNanos;

    // ---- the clock around select (loop thread) ----

    /** When the current select began, and when it handed over its first ready key (0: none yet). */
    private long selectStart;
    private long firstKeyAt;
    /** When the loop last woke from select: the start of the iteration being served. */
    private long wokeAt = startedAt;

    /** The loop thread began: its first iteration starts now, not when the loop was made. */
    void loopStarted() {
        wokeAt = System.nanoTime();
    }

    /**
     * The loop is about to select: the iteration that began at {@link #wokeAt} is over.
     *
     * @return its length, for the stall check
     */
    long beforeSelect(long now) {
        selectStart = now;
        firstKeyAt = 0;
        return now - wokeAt;
    }

    /** Select handed over a ready key: the first one ends the wait. */
    void keyReady() {
        if (firstKeyAt == 0) {
            long now = System.nanoTime();
            firstKeyAt = now;
            idleNanos += now - selectStart;
            wokeAt = now;
        }
    }

    /** Select returned: with no key handed over, the whole call was waiting. */
    void afterSelect() {
        if (firstKeyAt == 0) {
            long now = System.nanoTime();
            idleNanos += now - selectStart;
            wokeAt = now;
        }
    }

    // ---- events (loop thread) ----

    /** A read syscall returned {@code n} (negative: end of stream). */
    void read(int n) {
        reads++;
        if (n > 0) {
            bytesRead += n;
        }
    }

    /** {@code syscalls} write syscalls sent {@code n} bytes. */
    void wrote(long n, int syscalls) {
        writes += syscalls;
        bytesWritten += n;
    }

    /**
     * A connection left the loop's table: counts it by why. {@code byPeer}: a close the peer's end
     * of stream began.
     *
     * @return the kind counted, as the JFR event names it
     */
    String closed(Throwable cause, boolean byPeer) {
        closed++;
        Throwable c = rootOfKnown(cause);
        if (c == null) {
            if (byPeer) {
                closedByPeer++;
                return "peer";
            }
            closedLocally++;
            return "local";
        } else if (c instanceof IdleTimeoutException) {
            closedIdle++;
            return "idle";
        } else if (c instanceof InboundLimitException) {
            closedInboundLimit++;
            return "inbound-limit";
        } else if (c instanceof OutboundLimitException) {
            closedOutboundLimit++;
            return "outbound-limit";
        } else if (c instanceof MemoryBudgetException) {
            closedMemoryLimit++;
            return "memory-limit";
        } else if (c instanceof io.gnetj.ConnectionClosedException) {
            closedLocally++; // a local close that dropped bytes, or the engine's stop
            return "local";
        }
        closedError++;
        return "error";
    }

    /**
     * The cause to sort by: an idle timeout or a limit wrapped by a close that then dropped bytes
     * still counts as what it was.
     */
    private static Throwable rootOfKnown(Throwable cause) {
        if (cause instanceof io.gnetj.ConnectionClosedException) {
            Throwable inner = cause.getCause();
            if (inner instanceof IdleTimeoutException || inner instanceof io.gnetj.GnetException) {
                return inner;
            }
        }
        return cause;
    }

    /** A TLS handshake ended, {@code ok} or not, {@code nanos} after the connection was set up. */
    void tlsHandshake(boolean ok, long nanos) {
        if (ok) {
            tlsHandshakes++;
            tlsHandshakeNanos += nanos;
        } else {
            tlsHandshakeFailures++;
        }
    }

    /** The lag probe ran {@code nanos} after it was posted. */
    void lag(long nanos) {
        lastLagNanos = nanos;
        if (nanos > maxLagNanos) {
            maxLagNanos = nanos;
        }
    }

    /** The sweep ran {@code nanos} after it was due. */
    void tickLate(long nanos) {
        lastTickLateNanos = nanos;
        if (nanos > maxTickLateNanos) {
            maxTickLateNanos = nanos;
        }
    }

    // ---- the lag probe (loop thread) ----

    private final LagProbe probe = new LagProbe();

    /** The probe to post now, stamped, or {@code null} if the last one has not run yet. */
    LoopTask lagProbe() {
        if (probe.pending) {
            return null;
        }
        probe.pending = true;
        probe.postedAt = System.nanoTime();
        return probe;
    }

    /** A task the loop posts to itself: how long it waits to run is the loop's lag. Reused: no garbage. */
    private final class LagProbe extends LoopTask {
        long postedAt;
        boolean pending;

        @Override
        void run() {
            pending = false;
            lag(System.nanoTime() - postedAt);
        }

        @Override
        void abort(Throwable cause) {
            pending = false;
        }
    }

    // ---- any thread ----

    /** A snapshot of the counters (racy: see the class comment). */
    LoopMetrics snapshot(int index, int open, long tasksPending, long wakeups) {
        long now = System.nanoTime();
        long uptime = now - startedAt;
        // The wait in progress, if the loop is in select right now, is not busy time.
        long waiting = firstKeyAt == 0 && selectStart - wokeAt >= 0 ? Math.max(0, now - selectStart) : 0;
        long busy = Math.max(0, uptime - idleNanos - waiting);
        return new LoopMetrics(index, open, opened, closed, closedByPeer, closedLocally, closedIdle,
                closedInboundLimit, closedOutboundLimit, closedMemoryLimit, closedError,
                bytesRead, bytesWritten, reads, writes, tasksRun, tasksPending, wakeups,
                busy, uptime, stalls, lastLagNanos, maxLagNanos, lastTickLateNanos, maxTickLateNanos,
                waterMarkPauses, waterMarkResumes, refusedWrites, acceptBackOffs,
                tlsHandshakes, tlsHandshakeFailures, tlsHandshakeNanos);
    }
}
