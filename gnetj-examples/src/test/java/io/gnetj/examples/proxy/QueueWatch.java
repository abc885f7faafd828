package io.gnetj.examples.proxy;

import io.gnetj.Action;
import io.gnetj.Conn;
import io.gnetj.Engine;
import io.gnetj.EventHandler;
import io.gnetj.IdleState;
import io.gnetj.Tick;

/**
 * A {@link ProxyHandler} that also records the longest outbound queue any relay write left
 * behind (read right after each {@code onTraffic}, when the bytes just relayed are queued and
 * not yet flushed, which is when a queue is at its longest) and the last pair that relayed, to
 * describe it when a test finds it stuck.
 *
 * <p>Threading: as {@link ProxyHandler}; {@link #maxQueued()} is a racy read from any thread.
 */
final class QueueWatch implements EventHandler {

    private final ProxyHandler proxy;
    private volatile int maxQueued;
    /** The pair that relayed last: what a test reports on when a pair gets stuck. */
    private volatile ProxyHandler.Relay lastRelay;

    QueueWatch(ProxyHandler proxy) {
        this.proxy = proxy;
    }

    /** The longest outbound queue seen after a relay write, in bytes. */
    int maxQueued() {
        return maxQueued;
    }

    @Override
    public Action onTraffic(Conn conn) {
        Action action = proxy.onTraffic(conn);
        ProxyHandler.Relay relay = conn.context();
        lastRelay = relay;
        Conn peer = relay.peerOf(conn);
        if (peer != null && peer.isOpen()) {
            int queued = peer.outboundBuffered();
            synchronized (this) { // two loops may report at once
                if (queued > maxQueued) {
                    maxQueued = queued;
                }
            }
        }
        return action;
    }

    /**
     * The state of the pair that relayed last, from the public API's any-thread reads: each
     * side's writability and (approximate) queued bytes.
     */
    String lastPairState() {
        ProxyHandler.Relay relay = lastRelay;
        if (relay == null || relay.upstream == null) {
            return "no pair relayed yet";
        }
        return "client side: " + state(relay.client) + "; upstream side: " + state(relay.upstream);
    }

    private static String state(Conn c) {
        return (c.isOpen() ? "open" : "closed") + ", " + (c.isWritable() ? "writable" : "NOT writable (the engine pauses reading from it)")
                + ", " + c.outboundBuffered() + " bytes queued to it";
    }

    @Override
    public Action onBoot(Engine engine) {
        return proxy.onBoot(engine);
    }

    @Override
    public void onShutdown(Engine engine) {
        proxy.onShutdown(engine);
    }

    @Override
    public Action onOpen(Conn conn) {
        return proxy.onOpen(conn);
    }

    @Override
    public Action onClose(Conn conn, Throwable cause) {
        return proxy.onClose(conn, cause);
    }

    @Override
    public Action onWritabilityChanged(Conn conn, boolean writable) {
        return proxy.onWritabilityChanged(conn, writable);
    }

    @Override
    public Action onInputClosed(Conn conn) {
        return proxy.onInputClosed(conn);
    }

    @Override
    public Action onIdle(Conn conn, IdleState state) {
        return proxy.onIdle(conn, state);
    }

    @Override
    public Tick onTick() {
        return proxy.onTick();
    }
}
