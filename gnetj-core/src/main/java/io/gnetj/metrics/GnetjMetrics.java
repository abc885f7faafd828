package io.gnetj.metrics;

import io.gnetj.Client;
import io.gnetj.Engine;
import io.gnetj.EngineMetrics;
import io.gnetj.LoopMetrics;
import io.gnetj.buffer.BufferPoolMetrics;
import io.gnetj.pool.WorkerPool;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Binds an engine's (or a client's) {@link EngineMetrics} to a Micrometer {@link MeterRegistry}:
 * gnetj's answer to Reactor Netty's meters, under the same naming scheme ({@code gnetj.*} where
 * Reactor Netty has {@code reactor.netty.*}). docs/observability.md has the table of meters.
 *
 * <pre>{@code
 * new GnetjMetrics(engine, Tags.of("server", "api")).bindTo(registry);
 * GnetjMetrics.bindWorkerPool(workers, "blocking", registry);
 * }</pre>
 *
 * <p>Micrometer is an optional dependency of gnetj-core ({@code requires static micrometer.core}):
 * this class is the only one that uses it, and an application that never touches it needs no
 * Micrometer on its path.
 *
 * <p>Meters are functions over {@link Engine#metrics()}: the loops pay nothing for them, and a
 * scrape takes one snapshot, shared by every meter read within {@link #SNAPSHOT_REUSE_NANOS}. Per
 * loop meters carry the tag {@code loop} (its index); the buffer pool's, {@code pool=engine}. The
 * gauges hold the binder strongly (Micrometer holds a function's object weakly), so the binder,
 * and the engine it reads, stay reachable while the registry keeps the meters.
 *
 * <p>Threading: any thread; Micrometer reads the meters from whichever thread publishes them.
 */
public final class GnetjMetrics implements MeterBinder {

    /** How long one snapshot serves the meters: every meter of one scrape reads the same one. */
    static final long SNAPSHOT_REUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private static final String[] CLOSE_CAUSES = {"peer", "local", "idle", "inbound-limit", "outbound-limit",
        "memory-limit", "error"};

    private final Supplier<EngineMetrics> source;
    private final Iterable<Tag> tags;
    private volatile Taken taken;

    /** A snapshot and when it was taken. */
    private record Taken(EngineMetrics metrics, long at) {
    }

    /**
     * A binder for a server engine's meters. Any thread.
     *
     * @param engine the engine
     * @param tags   added to every meter (for example the server's name)
     */
    public GnetjMetrics(Engine engine, Iterable<Tag> tags) {
        this(Objects.requireNonNull(engine, "engine")::metrics, tags);
    }

    /**
     * A binder for a client's meters. Any thread.
     *
     * @param client the client
     * @param tags   added to every meter
     */
    public GnetjMetrics(Client client, Iterable<Tag> tags) {
        this(Objects.requireNonNull(client, "client")::metrics, tags);
    }

    private GnetjMetrics(Supplier<EngineMetrics> source, Iterable<Tag> tags) {
        this.source = source;
        this.tags = tags == null ? Tags.empty() : tags;
    }

    /** The snapshot every meter reads: a fresh one at most every {@link #SNAPSHOT_REUSE_NANOS}. */
    private EngineMetrics snapshot() {
        Taken t = taken;
        long now = System.nanoTime();
        if (t == null || now - t.at > SNAPSHOT_REUSE_NANOS) {
            t = new Taken(source.get(), now);
            taken = t;
        }
        return t.metrics;
    }

    /**
     * Registers the engine's meters with {@code registry}: per loop, then engine-wide, then its
     * buffer pool. Any thread.
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        EngineMetrics first = source.get(); // not kept: the first scrape must not see figures from before it
        int loops = first.loops().size();
        AtomicReferenceArray<LoopMetrics> lastBusy = new AtomicReferenceArray<>(loops);
        for (int i = 0; i < loops; i++) {
            bindLoop(registry, i, Tags.concat(tags, "loop", String.valueOf(i)), lastBusy);
        }
        Tags engine = Tags.of(tags);
        FunctionCounter.builder("gnetj.accept.backoffs", this, b -> b.snapshot().acceptBackOffs())
                .description("accept failures (too many open files) that paused accepting")
                .tags(engine).register(registry);
        Gauge.builder("gnetj.engine.connections", this, b -> b.snapshot().connections())
                .description("connections counted against maxConnections")
                .tags(engine).strongReference(true).register(registry);
        bindPool(registry, Tags.concat(tags, "pool", "engine"));
    }

    private void bindLoop(MeterRegistry registry, int i, Tags t, AtomicReferenceArray<LoopMetrics> lastBusy) {
        Gauge.builder("gnetj.connections.active", this, b -> b.loop(i).connectionsOpen())
                .description("connections on the loop now").tags(t)
                .strongReference(true).register(registry);
        counter(registry, "gnetj.connections.opened", t, "connections registered with the loop",
                i, LoopMetrics::connectionsOpened);
        for (String cause : CLOSE_CAUSES) {
            counter(registry, "gnetj.connections.closed", t.and("cause", cause), "connections closed, by cause", i,
                    m -> closedBy(m, cause));
        }
        counter(registry, "gnetj.data.received", t, "bytes read from sockets", BaseUnits.BYTES, i,
                LoopMetrics::bytesRead);
        counter(registry, "gnetj.data.sent", t, "bytes written to sockets", BaseUnits.BYTES, i,
                LoopMetrics::bytesWritten);
        counter(registry, "gnetj.io.reads", t, "read syscalls", i, LoopMetrics::reads);
        counter(registry, "gnetj.io.writes", t, "write syscalls", i, LoopMetrics::writes);
        Gauge.builder("gnetj.eventloop.pending.tasks", this, b -> b.loop(i).tasksPending())
                .description("tasks queued on the loop and not yet run").tags(t)
                .strongReference(true).register(registry);
        counter(registry, "gnetj.eventloop.tasks.completed", t, "tasks the loop ran", i,
                LoopMetrics::tasksRun);
        counter(registry, "gnetj.eventloop.wakeups", t, "Selector.wakeup() calls made to wake the loop", i,
                LoopMetrics::wakeups);
        FunctionCounter.builder("gnetj.eventloop.busy", this, b -> b.loop(i).busyNanos() / 1e9)
                .description("time the loop spent not waiting in select").baseUnit("seconds").tags(t)
                .register(registry);
        Gauge.builder("gnetj.eventloop.busy.ratio", this, b -> b.busySinceLastRead(i, lastBusy))
                .description("share of the time since the last read the loop was busy").tags(t)
                .strongReference(true).register(registry);
        TimeGauge.builder("gnetj.eventloop.lag", this, TimeUnit.NANOSECONDS, b -> b.loop(i).lastLagNanos())
                .description("how late the loop ran the last probe task it posted to itself").tags(t)
                .strongReference(true).register(registry);
        TimeGauge.builder("gnetj.eventloop.lag.max", this, TimeUnit.NANOSECONDS, b -> b.loop(i).maxLagNanos())
                .description("the largest lag a probe saw").tags(t)
                .strongReference(true).register(registry);
        TimeGauge.builder("gnetj.eventloop.tick.late", this, TimeUnit.NANOSECONDS, b -> b.loop(i).lastTickLateNanos())
                .description("how late the loop's last sweep tick ran").tags(t)
                .strongReference(true).register(registry);
        counter(registry, "gnetj.eventloop.stalls", t, "loop iterations or handler callbacks over the stall threshold",
                i, LoopMetrics::stalls);
        counter(registry, "gnetj.writes.refused", t, "writes refused by maxOutboundBuffered", i,
                LoopMetrics::refusedWrites);
        counter(registry, "gnetj.watermark.unwritable", t, "times a connection passed its high-water mark", i,
                LoopMetrics::waterMarkPauses);
        counter(registry, "gnetj.watermark.writable", t, "times a connection drained below its low-water mark", i,
                LoopMetrics::waterMarkResumes);
        counter(registry, "gnetj.tls.handshakes", t.and("outcome", "success"), "TLS handshakes", i,
                LoopMetrics::tlsHandshakes);
        counter(registry, "gnetj.tls.handshakes", t.and("outcome", "failure"), "TLS handshakes", i,
                LoopMetrics::tlsHandshakeFailures);
        FunctionTimer.builder("gnetj.tls.handshake.time", this, b -> b.loop(i).tlsHandshakes(),
                        b -> b.loop(i).tlsHandshakeNanos(), TimeUnit.NANOSECONDS)
                .description("time of the completed TLS handshakes").tags(t).register(registry);
    }

    private void bindPool(MeterRegistry registry, Tags t) {
        Gauge.builder("gnetj.pool.used.direct.memory", this, b -> b.pool().usedBytes())
                .description("pooled direct memory lent out").baseUnit(BaseUnits.BYTES).tags(t)
                .strongReference(true).register(registry);
        Gauge.builder("gnetj.pool.retained.direct.memory", this, b -> b.pool().retainedBytes())
                .description("pooled direct memory kept idle for reuse").baseUnit(BaseUnits.BYTES).tags(t)
                .strongReference(true).register(registry);
        FunctionCounter.builder("gnetj.pool.allocated.direct.memory", this, b -> b.pool().allocatedBytes())
                .description("direct memory the pool ever allocated").baseUnit(BaseUnits.BYTES).tags(t)
                .register(registry);
        FunctionCounter.builder("gnetj.pool.cache.hits", this, b -> b.pool().cacheHits())
                .description("takes a loop's cache served from its own stacks").tags(t).register(registry);
        FunctionCounter.builder("gnetj.pool.cache.misses", this, b -> b.pool().cacheMisses())
                .description("takes a loop's cache passed to the shared pool").tags(t).register(registry);
        java.util.List<BufferPoolMetrics.SizeClass> classes = source.get().bufferPool().sizeClasses();
        for (int c = 0; c < classes.size(); c++) {
            int k = c;
            int capacity = classes.get(c).capacity();
            Gauge.builder("gnetj.pool.free.direct.memory", this, b -> b.pool().sizeClasses().get(k).freeBytes())
                    .description("bytes on a size class's shared free list").baseUnit(BaseUnits.BYTES)
                    .tags(t.and("size", String.valueOf(capacity))).strongReference(true).register(registry);
        }
    }

    private void counter(MeterRegistry registry, String name, Tags t, String description, int loop,
                         ToDoubleFunction<LoopMetrics> f) {
        counter(registry, name, t, description, null, loop, f);
    }

    private void counter(MeterRegistry registry, String name, Tags t, String description, String unit, int loop,
                         ToDoubleFunction<LoopMetrics> f) {
        FunctionCounter.builder(name, this, b -> f.applyAsDouble(b.loop(loop)))
                .description(description).baseUnit(unit).tags(t).register(registry);
    }

    private LoopMetrics loop(int i) {
        return snapshot().loops().get(i);
    }

    private BufferPoolMetrics pool() {
        return snapshot().bufferPool();
    }

    private double busySinceLastRead(int i, AtomicReferenceArray<LoopMetrics> last) {
        LoopMetrics now = loop(i);
        LoopMetrics before = last.getAndSet(i, now);
        return before == null ? now.busyRatio() : now.busyRatioSince(before);
    }

    private static long closedBy(LoopMetrics m, String cause) {
        switch (cause) {
            case "peer":
                return m.closedByPeer();
            case "local":
                return m.closedLocally();
            case "idle":
                return m.closedIdle();
            case "inbound-limit":
                return m.closedInboundLimit();
            case "outbound-limit":
                return m.closedOutboundLimit();
            case "memory-limit":
                return m.closedMemoryLimit();
            default:
                return m.closedError();
        }
    }

    /**
     * Registers a {@link WorkerPool}'s meters, tagged {@code pool=name}: {@code gnetj.workers.active}
     * (running a task), {@code gnetj.workers.live}, {@code gnetj.workers.capacity},
     * {@code gnetj.workers.queued} (submitters waiting for a free worker) and
     * {@code gnetj.workers.rejected}. Any thread.
     *
     * @param pool     the worker pool
     * @param name     its name in the tag
     * @param registry where to register
     */
    public static void bindWorkerPool(WorkerPool pool, String name, MeterRegistry registry) {
        Tags t = Tags.of("pool", name);
        Gauge.builder("gnetj.workers.active", pool, WorkerPool::runningWorkers).description("workers running a task")
                .tags(t).register(registry);
        Gauge.builder("gnetj.workers.live", pool, WorkerPool::liveWorkers).description("worker threads alive")
                .tags(t).register(registry);
        Gauge.builder("gnetj.workers.capacity", pool, WorkerPool::capacity).description("the pool's capacity")
                .tags(t).register(registry);
        Gauge.builder("gnetj.workers.queued", pool, WorkerPool::waitingSubmitters)
                .description("submitters waiting for a free worker").tags(t).register(registry);
        FunctionCounter.builder("gnetj.workers.rejected", pool, WorkerPool::rejectedCount)
                .description("tasks the pool rejected").tags(t).register(registry);
    }
}
