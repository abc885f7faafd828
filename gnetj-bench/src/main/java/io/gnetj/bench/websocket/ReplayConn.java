package io.gnetj.bench.websocket;

import io.gnetj.Callback;
import io.gnetj.Conn;
import io.gnetj.EventLoop;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A {@link Conn} whose inbound bytes are one direct buffer, replayed from its start by
 * {@link #rewind()}: what a decoder sees after one read of the engine, without a socket. The views
 * {@code peek}/{@code next} return are one read-only duplicate, moved over the bytes asked for (as
 * the engine lends views of its read buffer), so reading allocates nothing. Only the inbound
 * methods work; the rest throw.
 *
 * <p>Threading: one benchmark thread.
 */
final class ReplayConn implements Conn {

    private final ByteBuffer view;
    private final int length;
    private int at;

    ReplayConn(ByteBuffer bytes) {
        this.view = bytes.asReadOnlyBuffer();
        this.length = bytes.limit();
    }

    /** Makes every byte unread again. */
    void rewind() {
        at = 0;
    }

    @Override
    public ByteBuffer next(int n) {
        ByteBuffer v = peek(n);
        at += v.remaining();
        return v;
    }

    @Override
    public ByteBuffer peek(int n) {
        int len = n < 0 ? length - at : Math.min(n, length - at);
        view.limit(at + len).position(at);
        return view;
    }

    @Override
    public int discard(int n) {
        int len = n < 0 ? length - at : Math.min(n, length - at);
        at += len;
        return len;
    }

    @Override
    public int read(ByteBuffer dst) {
        int len = Math.min(dst.remaining(), length - at);
        dst.put(peek(len));
        at += len;
        return len;
    }

    @Override
    public int inboundBuffered() {
        return length - at;
    }

    private static UnsupportedOperationException inboundOnly() {
        return new UnsupportedOperationException("ReplayConn replays inbound bytes only");
    }

    @Override
    public int write(ByteBuffer src) {
        throw inboundOnly();
    }

    @Override
    public int write(byte[] src, int off, int len) {
        throw inboundOnly();
    }

    @Override
    public long writev(ByteBuffer... srcs) {
        throw inboundOnly();
    }

    @Override
    public void sendFile(FileChannel file, long position, long count, Callback callback) {
        throw inboundOnly();
    }

    @Override
    public void flush() {
        throw inboundOnly();
    }

    @Override
    public void shutdownOutput() {
        throw inboundOnly();
    }

    @Override
    public int outboundBuffered() {
        return 0;
    }

    @Override
    public boolean isWritable() {
        return true;
    }

    @Override
    public void asyncWrite(ByteBuffer src, Callback callback) {
        throw inboundOnly();
    }

    @Override
    public void asyncWritev(ByteBuffer[] srcs, Callback callback) {
        throw inboundOnly();
    }

    @Override
    public void wake(Callback callback) {
        throw inboundOnly();
    }

    @Override
    public void close() {
        throw inboundOnly();
    }

    @Override
    public void close(Callback callback) {
        throw inboundOnly();
    }

    @Override
    public void abort(Throwable cause) {
        throw inboundOnly();
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public void pauseReading() {
        throw inboundOnly();
    }

    @Override
    public void resumeReading() {
        throw inboundOnly();
    }

    @Override
    public boolean inEventLoop() {
        return true;
    }

    @Override
    public EventLoop eventLoop() {
        throw inboundOnly();
    }

    @Override
    public <T> T context() {
        return null;
    }

    @Override
    public void context(Object context) {
        throw inboundOnly();
    }

    @Override
    public SocketAddress localAddress() {
        return new InetSocketAddress(0);
    }

    @Override
    public SocketAddress remoteAddress() {
        return new InetSocketAddress(0);
    }

    @Override
    public void setTcpNoDelay(boolean on) {
    }

    @Override
    public void setKeepAlive(boolean on, int idleSeconds, int intervalSeconds, int count) {
    }

    @Override
    public void setLinger(int seconds) {
    }

    @Override
    public void setReceiveBufferSize(int bytes) {
    }

    @Override
    public void setSendBufferSize(int bytes) {
    }
}
