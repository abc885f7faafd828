package io.gnetj.internal;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.NoConnectionPendingException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Objects;
import java.util.Set;

/**
 * A stream socket (TCP or unix domain) of the epoll transport: a descriptor and the state the
 * {@link SocketChannel} contract needs, no locks, no {@code FileDescriptor} or cleaner. Always
 * non-blocking (made with {@code SOCK_NONBLOCK}); {@code configureBlocking(true)} is refused.
 *
 * <p>Reads and writes go straight to {@code read}, {@code write} and {@code writev} on the
 * buffers' memory; heap buffers go through a per-thread direct bounce buffer. {@code EAGAIN}
 * is 0 bytes; end of stream is -1; any other failure is an {@link IOException} naming the call
 * and what {@code errno} means.
 *
 * <p>The descriptor is closed once, when the channel closes, after its key (if any) left the
 * epoll set.
 *
 * <p>Threading: reads, writes, the connect steps and {@link #close()} from one thread at a time,
 * the connection's loop (gnetj closes a stream socket nowhere else, but for one never registered,
 * on the thread that made it): unlike the JDK's channels, a close does not wait for a read in
 * progress on another thread. Options and addresses from any thread while open.
 */
final class EpollSocketChannel extends SocketChannel implements EpollChannel {

    private static final int UNCONNECTED = 0;
    private static final int PENDING = 1;
    private static final int CONNECTED = 2;

    private final int fd;
    private final int family;
    private volatile int state;
    private volatile SocketAddress localAddress;
    private volatile SocketAddress remoteAddress;
    private volatile EpollKey key;
    /** {@code SO_LINGER} was set to 0: closing resets the connection, as asked. */
    private volatile boolean lingerZero;

    /** A new, unconnected socket. */
    EpollSocketChannel(SelectorProvider provider, int family) throws IOException {
        super(provider);
        this.family = family;
        this.fd = EpollSockets.socket(family);
        this.state = UNCONNECTED;
    }

    /**
     * An accepted socket.
     *
     * @param local its local address if the listener knows it (bound to one address: every
     *              connection shares the listener's object), else {@code null} (asked for once, lazily)
     */
    EpollSocketChannel(SelectorProvider provider, int fd, int family, SocketAddress remote, SocketAddress local) {
        super(provider);
        this.family = family;
        this.fd = fd;
        this.remoteAddress = remote;
        this.localAddress = local;
        this.state = CONNECTED;
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
        return family == LinuxNative.AF_UNIX ? EpollSockets.UNIX_STREAM : EpollSockets.INET_STREAM;
    }

    // ---- connecting ----

    @Override
    public SocketChannel bind(SocketAddress local) throws IOException {
        ensureOpen();
        if (local == null) {
            return this;
        }
        EpollSockets.bind(fd, family, local);
        localAddress = EpollSockets.localAddress(fd);
        return this;
    }

    @Override
    public boolean connect(SocketAddress remote) throws IOException {
        Objects.requireNonNull(remote, "remote");
        ensureOpen();
        if (isBlocking()) {
            throw new IllegalBlockingModeException(); // made non-blocking before it connects
        }
        if (state == CONNECTED) {
            throw new AlreadyConnectedException();
        }
        if (state == PENDING) {
            throw new ConnectionPendingException();
        }
        LinuxNative.Scratch s = LinuxNative.Scratch.get();
        int length = SockAddr.encode(remote, family, s.sockaddr);
        int r;
        try {
            r = (int) LinuxNative.CONNECT.invokeExact(s.errno, fd, s.sockaddr, length);
        } catch (Throwable t) {
            throw LinuxNative.rethrow(t);
        }
        remoteAddress = remote;
        if (r == 0) {
            state = CONNECTED;
            return true;
        }
        int errno = s.errno();
        if (errno == LinuxNative.EINPROGRESS || errno == LinuxNative.EAGAIN) { // EAGAIN: a unix listener's backlog is full
            state = PENDING;
            return false;
        }
        throw connectFailed(errno, remote);
    }

