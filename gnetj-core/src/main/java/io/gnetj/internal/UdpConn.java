package io.gnetj.internal;

import io.gnetj.Action;
import io.gnetj.Callback;
import io.gnetj.Conn;
import io.gnetj.ConnectionClosedException;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.util.Objects;

/**
 * A UDP peer: either one received datagram's sender (server side: a fresh object per datagram,
 * no {@code onOpen}/{@code onClose}) or a dialed, connected UDP socket (client side: a long-lived
 * connection with {@code onOpen}/{@code onClose}).
 *
 * <p>Inbound: the datagram sits in the loop's datagram buffer; views over it are valid during the
 * {@code onTraffic} callback only, and what is left unconsumed is dropped when it returns.
 * Outbound: every {@code write} is one datagram, sent at once; there is no outbound queue, so a
 * datagram the kernel has no room for is dropped, as UDP does, and logged.
 *
 * <p>Threading: as {@link Conn} says; the any-thread methods post a {@link LoopTask}.
 */
final class UdpConn extends AbstractConn {
    private static final int OPEN = 0;
    private static final int CLOSED = 2;

    private final DatagramChannel channel;
    private final boolean dialed;
    private volatile int state = OPEN;
    private SelectionKey key;
    private int pos;
    private int limit;

    /** Slot in the loop's connection table (dialed connections only); -1 when not there. */
    int slot = -1;

    UdpConn(EventLoop loop, DatagramChannel channel, SocketAddress localAddress, SocketAddress remoteAddress, boolean dialed) {
        super(loop, channel, localAddress, remoteAddress);
        this.channel = channel;
        this.dialed = dialed;
    }

    // ---- loop thread: events ----

    /** One datagram of {@code length} bytes is in the loop's datagram buffer: run {@code onTraffic}. */
    void deliver(int length) {
        pos = 0;
        limit = length;
        Action action;
        Throwable failure = null;
        try {
            action = handler.onTraffic(this);
        } catch (Throwable t) {
            loop.handlerErrors().log(System.Logger.Level.WARNING, "onTraffic threw on a datagram from " + remoteAddress, t);
            failure = t;
            action = Action.CLOSE;
        }
        finishDatagram();
        if (action == Action.CLOSE) {
            closeNow(failure);
        } else if (action == Action.SHUTDOWN) {
            loop.engine().requestStop();
        }
    }

    private void finishDatagram() {
        pos = 0;
        limit = 0;
    }

    /** A dialed connection was registered: run {@code onOpen}. */
    void opened(SelectionKey key) {
        this.key = key;
        loop.addDatagramConn(this);
        Action action;
        try {
            action = handler.onOpen(this);
        } catch (Throwable t) {
            loop.handlerErrors().log(System.Logger.Level.WARNING, "onOpen threw on " + this, t);
            closeNow(t);
            return;
        }
        if (action == Action.CLOSE) {
            closeNow(null);
        } else if (action == Action.SHUTDOWN) {
            loop.engine().requestStop();
        }
    }

    /** A dialed connection's socket is readable: read one datagram and deliver it. */
    void onReadable() {
        if (state != OPEN) {
            return;
        }
        ByteBuffer buffer = loop.datagramBuffer();
        buffer.clear();
        int n;
        try {
            n = channel.read(buffer);
        } catch (IOException e) {
            // On a connected UDP socket this is typically an ICMP "port unreachable" for an earlier send.
            closeNow(e);
            return;
        }
        // A connected read cannot tell an empty datagram from none: empty ones are not delivered.
        if (n > 0) {
            deliver(n);
        }
    }

    void closeNow(Throwable cause) {
        if (state == CLOSED) {
            return;
        }
        state = CLOSED;
        if (!dialed) {
            return;
        }
        if (key != null) {
            key.cancel();
        }
        EventLoop.closeQuietly(channel);
        if (key != null) {
            loop.removeDatagramConn(this);
            loop.load().decrementAndGet();
            loop.engine().releaseConnection();
            Action action = Action.NONE;
            try {
                action = handler.onClose(this, cause);
            } catch (Throwable t) {
                loop.handlerErrors().log(System.Logger.Level.WARNING, "onClose threw", t);
            }
            if (action == Action.SHUTDOWN) {
                loop.engine().requestStop();
            }
        }
    }

    // ---- inbound ----

    private ByteBuffer view(int n) {
        int available = limit - pos;
        int len = n < 0 ? available : Math.min(n, available);
        ByteBuffer view = loop.datagramView();
        view.limit(pos + len).position(pos);
        return view;
    }

    @Override
    public ByteBuffer next(int n) {
        checkLoop("next");
        ByteBuffer view = view(n);
        pos += view.remaining();
        return view;
    }

    @Override
    public ByteBuffer peek(int n) {
        checkLoop("peek");
        return view(n);
    }

    @Override
    public int discard(int n) {
        checkLoop("discard");
        int len = n < 0 ? limit - pos : Math.min(n, limit - pos);
        pos += len;
        return len;
    }

    @Override
    public int read(ByteBuffer dst) {
        checkLoop("read");
        ByteBuffer view = view(dst.remaining());
        int len = view.remaining();
        dst.put(view);
        pos += len;
        return len;
    }

