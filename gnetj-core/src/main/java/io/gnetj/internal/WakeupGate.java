package io.gnetj.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The sleep/wake handshake between an event loop and the threads posting work to it: whether a
 * poster must wake the loop's selector. As in Netty 4.1's {@code NioEventLoop}, one word says
 * {@link #AWAKE}, or the deadline the loop is (about to be) sleeping until.
 *
 * <pre>
 *   loop:    sleepingUntil(deadline) ─► queue empty? ─ yes ─► select (blocks) ─► awake()
 *                                                  └─ no ──► selectNow ───────► awake()
 *   poster:  offer(task) ─► mustWake()? ─ yes ─► selector.wakeup()
 * </pre>
 *
 * <p>Why no wake-up is lost: the loop publishes its deadline (volatile) and only then checks the
 * queue again; a poster offers its task and only then swaps in {@link #AWAKE} (volatile
 * get-and-set). Either the loop's second check sees the task, or the poster's swap sees the
 * deadline and wakes the selector, whose wake-up is sticky (a select that starts after it returns
 * at once). Why no wake-up is wasted: a loop that is running stores {@link #AWAKE}, so posters
 * skip the syscall; it does so as soon as the selector hands it its first ready key, not after
 * serving them all. Checked by {@code WakeupGateConcurrencyCheckTest} (a model checker).
 *
 * <p>Threading: {@link #sleepingUntil} and {@link #awake()} on the loop thread;
 * {@link #mustWake()} and {@link #forceAwake()} from any thread.
 */
final class WakeupGate {

    static final long AWAKE = -1L;

    private static final VarHandle NEXT_WAKEUP_NANOS;

    static {
        try {
            NEXT_WAKEUP_NANOS = MethodHandles.lookup().findVarHandle(WakeupGate.class, "nextWakeupNanos", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through NEXT_WAKEUP_NANOS
    private volatile long nextWakeupNanos = AWAKE;
    /** The deadline is published and not yet taken back; loop thread only. */
    private boolean sleeping;

    /** Loop: about to sleep until {@code deadline} (nanoTime); the caller checks its queue after this. */
    void sleepingUntil(long deadline) {
        // nanoTime may be any long: never publish the AWAKE sentinel as a deadline.
        NEXT_WAKEUP_NANOS.setVolatile(this, deadline == AWAKE ? AWAKE - 1 : deadline);
        sleeping = true;
    }

    /** Loop: running again; posters stop paying for a wake-up from here on. Cheap when already awake. */
    void awake() {
        if (sleeping) {
            sleeping = false;
            // A release store: the next poster may still wake the selector needlessly, once.
            NEXT_WAKEUP_NANOS.setRelease(this, AWAKE);
        }
    }

    /** Poster, after offering its task: whether it must wake the selector (the loop was sleeping). */
    boolean mustWake() {
        return (long) NEXT_WAKEUP_NANOS.getAndSet(this, AWAKE) != AWAKE;
    }

    /** Any thread: marks the loop awake without asking (the caller wakes the selector itself). */
    void forceAwake() {
        NEXT_WAKEUP_NANOS.setVolatile(this, AWAKE);
    }
}
