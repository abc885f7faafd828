package io.gnetj.pool;

import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import io.gnetj.internal.Durations;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;

/**
 * A bounded pool of worker threads for blocking work, gnetj's counterpart of gnet's goroutine
 * pool (ants). An event loop must never block, so a handler hands slow work (a database call, a
 * file read, a CPU-heavy computation) to a {@code WorkerPool} and answers with
 * {@link io.gnetj.Conn#asyncWrite} when the work is done:
 * <pre>{@code
 * WorkerPool pool = WorkerPool.of(64);                  // shared by every connection
 *
 * public Action onTraffic(Conn conn) {
 *     for (ByteBuffer frame; (frame = decoder.decode(conn)) != null; ) {
 *         byte[] request = new byte[frame.remaining()];  // copy: the view dies with this callback
 *         frame.get(request);
 *         try {
 *             pool.execute(() -> conn.asyncWrite(ByteBuffer.wrap(lookUp(request)), null));
 *         } catch (RejectedExecutionException full) {
 *             conn.write(BUSY);                          // answer at once; never block the loop
 *         }
 *     }
 *     return Action.NONE;
 * }
 * }</pre>
 *
 * <h2>What it guarantees</h2>
 * <ul>
 *   <li><b>Capacity.</b> At most {@link #capacity()} tasks run at once, and at most that many
 *       worker threads exist. There is no task queue: a task is handed straight to a worker.
 *   <li><b>Full pool.</b> By default {@link #execute} rejects at once with
 *       {@link RejectedExecutionException} when every slot is busy, as gnet's pool does; with
 *       {@link Builder#submitTimeout(Duration)} it waits up to that long for a slot, then rejects.
 *       Back-pressure is the caller's decision (answer "busy", close, or retry later), never an
 *       unbounded queue.
 *   <li><b>Idle expiry.</b> A worker left without work for {@link Builder#idleTimeout(Duration)}
 *       (default 10 s) ends, so an idle pool holds no threads. Idle workers are reused newest
 *       first, so under light load the surplus ones expire.
 *   <li><b>Faults.</b> An exception thrown by a task given to {@link #execute} is logged through
 *       {@link System.Logger} (logger {@code io.gnetj.pool.WorkerPool}, level WARNING), or given
 *       to {@link Builder#failureHandler}, and the worker carries on: the pool keeps its
 *       capacity. (Tasks given to {@code submit} report their exception through the returned
 *       {@link java.util.concurrent.Future} instead.)
 *   <li><b>Lifecycle.</b> {@link #shutdown()}, {@link #shutdownNow()},
 *       {@link #awaitTermination}, {@link #isShutdown()} and {@link #isTerminated()} follow the
 *       {@link java.util.concurrent.ExecutorService} contract; {@link #close()} is the JDK 19+
 *       {@code ExecutorService.close()} (shut down, then wait), usable in try-with-resources on
 *       Java 17 too.
 * </ul>
 *
 * <h2>Virtual threads</h2>
 * With {@link Builder#virtualThreads(boolean)} on, and on a JDK that has them (21+, found at run
 * time with a {@link MethodHandles#publicLookup() public lookup} of {@code Thread.ofVirtual()};
 * gnetj is compiled for 17), workers are virtual threads; otherwise platform threads, see
 * {@link #virtualThreadsAvailable()} and {@link #usesVirtualThreads()}. The capacity bound holds
 * either way. Platform threads are the default because they behave the same on every supported
 * JDK, and because before JDK 24 a virtual thread that blocks inside {@code synchronized} (common
 * in JDBC drivers and older libraries) pins its carrier thread, so a pool of virtual workers can
 * stall on a handful of carriers in exactly the blocking work this pool exists for. Measure before
 * switching.
 *
 * <h2>How it works</h2>
 * One {@link ReentrantLock} guards the count of busy slots, the stack of idle workers and the set
 * of live workers: {@code execute} takes a slot, then pops the most recently idle worker and hands
 * it the task through a volatile field and {@link LockSupport#unpark}, or starts a new worker if
 * none is idle. A worker that finishes pushes itself back onto the idle stack <em>before</em>
 * giving up its slot, so a new worker is started only when every existing one is busy; that is what
 * keeps the thread count within capacity. An idle worker parks until its deadline, then removes
 * itself under the lock unless a task was handed to it meanwhile. The lock is held for a few field
 * updates per task, never while a task runs or a thread starts.
 *
 * <p>Threading: every method is safe from any thread, including from a pool task (but a task
 * that waits in {@code awaitTermination} or {@code close} of its own pool waits forever).
 */
