package io.gnetj.internal;

import io.gnetj.Callback;
import io.gnetj.buffer.testing.ConcurrencyCheck;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.ThreadIdGen;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link WakeTask}'s claim and release, checked by Lincheck (see {@link ConcurrencyCheck}):
 * threads wake one connection concurrently, each wake claiming the connection's shared task (made
 * by the first wake, published with a CAS, as {@code AnyThreadOps.wake} does) or, when it is
 * pending, posting a one-off; one thread plays the loop, running posted tasks.
 *
 * <p>Verdicts, once the threads are quiescent and every posted task has run: each wake ran
 * {@code onTraffic} once and its callback once (a wake whose callback another claim overwrote
 * would run the other's twice and its own never); wakes are never merged. A planted bug it caught
 * (run locally, not committed), by both model checking and stress: a release that clears
 * {@code pending} before taking the callback, so a second claim overwrote it.
 */
@Tag(ConcurrencyCheck.TAG)
class WakeTaskConcurrencyCheckTest {

    @Test
    void modelCheckingFindsNoLostOrMergedWake() {
        ConcurrencyCheck.modelChecking(30, 300).threads(3).actorsPerThread(3).check(Model.class);
    }

    @Test
    void stressFindsNoLostOrMergedWake() {
        ConcurrencyCheck.stress(30, 600).threads(3).actorsPerThread(4).check(Model.class);
    }

    public static final class Model implements WakeTask.Target {
        private static final int MAX_WAKES = 16;
        private static final int THREADS = 4;

        final ConcurrentLinkedQueue<LoopTask> loop = new ConcurrentLinkedQueue<>();
        final AtomicReference<WakeTask> shared = new AtomicReference<>();
        final AtomicInteger traffic = new AtomicInteger();
        /** Callback runs per wake (thread * MAX_WAKES + its sequence number): each must be 1. */
        final AtomicIntegerArray runs = new AtomicIntegerArray(THREADS * MAX_WAKES);
        final int[] nextSeq = new int[THREADS];

        public Model() {
        }

        /** One wake's callback, counting its own runs. */
        final class Counted implements Callback {
            final int id;

            Counted(int id) {
                this.id = id;
            }

            @Override
            public void onComplete(io.gnetj.Conn conn, Throwable error) {
                if (error != null) {
                    throw new AssertionError("wake " + id + " failed: " + error);
                }
                runs.incrementAndGet(id);
            }
        }

        @Operation
        public void wake(@Param(gen = ThreadIdGen.class) int me) {
            Callback callback = new Counted(me * MAX_WAKES + nextSeq[me]++);
            WakeTask task = shared.get();
            if (task == null) {
                task = new WakeTask(this);
                if (!shared.compareAndSet(null, task)) {
                    task = shared.get(); // another thread's first wake won
                }
            }
            loop.add(task.claim(callback) ? task : new WakeTask(this, callback));
        }

        @Operation(nonParallelGroup = "loop")
        public void runOne() {
            LoopTask task = loop.poll();
            if (task != null) {
                task.run();
            }
        }

        @Override
        public void runWake(Callback callback) {
            traffic.incrementAndGet();
            callback.onComplete(null, null);
        }

        @Override
        public void wakeFailed(Callback callback, Throwable cause) {
            callback.onComplete(null, cause);
        }

        @Validate
        public void everyWakeRanOnceWithItsOwnCallback() {
            for (LoopTask task; (task = loop.poll()) != null; ) {
                task.run();
            }
            int wakes = 0;
            for (int p = 0; p < THREADS; p++) {
                for (int s = 0; s < nextSeq[p]; s++) {
                    wakes++;
                    int id = p * MAX_WAKES + s;
                    if (runs.get(id) != 1) {
                        throw new AssertionError("wake " + id + ": its callback ran " + runs.get(id) + " times");
                    }
                }
            }
            if (traffic.get() != wakes) {
                throw new AssertionError(wakes + " wakes ran onTraffic " + traffic.get() + " times");
            }
        }
    }
}
