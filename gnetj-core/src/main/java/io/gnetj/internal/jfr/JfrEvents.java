package io.gnetj.internal.jfr;

import java.net.SocketAddress;
import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.EventType;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * gnetj's JDK Flight Recorder events and the code that fills and commits them. Only
 * {@code io.gnetj.internal.Jfr} calls in here, and only once it knows JFR is present (see there).
 *
 * <p>Every event is in the category "gnetj" and named {@code io.gnetj.*}. Per-connection events
 * (opened, closed, writability, TLS handshake) are {@link Enabled off} by default: a plain
 * {@code -XX:StartFlightRecording} records none of them; {@code gnetj.jfc} (on the class path at
 * {@code io/gnetj/gnetj.jfc}, and in docs/observability.md) turns them on. The stall events and
 * the accept back-off are on by default: they fire only when something is wrong (a stall only past
 * the stall threshold, 20 ms, as {@code jdk.SocketRead} does). Stacks are not recorded: the event
 * says where (the handler and method, the loop, the connection), and a stack on the loop would
 * only show the loop.
 *
 * <p>Threading: any thread; each event is made, filled and committed by the thread it happened on.
 */
public final class JfrEvents {

    private static final EventType HANDLER_STALL = EventType.getEventType(HandlerStall.class);

    private JfrEvents() {
    }

    /** {@return whether a running recording has {@code io.gnetj.HandlerStall} on} Any thread. */
    public static boolean handlerStallEnabled() {
        return HANDLER_STALL.isEnabled();
    }

    /**
     * Emits {@code io.gnetj.ConnectionOpened}, if enabled. Any thread.
     *
     * @param loop   the loop's name
     * @param remote the peer's address
     * @param local  the local address
     */
    public static void connectionOpened(String loop, SocketAddress remote, SocketAddress local) {
        ConnectionOpened e = new ConnectionOpened();
        if (e.shouldCommit()) {
            e.loop = loop;
            e.remoteAddress = String.valueOf(remote);
            e.localAddress = String.valueOf(local);
            e.commit();
        }
    }

    /**
     * Emits {@code io.gnetj.ConnectionClosed}, if enabled. Any thread.
     *
     * @param loop   the loop's name
     * @param remote the peer's address
     * @param kind   the cause's kind, as in the metrics: peer, local, idle, inbound-limit, ...
     * @param cause  what {@code onClose} was told, or {@code null}
     */
    public static void connectionClosed(String loop, SocketAddress remote, String kind, Throwable cause) {
        ConnectionClosed e = new ConnectionClosed();
        if (e.shouldCommit()) {
            e.loop = loop;
            e.remoteAddress = String.valueOf(remote);
            e.cause = kind;
            e.message = cause == null ? null : cause.toString();
            e.commit();
        }
    }

    /**
     * Emits {@code io.gnetj.LoopStall}, if enabled. Any thread.
     *
     * @param loop  the loop's name
     * @param nanos how long the iteration took
     */
    public static void loopStall(String loop, long nanos) {
        LoopStall e = new LoopStall();
        if (e.shouldCommit()) {
            e.loop = loop;
            e.stall = nanos;
            e.commit();
        }
    }

    /**
     * Emits {@code io.gnetj.HandlerStall}, if enabled. Any thread.
     *
     * @param loop         the loop's name
     * @param handlerClass the handler's class name
     * @param method       the callback, such as {@code onTraffic}
     * @param remote       the connection's peer
     * @param nanos        how long the callback took
     */
    public static void handlerStall(String loop, String handlerClass, String method, SocketAddress remote, long nanos) {
        HandlerStall e = new HandlerStall();
        if (e.shouldCommit()) {
            e.loop = loop;
            e.handler = handlerClass;
            e.method = method;
            e.connection = String.valueOf(remote);
            e.stall = nanos;
            e.commit();
        }
    }

    /**
     * Emits {@code io.gnetj.WritabilityChanged}, if enabled. Any thread.
     *
     * @param loop     the loop's name
     * @param remote   the connection's peer
     * @param writable {@code false}: past the high-water mark; {@code true}: back under the low one
     * @param queued   outbound bytes queued then
     */
    public static void writability(String loop, SocketAddress remote, boolean writable, int queued) {
        WritabilityChanged e = new WritabilityChanged();
        if (e.shouldCommit()) {
            e.loop = loop;
            e.connection = String.valueOf(remote);
            e.writable = writable;
            e.queued = queued;
            e.commit();
        }
    }