public final class WorkerPool extends AbstractExecutorService implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(WorkerPool.class.getName());
    private static final AtomicInteger POOL_IDS = new AtomicInteger();

    /** {@code Thread.ofVirtual()}, or {@code null} before JDK 21 (or on 19/20 without preview). */
    private static final MethodHandle OF_VIRTUAL;
    /** {@code Thread.Builder.name(String prefix, long start)}. */
    private static final MethodHandle BUILDER_NAME;
    /** {@code Thread.Builder.factory()}. */
    private static final MethodHandle BUILDER_FACTORY;

    static {
        MethodHandle ofVirtual = null;
        MethodHandle name = null;
        MethodHandle factory = null;
        try {
            Class<?> builder = Class.forName("java.lang.Thread$Builder");
            Class<?> ofVirtualType = Class.forName("java.lang.Thread$Builder$OfVirtual");
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            ofVirtual = lookup.findStatic(Thread.class, "ofVirtual", MethodType.methodType(ofVirtualType));
            name = lookup.findVirtual(builder, "name", MethodType.methodType(builder, String.class, long.class));
            factory = lookup.findVirtual(builder, "factory", MethodType.methodType(ThreadFactory.class));
            // On JDK 19/20 the API exists but throws unless preview features are enabled.
            ofVirtual.invoke();
        } catch (Throwable unavailable) {
            ofVirtual = null;
        }
        OF_VIRTUAL = ofVirtual;
        BUILDER_NAME = name;
        BUILDER_FACTORY = factory;
    }

    /** Rejected submits; counted off the hot path (a rejection is an exception already). */
    private final java.util.concurrent.atomic.LongAdder rejected = new java.util.concurrent.atomic.LongAdder();
    private final int capacity;
    private final long submitTimeoutNanos;
    private final long idleTimeoutNanos;
    private final boolean virtual;
    private final ThreadFactory threadFactory;
    private final String name;
    private final BiConsumer<Runnable, Throwable> failureHandler;

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when a slot frees up or the pool shuts down; awaited by blocked submitters. */
    private final Condition slotFreed = lock.newCondition();
    /** Signalled once the pool has terminated. */
    private final Condition terminatedCondition = lock.newCondition();

    // ---- guarded by lock ----
    /** Tasks accepted and not yet finished; never above capacity. */
    private int busy;
    /** Submitters blocked waiting for a slot. */
    private int waiting;
    /** Idle workers, most recently idle first. */
    private final ArrayDeque<Worker> idle = new ArrayDeque<>();
    /** Every live worker, busy or idle. */
    private final Set<Worker> workers = new HashSet<>();
    private boolean terminated;

    // ---- written under lock, read anywhere ----
    private volatile boolean shutdown;
    /** Set by shutdownNow before it interrupts workers; tasks started afterwards start interrupted. */
    private volatile boolean stopNow;

    private WorkerPool(Builder b) {
        this.capacity = b.capacity;
        this.submitTimeoutNanos = Durations.saturatedNanos(b.submitTimeout);
        this.idleTimeoutNanos = Durations.saturatedNanos(b.idleTimeout);
        this.name = b.name != null ? b.name : "gnetj-worker-" + POOL_IDS.incrementAndGet();
        this.failureHandler = b.failureHandler;
        ThreadFactory virtualFactory = b.virtualThreads ? virtualThreadFactory(name + "-") : null;
        if (b.virtualThreads && virtualFactory == null) {
            LOG.log(Level.DEBUG, "{0}: virtual threads unavailable on Java {1}, using platform threads",
                    name, Runtime.version().feature());
        }
        this.virtual = virtualFactory != null;
        this.threadFactory = virtualFactory != null ? virtualFactory : platformThreadFactory(name + "-", b.daemon);
    }

    /**
     * {@return a builder holding every default: rejecting submit, 10 s idle expiry, daemon platform
     * threads} Any thread.
     *
     * @param capacity the most tasks that may run at once; at least 1
     */
    public static Builder builder(int capacity) {
        return new Builder(capacity);
    }

    /**
     * {@return a pool of {@code capacity} with every default: see {@link #builder(int)}}
     * Any thread.
     *
     * @param capacity the most tasks that may run at once; at least 1
     */
    public static WorkerPool of(int capacity) {
        return builder(capacity).build();
    }

    /**
     * {@return {@code true} if this JDK can run workers on virtual threads (Java 21 and later)}
     *
     * <p>Threading: any thread.
     */
    public static boolean virtualThreadsAvailable() {
        return OF_VIRTUAL != null;
    }

    // ---- submitting ----

    /**
     * Runs {@code task} on a worker: an idle one if any, else a new one.
     *
     * <p>Threading: any thread. May block the caller for up to the
     * {@linkplain Builder#submitTimeout(Duration) submit timeout} when the pool is full (never by
     * default), so do not configure a timeout for a pool fed from an event loop.
     *
     * @throws RejectedExecutionException if the pool is shut down, is full (at once, or after the
     *                                    submit timeout), or the caller is interrupted while
     *                                    waiting (its interrupt flag is then set again)
     * @throws NullPointerException       if {@code task} is {@code null}
     */
    @Override
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        try {
            handOff(task);
        } catch (RejectedExecutionException e) {
            rejected.increment();
            throw e;
        }
    }

    /** {@link #execute}'s work: hands {@code task} to an idle worker or a new one, or throws. */
    private void handOff(Runnable task) {
        Worker handTo;
        Worker started;
        lock.lock();
        try {
            if (shutdown) {
                throw new RejectedExecutionException(name + " is shut down");
            }
            if (busy == capacity) {
                awaitSlot();
            }
            busy++;
            handTo = idle.pollFirst();
            if (handTo != null) {
                handTo.handoff = task;
                started = null;
            } else {
                started = newWorker(task);
            }
        } finally {
            lock.unlock();
        }
        if (handTo != null) {
            LockSupport.unpark(handTo.thread);
        } else {
            start(started);
        }
    }

    /** Waits (lock held) until a slot is free, or throws. */
    private void awaitSlot() {
        if (submitTimeoutNanos <= 0) {
            throw new RejectedExecutionException(name + " is full: all " + capacity + " workers are busy");
        }
        long nanos = submitTimeoutNanos;
        waiting++;
        try {
            while (busy == capacity && !shutdown) {
                if (nanos <= 0) {
                    throw new RejectedExecutionException(name + " is full: no worker of " + capacity
                            + " became free within " + Duration.ofNanos(submitTimeoutNanos));
                }
                nanos = slotFreed.awaitNanos(nanos);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RejectedExecutionException(name + ": interrupted while waiting for a free worker", e);
        } finally {
            waiting--;
        }
        if (shutdown) {
            throw new RejectedExecutionException(name + " was shut down while waiting for a free worker");
        }
    }

    /** Creates a worker for {@code firstTask} (lock held); it is started after the lock is released. */
    private Worker newWorker(Runnable firstTask) {
        Worker w = new Worker(firstTask);
        Thread t;
        try {
            t = threadFactory.newThread(w);
        } catch (RuntimeException | Error e) {
            releaseSlot();
            throw new RejectedExecutionException(name + ": cannot create a worker thread", e);
        }
        if (t == null) {
            releaseSlot();
            throw new RejectedExecutionException(name + ": thread factory returned no thread");
        }
        w.thread = t;
        workers.add(w);
        return w;
    }

    private void start(Worker w) {
        try {
            w.thread.start();
        } catch (RuntimeException | Error e) {
            // Typically "unable to create native thread": give the slot back, report the task rejected.
            lock.lock();
            try {
                releaseSlot();
                retire(w);
            } finally {
                lock.unlock();
            }
            throw new RejectedExecutionException(name + ": cannot start a worker thread", e);
        }
    }

    /** Gives a slot back (lock held). */
    private void releaseSlot() {
        busy--;
        if (waiting > 0) {
            slotFreed.signal();
        }
    }

    /** Forgets a worker that is ending (lock held). */
    private void retire(Worker w) {
        workers.remove(w);
        if (shutdown && workers.isEmpty() && !terminated) {
            terminated = true;
            terminatedCondition.signalAll();
        }
    }

    // ---- lifecycle ----

    /**
     * Stops accepting tasks; tasks already accepted run to the end. Submitters blocked waiting
     * for a slot are rejected. Idle workers end at once, busy ones when their task ends. Does not
     * wait: see {@link #awaitTermination}.
     *
     * <p>Threading: any thread; idempotent.
     */
    @Override
    public void shutdown() {
        lock.lock();
        try {
            beginShutdown();
        } finally {
            lock.unlock();
        }
    }

    private void beginShutdown() {
        if (shutdown) {
            return;
        }
        shutdown = true;
        slotFreed.signalAll();
        for (Worker w : idle) {
            LockSupport.unpark(w.thread);
        }
        if (workers.isEmpty()) {
            terminated = true;
            terminatedCondition.signalAll();
        }
    }

    /**
     * As {@link #shutdown()}, and interrupts every worker, so tasks that respond to interruption
     * end early; a task handed to a worker but not yet begun starts with its interrupt flag set.
     * Any thread, a pool task included.
     *
     * @return always empty: the pool has no queue, every accepted task is already with a worker
     */
    @Override
    public List<Runnable> shutdownNow() {
        lock.lock();
        try {
            stopNow = true;
            beginShutdown();
            for (Worker w : workers) {
                w.thread.interrupt();
            }
        } finally {
            lock.unlock();
        }
        return List.of();
    }

    /**
     * {@code true} once {@link #shutdown()} or {@link #shutdownNow()} was called.
     *
     * <p>Threading: any thread.
     */
    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    /**
     * {@code true} once the pool is shut down and every worker has ended.
     *
     * <p>Threading: any thread.
     */
    @Override
    public boolean isTerminated() {
        lock.lock();
        try {
            return terminated;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until the pool has terminated after a shutdown, or the timeout passes.
     *
     * <p>Threading: any thread except one of this pool's workers.
     *
     * @return {@code true} if terminated, {@code false} if the timeout passed first
     * @throws InterruptedException if interrupted while waiting
     */
    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long nanos = unit.toNanos(timeout);
        lock.lock();
        try {
            while (!terminated) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = terminatedCondition.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Shuts down and waits until every accepted task has finished, like JDK 19+'s
     * {@code ExecutorService.close()}: if interrupted while waiting, calls {@link #shutdownNow()},
     * carries on waiting, and returns with the interrupt flag set.
     *
     * <p>Threading: any thread except one of this pool's workers.
     */
    @Override
    public void close() {
        shutdown();
        boolean interrupted = false;
        while (!isTerminated()) {
            try {
                awaitTermination(1, TimeUnit.DAYS);
            } catch (InterruptedException e) {
                if (!interrupted) {
                    shutdownNow();
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- state, for monitoring and tests ----

    /** {@return the most tasks that may run at once} Threading: any thread. */
    public int capacity() {
        return capacity;
    }

    /**
     * {@return the worker threads alive, busy or idle; never above {@link #capacity()}}
     * Threading: any thread.
     */
    public int liveWorkers() {
        lock.lock();
        try {
            return workers.size();
        } finally {
            lock.unlock();
        }
    }

    /** {@return the workers alive and running (or about to run) a task} Threading: any thread. */
    public int runningWorkers() {
        lock.lock();
        try {
            return workers.size() - idle.size();
        } finally {
            lock.unlock();
        }
    }

    /** {@return the workers alive and waiting for a task (until they expire)} Threading: any thread. */
    public int idleWorkers() {
        lock.lock();
        try {
            return idle.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@return the slots free right now: {@code capacity()} minus tasks accepted and not finished}
     * Threading: any thread.
     */
    public int freeSlots() {
        lock.lock();
        try {
            return capacity - busy;
        } finally {
            lock.unlock();
        }
    }

    /** {@return the submitters blocked in {@link #execute} waiting for a slot} Threading: any thread. */
    public int waitingSubmitters() {
        lock.lock();
        try {
            return waiting;
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@return the tasks {@link #execute} has rejected so far (full, shut down, interrupted, or no
     * thread could be started)} Threading: any thread.
     */
    public long rejectedCount() {
        return rejected.sum();
    }

    /** {@return {@code true} if this pool's workers are virtual threads} Threading: any thread. */
    public boolean usesVirtualThreads() {
        return virtual;
    }

    /** Name, capacity, and current state. */
    @Override
    public String toString() {
        lock.lock();
        try {
            return name + "[capacity=" + capacity + ", busy=" + busy + ", workers=" + workers.size()
                    + ", idle=" + idle.size() + ", waiting=" + waiting
                    + (terminated ? ", terminated" : shutdown ? ", shut down" : "") + "]";
        } finally {
            lock.unlock();
        }
    }

    // ---- workers ----

    /**
     * One worker thread: runs its first task, then waits on the idle stack for the next until it
     * expires or the pool shuts down.
     */
    private final class Worker implements Runnable {
        /** Set once, under the lock, before the thread starts. */
        Thread thread;
        private Runnable firstTask;
        /** A task handed over by {@code execute} while this worker was idle; written under the lock. */
        volatile Runnable handoff;

        Worker(Runnable firstTask) {
            this.firstTask = firstTask;
        }

        @Override
        public void run() {
            Runnable task = firstTask;
            firstTask = null;
            while (task != null) {
                runTask(task);
                task = awaitTask();
            }
        }

        private void runTask(Runnable task) {
            // Clear an interrupt left over from the previous task, then re-check stopNow: shutdownNow
            // sets it before interrupting, so an interrupt cleared here is never lost.
            Thread.interrupted();
            if (stopNow) {
                Thread.currentThread().interrupt();
            }
            try {
                task.run();
            } catch (Throwable t) {
                taskFailed(task, t);
            }
        }

        /** The next task, or {@code null} when this worker should end (it has then retired). */
        private Runnable awaitTask() {
            long deadline;
            lock.lock();
            try {
                // Become idle before freeing the slot: whoever takes the slot then finds this worker.
                if (shutdown) {
                    releaseSlot();
                    retire(this);
                    return null;
                }
                idle.addFirst(this);
                releaseSlot();
                deadline = System.nanoTime() + idleTimeoutNanos;
            } finally {
                lock.unlock();
            }
            for (;;) {
                Runnable task = handoff;
                if (task != null) {
                    handoff = null;
                    return task;
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0 || shutdown) {
                    lock.lock();
                    try {
                        task = handoff; // handed over just before we took the lock: run it
                        if (task != null) {
                            handoff = null;
                            return task;
                        }
                        idle.removeLastOccurrence(this); // expired workers sit at the old end
                        retire(this);
                        return null;
                    } finally {
                        lock.unlock();
                    }
                }
                // A stray interrupt would make parkNanos return at once and spin; shutdownNow's is
                // seen through the shutdown flag instead.
                Thread.interrupted();
                LockSupport.parkNanos(WorkerPool.this, remaining);
            }
        }
    }

    private void taskFailed(Runnable task, Throwable failure) {
        if (failureHandler != null) {
            try {
                failureHandler.accept(task, failure);
                return;
            } catch (Throwable handlerFailure) {
                failure.addSuppressed(handlerFailure);
            }
        }
        LOG.log(Level.WARNING, name + ": task " + task + " failed; the worker carries on", failure);
    }

    // ---- thread factories ----

    private static ThreadFactory platformThreadFactory(String prefix, boolean daemon) {
        AtomicInteger ids = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + ids.incrementAndGet());
            t.setDaemon(daemon);
            return t;
        };
    }

    private static ThreadFactory virtualThreadFactory(String prefix) {
        if (OF_VIRTUAL == null) {
            return null;
        }
        try {
            Object builder = OF_VIRTUAL.invoke();
            builder = BUILDER_NAME.invoke(builder, prefix, 1L);
            return (ThreadFactory) BUILDER_FACTORY.invoke(builder);
        } catch (Throwable e) {
            LOG.log(Level.WARNING, "cannot create a virtual thread factory; using platform threads", e);
            return null;
        }
    }

    // ---- builder ----

    /**
     * Configures a {@link WorkerPool}. Every default lives in this class's field initialisers.
     *
     * <p>Threading: not thread-safe; build on one thread, then share the pool.
     */
    public static final class Builder {
        private final int capacity;
        private Duration submitTimeout = Duration.ZERO;
        private Duration idleTimeout = Duration.ofSeconds(10);
        private boolean virtualThreads = false;
        private boolean daemon = true;
        private String name = null;
        private BiConsumer<Runnable, Throwable> failureHandler = null;

        private Builder(int capacity) {
            if (capacity < 1) {
                throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
            }
            this.capacity = capacity;
        }

        /**
         * How long {@link WorkerPool#execute} waits for a free slot when the pool is full before
         * rejecting. Default zero: reject at once, as gnet's pool does.
         * One thread at a time: a builder is not thread-safe.
         *
         * @param timeout zero or positive
         * @return this builder
         */
        public Builder submitTimeout(Duration timeout) {
            this.submitTimeout = nonNegative("submitTimeout", timeout);
            return this;
        }

        /**
         * How long a worker waits without work before it ends. Default 10 s; zero ends a worker as
         * soon as it has no task. One thread at a time: a builder is not thread-safe.
         *
         * @param timeout zero or positive
         * @return this builder
         */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = nonNegative("idleTimeout", timeout);
            return this;
        }

        /**
         * Runs workers on virtual threads where the JDK has them (21+); elsewhere this is ignored
         * and platform threads are used. Default off: see the class javadoc.
         * One thread at a time: a builder is not thread-safe.
         *
         * @param on whether to use virtual threads where available
         * @return this builder
         */
        public Builder virtualThreads(boolean on) {
            this.virtualThreads = on;
            return this;
        }

        /**
         * Whether platform worker threads are daemon threads. Default {@code true}: a forgotten
         * pool never keeps the JVM alive (call {@link WorkerPool#close()} to let work finish).
         * Virtual threads are always daemons. One thread at a time: a builder is not thread-safe.
         *
         * @param on whether platform workers are daemon threads
         * @return this builder
         */
        public Builder daemon(boolean on) {
            this.daemon = on;
            return this;
        }

        /**
         * Sets the pool's name, used in thread names and messages. Default {@code gnetj-worker-N}.
         * One thread at a time: a builder is not thread-safe.
         *
         * @param name the name
         * @return this builder
         */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Told of every exception a task given to {@link WorkerPool#execute} throws (gnet's pool
         * calls this a panic handler), on the worker that ran it; the worker carries on either way.
         * Default {@code null}: log it at WARNING. If the handler itself throws, both are logged.
         * One thread at a time: a builder is not thread-safe.
         *
         * @param handler takes the task and what it threw
         * @return this builder
         */
        public Builder failureHandler(BiConsumer<Runnable, Throwable> handler) {
            this.failureHandler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * {@return a new pool; it starts threads only when tasks arrive} One thread at a time: a
         * builder is not thread-safe.
         */
        public WorkerPool build() {
            return new WorkerPool(this);
        }

        private static Duration nonNegative(String what, Duration d) {
            Objects.requireNonNull(d, what);
            if (d.isNegative()) {
                throw new IllegalArgumentException(what + " must not be negative, was " + d);
            }
            return d;
        }
    }
}
