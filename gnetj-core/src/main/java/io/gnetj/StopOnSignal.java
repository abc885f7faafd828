package io.gnetj;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The JVM shutdown hook of {@link Gnet#run} and {@link Gnet#rotate} (see
 * {@link Options#stopOnSignal()}): when the JVM shuts down (SIGINT, SIGTERM, {@code System.exit}),
 * stops the engine with {@link Options#closeTimeout()} as the deadline and waits for it, so
 * {@code onClose} and {@code onShutdown} run and unix socket files are removed before the JVM
 * halts. A hook, not {@code sun.misc.Signal}: portable, no JDK internals, and it also covers
 * {@code System.exit}.
 *
 * <p>The engine's own threads are not daemons, so while it runs the JVM only shuts down on a
 * signal or {@code System.exit}; the hook thread then waits at most the deadline plus the engine's
 * bounded wait for a blocked loop.
 *
 * <p>Threading: {@link #install} and {@link #remove()} from the thread running {@code Gnet.run}
 * (install inside {@code Gnet.start}'s boot, on that same thread); the hook runs on a thread of
 * the JVM's shutdown.
 */
final class StopOnSignal {

    private static final System.Logger LOG = System.getLogger("io.gnetj");
    /** Hooks installed and not removed yet (for tests: no hook may outlive its engine). */
    private static final AtomicInteger LIVE = new AtomicInteger();

    private Thread hook;

    /**
     * Installs the hook for {@code engine}; {@code Gnet.rotate} calls it before {@code onBoot}, so
     * a signal from then on stops the engine. If the JVM is already shutting down, starts the
     * engine's stop instead (the loops then never serve anything).
     */
    void install(Engine engine) {
        Thread thread = new Thread(() -> stop(engine), "gnetj-stop-on-signal");
        try {
            Runtime.getRuntime().addShutdownHook(thread);
        } catch (IllegalStateException shuttingDown) {
            engine.stopAsync(engine.options().closeTimeout());
            return;
        }
        hook = thread;
        LIVE.incrementAndGet();
    }

    private static void stop(Engine engine) {
        if (!engine.isRunning()) {
            return;
        }
        LOG.log(System.Logger.Level.INFO, "the JVM is shutting down (SIGINT, SIGTERM or System.exit): stopping " + engine
                + " within closeTimeout " + engine.options().closeTimeout());
        engine.stop(engine.options().closeTimeout()); // the engine logs its StopReport
    }

    /**
     * Removes the hook: the engine stopped otherwise. During the JVM's shutdown the hook cannot be
     * removed (and is running or has run): nothing to do then.
     */
    void remove() {
        Thread installed = hook;
        if (installed == null) {
            return;
        }
        hook = null;
        try {
            Runtime.getRuntime().removeShutdownHook(installed);
        } catch (IllegalStateException shuttingDown) {
            // The JVM is shutting down: the hook runs (or ran) and stops the engine itself.
        }
        LIVE.decrementAndGet();
    }

    /** Hooks installed and not yet removed, JVM-wide. */
    static int live() {
        return LIVE.get();
    }
}
