package io.gnetj.internal;

import java.util.Optional;

/**
 * gnetj's JDK Flight Recorder events, reached only when the runtime has JFR: the one door from the
 * engine to {@code io.gnetj.internal.jfr}.
 *
 * <p>gnetj-core {@code requires static jdk.jfr}: a jlinked runtime without that module still runs
 * gnetj. The event classes extend {@code jdk.jfr.Event}, so nothing may load them there; every
 * method here checks {@link #PRESENT} first and only then calls into {@link io.gnetj.internal.jfr.JfrEvents},
 * which the JVM loads on that first call (a static call is resolved lazily, and this class names no
 * event type in a signature the verifier would have to load). {@code -Dgnetj.jfr=false} turns the
 * events off even where JFR is present.
 *
 * <p>Each emitting method is called where the event happens, on the loop thread (or the main
 * reactor's), and costs one JFR enabled check when nothing records it; events that fire per
 * connection are off until a recording turns them on (gnetj.jfc); the stall events fire only past
 * {@link LoopCounters#STALL_THRESHOLD_NANOS}.
 *
 * <p>Threading: any thread (stateless).
 */
final class Jfr {

    /** Whether JFR is in the runtime, readable by this module, and not turned off. */
    static final boolean PRESENT = detect();

    private Jfr() {
    }

    private static boolean detect() {
        if (!Boolean.parseBoolean(System.getProperty("gnetj.jfr", "true"))) {
            return false;
        }
        Optional<Module> jfr = ModuleLayer.boot().findModule("jdk.jfr");
        return jfr.isPresent() && Jfr.class.getModule().canRead(jfr.get());
    }

    /** Whether a recording wants {@code io.gnetj.HandlerStall}: the loop then times each callback. */
    static boolean handlerStallEnabled() {
        return PRESENT && io.gnetj.internal.jfr.JfrEvents.handlerStallEnabled();
    }

    static void connectionOpened(AbstractConn conn) {
        if (PRESENT) {
            io.gnetj.internal.jfr.JfrEvents.connectionOpened(conn.loop.toString(), conn.remoteAddress(), conn.localAddress());
        }
    }

    static void connectionClosed(AbstractConn conn, String kind, Throwable cause) {
        if (PRESENT) {
            io.gnetj.internal.jfr.JfrEvents.connectionClosed(conn.loop.toString(), conn.remoteAddress(), kind, cause);
        }
    }

    static void loopStall(EventLoop loop, long nanos) {
        if (PRESENT) {
            io.gnetj.internal.jfr.JfrEvents.loopStall(loop.toString(), nanos);
        }
    }

    static void handlerStall(AbstractConn conn, String method, long nanos) {
        if (PRESENT) {
            io.gnetj.internal.jfr.JfrEvents.handlerStall(conn.loop.toString(), conn.handler.getClass().getName(), method,
                    conn.remoteAddress(), nanos);
        }
    }

    static void writability(AbstractConn conn, boolean writable, int queued) {
        if (PRESENT) {
            io.gnetj.internal.jfr.JfrEvents.writability(conn.loop.toString(), conn.remoteAddress(), writable, queued);
        }
    }

    static void tlsHandshake(AbstractConn conn, boolean ok, long nanos, String protocol, String cipherSuite,
                             Throwable failure) {
        if (PRESENT) {
            io.gnetj.internal.jfr.JfrEvents.tlsHandshake(conn.loop.toString(), conn.remoteAddress(), ok, nanos, protocol,
                    cipherSuite, failure);
        }
    }

    static void acceptBackOff(String owner, String error, long pauseNanos) {
        if (PRESENT) {
            io.gnetj.internal.jfr.JfrEvents.acceptBackOff(owner, error, pauseNanos);
        }
    }
}
