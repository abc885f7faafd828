package io.gnetj.internal;

/**
 * One event loop's share of {@link io.gnetj.Options#memoryBudget()}, enforced on the loop's
 * connections.
 *
 * <p>The loop compares its share with what its {@link io.gnetj.buffer.BufferCache} has lent
 * (every connection buffer of the loop goes through it): one plain field read per step
 * ({@link #check()}). Past the share, reading stops on the connections holding the most; if the
 * loop is still over its share {@link #GRACE_TICKS} sweeps later, those connections are closed,
 * biggest first, with a {@link io.gnetj.MemoryBudgetException}. Back under three quarters of it,
 * reading resumes.
 *
 * <p>Threading: the owning loop's thread only.
 */
final class LoopMemoryBudget {

    /** Sweeps a loop may stay over its memory budget, reading paused, before it closes connections. */
    static final int GRACE_TICKS = 2;

    private static final int PAUSABLE = 0;
    private static final int PAUSED = 1;
    private static final int ANY = 2;

    private final EventLoop loop;
    private final long share;
    private int paused;
    private int overTicks;
    /** What the cache had lent when the budget was last enforced: no new scan until it grows past. */
    private long checkedAt;

    LoopMemoryBudget(EventLoop loop, long share) {
        this.loop = loop;
        this.share = share;
    }

    /** One plain comparison per step; the scan runs only when the loop is over budget and has grown since the last. */
    void check() {
        long used = loop.buffers().cache().inUseBytes();
        if (used > share && used > checkedAt) {
            overBudget(used);
        }
    }

    /** Over the share: stop reading from the connections holding the most, until they cover the excess. */
    private void overBudget(long used) {
        checkedAt = used + loop.buffers().readBuffer().capacity();
        long excess = used - share;
        while (excess > 0) {
            AbstractConn biggest = biggestHolder(PAUSABLE);
            if (biggest == null) {
                return;
            }
            biggest.pauseForMemory();
            paused++;
            excess -= Math.max(1, biggest.heldBytes());
        }
    }

    /** Each sweep: close the biggest paused holders if the loop stayed over budget; resume once well under. */
    void sweep() {
        long used = loop.buffers().cache().inUseBytes();
        if (used > share) {
            if (++overTicks < GRACE_TICKS) {
                return;
            }
            while (used > share) {
                AbstractConn biggest = biggestHolder(PAUSED);
                if (biggest == null) {
                    biggest = biggestHolder(ANY);
                    if (biggest == null) {
                        return;
                    }
                }
                long held = biggest.heldBytes();
                biggest.abortFromLoop(new io.gnetj.MemoryBudgetException("connection " + biggest
                        + " closed holding " + held + " bytes: the engine's connections held more than memoryBudget ("
                        + loop.engine().options().memoryBudget() + " bytes, " + share + " on this loop) for "
                        + GRACE_TICKS + " sweeps"));
                used = loop.buffers().cache().inUseBytes();
            }
            overTicks = 0;
        } else {
            overTicks = 0;
            checkedAt = 0;
            if (paused > 0 && used <= share / 4 * 3) {
                paused = 0;
                for (int i = loop.connectionCount() - 1; i >= 0; i--) {
                    if (i < loop.connectionCount()) {
                        loop.connectionAt(i).resumeForMemory();
                    }
                }
            }
        }
    }

    /** The connection holding the most pooled memory among those that can be paused, are paused, or any. */
    private AbstractConn biggestHolder(int which) {
        AbstractConn best = null;
        long most = 0;
        for (int i = 0; i < loop.connectionCount(); i++) {
            AbstractConn conn = loop.connectionAt(i);
            if (which == ANY || (which == PAUSED ? conn.pausedForMemory() : conn.pausableForMemory())) {
                long held = conn.heldBytes();
                if (held > most) {
                    most = held;
                    best = conn;
                }
            }
        }
        return best;
    }
}