    @Override
    public boolean finishConnect() throws IOException {
        ensureOpen();
        if (state == CONNECTED) {
            return true;
        }
        if (state != PENDING) {
            throw new NoConnectionPendingException();
        }
        int error = LinuxNative.getInt(fd, LinuxNative.SOL_SOCKET, LinuxNative.SO_ERROR);
        if (error != 0) {
            throw connectFailed(error, remoteAddress);
        }
        if (EpollSockets.peerAddress(fd) == null) {
            return false; // still in progress
        }
        state = CONNECTED;
        return true;
    }

    private static IOException connectFailed(int errno, SocketAddress remote) {
        IOException e = LinuxNative.error("connect to " + remote, errno);
        return e instanceof ConnectException ? e : (IOException) new ConnectException(e.getMessage()).initCause(e);
    }

    @Override
    public boolean isConnected() {
        return state == CONNECTED;
    }

    @Override
    public boolean isConnectionPending() {
        return state == PENDING;
    }

    @Override
    public SocketChannel shutdownInput() throws IOException {
        shutdown(LinuxNative.SHUT_RD);
        return this;
    }

    @Override
    public SocketChannel shutdownOutput() throws IOException {
        shutdown(LinuxNative.SHUT_WR);
        return this;
    }

    private void shutdown(int how) throws IOException {
        ensureOpen();
        if (state != CONNECTED) {
            throw new NotYetConnectedException();
        }
        LinuxNative.Scratch s = LinuxNative.Scratch.get();
        int r;
        try {
            r = (int) LinuxNative.SHUTDOWN.invokeExact(s.errno, fd, how);
        } catch (Throwable t) {
            throw LinuxNative.rethrow(t);
        }
        if (r < 0 && s.errno() != LinuxNative.ENOTCONN) { // ENOTCONN: the peer reset it; nothing to shut
            throw LinuxNative.error("shutdown", s.errno());
        }
    }

    // ---- reading ----

    @Override
    public int read(ByteBuffer dst) throws IOException {
        ensureOpen();
        int room = dst.remaining();
        if (room == 0) {
            return 0;
        }
        if (!dst.isDirect()) {
            return readBounced(dst);
        }
        LinuxNative.Scratch s = LinuxNative.Scratch.get();
        long n;
        try {
            n = (long) LinuxNative.READ_NOW.invokeExact(fd, s.address(dst), (long) room);
        } catch (Throwable t) {
            throw LinuxNative.rethrow(t);
        }
        if (n > 0) {
            dst.position(dst.position() + (int) n);
            return (int) n;
        }
        return n == 0 ? -1 : wouldBlock("read", s.errnoNow());
    }

    private int readBounced(ByteBuffer dst) throws IOException {
        ByteBuffer bounce = LinuxNative.Scratch.get().bounce();
        bounce.limit(Math.min(bounce.capacity(), dst.remaining()));
        int n = read(bounce);
        if (n > 0) {
            dst.put(bounce.flip());
        }
        return n;
    }

