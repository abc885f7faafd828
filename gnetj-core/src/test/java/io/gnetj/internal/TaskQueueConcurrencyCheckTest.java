package io.gnetj.internal;

import io.gnetj.ConnectionClosedException;
import io.gnetj.buffer.testing.ConcurrencyCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.ThreadIdGen;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code asyncWrite} racing {@code close} and the loop's end, checked by Lincheck (see
 * {@link ConcurrencyCheck}): threads post writes and closes of one connection through a
 * {@link TaskQueue}; one thread plays the loop, running task batches and, at some point, ending
 * (the queue's {@code terminate}). The connection is modelled by what {@link TcpConn} does with
 * those tasks on its loop: a write queues its bytes while the connection is open and fails with
 * {@link ConnectionClosedException} after a close; a task still queued when the loop ends is
 * aborted, and its callback learns that.
 *
 * <p>Verdicts, once the threads are quiescent and the loop has ended: every write's callback ran
 * exactly once; the bytes delivered are exactly those of the writes whose callback said success,
 * each poster's in the order it posted them; none after the close. A planted bug it caught (run
 * locally, not committed): a poster that does not drain when it finds the queue terminated
 * ("write 32: callback ran 0 times").
 */
@Tag(ConcurrencyCheck.TAG)
class TaskQueueConcurrencyCheckTest {

    @Test
    void modelCheckingFindsNoLostOrDoubledCallback() {
        ConcurrencyCheck.modelChecking(30, 300).threads(3).actorsPerThread(3).check(Model.class);
    }

    @Test
    void stressFindsNoLostOrDoubledCallback() {
        ConcurrencyCheck.stress(30, 600).threads(3).actorsPerThread(4).check(Model.class);
    }

    public static final class Model {
        /** Writes a poster makes at most in a scenario. */
        private static final int MAX_WRITES = 16;
        private static final int THREADS = 4;

        final TaskQueue tasks = new TaskQueue(TaskQueue.loopStopped("model"));
        /** Callbacks run per write (poster * MAX_WRITES + its sequence number). */
        final AtomicIntegerArray callbacks = new AtomicIntegerArray(THREADS * MAX_WRITES);
        /** Writes whose callback said success. */
        final AtomicIntegerArray succeeded = new AtomicIntegerArray(THREADS * MAX_WRITES);
        final int[] nextSeq = new int[THREADS];
        /** Loop thread: the connection's state and what it delivered, in order. */
        boolean open = true;
        final List<Integer> delivered = new ArrayList<>();
        final AtomicInteger writesAfterClose = new AtomicInteger();

        public Model() {
        }

        @Operation
        public void asyncWrite(@Param(gen = ThreadIdGen.class) int me) {
            int write = me * MAX_WRITES + nextSeq[me]++;
            tasks.offer(new LoopTask() {
                @Override
                void run() {
                    if (open) {
                        delivered.add(write);
                        callback(write, true);
                    } else {
                        callback(write, false);
                    }
                }

                @Override
                void abort(Throwable cause) {
                    if (!(cause instanceof ConnectionClosedException)) {
                        throw new AssertionError("aborted with " + cause);
                    }
                    callback(write, false);
                }
            });
        }

        @Operation
        public void close() {
            tasks.offer(new LoopTask() {
                @Override
                void run() {
                    open = false;
                }

                @Override
                void abort(Throwable cause) {
                    // the loop ended: the connection was closed with it
                }
            });
        }

        @Operation(nonParallelGroup = "loop")
        public void runBatch() {
            if (!tasks.isTerminated()) {
                tasks.runBatch(2, t -> {
                    throw new AssertionError(t);
                });
            }
        }

        @Operation(nonParallelGroup = "loop")
        public void end() {
            if (!tasks.isTerminated()) {
                open = false;
                tasks.terminate();
            }
        }

        private void callback(int write, boolean ok) {
            if (callbacks.incrementAndGet(write) != 1) {
                throw new AssertionError("write " + write + ": callback ran twice");
            }
            if (ok) {
                succeeded.set(write, 1);
            }
        }

        @Validate
        public void everyCallbackOnceAndDeliveredExactlyTheSuccesses() {
            end(); // the loop ends at the latest now
            List<Integer> ok = new ArrayList<>();
            for (int p = 0; p < THREADS; p++) {
                for (int s = 0; s < nextSeq[p]; s++) {
                    int write = p * MAX_WRITES + s;
                    if (callbacks.get(write) != 1) {
                        throw new AssertionError("write " + write + ": callback ran " + callbacks.get(write) + " times");
                    }
                    if (succeeded.get(write) == 1) {
                        ok.add(write);
                    }
                }
            }
            if (!new java.util.HashSet<>(delivered).equals(new java.util.HashSet<>(ok)) || delivered.size() != ok.size()) {
                throw new AssertionError("delivered " + delivered + " but the successful writes were " + ok);
            }
            int[] last = new int[THREADS];
            java.util.Arrays.fill(last, -1);
            for (int write : delivered) {
                int p = write / MAX_WRITES;
                if (write % MAX_WRITES <= last[p]) {
                    throw new AssertionError("poster " + p + "'s writes delivered out of order: " + delivered);
                }
                last[p] = write % MAX_WRITES;
            }
        }
    }
}
