package io.gnetj.internal;

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
 * (kept so they stay readable after close), the loop-thread check, callback completion, and the
 * socket-buffer options every channel has.
 *
 * <p>Threading: {@link #context()}, the addresses and {@link #complete} as {@link Conn} allows;
 * {@link #checkLoop} guards the rest.
 */
abstract class AbstractConn implements Conn {
    final EventLoop loop;
    final EventHandler handler;
    final SocketAddress remoteAddress;
    volatile SocketAddress localAddress;
    private final NetworkChannel channel;
    private volatile Object context;

    AbstractConn(EventLoop loop, NetworkChannel channel, SocketAddress localAddress, SocketAddress remoteAddress) {
        this.loop = loop;
        this.handler = loop.engine().handler();
        this.channel = channel;
        this.localAddress = localAddress;
        this.remoteAddress = remoteAddress;
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

    /** Throws unless called on this connection's loop thread, naming the operation and both threads. */
    final void checkLoop(String op) {
        if (Thread.currentThread() != loop.thread()) {
            throw new IllegalStateException("Conn." + op + " must be called on the connection's event loop thread ("
                    + loop.thread().getName() + "), not on " + Thread.currentThread().getName()
                    + "; from other threads use asyncWrite, wake or close");
        }
    }

    final <T> void setOption(String op, SocketOption<T> option, T value) {
        checkLoop(op);
        try {
            channel.setOption(option, value);
        } catch (IOException e) {
            throw new UncheckedIOException(op + " failed on " + this, e);
        }
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
