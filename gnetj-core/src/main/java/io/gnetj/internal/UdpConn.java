package io.gnetj.internal;

import io.gnetj.Action;
import io.gnetj.Callback;
import io.gnetj.Conn;
import io.gnetj.ConnectionClosedException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.util.Objects;

/**
 * A UDP peer: either one received datagram's sender (server side: a fresh object per datagram,
 * no {@code onOpen}/{@code onClose}) or a dialed, connected UDP socket (client side: a long-lived
 * connection with {@code onOpen}/{@code onClose}, in the loop's table through its {@link ConnSlot}).
 *
 * <p>Inbound: the datagram sits in the loop's datagram buffer; read-only views over it are valid
 * during the {@code onTraffic} callback only, and what is left unconsumed is dropped when it
 * returns. Outbound: every {@code write} is one datagram, sent at once; there is no outbound
 * queue. Outcomes are reported as they are: a datagram the kernel has no room for is dropped (as
 * UDP does), counted in the log, and {@code write} returns 0 (an {@code asyncWrite} callback gets
 * an {@link IOException} saying so); a send that fails ({@code PortUnreachableException} for an
 * earlier datagram, "message too long") throws, and on a dialed connection closes it, with that
 * exception as the cause.
 *
 * <p>A failure inside this connection's own callback closes it only once the callback returns:
 * {@code onClose} never runs nested in {@code onTraffic}, and the views stay valid until then.
 *
 * <p>Threading: as {@link Conn} says; the any-thread methods post a {@link LoopTask}.
 */
final class UdpConn extends AbstractConn {
    private final DatagramChannel channel;
    /** The dialed connection's slot; {@code null} for a received datagram's sender. */
    private final ConnSlot slot;
    private volatile boolean closed;
    private SelectionKey key;
    private int pos;
    private int limit;
    private boolean inCallback;
    /** A failure inside this connection's callback: close with it once the callback returns. */
    private Throwable pendingFailure;
    private boolean closeRequested;

    /** A received datagram's sender, answered from the listening socket. */
    UdpConn(EventLoop loop, DatagramChannel channel, SocketAddress localAddress, SocketAddress remoteAddress) {
        super(loop, channel, localAddress, remoteAddress);
        this.channel = channel;
        this.slot = null;
    }

    /** A dialed, connected UDP socket holding {@code slot}. */
    UdpConn(EventLoop loop, DatagramChannel channel, SocketAddress localAddress, SocketAddress remoteAddress, ConnSlot slot) {
        super(loop, channel, localAddress, remoteAddress);
        this.channel = channel;
        this.slot = slot;
        slot.conn = this;
    }

    @Override
    java.nio.channels.NetworkChannel networkChannel() {
        return channel;
    }

    private boolean dialed() {
        return slot != null;
    }

    // ---- loop thread: events ----

    /** One datagram of {@code length} bytes is in the loop's datagram buffer: run {@code onTraffic}. */
    void deliver(int length) {
        pos = 0;
        limit = length;
        Action action = invoke(false);
        pos = 0;
        limit = 0;
        afterCallback(action);
    }

    private Action invoke(boolean onOpen) {
        inCallback = true;
        try {
            return onOpen ? handler.onOpen(this) : handler.onTraffic(this);
        } catch (Throwable t) {
            logHandlerFailure(onOpen ? "onOpen" : "onTraffic", t);
            if (pendingFailure == null) {
                pendingFailure = t;
            }
            return Action.CLOSE;
        } finally {
            inCallback = false;
        }
    }

    private void afterCallback(Action action) {
        Throwable failure = pendingFailure;
        pendingFailure = null;
        if (failure != null || action == Action.CLOSE || closeRequested) {
            closeNow(failure);
        } else if (action == Action.SHUTDOWN) {
            loop.engine().requestStop();
        }
    }

    /** A dialed connection was registered: run {@code onOpen}. */
    void opened(SelectionKey key) {
        this.key = key;
        loop.addToTable(slot);
        afterCallback(invoke(true));
    }

