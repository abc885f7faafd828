package io.gnetj.internal;

import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;

/**
 * A channel's registration with an {@link EpollSelector}: its interest, turned into
 * {@code epoll_ctl} calls at once (not batched to the next select, as the JDK's selector does:
 * the connection core changes interest only when it changes), and what the last select found.
 * Interest 0 takes the descriptor out of the epoll set, so a hung-up socket nobody listens to
 * cannot wake the loop again and again.
 *
 * <p>The {@link #tag} the kernel hands back with each event is the descriptor and a generation:
 * an event for a descriptor closed and reused since is recognised and dropped.
 *
 * <p>Threading: {@link #interestOps(int)} and {@link #cancel()} from any thread (each one
 * {@code epoll_ctl} call; the connection core makes them on its loop); the ready set is written
 * by the selecting thread.
 */
final class EpollKey extends SelectionKey {

    private final EpollSelector selector;
    private final SelectableChannel channel;
    final int fd;
    final long tag;
    private volatile boolean valid = true;
    private int interestOps;
    /** Whether the descriptor is in the epoll set (interest was not 0). */
    private boolean inKernel;
    int readyOps;

    EpollKey(EpollSelector selector, SelectableChannel channel, int fd, long tag) {
        this.selector = selector;
        this.channel = channel;
        this.fd = fd;
        this.tag = tag;
    }

    @Override
    public SelectableChannel channel() {
        return channel;
    }

    @Override
    public Selector selector() {
        return selector;
    }

    @Override
    public boolean isValid() {
        return valid;
    }

    @Override
    public void cancel() {
        synchronized (this) {
            if (!valid) {
                return;
            }
            valid = false;
        }
        selector.deregister(this, inKernel);
        inKernel = false;
    }

    @Override
    public int interestOps() {
        ensureValid();
        return interestOps;
    }

    @Override
    public SelectionKey interestOps(int ops) {
        ensureValid();
        if ((ops & ~channel.validOps()) != 0) {
            throw new IllegalArgumentException("invalid interest ops " + ops + " for " + channel);
        }
        if (ops == interestOps) {
            return this;
        }
        int events = events(ops);
        boolean wasIn = inKernel;
        if (events == 0) {
            if (wasIn) {
                selector.control(LinuxNative.EPOLL_CTL_DEL, this, 0);
                inKernel = false;
            }
        } else {
            selector.control(wasIn ? LinuxNative.EPOLL_CTL_MOD : LinuxNative.EPOLL_CTL_ADD, this, events);
            inKernel = true;
        }
        interestOps = ops;
        return this;
    }

    @Override
    public int readyOps() {
        ensureValid();
        return readyOps;
    }

    /** What the ready events {@code events} mean for the interest: hang-ups and errors wake every interest. */
    int ready(int events) {
        int ops = interestOps;
        int ready = 0;
        if ((events & (LinuxNative.EPOLLIN | LinuxNative.EPOLLERR | LinuxNative.EPOLLHUP)) != 0) {
            ready |= ops & (OP_READ | OP_ACCEPT);
        }
        if ((events & (LinuxNative.EPOLLOUT | LinuxNative.EPOLLERR | LinuxNative.EPOLLHUP)) != 0) {
            ready |= ops & (OP_WRITE | OP_CONNECT);
        }
        return ready;
    }

    /** The selector closed: the key goes invalid without a call (the epoll set is gone). */
    void invalidate() {
        valid = false;
        inKernel = false;
    }

    private static int events(int ops) {
        int events = 0;
        if ((ops & (OP_READ | OP_ACCEPT)) != 0) {
            events |= LinuxNative.EPOLLIN;
        }
        if ((ops & (OP_WRITE | OP_CONNECT)) != 0) {
            events |= LinuxNative.EPOLLOUT;
        }
        return events;
    }

    private void ensureValid() {
        if (!valid) {
            throw new CancelledKeyException();
        }
    }

    @Override
    public String toString() {
        return "EpollKey[fd=" + fd + ", interest=" + interestOps + (valid ? "" : ", cancelled") + ']';
    }
}
