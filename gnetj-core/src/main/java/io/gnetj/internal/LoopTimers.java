package io.gnetj.internal;

import io.gnetj.EventLoop.Scheduled;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * An event loop's timers ({@link io.gnetj.EventLoop#schedule}): a binary min-heap by deadline
 * (then by the order scheduled), so the loop sleeps until the first is due and runs the due ones
 * after its tasks. No thread and no {@code ScheduledExecutorService} per loop.
 *
 * <p>A timer is cancelled from any thread by flipping its state; the heap drops cancelled
 * timers when they come due, and before it grows, so a stream of timers scheduled and cancelled
 * holds no more memory than the live ones need.
 *
 * <p>Threading: the loop thread, except {@link Timer#cancel()} (any thread).
 */
final class LoopTimers {

    private Timer[] heap = new Timer[16];
    private int size;
    private long sequence;

    /** Adds {@code timer}: when it is due, it runs in {@link #runDue}. */
    void add(Timer timer) {
        if (timer.state != Timer.PENDING) {
            return;
        }
        if (size == heap.length) {
            purgeCancelled();
            if (size == heap.length) {
                heap = Arrays.copyOf(heap, size * 2);
            }
        }
        timer.sequence = sequence++;
        heap[size] = timer;
        up(size++);
    }

    /** When the first timer is due ({@code System.nanoTime()} terms), or {@link Long#MAX_VALUE} if none is pending. */
    long nextDeadline() {
        while (size > 0 && heap[0].state != Timer.PENDING) {
            removeFirst();
        }
        return size == 0 ? Long.MAX_VALUE : heap[0].deadline;
    }

    /** Runs every timer due by {@code now}, in deadline order; what one throws goes to {@code onFailure}. */
    void runDue(long now, Consumer<Throwable> onFailure) {
        while (size > 0 && heap[0].deadline - now <= 0) {
            Timer timer = removeFirst();
            if (timer.claim()) {
                try {
                    timer.task.run();
                } catch (Throwable t) {
                    onFailure.accept(t);
                }
            }
        }
    }

    /** The loop ended: no pending timer will run. */
    void clear() {
        for (int i = 0; i < size; i++) {
            heap[i].claim();
            heap[i] = null;
        }
        size = 0;
    }

    /** Timers in the heap, cancelled ones not yet dropped included. */
    int size() {
        return size;
    }

    private Timer removeFirst() {
        Timer first = heap[0];
        Timer last = heap[--size];
        heap[size] = null;
        if (size > 0) {
            heap[0] = last;
            down(0);
        }
        return first;
    }

    private void purgeCancelled() {
        int kept = 0;
        for (int i = 0; i < size; i++) {
            if (heap[i].state == Timer.PENDING) {
                heap[kept++] = heap[i];
            }
        }
        Arrays.fill(heap, kept, size, null);
        size = kept;
        for (int i = (size >>> 1) - 1; i >= 0; i--) {
            down(i);
        }
    }

    private void up(int i) {
        Timer t = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!t.before(heap[parent])) {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = t;
    }

    private void down(int i) {
        Timer t = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && heap[right].before(heap[child])) {
                child = right;
            }
            if (!heap[child].before(t)) {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = t;
    }

    /**
     * One scheduled task. Posted to the loop as a {@link LoopTask} when scheduled from another
     * thread; its state goes from pending to ran (the loop claimed it) or cancelled, once.
     */
    static final class Timer extends LoopTask implements Scheduled {
        static final int PENDING = 0;
        static final int CLAIMED = 1;
        static final int CANCELLED = 2;
        private static final VarHandle STATE;

        static {
            try {
                STATE = MethodHandles.lookup().findVarHandle(Timer.class, "state", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final Runnable task;
        final long deadline;
        private final LoopTimers timers;
        private long sequence;
        volatile int state;

        Timer(LoopTimers timers, Runnable task, long deadline) {
            this.timers = timers;
            this.task = task;
            this.deadline = deadline;
        }

        boolean before(Timer other) {
            long d = deadline - other.deadline;
            return d < 0 || (d == 0 && sequence < other.sequence);
        }

        /** Pending → claimed: the loop runs it now (or, at the end, drops it); {@code false} if cancelled first. */
        boolean claim() {
            return STATE.compareAndSet(this, PENDING, CLAIMED);
        }

        @Override
        public boolean cancel() {
            return STATE.compareAndSet(this, PENDING, CANCELLED);
        }

        /** Scheduled from another thread: the loop takes it into its heap. */
        @Override
        void run() {
            timers.add(this);
        }

        @Override
        void abort(Throwable cause) {
            claim(); // the loop ended first: it never runs, and cancel() now answers false
        }

        @Override
        public String toString() {
            return "Timer[" + task + ", " + (state == PENDING ? "pending" : state == CLAIMED ? "ran or dropped" : "cancelled") + ']';
        }
    }
}