    /** A dialed connection's socket is readable: read one datagram and deliver it. */
    void onReadable() {
        if (closed) {
            return;
        }
        ByteBuffer buffer = loop.buffers().datagramBuffer();
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

    /** Closes: for a dialed connection, the socket, the slot, and onClose; never nested in its callback. */
    private void closeNow(Throwable cause) {
        if (inCallback) {
            closeRequested = true;
            if (pendingFailure == null) {
                pendingFailure = cause;
            }
            return;
        }
        if (closed) {
            return;
        }
        closed = true;
        if (!dialed()) {
            return;
        }
        if (key != null) {
            key.cancel();
        }
        EventLoop.closeQuietly(channel);
        slot.release();
        if (key != null) {
            notifyClosed(cause);
        }
    }

    // ---- the loop's rounds (dialed connections) ----

    @Override
    void abortFromLoop(Throwable cause) {
        closeNow(cause);
    }

    @Override
    void beginShutdown() {
        closeNow(null); // nothing is ever queued
    }

    @Override
    void failed(Throwable t) {
        loop.handlerErrors().log(System.Logger.Level.ERROR, "unexpected failure serving " + this + "; closing it", t);
        inCallback = false;
        closeNow(t);
    }

    // ---- inbound ----

    private ByteBuffer view(int n) {
        int available = limit - pos;
        int len = n < 0 ? available : Math.min(n, available);
        ByteBuffer view = loop.buffers().datagramView();
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
        return sendOrThrow(src, remoteAddress);
    }

    @Override
    public int write(byte[] src, int off, int len) {
        return write(ByteBuffer.wrap(src, off, len));
    }

    @Override
    public long writev(ByteBuffer... srcs) {
        checkLoop("writev");
        checkOpen();
        return sendOrThrow(gather(srcs), remoteAddress);
    }

    /** The buffers as one datagram, in the loop's scratch buffer. */
    private ByteBuffer gather(ByteBuffer[] srcs) {
        ByteBuffer scratch = loop.buffers().datagramScratch();
        scratch.clear();
        for (ByteBuffer src : srcs) {
            if (src.remaining() > scratch.remaining()) {
                throw new IllegalArgumentException("writev of more than " + scratch.capacity()
                        + " bytes does not fit in one datagram");
            }
            scratch.put(src);
        }
        return scratch.flip();
    }

    @Override
    public int sendTo(ByteBuffer src, SocketAddress target) {
        checkLoop("sendTo");
        checkOpen();
        Objects.requireNonNull(target, "target");
        if (dialed() && !target.equals(remoteAddress)) {
            throw new IllegalArgumentException("a dialed UDP connection sends only to " + remoteAddress + ", not " + target);
        }
        return sendOrThrow(src, target);
    }

    /** Sends one datagram; a failure throws (and closes a dialed connection, after its callback). */
    private int sendOrThrow(ByteBuffer src, SocketAddress target) {
        try {
            return send(src, target);
        } catch (IOException e) {
            if (dialed()) {
                closeNow(e);
                ConnectionClosedException closed = new ConnectionClosedException("UDP connection to " + remoteAddress
                        + " failed: " + e);
                closed.initCause(e);
                throw closed;
            }
            throw new UncheckedIOException("sending a datagram to " + target + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Sends one datagram.
     *
     * @return its length, or 0 if the kernel had no room and dropped it (logged)
     */
    private int send(ByteBuffer src, SocketAddress target) throws IOException {
        int len = src.remaining();
        int sent = dialed() ? channel.write(src) : channel.send(src, target);
        if (sent == 0 && len > 0) {
            loop.handlerErrors().log(System.Logger.Level.WARNING, "dropped a datagram of " + len + " bytes to "
                    + target + ": the socket's send buffer is full");
        }
        return sent;
    }

    private void checkOpen() {
        if (closed) {
            throw new ConnectionClosedException("UDP connection " + this + " is closed");
        }
    }

    @Override
    public void flush() {
        checkLoop("flush");
    }

    @Override
    public int outboundBuffered() {
        return 0; // datagrams are sent at once, never queued; any thread
    }

    // ---- any thread ----

    @Override
    public void asyncWrite(ByteBuffer src, Callback callback) {
        Objects.requireNonNull(src, "src");
        post(copyIfLent(src), null, callback);
    }

    @Override
    public void asyncWritev(ByteBuffer[] srcs, Callback callback) {
        Objects.requireNonNull(srcs, "srcs");
        ByteBuffer[] copies = new ByteBuffer[srcs.length];
        for (int i = 0; i < srcs.length; i++) {
            copies[i] = copyIfLent(Objects.requireNonNull(srcs[i], "srcs[" + i + "]"));
        }
        post(null, copies, callback);
    }

    /**
     * The bytes as captured at the call, the caller's buffer untouched: a read-only buffer (a view
     * gnetj lent, whose memory is reused) is copied, a writable one duplicated. A datagram is at
     * most 64 KiB, so the copy is a heap array.
     */
    private static ByteBuffer copyIfLent(ByteBuffer src) {
        if (!src.isReadOnly()) {
            return src.duplicate();
        }
        byte[] copy = new byte[src.remaining()];
        src.duplicate().get(copy);
        return ByteBuffer.wrap(copy);
    }

    /**
     * On the loop thread the datagram goes out at the call, in program order with {@code write},
     * and only the callback is posted; from elsewhere the send is a task.
     */
    private void post(ByteBuffer single, ByteBuffer[] many, Callback callback) {
        if (loop.inLoop()) {
            completeLater(callback, sendNow(single, many));
            return;
        }
        loop.execute(new LoopTask() {
            @Override
            void run() {
                complete(callback, sendNow(single, many));
            }

            @Override
            void abort(Throwable cause) {
                complete(callback, cause);
            }
        });
    }

    /** Sends one datagram of the bytes; {@code null} if it went out, else why not. Loop thread. */
    private Throwable sendNow(ByteBuffer single, ByteBuffer[] many) {
        if (closed) {
            return new ConnectionClosedException("UDP connection " + this + " is closed");
        }
        try {
            ByteBuffer datagram = single != null ? single : gather(many);
            int len = datagram.remaining();
            if (send(datagram, remoteAddress) < len) {
                return new IOException("datagram of " + len + " bytes to " + remoteAddress
                        + " dropped: the socket's send buffer is full");
            }
            return null;
        } catch (IOException e) {
            if (dialed()) {
                closeNow(e);
            }
            return e;
        } catch (RuntimeException e) {
            return e;
        }
    }

    @Override
    public void wake(Callback callback) {
        loop.execute(new LoopTask() {
            @Override
            void run() {
                if (closed) {
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
        abortOrClose(null, callback);
    }

    @Override
    public void abort(Throwable cause) {
        abortOrClose(cause, null);
    }

    /**
     * Closing a UDP connection is immediate (nothing is queued): close and abort are one. As on a
     * stream, only inside the connection's own callback is it acted on without a task (when the
     * callback returns); the callback is always a task, so it never runs nested.
     */
    private void abortOrClose(Throwable cause, Callback callback) {
        if (loop.inLoop() && inCallback) {
            closeNow(cause); // recorded: it happens when the callback returns, before the posted callback
            completeLater(callback, null);
            return;
        }
        loop.execute(new LoopTask() {
            @Override
            void run() {
                closeNow(cause);
                complete(callback, null);
            }

            @Override
            void abort(Throwable ignored) {
                complete(callback, null);
            }
        });
    }

    @Override
    public boolean isOpen() {
        return !closed && channel.isOpen();
    }

    /** Datagrams are sent at once, never queued: always writable. */
    @Override
    public boolean isWritable() {
        return true;
    }

    /**
     * A dialed connection stops (or resumes) reading datagrams; a received datagram's sender
     * shares the listening socket, which one peer cannot pause: a no-op there.
     */
    @Override
    public void pauseReading() {
        setReading(false);
    }

    @Override
    public void resumeReading() {
        setReading(true);
    }

    private void setReading(boolean on) {
        if (!dialed()) {
            return;
        }
        Runnable change = () -> {
            if (key != null && key.isValid()) {
                key.interestOps(on ? SelectionKey.OP_READ : 0);
            }
        };
        if (loop.inLoop()) {
            change.run();
            return;
        }
        loop.execute(new LoopTask() {
            @Override
            void run() {
                change.run();
            }

            @Override
            void abort(Throwable cause) {
                // the loop ended: nothing to read any more
            }
        });
    }

    // ---- options ----

    @Override
    public void setTcpNoDelay(boolean on) {
        throw new UnsupportedOperationException("TCP_NODELAY does not apply to UDP");
    }

    @Override
    public void shutdownOutput() {
        throw new UnsupportedOperationException("shutdownOutput does not apply to UDP");
    }

    @Override
    public void sendFile(FileChannel file, long position, long count, Callback callback) {
        throw new UnsupportedOperationException("sendFile does not apply to UDP: a datagram is not a stream");
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
        return "UdpConn[" + localAddress + (dialed() ? " -> " : " <- ") + remoteAddress + (closed ? ", closed" : "") + ']';
    }
}
