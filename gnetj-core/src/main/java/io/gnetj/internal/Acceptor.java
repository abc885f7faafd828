package io.gnetj.internal;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Accepts connections from a set of listening channels and hands each to an event loop.
 *
 * <p>Two owners: the main reactor (every listener; a {@link LoadBalancer} picks the loop and the
 * channel travels to it as a task), or, with {@code reusePort}, each event loop (its own
 * {@code SO_REUSEPORT} listeners; the loop registers what it accepts itself, no hand-off).
 *
 * <p>When {@code accept} fails (typically "too many open files"), the acceptor stops asking for
 * {@code OP_ACCEPT} for {@link #BACKOFF_NANOS} instead of spinning on a listener that stays
 * readable, logs at most once a second, and resumes when its owner calls {@link #resumeIfDue}.
 *
 * <p>Threading: the owner thread only, except {@link #close()} after the owner has stopped.
 */
final class Acceptor {
    static final long BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final int MAX_ACCEPTS_PER_WAKEUP = 64;

    private final ServerEngine engine;
    private final List<ServerSocketChannel> listeners;
    private final EventLoop owner;
    private final LoadBalancer balancer;
    private final RateLimitedLog log = new RateLimitedLog(TimeUnit.SECONDS.toNanos(1));
    private SelectionKey[] keys = new SelectionKey[0];
    private boolean paused;
    private long resumeAt;
    /** Back-offs so far: written by the owner thread, read racily by the engine's metrics. */
    private long backOffs;

    /**
     * @param owner    the loop that accepts and registers by itself, or {@code null} for the main reactor
     * @param balancer picks loops when {@code owner} is {@code null}
     */
    Acceptor(ServerEngine engine, List<ServerSocketChannel> listeners, EventLoop owner, LoadBalancer balancer) {
        this.engine = engine;
        this.listeners = listeners;
        this.owner = owner;
        this.balancer = balancer;
    }

    void register(Selector selector) throws ClosedChannelException {
        keys = new SelectionKey[listeners.size()];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = listeners.get(i).register(selector, SelectionKey.OP_ACCEPT, this);
        }
    }

    /** A listener is ready: accept what is pending, up to a bound so other work is not starved. */
    void acceptReady(SelectionKey key) {
        ServerSocketChannel listener = (ServerSocketChannel) key.channel();
        for (int i = 0; i < MAX_ACCEPTS_PER_WAKEUP; i++) {
            SocketChannel channel;
            try {
                channel = listener.accept();
            } catch (IOException e) {
                backOff(e);
                return;
            }
            if (channel == null) {
                return;
            }
            dispatch(channel, engine.isTlsListener(listener));
        }
    }

    /**
     * Sets up an accepted channel and hands it to a loop. Whatever fails here (an option the
     * kernel refuses, a balancer bug) closes this connection only and gives its slot back; the
     * acceptor carries on.
     */
    private void dispatch(SocketChannel channel, boolean tls) {
        EventLoop loop;
        try {
            loop = owner != null ? owner : balancer.next(balancer.needsAddress() ? remoteOrNull(channel) : null);
        } catch (RuntimeException e) {
            EventLoop.closeQuietly(channel);
            log.log(System.Logger.Level.WARNING, "could not pick a loop for an accepted connection", e);
            return;
        }
        ConnSlot slot = ConnSlot.reserve(engine, loop);
        if (slot == null) {
            log.log(System.Logger.Level.WARNING, "refusing a connection: " + engine.options().maxConnections()
                    + " connections are open (maxConnections)");
            EventLoop.closeQuietly(channel);
            return;
        }
        try {
            channel.configureBlocking(false);
            SocketOptionsSupport.applyToStream(channel, engine.options());
        } catch (IOException | RuntimeException e) {
            EventLoop.closeQuietly(channel);
            slot.release();
            log.log(System.Logger.Level.WARNING, "could not set up an accepted connection", e);
            return;
        }
        if (owner != null) {
            owner.open(channel, slot, tls);
        } else {
            loop.execute(new RegisterTask(loop, channel, slot, tls));
        }
    }

    private static SocketAddress remoteOrNull(SocketChannel channel) {
        try {
            return channel.getRemoteAddress();
        } catch (IOException e) {
            return null;
        }
    }

    private void backOff(IOException e) {
        log.log(System.Logger.Level.WARNING, "accept failed (" + e.getMessage() + "); pausing accepts for "
                + TimeUnit.NANOSECONDS.toMillis(BACKOFF_NANOS) + " ms", e);
        paused = true;
        resumeAt = System.nanoTime() + BACKOFF_NANOS;
        backOffs++;
        if (owner != null) {
            owner.counters().acceptBackOffs++;
        }
        Jfr.acceptBackOff(Thread.currentThread().getName(), String.valueOf(e), BACKOFF_NANOS);
        for (SelectionKey key : keys) {
            if (key.isValid()) {
                key.interestOps(0);
            }
        }
    }

    /** Accept back-offs so far; any thread (racy). */
    long backOffs() {
        return backOffs;
    }

    /** When accepts are paused, the time they resume (for the owner's select timeout); else {@link Long#MAX_VALUE}. */
    long resumeAt() {
        return paused ? resumeAt : Long.MAX_VALUE;
    }

    /** Resumes accepting if the back-off has passed. */
    void resumeIfDue(long now) {
        if (paused && now - resumeAt >= 0) {
            paused = false;
            for (SelectionKey key : keys) {
                if (key.isValid()) {
                    key.interestOps(SelectionKey.OP_ACCEPT);
                }
            }
        }
    }

    /** Closes the listeners (and removes Unix socket files the engine created). */
    void close() {
        for (ServerSocketChannel listener : listeners) {
            EventLoop.closeQuietly(listener);
        }
    }

    /** Hands an accepted channel to a loop, which registers it on its own thread. */
    private static final class RegisterTask extends LoopTask {
        private final EventLoop loop;
        private final SocketChannel channel;
        private final ConnSlot slot;
        private final boolean tls;

        RegisterTask(EventLoop loop, SocketChannel channel, ConnSlot slot, boolean tls) {
            this.loop = loop;
            this.channel = channel;
            this.slot = slot;
            this.tls = tls;
        }

        @Override
        void run() {
            loop.open(channel, slot, tls);
        }

        @Override
        void abort(Throwable cause) {
            EventLoop.closeQuietly(channel);
            slot.release();
        }
    }
}
