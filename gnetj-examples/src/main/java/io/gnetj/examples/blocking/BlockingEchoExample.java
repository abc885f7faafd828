package io.gnetj.examples.blocking;

import io.gnetj.EventHandler;
import io.gnetj.examples.Flag;
import io.gnetj.examples.Flags;
import io.gnetj.examples.ServerExample;
import io.gnetj.pool.WorkerPool;
import java.time.Duration;
import java.util.List;

/** {@code blocking-echo}: the line protocol of {@link BlockingEchoHandler}, slow lines on a worker pool. */
public final class BlockingEchoExample extends ServerExample {

    /** Most slow requests in progress at once. */
    public static final Flag WORKERS = Flag.integer("workers", "worker threads: slow requests in progress at once",
            512, 1, 100_000);
    /** How long a slow request blocks its worker. */
    public static final Flag DELAY = Flag.integer("delay-ms", "milliseconds a slow request blocks its worker",
            100, 0, 3_600_000);
    /** Workers on virtual threads; see docs/benchmarks.md for what that changes. */
    public static final Flag VIRTUAL_THREADS = Flag.bool("virtual-threads",
            "run workers on virtual threads (JDK 21+; platform threads on older JDKs)");

    @Override
    public String name() {
        return "blocking-echo";
    }

    @Override
    public String description() {
        return "line echo whose 'slow' lines block a worker pool thread, never the loop ('busy' when full)";
    }

    @Override
    protected List<Flag> ownFlags() {
        return List.of(WORKERS, DELAY, VIRTUAL_THREADS);
    }

    @Override
    protected EventHandler handler(Flags flags) {
        WorkerPool pool = WorkerPool.builder(flags.getInt(WORKERS.name()))
                .virtualThreads(flags.getBoolean(VIRTUAL_THREADS.name()))
                .name("blocking-echo-worker")
                .build();
        return new BlockingEchoHandler(pool, Duration.ofMillis(flags.getLong(DELAY.name())));
    }
}
