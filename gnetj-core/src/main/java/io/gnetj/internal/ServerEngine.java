package io.gnetj.internal;

import io.gnetj.Action;
import io.gnetj.Engine;
import io.gnetj.EventHandler;
import io.gnetj.Options;
import io.gnetj.Tick;
import io.gnetj.buffer.BufferPool;
import java.io.IOException;
import java.net.BindException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A server engine: listeners, the main reactor thread, and the event loops.
 *
 * <pre>
 *   main reactor (thread "gnetj-main-N"): accepts, balances, ticks, runs the stop sequence
 *        │ RegisterTask over each loop's MPSC queue
 *        ▼
 *   event loops ("gnetj-loop-N-i"): one Selector each, own their connections
 * </pre>
 *
 * <p>With {@code reusePort} every loop owns a {@code SO_REUSEPORT} listener per address and
 * accepts by itself; the main thread then only ticks and stops.
 *
 * <p>Stop sequence (on the main thread, whoever asked): close listeners, tell every loop to close
 * its connections and end, wait for the loops, run {@code onShutdown}, release the latch that
 * {@link #awaitTermination()} waits on.
 *
 * <p>Threading: the {@link Engine} methods are safe from any thread.
 */
public final class ServerEngine implements Engine, EngineCore {

    private static final System.Logger LOG = System.getLogger("io.gnetj");
    private static final AtomicInteger ENGINE_IDS = new AtomicInteger();
    private static final long LOOP_JOIN_TIMEOUT_MILLIS = TimeUnit.SECONDS.toMillis(30);

    private final EventHandler handler;
    private final Options options;
    private final BufferPool pool;
    private final EventLoop[] loops;
    private final Selector mainSelector;
    private final Thread mainThread;
    private final AtomicInteger connections = new AtomicInteger();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final List<SocketAddress> boundAddresses = new ArrayList<>();
    private final List<Path> unixPaths = new ArrayList<>();
    private final List<ServerSocketChannel> allListeners = new ArrayList<>();
    private Acceptor mainAcceptor;
    /** The thread running onBoot, while it runs (see {@link #stop()}). */
    private volatile Thread bootThread;
    private volatile boolean stopRequested;
    private volatile boolean running = true;

    private ServerEngine(EventHandler handler, Options options) throws IOException {
        this.handler = handler;
        this.options = options;
        this.pool = options.bufferPool() != null ? options.bufferPool() : BufferPool.create();
        int id = ENGINE_IDS.incrementAndGet();
        this.loops = new EventLoop[options.effectiveEventLoops()];
        this.mainSelector = Selector.open();
        this.mainThread = new Thread(this::runMain, "gnetj-main-" + id);
        try {
            for (int i = 0; i < loops.length; i++) {
                loops[i] = new EventLoop(this, i, "gnetj-loop-" + id + "-" + i, pool);
            }
        } catch (IOException | RuntimeException e) {
            closeSelectors();
            throw e;
        }
    }

    /** Parses and binds every address, starts the loops, runs {@code onBoot}, then starts accepting. */
    public static Engine start(EventHandler handler, List<String> addresses, Options options) throws IOException {
        List<ListenAddress> parsed = new ArrayList<>(addresses.size());
        for (String address : addresses) {
            ListenAddress listen = ListenAddress.parse(address);
            if (listen.network() == ListenAddress.Network.UDP) {
                throw new UnsupportedOperationException("cannot serve '" + address + "': UDP is not supported yet");
            }
            parsed.add(listen);
        }
        ServerEngine engine = new ServerEngine(handler, options);
        try {
            engine.bindAll(parsed);
        } catch (IOException | RuntimeException e) {
            engine.closeListeners();
            engine.closeSelectors();
            throw e;
        }
        engine.launch();
        return engine;
    }

    private void bindAll(List<ListenAddress> addresses) throws IOException {
        LoadBalancer balancer = LoadBalancer.of(options.loadBalancing(), loops);
        if (!options.reusePort()) {
            List<ServerSocketChannel> listeners = new ArrayList<>();
            for (ListenAddress address : addresses) {
                ServerSocketChannel listener = bind(address, address.socketAddress(), false);
                listeners.add(listener);
                boundAddresses.add(listener.getLocalAddress());
            }
            mainAcceptor = new Acceptor(this, listeners, null, balancer);
            return;
        }
        List<List<ServerSocketChannel>> perLoop = new ArrayList<>();
        for (int i = 0; i < loops.length; i++) {
            perLoop.add(new ArrayList<>());
        }
        for (ListenAddress address : addresses) {
            if (address.network() == ListenAddress.Network.UNIX) {
                // A path can be bound once: loop 0 accepts for it.
                ServerSocketChannel listener = bind(address, address.socketAddress(), false);
                perLoop.get(0).add(listener);
                boundAddresses.add(listener.getLocalAddress());
                continue;
            }
            ServerSocketChannel first = bind(address, address.socketAddress(), true);
            SocketAddress actual = first.getLocalAddress();
            perLoop.get(0).add(first);
            boundAddresses.add(actual);
            for (int i = 1; i < loops.length; i++) {
                perLoop.get(i).add(bind(address, actual, true));
            }
        }
        for (int i = 0; i < loops.length; i++) {
            loops[i].adoptListener(new Acceptor(this, perLoop.get(i), loops[i], null));
        }
    }

    private ServerSocketChannel bind(ListenAddress address, SocketAddress at, boolean reusePort) throws IOException {
        ServerSocketChannel listener = address.family() == null
                ? ServerSocketChannel.open()
                : ServerSocketChannel.open(address.family());
        allListeners.add(listener);
        try {
            listener.configureBlocking(false);
            if (address.network() == ListenAddress.Network.UNIX) {
                removeStaleSocketFile(address, ((UnixDomainSocketAddress) at).getPath());
            } else {
                listener.setOption(StandardSocketOptions.SO_REUSEADDR, options.reuseAddr());
                if (reusePort) {
                    if (!listener.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
                        throw new UnsupportedOperationException("cannot serve '" + address
                                + "' with reusePort: SO_REUSEPORT is not supported on this platform");
                    }
                    listener.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                }
                if (options.socketRecvBuffer() > 0) {
                    listener.setOption(StandardSocketOptions.SO_RCVBUF, options.socketRecvBuffer());
                }
            }
            listener.bind(at, options.backlog());
            if (address.network() == ListenAddress.Network.UNIX) {
                unixPaths.add(((UnixDomainSocketAddress) at).getPath());
            }
            return listener;
        } catch (BindException e) {
            BindException named = new BindException("cannot bind '" + address + "': " + e.getMessage());
            named.initCause(e);
            throw named;
        } catch (IOException e) {
            throw new IOException("cannot bind '" + address + "': " + e.getMessage(), e);
        }
    }

    /** A socket file left by a process that died is removed; a regular file or directory is not touched. */
    private static void removeStaleSocketFile(ListenAddress address, Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS) || Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)
                || Files.isSymbolicLink(path)) {
            throw new IOException("cannot bind '" + address + "': " + path + " exists and is not a socket");
        }
        Files.delete(path);
    }

    private void launch() {
        for (EventLoop loop : loops) {
            loop.start();
        }
        Action boot;
        bootThread = Thread.currentThread();
        try {
            boot = handler.onBoot(this);
        } catch (RuntimeException | Error e) {
            bootThread = null;
            stopRequested = true;
            mainThread.start();
            stop();
            throw e;
        }
        bootThread = null;
        if (boot == Action.SHUTDOWN) {
            stopRequested = true;
        }
        mainThread.start();
    }

    // ---- main reactor ----

    private void runMain() {
        try {
            if (mainAcceptor != null) {
                mainAcceptor.register(mainSelector);
            }
            Consumer<SelectionKey> onAccept = key -> ((Acceptor) key.attachment()).acceptReady(key);
            long nextTick = options.ticker() ? System.nanoTime() : Long.MAX_VALUE;
            while (!stopRequested) {
                long deadline = Math.min(nextTick, mainAcceptor == null ? Long.MAX_VALUE : mainAcceptor.resumeAt());
                long now = System.nanoTime();
                if (deadline != Long.MAX_VALUE && deadline - now <= 0) {
                    mainSelector.selectNow(onAccept);
                } else if (deadline == Long.MAX_VALUE) {
                    mainSelector.select(onAccept, 0);
                } else {
                    mainSelector.select(onAccept, Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - now + 999_999)));
                }
                if (stopRequested) {
                    break;
                }
                now = System.nanoTime();
                if (mainAcceptor != null) {
                    mainAcceptor.resumeIfDue(now);
                }
                if (now - nextTick >= 0) {
                    nextTick = tick(now);
                }
            }
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, "main reactor " + mainThread.getName() + " failed; stopping", t);
        } finally {
            shutdownSequence();
        }
    }

    private long tick(long now) {
        Tick tick;
        try {
            tick = handler.onTick();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "onTick threw; ticking again in one second", e);
            return now + TimeUnit.SECONDS.toNanos(1);
        }
        if (tick == null) {
            LOG.log(System.Logger.Level.WARNING, "onTick returned null; ticking again in one second");
            return now + TimeUnit.SECONDS.toNanos(1);
        }
        if (tick.action() == Action.SHUTDOWN) {
            stopRequested = true;
        }
        return now + Math.max(0, tick.delay().toNanos());
    }

    private void shutdownSequence() {
        closeListeners();
        for (EventLoop loop : loops) {
            loop.shutdown();
        }
        for (EventLoop loop : loops) {
            joinLoop(loop);
        }
        try {
            handler.onShutdown(this);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "onShutdown threw", e);
        }
        closeSelectors();
        running = false;
        terminated.countDown();
    }

    private static void joinLoop(EventLoop loop) {
        Thread thread = loop.thread();
        if (thread.getState() == Thread.State.NEW) {
            return;
        }
        boolean interrupted = false;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LOOP_JOIN_TIMEOUT_MILLIS);
        while (thread.isAlive()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                LOG.log(System.Logger.Level.ERROR, "event loop " + thread.getName()
                        + " did not end within 30 s of stop: a handler is blocking it");
                break;
            }
            try {
                thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeListeners() {
        for (ServerSocketChannel listener : allListeners) {
            EventLoop.closeQuietly(listener);
        }
        for (Path path : unixPaths) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "could not remove socket file " + path, e);
            }
        }
        unixPaths.clear();
    }

    private void closeSelectors() {
        try {
            mainSelector.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing the main selector", e);
        }
        for (EventLoop loop : loops) {
            if (loop != null && loop.thread().getState() == Thread.State.NEW) {
                try {
                    loop.selector().close();
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.DEBUG, "closing a loop selector", e);
                }
            }
        }
    }

    // ---- EngineCore ----

    @Override
    public EventHandler handler() {
        return handler;
    }

    @Override
    public Options options() {
        return options;
    }

    @Override
    public boolean tryAcquireConnection() {
        int max = options.maxConnections();
        for (;;) {
            int n = connections.get();
            if (n >= max) {
                return false;
            }
            if (connections.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    @Override
    public void releaseConnection() {
        connections.decrementAndGet();
    }

    @Override
    public void requestStop() {
        stopRequested = true;
        mainSelector.wakeup();
    }

    // ---- Engine ----

    @Override
    public int countConnections() {
        return connections.get();
    }

    @Override
    public List<SocketAddress> addresses() {
        return Collections.unmodifiableList(boundAddresses);
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** The pool the engine's connections take buffers from. */
    public BufferPool bufferPool() {
        return pool;
    }

    @Override
    public void stop() {
        requestStop();
        // From an engine thread, or from onBoot (which runs before the main thread is started),
        // waiting would wait for ourselves: the main thread sees the request and stops on its own.
        Thread current = Thread.currentThread();
        if (isEngineThread(current) || current == bootThread) {
            return;
        }
        boolean interrupted = false;
        while (true) {
            try {
                awaitTermination();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean isEngineThread(Thread thread) {
        if (thread == mainThread) {
            return true;
        }
        for (EventLoop loop : loops) {
            if (loop.thread() == thread) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void awaitTermination() throws InterruptedException {
        terminated.await();
        // The main thread releases the latch as its last act but is still alive at that moment;
        // stop() promises that every engine thread has ended, so wait for it to finish too.
        // (The main thread itself never gets here: stop() returns early on engine threads.)
        if (Thread.currentThread() != mainThread) {
            mainThread.join();
        }
    }

    @Override
    public String toString() {
        return "Engine" + boundAddresses + (running ? "" : " (stopped)");
    }
}
