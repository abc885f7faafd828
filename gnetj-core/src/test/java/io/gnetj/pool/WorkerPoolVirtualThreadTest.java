package io.gnetj.pool;

import static io.gnetj.pool.WorkerPoolTest.await;
import static io.gnetj.pool.WorkerPoolTest.hammer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The pool on virtual threads; runs on JDK 21+, skipped on 17. */
class WorkerPoolVirtualThreadTest {

    @Test
    void runsTasksOnVirtualThreadsWhenTheJdkHasThem() throws Throwable {
        assumeTrue(WorkerPool.virtualThreadsAvailable(), "virtual threads need JDK 21+");
        // Thread.isVirtual() does not exist on the 17 compile target.
        MethodHandle isVirtual = MethodHandles.publicLookup()
                .findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
        try (WorkerPool pool = WorkerPool.builder(2).virtualThreads(true).name("vt").build()) {
            assertThat(pool.usesVirtualThreads()).isTrue();
            AtomicBoolean virtual = new AtomicBoolean();
            CountDownLatch ran = new CountDownLatch(1);
            pool.execute(() -> {
                try {
                    virtual.set((boolean) isVirtual.invoke(Thread.currentThread()));
                } catch (Throwable t) {
                    throw new AssertionError(t);
                }
                ran.countDown();
            });
            await(ran, "task on a virtual thread");
            assertThat(virtual.get()).isTrue();
        }
    }

    @Test
    void capacityHoldsOnVirtualThreads() throws Exception {
        assumeTrue(WorkerPool.virtualThreadsAvailable(), "virtual threads need JDK 21+");
        try (WorkerPool pool = WorkerPool.builder(4).virtualThreads(true)
                .submitTimeout(Duration.ofSeconds(WorkerPoolTest.WAIT_SECONDS)).build()) {
            WorkerPoolTest.CapacityProbe probe = hammer(pool, 8, 400);
            assertThat(probe.rejected.get()).isZero();
            assertThat(probe.completed.get()).isEqualTo(8 * 400);
            assertThat(probe.maxRunning.get()).isBetween(1, 4);
            assertThat(probe.maxWorkers.get()).isLessThanOrEqualTo(4);
        }
    }

    @Test
    void shutdownNowInterruptsVirtualWorkers() throws Exception {
        assumeTrue(WorkerPool.virtualThreadsAvailable(), "virtual threads need JDK 21+");
        WorkerPool pool = WorkerPool.builder(2).virtualThreads(true).build();
        CountDownLatch started = new CountDownLatch(2);
        CountDownLatch interrupted = new CountDownLatch(2);
        for (int i = 0; i < 2; i++) {
            pool.execute(() -> {
                started.countDown();
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    interrupted.countDown();
                }
            });
        }
        await(started, "tasks to start");
        pool.shutdownNow();
        await(interrupted, "virtual workers interrupted");
        assertThat(pool.awaitTermination(WorkerPoolTest.WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void fallsBackToPlatformThreadsBeforeJdk21() throws Exception {
        assumeFalse(WorkerPool.virtualThreadsAvailable(), "this JDK has virtual threads");
        try (WorkerPool pool = WorkerPool.builder(1).virtualThreads(true).build()) {
            assertThat(pool.usesVirtualThreads()).isFalse();
            CountDownLatch ran = new CountDownLatch(1);
            pool.execute(ran::countDown);
            await(ran, "task on a platform thread");
        }
    }
}
