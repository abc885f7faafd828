package io.gnetj.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class WorkerPoolTest {

    /** Upper bound for any wait that should end almost at once; failing it means a hang. */
    static final long WAIT_SECONDS = 10;

    // ---- capacity ----

    @Test
    void capacityIsNeverExceededByManyBlockingSubmitters() throws Exception {
        try (WorkerPool pool = WorkerPool.builder(4).submitTimeout(Duration.ofSeconds(WAIT_SECONDS)).build()) {
            CapacityProbe probe = hammer(pool, 8, 400);
            assertThat(probe.rejected.get()).as("rejections with a generous submit timeout").isZero();
            assertThat(probe.completed.get()).isEqualTo(8 * 400);
            assertThat(probe.maxRunning.get()).as("most tasks seen running at once").isBetween(1, 4);
            assertThat(probe.maxWorkers.get()).as("most worker threads seen at once").isLessThanOrEqualTo(4);
        }
    }

    @Test
    void capacityIsNeverExceededByManyRejectedSubmitters() throws Exception {
        try (WorkerPool pool = WorkerPool.of(3)) {
            CapacityProbe probe = hammer(pool, 8, 400);
            assertThat(probe.completed.get() + probe.rejected.get()).isEqualTo(8 * 400);
            assertThat(probe.completed.get()).as("some tasks ran").isPositive();
            assertThat(probe.maxRunning.get()).isBetween(1, 3);
            assertThat(probe.maxWorkers.get()).isLessThanOrEqualTo(3);
        }
    }

    /** What {@link #hammer} saw. */
    static final class CapacityProbe {
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger maxRunning = new AtomicInteger();
        final AtomicInteger maxWorkers = new AtomicInteger();
        final AtomicInteger completed = new AtomicInteger();
        final AtomicInteger rejected = new AtomicInteger();
    }

    /**
     * {@code submitters} threads each execute {@code perSubmitter} short tasks; every task tracks
     * how many tasks (and worker threads) exist while it runs. Returns once all tasks are done.
     */
    static CapacityProbe hammer(WorkerPool pool, int submitters, int perSubmitter) throws Exception {
        CapacityProbe probe = new CapacityProbe();
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch submittersDone = new CountDownLatch(submitters);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int s = 0; s < submitters; s++) {
            Thread submitter = new Thread(() -> {
                try {
                    await(go, "start signal");
                    for (int i = 0; i < perSubmitter; i++) {
                        try {
                            pool.execute(() -> {
                                int now = probe.running.incrementAndGet();
                                probe.maxRunning.accumulateAndGet(now, Math::max);
                                probe.maxWorkers.accumulateAndGet(pool.liveWorkers(), Math::max);
                                for (int spin = 0; spin < 200; spin++) {
                                    Thread.onSpinWait(); // a little work, so tasks overlap
                                }
                                probe.running.decrementAndGet();
                                probe.completed.incrementAndGet();
                            });
                        } catch (RejectedExecutionException e) {
                            probe.rejected.incrementAndGet();
                        }
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    submittersDone.countDown();
                }
            }, "submitter-" + s);
            submitter.setDaemon(true);
            submitter.start();
        }
        go.countDown();
        await(submittersDone, "submitters to finish");
        assertThat(failure.get()).as("submitter failure").isNull();
        int expected = submitters * perSubmitter;
        eventually(() -> probe.completed.get() + probe.rejected.get() == expected,
                () -> "all tasks done; completed=" + probe.completed + " rejected=" + probe.rejected + " " + pool);
        return probe;
    }

    // ---- full pool ----

    @Test
    void rejectsAtOnceWhenFull() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (WorkerPool pool = WorkerPool.builder(2).name("tiny").build()) {
            CountDownLatch started = new CountDownLatch(2);
            for (int i = 0; i < 2; i++) {
                pool.execute(() -> {
                    started.countDown();
                    awaitQuietly(release);
                });
            }
            await(started, "both tasks to start");
            assertThat(pool.freeSlots()).isZero();

            long t0 = System.nanoTime();
            assertThatThrownBy(() -> pool.execute(() -> { }))
                    .isInstanceOf(RejectedExecutionException.class)
                    .hasMessageContaining("tiny is full")
                    .hasMessageContaining("2 workers are busy");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("time to reject").isLessThan(Duration.ofSeconds(1));
            release.countDown();
        }
    }

    @Test
    void blockingSubmitSucceedsWhenASlotFrees() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (WorkerPool pool = WorkerPool.builder(1).submitTimeout(Duration.ofSeconds(WAIT_SECONDS)).build()) {
            CountDownLatch started = new CountDownLatch(1);
            pool.execute(() -> {
                started.countDown();
                awaitQuietly(release);
            });
            await(started, "first task to start");

            CountDownLatch secondRan = new CountDownLatch(1);
            AtomicReference<Throwable> submitError = new AtomicReference<>();
            Thread submitter = new Thread(() -> {
                try {
                    pool.execute(secondRan::countDown);
                } catch (Throwable t) {
                    submitError.set(t);
                }
            });
            submitter.start();
            eventually(() -> pool.waitingSubmitters() == 1, () -> "submitter blocked in execute: " + pool);
            assertThat(secondRan.getCount()).as("second task ran while the pool was full").isEqualTo(1);

            release.countDown();
            await(secondRan, "second task to run once the first finished");
            submitter.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            assertThat(submitError.get()).isNull();
        }
    }

    @Test
    void blockingSubmitTimesOutWhenNoSlotFrees() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (WorkerPool pool = WorkerPool.builder(1).submitTimeout(Duration.ofMillis(100)).build()) {
            CountDownLatch started = new CountDownLatch(1);
            pool.execute(() -> {
                started.countDown();
                awaitQuietly(release);
            });
            await(started, "task to start");

            long t0 = System.nanoTime();
            assertThatThrownBy(() -> pool.execute(() -> { }))
                    .isInstanceOf(RejectedExecutionException.class)
                    .hasMessageContaining("within PT0.1S");
            Duration waited = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(waited).isGreaterThanOrEqualTo(Duration.ofMillis(100)).isLessThan(Duration.ofSeconds(WAIT_SECONDS));
            assertThat(pool.waitingSubmitters()).isZero();
            release.countDown();
        }
    }

    @Test
    void interruptedBlockingSubmitIsRejectedAndKeepsTheInterrupt() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (WorkerPool pool = WorkerPool.builder(1).submitTimeout(Duration.ofSeconds(WAIT_SECONDS)).build()) {
            pool.execute(() -> awaitQuietly(release));
            AtomicReference<Throwable> error = new AtomicReference<>();
            AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
            Thread submitter = new Thread(() -> {
                try {
                    pool.execute(() -> { });
                } catch (Throwable t) {
                    error.set(t);
                    stillInterrupted.set(Thread.currentThread().isInterrupted());
                }
            });
            submitter.start();
            eventually(() -> pool.waitingSubmitters() == 1, () -> "submitter blocked: " + pool);
            submitter.interrupt();
            submitter.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            assertThat(error.get()).isInstanceOf(RejectedExecutionException.class).hasMessageContaining("interrupted");
            assertThat(stillInterrupted.get()).isTrue();
            release.countDown();
        }
    }

    // ---- idle workers ----

    @Test
    void idleWorkersExpire() throws Exception {
        try (WorkerPool pool = WorkerPool.builder(4).idleTimeout(Duration.ofMillis(100)).build()) {
            CountDownLatch allStarted = new CountDownLatch(4);
            CountDownLatch release = new CountDownLatch(1);
            Set<Thread> threads = ConcurrentHashMap.newKeySet();
            for (int i = 0; i < 4; i++) {
                pool.execute(() -> {
                    threads.add(Thread.currentThread());
                    allStarted.countDown();
                    awaitQuietly(release);
                });
            }
            await(allStarted, "four tasks running at once");
            assertThat(pool.runningWorkers()).isEqualTo(4);
            release.countDown();

            eventually(() -> pool.runningWorkers() == 0 && pool.idleWorkers() == 0,
                    () -> "every worker expired: " + pool);
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
                assertThat(t.isAlive()).as("%s ended", t.getName()).isFalse();
            }
            assertThat(pool.isShutdown()).isFalse();

            // An expired pool starts workers again on demand.
            CountDownLatch ran = new CountDownLatch(1);
            pool.execute(ran::countDown);
            await(ran, "a task after expiry");
        }
    }

    @Test
    void idleWorkerIsReusedInsteadOfStartingAnother() throws Exception {
        try (WorkerPool pool = WorkerPool.of(4)) {
            List<Thread> seen = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                CountDownLatch ran = new CountDownLatch(1);
                AtomicReference<Thread> thread = new AtomicReference<>();
                pool.execute(() -> {
                    thread.set(Thread.currentThread());
                    ran.countDown();
                });
                await(ran, "task " + i);
                eventually(() -> pool.idleWorkers() == 1 && pool.runningWorkers() == 0, () -> "worker idle again: " + pool);
                seen.add(thread.get());
            }
            assertThat(seen).as("threads that ran five sequential tasks").containsOnly(seen.get(0));
        }
    }

    // ---- faults ----

    @Test
    void failingTasksGoToTheFailureHandlerAndThePoolKeepsItsCapacity() throws Exception {
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        Set<Thread> workerThreads = ConcurrentHashMap.newKeySet();
        try (WorkerPool pool = WorkerPool.builder(2).failureHandler((task, t) -> failures.add(t)).build()) {
            for (int i = 0; i < 10; i++) {
                int n = i;
                eventually(() -> pool.freeSlots() > 0, () -> "a free slot: " + pool);
                pool.execute(() -> {
                    workerThreads.add(Thread.currentThread());
                    throw new IllegalStateException("boom " + n);
                });
            }
            eventually(() -> failures.size() == 10, () -> "ten failures reported, got " + failures.size());
            assertThat(failures).allSatisfy(t ->
                    assertThat(t).isInstanceOf(IllegalStateException.class).hasMessageStartingWith("boom"));
            assertThat(workerThreads).as("workers survive their tasks' failures").hasSizeLessThanOrEqualTo(2);
            assertFullCapacity(pool);
        }
    }

    @Test
    void failingTaskWithoutAHandlerIsLoggedAndThePoolCarriesOn() throws Exception {
        try (WorkerPool pool = WorkerPool.of(1)) {
            // Logged at WARNING through System.Logger; one expected stack trace in the build log.
            pool.execute(() -> {
                throw new IllegalStateException("expected: WorkerPoolTest checks a failing task is only logged");
            });
            eventually(() -> pool.freeSlots() == 1, () -> "slot back after the failure: " + pool);
            assertFullCapacity(pool);
        }
    }

    @Test
    void failingFailureHandlerDoesNotKillTheWorker() throws Exception {
        try (WorkerPool pool = WorkerPool.builder(1).failureHandler((task, t) -> {
            throw new IllegalStateException("expected: the failure handler itself failed");
        }).build()) {
            pool.execute(() -> {
                throw new IllegalArgumentException("expected: WorkerPoolTest checks a failing failure handler");
            });
            eventually(() -> pool.freeSlots() == 1, () -> "slot back: " + pool);
            assertFullCapacity(pool);
        }
    }

    /** Every slot of {@code pool} can run a task at the same time. */
    static void assertFullCapacity(WorkerPool pool) {
        int n = pool.capacity();
        CountDownLatch allRunning = new CountDownLatch(n);
        CountDownLatch release = new CountDownLatch(1);
        for (int i = 0; i < n; i++) {
            pool.execute(() -> {
                allRunning.countDown();
                awaitQuietly(release);
            });
        }
        await(allRunning, n + " tasks running at once");
        release.countDown();
    }

    // ---- lifecycle ----

    @Test
    void shutdownLetsTasksInFlightFinishAndRejectsNewOnes() throws Exception {
        WorkerPool pool = WorkerPool.of(2);
        CountDownLatch started = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger finished = new AtomicInteger();
        for (int i = 0; i < 2; i++) {
            pool.execute(() -> {
                started.countDown();
                awaitQuietly(release);
                finished.incrementAndGet();
            });
        }
        await(started, "tasks to start");

        pool.shutdown();
        assertThat(pool.isShutdown()).isTrue();
        assertThat(pool.isTerminated()).isFalse();
        assertThatThrownBy(() -> pool.execute(() -> { }))
                .isInstanceOf(RejectedExecutionException.class).hasMessageContaining("shut down");
        assertThat(pool.awaitTermination(20, TimeUnit.MILLISECONDS)).as("terminated with tasks in flight").isFalse();

        release.countDown();
        assertThat(pool.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(pool.isTerminated()).isTrue();
        assertThat(finished.get()).isEqualTo(2);
        assertThat(pool.liveWorkers()).isZero();
    }

    @Test
    void shutdownEndsIdleWorkersAtOnce() throws Exception {
        WorkerPool pool = WorkerPool.builder(2).idleTimeout(Duration.ofHours(1)).build();
        CountDownLatch ran = new CountDownLatch(1);
        pool.execute(ran::countDown);
        await(ran, "task");
        eventually(() -> pool.idleWorkers() == 1, () -> "worker idle: " + pool);
        pool.shutdown();
        assertThat(pool.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS)).as("terminated despite a 1 h idle timeout").isTrue();
    }

    @Test
    void unusedPoolTerminatesOnShutdown() throws Exception {
        WorkerPool pool = WorkerPool.of(1);
        pool.shutdown();
        assertThat(pool.isTerminated()).isTrue();
        assertThat(pool.awaitTermination(0, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void shutdownRejectsBlockedSubmitters() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        WorkerPool pool = WorkerPool.builder(1).submitTimeout(Duration.ofSeconds(WAIT_SECONDS)).build();
        pool.execute(() -> awaitQuietly(release));
        AtomicReference<Throwable> error = new AtomicReference<>();
        Thread submitter = new Thread(() -> {
            try {
                pool.execute(() -> { });
            } catch (Throwable t) {
                error.set(t);
            }
        });
        submitter.start();
        eventually(() -> pool.waitingSubmitters() == 1, () -> "submitter blocked: " + pool);
        pool.shutdown();
        submitter.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        assertThat(error.get()).isInstanceOf(RejectedExecutionException.class).hasMessageContaining("shut down");
        release.countDown();
        assertThat(pool.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void shutdownNowInterruptsRunningTasks() throws Exception {
        WorkerPool pool = WorkerPool.of(3);
        CountDownLatch started = new CountDownLatch(3);
        CountDownLatch interrupted = new CountDownLatch(3);
        CountDownLatch never = new CountDownLatch(1);
        for (int i = 0; i < 3; i++) {
            pool.execute(() -> {
                started.countDown();
                try {
                    never.await();
                } catch (InterruptedException e) {
                    interrupted.countDown();
                }
            });
        }
        await(started, "tasks to start");
        assertThat(pool.shutdownNow()).isEmpty();
        await(interrupted, "every task interrupted");
        assertThat(pool.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThatThrownBy(() -> pool.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void closeWaitsForTasksInFlight() throws Exception {
        WorkerPool pool = WorkerPool.of(1);
        CountDownLatch started = new CountDownLatch(1);
        AtomicInteger finished = new AtomicInteger();
        pool.execute(() -> {
            started.countDown();
            for (int i = 0; i < 1_000; i++) {
                Thread.onSpinWait();
            }
            finished.incrementAndGet();
        });
        await(started, "task to start");
        assertTimeoutPreemptively(Duration.ofSeconds(WAIT_SECONDS), pool::close);
        assertThat(finished.get()).isEqualTo(1);
        assertThat(pool.isTerminated()).isTrue();
    }

    // ---- ExecutorService conveniences ----

    @Test
    void submitAndInvokeAllComeFromExecutorService() throws Exception {
        try (WorkerPool pool = WorkerPool.builder(2).submitTimeout(Duration.ofSeconds(WAIT_SECONDS)).build()) {
            Future<String> f = pool.submit(() -> "done");
            assertThat(f.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("done");

            Future<?> failed = pool.submit((Callable<Object>) () -> {
                throw new IllegalArgumentException("in a future");
            });
            assertThatThrownBy(() -> failed.get(WAIT_SECONDS, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(IllegalArgumentException.class);

            List<Callable<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                int n = i;
                calls.add(() -> n * n);
            }
            List<Integer> results = new ArrayList<>();
            for (Future<Integer> r : pool.invokeAll(calls)) {
                results.add(r.get());
            }
            assertThat(results).containsExactly(0, 1, 4, 9, 16, 25);
        }
    }

    @Test
    void builderRefusesNonsense() {
        assertThatThrownBy(() -> WorkerPool.builder(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("capacity");
        assertThatThrownBy(() -> WorkerPool.builder(1).idleTimeout(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("idleTimeout");
        assertThatThrownBy(() -> WorkerPool.builder(1).submitTimeout(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("submitTimeout");
    }

    // ---- platform and virtual threads ----

    @Test
    void platformThreadsByDefault() throws Exception {
        try (WorkerPool pool = WorkerPool.builder(1).name("plain").build()) {
            assertThat(pool.usesVirtualThreads()).isFalse();
            AtomicReference<Thread> thread = new AtomicReference<>();
            CountDownLatch ran = new CountDownLatch(1);
            pool.execute(() -> {
                thread.set(Thread.currentThread());
                ran.countDown();
            });
            await(ran, "task");
            assertThat(thread.get().getName()).startsWith("plain-");
            assertThat(thread.get().isDaemon()).isTrue();
        }
    }

    // ---- helpers (shared with the virtual-thread test) ----

    static void await(CountDownLatch latch, String what) {
        try {
            assertThat(latch.await(WAIT_SECONDS, TimeUnit.SECONDS))
                    .as("waited %d s for %s", WAIT_SECONDS, what).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + what, e);
        }
    }

    /** Waits inside a task; returns early (interrupt flag kept) if interrupted. */
    static void awaitQuietly(CountDownLatch latch) {
        try {
            if (!latch.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("task waited " + WAIT_SECONDS + " s for the test to release it");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Polls {@code condition} until it holds or {@link #WAIT_SECONDS} pass. */
    static void eventually(BooleanSupplier condition, Supplier<String> what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + WAIT_SECONDS + " s: " + what.get());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // poll interval, not a synchronisation
        }
    }
}