    @Override
    public int inboundBuffered() {
        checkLoop("inboundBuffered");
        return limit - pos;
    }

    // ---- outbound ----

    @Override
    public int write(ByteBuffer src) {
        checkLoop("write");
        checkOpen();
        return send(src, remoteAddress);
    }

    @Override
    public int write(byte[] src, int off, int len) {
        return write(ByteBuffer.wrap(src, off, len));
    }

    @Override
    public long writev(ByteBuffer... srcs) {
        checkLoop("writev");
        checkOpen();
        ByteBuffer scratch = loop.datagramScratch();
        scratch.clear();
        for (ByteBuffer src : srcs) {
            if (src.remaining() > scratch.remaining()) {
                throw new IllegalArgumentException("writev of more than " + scratch.capacity()
                        + " bytes does not fit in one datagram");
            }
            scratch.put(src);
        }
        scratch.flip();
        return send(scratch, remoteAddress);
    }

    @Override
    public int sendTo(ByteBuffer src, SocketAddress target) {
        checkLoop("sendTo");
        checkOpen();
        Objects.requireNonNull(target, "target");
        if (dialed && !target.equals(remoteAddress)) {
            throw new IllegalArgumentException("a dialed UDP connection sends only to " + remoteAddress + ", not " + target);
        }
        return send(src, target);
    }

    private int send(ByteBuffer src, SocketAddress target) {
        int len = src.remaining();
        int sent;
        try {
            sent = dialed ? channel.write(src) : channel.send(src, target);
        } catch (IOException e) {
            if (dialed) {
                closeNow(e);
                throw new ConnectionClosedException("UDP connection to " + remoteAddress + " failed: " + e.getMessage());
            }
            loop.handlerErrors().log(System.Logger.Level.WARNING, "sending a datagram to " + target + " failed", e);
            return 0;
        }
        if (sent == 0 && len > 0) {
            loop.handlerErrors().log(System.Logger.Level.WARNING, "dropped a datagram of " + len + " bytes to "
                    + target + ": the socket's send buffer is full", null);
        }
        return sent;
    }

    private void checkOpen() {
        if (state != OPEN) {
            throw new ConnectionClosedException("UDP connection " + this + " is closed");
        }
    }

    @Override
    public void flush() {
        checkLoop("flush");
    }

    @Override
    public int outboundBuffered() {
        checkLoop("outboundBuffered");
        return 0;
    }

    // ---- any thread ----

    @Override
    public void asyncWrite(ByteBuffer src, Callback callback) {
        Objects.requireNonNull(src, "src");
        post(src, null, callback);
    }

    @Override
    public void asyncWritev(ByteBuffer[] srcs, Callback callback) {
        Objects.requireNonNull(srcs, "srcs");
        post(null, srcs.clone(), callback);
    }

    private void post(ByteBuffer single, ByteBuffer[] many, Callback callback) {
        loop.execute(new LoopTask() {
            @Override
            void run() {
                if (state != OPEN) {
                    complete(callback, new ConnectionClosedException("UDP connection " + UdpConn.this + " is closed"));
                    return;
                }
                Throwable error = null;
                try {
                    long len = single != null ? single.remaining() : 0;
                    long sent = single != null ? send(single, remoteAddress) : writev(many);
                    if (single != null && sent < len) {
                        error = new java.io.IOException("datagram dropped: the socket's send buffer is full");
                    }
                } catch (RuntimeException e) {
                    error = e;
                }
                complete(callback, error);
            }

            @Override
            void abort(Throwable cause) {
                complete(callback, cause);
            }
        });
    }

    @Override
    public void wake(Callback callback) {
        loop.execute(new LoopTask() {
            @Override
            void run() {
                if (state != OPEN) {
                    complete(callback, new ConnectionClosedException("UDP connection " + UdpConn.this + " is closed"));
                    return;
                }
                deliver(0);
                complete(callback, null);
            }

            @Override
            void abort(Throwable cause) {
                complete(callback, cause);
            }
        });
    }

    @Override
    public void close() {
        close(null);
    }

    @Override
    public void close(Callback callback) {
        if (loop.inLoop()) {
            closeNow(null);
            complete(callback, null);
            return;
        }
        loop.execute(new LoopTask() {
            @Override
            void run() {
                closeNow(null);
                complete(callback, null);
            }

            @Override
            void abort(Throwable cause) {
                complete(callback, null);
            }
        });
    }

    @Override
    public boolean isOpen() {
        return state == OPEN && channel.isOpen();
    }

    // ---- options ----

    @Override
    public void setTcpNoDelay(boolean on) {
        throw new UnsupportedOperationException("TCP_NODELAY does not apply to UDP");
    }

    @Override
    public void setKeepAlive(boolean on, int idleSeconds, int intervalSeconds, int count) {
        throw new UnsupportedOperationException("keep-alive does not apply to UDP");
    }

    @Override
    public void setLinger(int seconds) {
        throw new UnsupportedOperationException("SO_LINGER does not apply to UDP");
    }

    @Override
    public String toString() {
        return "UdpConn[" + localAddress + (dialed ? " -> " : " <- ") + remoteAddress + (state == OPEN ? "" : ", closed") + ']';
    }
}