    /** A read or write that failed with {@code errno}: 0 bytes if it would block (or was interrupted), else the error. */
    private static int wouldBlock(String op, int errno) throws IOException {
        if (errno == LinuxNative.EAGAIN || errno == LinuxNative.EINTR) {
            return 0;
        }
        throw LinuxNative.error(op, errno);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            if (!dsts[i].hasRemaining()) {
                continue;
            }
            int n = read(dsts[i]);
            if (n < 0) {
                return total == 0 ? -1 : total;
            }
            total += n;
            if (dsts[i].hasRemaining()) {
                break;
            }
        }
        return total;
    }

    // ---- writing ----

    @Override
    public int write(ByteBuffer src) throws IOException {
        ensureOpen();
        int length = src.remaining();
        if (length == 0) {
            return 0;
        }
        if (!src.isDirect()) {
            return writeBounced(src);
        }
        LinuxNative.Scratch s = LinuxNative.Scratch.get();
        long n;
        try {
            n = (long) LinuxNative.WRITE_NOW.invokeExact(fd, s.address(src), (long) length);
        } catch (Throwable t) {
            throw LinuxNative.rethrow(t);
        }
        if (n >= 0) {
            src.position(src.position() + (int) n);
            return (int) n;
        }
        return wouldBlock("write", s.errnoNow());
    }

    private int writeBounced(ByteBuffer src) throws IOException {
        ByteBuffer bounce = LinuxNative.Scratch.get().bounce();
        int take = Math.min(bounce.capacity(), src.remaining());
        bounce.put(src.duplicate().limit(src.position() + take)).flip();
        int n = write(bounce);
        src.position(src.position() + n);
        return n;
    }

    /** A gathering write: one {@code writev} of every direct buffer (up to IOV_MAX), then the positions move. */
    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        ensureOpen();
        LinuxNative.Scratch s = LinuxNative.Scratch.get();
        int count = 0;
        long total = 0;
        int end = offset + length;
        for (int i = offset; i < end && count < LinuxNative.IOV_MAX; i++) {
            ByteBuffer b = srcs[i];
            int remaining = b.remaining();
            if (remaining == 0) {
                continue;
            }
            if (!b.isDirect()) {
                if (count == 0) {
                    return write(b); // a heap buffer first: on its own, through the bounce buffer
                }
                break; // stop before it; the next call starts with it
            }
            long at = 16L * count;
            s.iovecs.set(JAVA_LONG, at, s.address(b));
            s.iovecs.set(JAVA_LONG, at + 8, remaining);
            count++;
            total += remaining;
        }
        if (count == 0) {
            return 0;
        }
        long n;
        try {
            n = (long) LinuxNative.WRITEV_NOW.invokeExact(fd, s.iovecs, count);
        } catch (Throwable t) {
            throw LinuxNative.rethrow(t);
        }
        if (n < 0) {
            return wouldBlock("write", s.errnoNow());
        }
        long left = n;
        for (int i = offset; i < end && left > 0; i++) {
            ByteBuffer b = srcs[i];
            int take = (int) Math.min(b.remaining(), left);
            b.position(b.position() + take);
            left -= take;
        }
        return n;
    }

    // ---- addresses and options ----

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        ensureOpen();
        SocketAddress local = localAddress;
        if (local == null && (state == CONNECTED || family == LinuxNative.AF_UNIX)) {
            local = EpollSockets.localAddress(fd);
            localAddress = local;
        }
        return local;
    }

    @Override
    public SocketAddress getRemoteAddress() throws IOException {
        ensureOpen();
        return state == CONNECTED ? remoteAddress : null;
    }

    @Override
    public <T> SocketChannel setOption(SocketOption<T> name, T value) throws IOException {
        Objects.requireNonNull(name, "name");
        ensureOpen();
        EpollSockets.setOption(fd, options(), name, value);
        if (name == java.net.StandardSocketOptions.SO_LINGER) {
            lingerZero = (Integer) value == 0;
        }
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
    public Socket socket() {
        throw new UnsupportedOperationException("the epoll transport's channels have no java.net.Socket adaptor");
    }

    // ---- closing ----

    /**
     * Takes the key out of the epoll set while the number is still this socket's, then closes.
     * A registered, connected socket is shut down both ways first (unless {@code SO_LINGER} is 0,
     * which asks for a reset): the peer then sees an orderly end of stream even when input was
     * left unread, as the JDK's channels close a registered socket; a bare close with unread
     * input would send a reset instead.
     */
    @Override
    protected void implCloseSelectableChannel() {
        EpollKey k = key;
        if (k != null) {
            k.cancel();
            if (state == CONNECTED && !lingerZero) {
                LinuxNative.Scratch s = LinuxNative.Scratch.get();
                try {
                    int unused = (int) LinuxNative.SHUTDOWN.invokeExact(s.errno, fd, LinuxNative.SHUT_RDWR);
                } catch (Throwable t) {
                    throw LinuxNative.rethrow(t);
                }
            }
        }
        LinuxNative.close(fd);
    }

    @Override
    protected void implConfigureBlocking(boolean block) throws IOException {
        if (block) {
            throw new IOException("the epoll transport's sockets are non-blocking");
        }
    }

    @Override
    public String toString() {
        return "EpollSocketChannel[fd=" + fd + (isOpen() ? "" : ", closed") + ", " + localAddress + " -> " + remoteAddress + ']';
    }

}
