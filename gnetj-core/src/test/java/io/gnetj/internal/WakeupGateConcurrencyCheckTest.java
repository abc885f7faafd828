package io.gnetj.internal;

import io.gnetj.buffer.testing.ConcurrencyCheck;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jetbrains.lincheck.datastructures.BooleanGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * No lost wake-up in the loop's sleep/wake protocol, checked by Lincheck (see
 * {@link ConcurrencyCheck}): posters offer tasks to a {@link TaskQueue} and wake the selector when
 * the {@link WakeupGate} says so, while one thread plays the loop, iteration by iteration, in the
 * order {@link EventLoop}'s select uses: a queue check, the deadline published, a second queue
 * check, then a select that returns at once (a task, a pending wake-up) or because a socket is
 * ready (the gate marked awake at the first key), or blocks. The selector is modelled by its one
 * property that matters here: a wake-up is sticky until the next select consumes it.
 *
 * <p>Verdict, once the threads are quiescent: the loop is never left blocked in select with a
 * task queued and no wake-up pending (that task would wait for the next sweep, up to a second).
 * Planted bugs it caught (run locally, not committed), in a few seconds, by both model checking
 * and stress: a gate whose {@code sleepingUntil} does not publish the deadline, and a poster that
 * asks the gate before offering its task.
 */
@Tag(ConcurrencyCheck.TAG)
class WakeupGateConcurrencyCheckTest {

    @Test
    void modelCheckingFindsNoLostWakeUp() {
        ConcurrencyCheck.modelChecking(30, 300).threads(3).actorsPerThread(3).check(Model.class);
    }

    @Test
    void stressFindsNoLostWakeUp() {
        ConcurrencyCheck.stress(30, 600).threads(3).actorsPerThread(4).check(Model.class);
    }

    /** One loop (the operations of group "loop", run by one thread), posters on the others. */
    public static final class Model {
        private static final long DEADLINE = 42L;

        final WakeupGate gate = new WakeupGate();
        final TaskQueue tasks = new TaskQueue(TaskQueue.loopStopped("model"));
        /** The selector's wake-up: sticky until a select consumes it. */
        final AtomicBoolean woken = new AtomicBoolean();
        final AtomicInteger posted = new AtomicInteger();
        final AtomicInteger ran = new AtomicInteger();
        /** Loop thread: blocked in select, no wake-up having come. */
        boolean blocked;

        public Model() {
        }

        @Operation
        public void post() {
            posted.incrementAndGet();
            LoopTask task = new LoopTask() {
                @Override
                void run() {
                    ran.incrementAndGet();
                }

                @Override
                void abort(Throwable cause) {
                    throw new AssertionError("aborted: the loop never ends in this model");
                }
            };
            if (tasks.offer(task) && gate.mustWake()) {
                woken.set(true);
            }
        }

        /** One loop iteration: select (maybe blocking), then the task batch. */
        @Operation(nonParallelGroup = "loop")
        public void iterate(@Param(gen = BooleanGen.class) boolean socketReady) {
            if (blocked) {
                if (!woken.getAndSet(false) && !socketReady) {
                    return; // still blocked
                }
                blocked = false;
                gate.awake();
            } else if (!tasks.isEmpty()) {
                woken.set(false); // selectNow consumes a pending wake-up
            } else {
                gate.sleepingUntil(DEADLINE);
                if (!tasks.isEmpty()) {
                    woken.set(false); // selectNow
                    gate.awake();
                } else if (woken.getAndSet(false) || socketReady) {
                    gate.awake(); // select returned at once, or with a ready key (the first key marks awake)
                } else {
                    blocked = true; // select blocks
                    return;
                }
            }
            tasks.runBatch(EventLoop.MAX_TASKS_PER_ITERATION, t -> {
                throw new AssertionError(t);
            });
        }

        @Validate
        public void noTaskWaitsForABlockedLoopWithoutAWakeUp() {
            if (blocked && !woken.get() && !tasks.isEmpty()) {
                throw new AssertionError("lost wake-up: the loop is blocked in select with a task queued and no"
                        + " wake-up pending (" + posted.get() + " posted, " + ran.get() + " ran)");
            }
        }
    }
}
