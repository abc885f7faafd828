package io.gnetj.internal;

import io.gnetj.ConnectionClosedException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.jctools.queues.atomic.MpscUnboundedAtomicArrayQueue;

/**
 * An event loop's queue of work posted from any thread, with the guarantee that every task posted
 * either runs on the loop or, once the loop has ended, is aborted, exactly once.
 *
 * <pre>
 *   any thread:  offer ─► terminated? ─ no ──► (the loop runs it in a batch)
 *                                     └ yes ─► drain: abort every task still queued
 *   loop:        runBatch (at most N) ... terminate: terminated = true ─► drain
 * </pre>
 *
 * <p>Why exactly once: a task is taken from the queue by one consumer only, and whoever takes it
 * runs or aborts it. The loop is the only consumer while it lives. After {@link #terminate()}
 * sets {@code terminated} (volatile) and drains, a poster whose task landed after that drain sees
 * {@code terminated} (its offer came before its read) and drains too; drains take tasks under one
 * lock, so the queue keeps one consumer at a time, and run the aborts after releasing it, on the
 * draining thread. The lock is only ever taken after the loop has ended. Checked by
 * {@code TaskQueueConcurrencyCheckTest} (a model checker).
 *
 * <p>Backed by a JCTools {@code MpscUnboundedAtomicArrayQueue} (no {@code sun.misc.Unsafe}).
 *
 * <p>Threading: {@link #offer} from any thread; {@link #runBatch}, {@link #isEmpty()} and
 * {@link #terminate()} on the loop thread.
 */
final class TaskQueue {

    private final MpscUnboundedAtomicArrayQueue<LoopTask> tasks = new MpscUnboundedAtomicArrayQueue<>(1024);
    private final Object lateDrainLock = new Object();
    private final Supplier<Throwable> endCause;
    private volatile boolean terminated;

    /** @param endCause what an aborted task is told (made once per drain that finds tasks) */
    TaskQueue(Supplier<Throwable> endCause) {
        this.endCause = endCause;
    }

    /**
     * Queues {@code task}; any thread.
     *
     * @return {@code true} if the loop will run or abort it, {@code false} if the loop had already
     *         ended and the task was aborted here (the caller need not wake anything)
     */
    boolean offer(LoopTask task) {
        tasks.offer(task);
        if (terminated) {
            drain();
            return false;
        }
        return true;
    }

    /** Tasks queued now; any thread (racy). */
    int size() {
        return tasks.size();
    }

    /** Loop: whether nothing is queued. */
    boolean isEmpty() {
        return tasks.isEmpty();
    }

    /** Loop: runs at most {@code max} tasks; a task that throws is reported to {@code onFailure}, and the batch goes on. */
    int runBatch(int max, java.util.function.Consumer<Throwable> onFailure) {
        int ran = 0;
        for (; ran < max; ran++) {
            LoopTask task = tasks.relaxedPoll();
            if (task == null) {
                break;
            }
            try {
                task.run();
            } catch (Throwable t) {
                onFailure.accept(t);
            }
        }
        return ran;
    }

    /** Loop, last act: no task will run any more; what is queued is aborted. */
    void terminate() {
        terminated = true;
        drain();
    }

    boolean isTerminated() {
        return terminated;
    }

    /** Takes every queued task under the lock (one consumer at a time), then aborts them, on this thread. */
    private void drain() {
        List<LoopTask> late = null;
        synchronized (lateDrainLock) {
            LoopTask task;
            while ((task = tasks.poll()) != null) {
                if (late == null) {
                    late = new ArrayList<>();
                }
                late.add(task);
            }
        }
        if (late == null) {
            return;
        }
        Throwable cause = endCause.get();
        for (LoopTask task : late) {
            try {
                task.abort(cause);
            } catch (Throwable t) {
                System.getLogger("io.gnetj").log(System.Logger.Level.WARNING, "aborting a task after its loop ended", t);
            }
        }
    }

    /** The usual end cause: the loop named stopped. */
    static Supplier<Throwable> loopStopped(String name) {
        return () -> new ConnectionClosedException("the event loop " + name + " has stopped");
    }
}