    /**
     * Emits {@code io.gnetj.TlsHandshake}, if enabled. Any thread.
     *
     * @param loop        the loop's name
     * @param remote      the peer
     * @param ok          whether it completed
     * @param nanos       from the connection's registration to the end of the handshake
     * @param protocol    the negotiated protocol, or {@code null}
     * @param cipherSuite the negotiated cipher suite, or {@code null}
     * @param failure     why it failed, or {@code null}
     */
    public static void tlsHandshake(String loop, SocketAddress remote, boolean ok, long nanos, String protocol,
                                    String cipherSuite, Throwable failure) {
        TlsHandshake e = new TlsHandshake();
        if (e.shouldCommit()) {
            e.loop = loop;
            e.connection = String.valueOf(remote);
            e.success = ok;
            e.handshake = nanos;
            e.protocol = protocol;
            e.cipherSuite = cipherSuite;
            e.failure = failure == null ? null : failure.toString();
            e.commit();
        }
    }

    /**
     * Emits {@code io.gnetj.AcceptBackOff}, if enabled. Any thread.
     *
     * @param owner      the accepting thread
     * @param error      why accept failed
     * @param pauseNanos how long accepting pauses
     */
    public static void acceptBackOff(String owner, String error, long pauseNanos) {
        AcceptBackOff e = new AcceptBackOff();
        if (e.shouldCommit()) {
            e.thread = owner;
            e.error = error;
            e.pause = pauseNanos;
            e.commit();
        }
    }

    @Name("io.gnetj.ConnectionOpened")
    @Label("Connection Opened")
    @Category("gnetj")
    @Description("A stream connection was registered with an event loop (accepted, dialed or enrolled)")
    @Enabled(false)
    @StackTrace(false)
    static final class ConnectionOpened extends Event {
        @Label("Event Loop")
        String loop;
        @Label("Remote Address")
        String remoteAddress;
        @Label("Local Address")
        String localAddress;
    }

    @Name("io.gnetj.ConnectionClosed")
    @Label("Connection Closed")
    @Category("gnetj")
    @Description("A connection left its event loop; cause: peer, local, idle, inbound-limit, outbound-limit,"
            + " memory-limit or error")
    @Enabled(false)
    @StackTrace(false)
    static final class ConnectionClosed extends Event {
        @Label("Event Loop")
        String loop;
        @Label("Remote Address")
        String remoteAddress;
        @Label("Cause")
        String cause;
        @Label("Message")
        String message;
    }

    @Name("io.gnetj.LoopStall")
    @Label("Event Loop Stall")
    @Category("gnetj")
    @Description("One event-loop iteration took longer than the stall threshold (default 20 ms):"
            + " every connection on the loop waited")
    @StackTrace(false)
    static final class LoopStall extends Event {
        @Label("Event Loop")
        String loop;
        @Label("Stall")
        @Timespan(Timespan.NANOSECONDS)
        long stall;
    }

    @Name("io.gnetj.HandlerStall")
    @Label("Handler Stall")
    @Category("gnetj")
    @Description("One handler callback took longer than the stall threshold (default 20 ms): it blocked its"
            + " event loop. Callbacks are timed only while a recording has this event on.")
    @StackTrace(false)
    static final class HandlerStall extends Event {
        @Label("Event Loop")
        String loop;
        @Label("Handler Class")
        String handler;
        @Label("Method")
        String method;
        @Label("Connection")
        String connection;
        @Label("Stall")
        @Timespan(Timespan.NANOSECONDS)
        long stall;
    }

    @Name("io.gnetj.WritabilityChanged")
    @Label("Writability Changed")
    @Category("gnetj")
    @Description("A connection's outbound queue passed the high-water mark (writable false; reading pauses with"
            + " pauseReadingWhenUnwritable) or drained below the low-water mark (writable true)")
    @Enabled(false)
    @StackTrace(false)
    static final class WritabilityChanged extends Event {
        @Label("Event Loop")
        String loop;
        @Label("Connection")
        String connection;
        @Label("Writable")
        boolean writable;
        @Label("Queued")
        @DataAmount
        int queued;
    }

    @Name("io.gnetj.TlsHandshake")
    @Label("TLS Handshake")
    @Category("gnetj")
    @Description("A TLS handshake completed or failed")
    @Enabled(false)
    @StackTrace(false)
    static final class TlsHandshake extends Event {
        @Label("Event Loop")
        String loop;
        @Label("Connection")
        String connection;
        @Label("Success")
        boolean success;
        @Label("Handshake Time")
        @Timespan(Timespan.NANOSECONDS)
        long handshake;
        @Label("Protocol")
        String protocol;
        @Label("Cipher Suite")
        String cipherSuite;
        @Label("Failure")
        String failure;
    }

    @Name("io.gnetj.AcceptBackOff")
    @Label("Accept Back-off")
    @Category("gnetj")
    @Description("accept failed (typically too many open files): accepting pauses instead of spinning")
    @StackTrace(false)
    static final class AcceptBackOff extends Event {
        @Label("Thread")
        String thread;
        @Label("Error")
        String error;
        @Label("Pause")
        @Timespan(Timespan.NANOSECONDS)
        long pause;
    }
}
