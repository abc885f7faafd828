package io.gnetj.internal;

import io.gnetj.Action;
import io.gnetj.Callback;
import io.gnetj.Conn;
import io.gnetj.EventHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.NetworkChannel;

/**
 * What every connection kind shares: its loop and handler, the user's context, the addresses
 * (kept so they stay readable after close), the loop-thread check, callback completion, the
 * socket-buffer options every channel has, and what the loop asks of the connections in its table
 * on its rounds (the sweep, the memory budget, the engine's stop).
 *
 * <p>Threading: {@link #context()}, the addresses and {@link #complete} as {@link Conn} allows;
 * {@link #checkLoop} guards the API; the round methods run on the loop thread.
 */
abstract class AbstractConn implements Conn {
    final EventLoop loop;
    final EventHandler handler;
    /** The peer's address; replaced once, before {@code onOpen}, by a PROXY header's source. */
    volatile SocketAddress remoteAddress;
    volatile SocketAddress localAddress;
    private volatile Object context;

    AbstractConn(EventLoop loop, NetworkChannel channel, SocketAddress localAddress, SocketAddress remoteAddress) {
        this.loop = loop;
        this.handler = loop.engine().handler();
        this.localAddress = localAddress;
        this.remoteAddress = remoteAddress;
    }

    // ---- the loop's rounds (loop thread; connections in the loop's table) ----

    /** One sweep tick: the timeout of the connection's current state. */
    void sweepTick(SweepLimits limits) {
    }

    /** Pooled bytes the connection holds (what the memory budget counts). */
    long heldBytes() {
        return 0;
    }

    /** The loop is over its memory budget and this connection holds the most: stop reading. */
    void pauseForMemory() {
    }

    /** The loop is back under its memory budget. */
    void resumeForMemory() {
    }

    /** Whether reading is paused for the memory budget. */
    boolean pausedForMemory() {
        return false;
    }

    /** Whether {@link #pauseForMemory()} would pause reading (the connection reads and is not paused for it yet). */
    boolean pausableForMemory() {
        return false;
    }

    /** Closes now, with {@code cause}, dropping what is queued (the cause says so). */
    abstract void abortFromLoop(Throwable cause);

    /** The engine is stopping: close gracefully (what is queued still goes out). */
    abstract void beginShutdown();

    /**
     * Something other than the handler failed while serving this connection (an engine bug,
     * direct memory exhausted): log it and close, so that the loop and its other connections carry on.
     */
    abstract void failed(Throwable t);

    /**
     * Logs what a handler callback threw. A {@link io.gnetj.GnetException} is a verdict on the
     * peer's input or a limit (a corrupt frame, an outbound cap), not a bug: one line, no stack
     * trace, so a hostile peer cannot fill the log with traces.
     */
    final void logHandlerFailure(String callback, Throwable t) {
        if (t instanceof io.gnetj.GnetException) {
            loop.handlerErrors().log(System.Logger.Level.INFO,
                    callback + " closed the connection from " + remoteAddress + ": " + t);
        } else {
            loop.handlerErrors().log(System.Logger.Level.WARNING,
                    callback + " threw; closing the connection from " + remoteAddress, t);
        }
    }

    /** Runs {@code onClose} (once the connection is closed, and only if {@code onOpen} ran); a
     * handler that throws is logged, and {@link Action#SHUTDOWN} stops the engine. */
    final void notifyClosed(Throwable cause) {
        Action action = Action.NONE;
        long began = loop.timingCallbacks() ? System.nanoTime() : 0L;
        try {
            action = handler.onClose(this, cause);
        } catch (Throwable t) {
            loop.handlerErrors().log(System.Logger.Level.WARNING, "onClose threw", t);
        }
        if (began != 0L) {
            loop.callbackTimed(began, "onClose", this);
        }
        if (action == Action.SHUTDOWN) {
            loop.engine().requestStop();
        }
    }

    /**
     * Loop thread: tells {@code callback} (if any) an outcome already settled (a write queued or
     * refused, a close recorded), as the loop's next task, so it never runs nested in the caller;
     * if the loop ends first, the outcome is still the one given.
     */
    final void completeLater(Callback callback, Throwable outcome) {
        if (callback == null) {
            return;
        }
        loop.execute(new LoopTask() {
            @Override
            void run() {
                complete(callback, outcome);
            }

            @Override
            void abort(Throwable cause) {
                complete(callback, outcome);
            }
        });
    }

    /** Runs {@code callback} (if any) with the outcome; a callback that throws is logged, never propagated. */
    final void complete(Callback callback, Throwable error) {
        if (callback == null) {
            return;
        }
        try {
            callback.onComplete(this, error);
        } catch (Throwable t) {
            loop.handlerErrors().log(System.Logger.Level.WARNING, "a callback threw", t);
        }
    }

    @Override
    public final boolean inEventLoop() {
        return loop.inLoop();
    }

    /** Throws unless called on this connection's loop thread, naming the operation and both threads. */
    final void checkLoop(String op) {
        if (Thread.currentThread() != loop.thread()) {
            throw new IllegalStateException("Conn." + op + " must be called on the connection's event loop thread ("
                    + loop.thread().getName() + "), not on " + Thread.currentThread().getName()
                    + "; from other threads use asyncWrite, wake or close");
        }
    }

    /** The connection's channel, for socket options. */
    abstract NetworkChannel networkChannel();

    /** Socket options may be set from any thread: the JDK's channels synchronize them. */
    final <T> void setOption(String op, SocketOption<T> option, T value) {
        try {
            networkChannel().setOption(option, value);
        } catch (java.nio.channels.ClosedChannelException e) {
            // Closed meanwhile (from another thread this race is unavoidable): nothing left to set.
        } catch (IOException e) {
            throw new UncheckedIOException(op + " failed on " + this, e);
        }
    }

    @Override
    public final io.gnetj.EventLoop eventLoop() {
        return loop;
    }

    @Override
    @SuppressWarnings("unchecked")
    public final <T> T context() {
        return (T) context;
    }

    @Override
    public final void context(Object context) {
        this.context = context;
    }

    @Override
    public final SocketAddress localAddress() {
        return localAddress;
    }

    @Override
    public final SocketAddress remoteAddress() {
        return remoteAddress;
    }

    @Override
    public final void setReceiveBufferSize(int bytes) {
        setOption("setReceiveBufferSize", StandardSocketOptions.SO_RCVBUF, bytes);
    }

    @Override
    public final void setSendBufferSize(int bytes) {
        setOption("setSendBufferSize", StandardSocketOptions.SO_SNDBUF, bytes);
    }
}
