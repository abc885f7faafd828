package io.gnetj.bench.pool;

import io.gnetj.pool.WorkerPool;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Tasks per second through a {@link WorkerPool} with platform worker threads against virtual ones
 * (issue 5): which should {@code WorkerPool}'s default be?
 *
 * <p>Each invocation submits a burst of {@value #BURST} tasks from one thread, then waits until
 * all have run; JMH divides by the burst, so the score is tasks per millisecond. The pool's
 * capacity is smaller than the burst, so the submitter waits for free slots (the pool is built
 * with a submit timeout, which a loop thread would never use, but a benchmark driver may), and the
 * score includes the hand-off: waking an idle worker, or starting one.
 *
 * <p>Workloads, one benchmark each:
 * <ul>
 *   <li>{@link #park50us}: the task parks 50 µs, a short blocking call (a cache or a
 *       loopback database round trip). Mostly hand-off cost.
 *   <li>{@link #sleep1ms}: the task sleeps 1 ms, a slower blocking call. Throughput is bounded by
 *       capacity / 1 ms, so this shows whether each kind of thread reaches that bound.
 *   <li>{@link #cpu}: a few hundred nanoseconds of arithmetic and no blocking: pure hand-off
 *       overhead, the case where a pool is the wrong tool and its cost shows.
 * </ul>
 *
 * <p>Virtual threads exist from JDK 21. On an older JDK, {@code virtualThreads=true} builds the
 * pool exactly as an application would, and {@code WorkerPool} falls back to platform threads: the
 * {@code true} rows then measure platform threads, and the benchmark says so on stderr. Run
 * {@code -p virtualThreads=false} there.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@OperationsPerInvocation(WorkerPoolBenchmark.BURST)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@State(Scope.Benchmark)
public class WorkerPoolBenchmark {

    /** Tasks submitted per invocation. */
    static final int BURST = 4096;

    /** {@code WorkerPool.Builder.virtualThreads}: what an application would set. */
    @Param({"false", "true"})
    public boolean virtualThreads;

    /** Most tasks running at once (and most worker threads). */
    @Param({"64", "1024"})
    public int capacity;

    private WorkerPool pool;

    @Setup(Level.Trial)
    public void startPool() {
        pool = WorkerPool.builder(capacity)
                .virtualThreads(virtualThreads)
                .submitTimeout(Duration.ofSeconds(30))
                .name("bench-worker")
                .build();
        if (virtualThreads && !pool.usesVirtualThreads()) {
            System.err.println("WorkerPoolBenchmark: Java " + Runtime.version().feature()
                    + " has no virtual threads; the virtualThreads=true rows measure platform threads");
        }
    }

    @TearDown(Level.Trial)
    public void stopPool() {
        pool.close();
    }

    @Benchmark
    public void park50us() throws InterruptedException {
        burst(() -> LockSupport.parkNanos(50_000));
    }

    @Benchmark
    public void sleep1ms() throws InterruptedException {
        burst(() -> {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    @Benchmark
    public void cpu() throws InterruptedException {
        burst(() -> Blackhole.consumeCPU(64));
    }

    /** Submits {@link #BURST} tasks running {@code work} and waits until every one has run. */
    private void burst(Runnable work) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(BURST);
        Runnable task = () -> {
            try {
                work.run();
            } finally {
                done.countDown();
            }
        };
        for (int i = 0; i < BURST; i++) {
            pool.execute(task);
        }
        if (!done.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("a burst of " + BURST + " tasks did not finish within 60 s: " + pool);
        }
    }
}
