package io.gnetj.internal;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Objects;
import java.util.Set;

/**
 * A listening stream socket (TCP or unix domain) of the epoll transport. {@link #accept()} is one
 * {@code accept4} that makes the new socket non-blocking and close-on-exec in the same call, and
 * reads the peer's address with it. Several of these may share a port with
 * {@code SO_REUSEPORT}, one per event loop, for the kernel to spread connections over.
 *
 * <p>Threading: {@link #accept()} from one thread at a time (its acceptor); the rest from any
 * thread. A close waits for an accept in progress, so the descriptor's number is never reused
 * under it.
 */
final class EpollServerSocketChannel extends ServerSocketChannel implements EpollChannel {

    private final int fd;
    private final int family;
    private volatile SocketAddress localAddress;
    /** What accepted sockets report as their local address, or null when each must ask (a wildcard bind). */
    private volatile SocketAddress acceptedLocal;
    private volatile EpollKey key;
    /** Held around each accept and the close: listeners are closed by the engine while an acceptor may accept. */
    private final Object closeLock = new Object();

    EpollServerSocketChannel(SelectorProvider provider, int family) throws IOException {
        super(provider);
        this.family = family;
        this.fd = EpollSockets.socket(family);
    }

    @Override
    public int fd() {
        return fd;
    }

    @Override
    public void registered(EpollKey key) {
        this.key = key;
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    private Set<SocketOption<?>> options() {
        return family == LinuxNative.AF_UNIX ? EpollSockets.UNIX_LISTEN : EpollSockets.INET_LISTEN;
    }

    @Override
    public ServerSocketChannel bind(SocketAddress local, int backlog) throws IOException {
        ensureOpen();
        if (localAddress != null) {
            throw new java.nio.channels.AlreadyBoundException();
        }
        if (local == null) {
            if (family == LinuxNative.AF_UNIX) {
                throw new UnsupportedOperationException("a unix domain listener needs a path to bind to");
            }
            local = new InetSocketAddress(0);
        }
        EpollSockets.bind(fd, family, local);
        LinuxNative.Scratch s = LinuxNative.Scratch.get();
        int r;
        try {
            r = (int) LinuxNative.LISTEN.invokeExact(s.errno, fd, backlog < 1 ? 50 : backlog);
        } catch (Throwable t) {
            throw LinuxNative.rethrow(t);
        }
        if (r < 0) {
            throw LinuxNative.error("listen", s.errno());
        }
        localAddress = family == LinuxNative.AF_UNIX ? local : EpollSockets.localAddress(fd);
        // Bound to one address, every accepted socket's own address is that one: share the object
        // (about 100 bytes per connection) and skip a getsockname per accept. A wildcard bind's
        // connections each learn theirs when asked.
        acceptedLocal = localAddress instanceof java.net.InetSocketAddress inet && inet.getAddress().isAnyLocalAddress()
                ? null : localAddress;
        return this;
    }

    /**
     * The next pending connection, or {@code null} if none is (or one was reset before it could
     * be taken: {@code ECONNABORTED}). Running out of descriptors is an {@link IOException}
     * ("Too many open files"), which the acceptor answers by backing off.
     */
    @Override
    public SocketChannel accept() throws IOException {
        ensureOpen();
        if (localAddress == null) {
            throw new NotYetBoundException();
        }
        LinuxNative.Scratch s = LinuxNative.Scratch.get();
        s.length.set(JAVA_INT, 0, LinuxNative.SOCKADDR_CAP);
        int accepted;
        synchronized (closeLock) { // a close from the stopping engine waits: the number cannot be reused under us
            ensureOpen();
            try {
                accepted = (int) LinuxNative.ACCEPT4.invokeExact(s.errno, fd, s.sockaddr, s.length,
                        LinuxNative.SOCK_NONBLOCK | LinuxNative.SOCK_CLOEXEC);
            } catch (Throwable t) {
                throw LinuxNative.rethrow(t);
            }
        }
        if (accepted < 0) {
            int errno = s.errno();
            if (errno == LinuxNative.EAGAIN || errno == LinuxNative.EINTR || errno == LinuxNative.ECONNABORTED) {
                return null;
            }
            throw LinuxNative.error("accept", errno);
        }
        try {
            SocketAddress remote = SockAddr.decode(s.sockaddr, s.length.get(JAVA_INT, 0));
            return new EpollSocketChannel(provider(), accepted, family, remote, acceptedLocal);
        } catch (IOException | RuntimeException | Error e) {
            LinuxNative.close(accepted);
            throw e;
        }
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        ensureOpen();
        return localAddress;
    }

    @Override
    public <T> ServerSocketChannel setOption(SocketOption<T> name, T value) throws IOException {
        Objects.requireNonNull(name, "name");
        ensureOpen();
        EpollSockets.setOption(fd, options(), name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        Objects.requireNonNull(name, "name");
        ensureOpen();
        return EpollSockets.getOption(fd, options(), name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return options();
    }

    @Override
    public ServerSocket socket() {
        throw new UnsupportedOperationException("the epoll transport's channels have no java.net.ServerSocket adaptor");
    }

    @Override
    protected void implCloseSelectableChannel() {
        EpollKey k = key;
        if (k != null) {
            k.cancel();
        }
        synchronized (closeLock) {
            LinuxNative.close(fd);
        }
    }

    @Override
    protected void implConfigureBlocking(boolean block) throws IOException {
        if (block) {
            throw new IOException("the epoll transport's sockets are non-blocking");
        }
    }

    @Override
    public String toString() {
        return "EpollServerSocketChannel[fd=" + fd + (isOpen() ? "" : ", closed") + ", " + localAddress + ']';
    }
}
