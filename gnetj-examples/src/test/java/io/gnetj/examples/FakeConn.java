package io.gnetj.examples;

import io.gnetj.Action;
import io.gnetj.Callback;
import io.gnetj.Conn;
import io.gnetj.EventHandler;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A {@link Conn} without a socket, for driving a handler in unit tests: {@link #receive} appends
 * inbound bytes and runs {@code onTraffic} as the engine would (views are direct buffers, like the
 * engine's); writes are collected for {@link #takeOutput()}. Single-threaded.
 */
public final class FakeConn implements Conn {

    private static final byte[] JUNK = "JUNK\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final EventHandler handler;
    private ByteBuffer inbound = ByteBuffer.allocateDirect(0);
    private final ByteArrayOutputStream outbound = new ByteArrayOutputStream();
    private Object context;
    private boolean open = true;
    private Action lastAction = Action.NONE;
    private Throwable asyncWriteError;

    /** A connection to {@code handler}, opened (onOpen has run). */
    public FakeConn(EventHandler handler) {
        this.handler = handler;
        lastAction = handler.onOpen(this);
    }

    /** Appends {@code bytes} to the inbound buffer and runs onTraffic; a CLOSE action closes. */
    public Action receive(byte[] bytes) {
        if (!open) {
            throw new IllegalStateException("closed");
        }
        // A fresh buffer whose data starts past index 0, so a handler assuming position 0 fails.
        ByteBuffer next = ByteBuffer.allocateDirect(JUNK.length + inbound.remaining() + bytes.length);
        next.put(JUNK).put(inbound).put(bytes).flip().position(JUNK.length);
        inbound = next;
        lastAction = handler.onTraffic(this);
        if (lastAction == Action.CLOSE) {
            close();
        }
        return lastAction;
    }

    /** {@link #receive(byte[])} of ISO-8859-1 text. */
    public Action receive(String text) {
        return receive(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Everything written since the last call, as ISO-8859-1 text. */
    public String takeOutput() {
        String s = outbound.toString(StandardCharsets.ISO_8859_1);
        outbound.reset();
        return s;
    }

    /** The action the last callback returned. */
    public Action lastAction() {
        return lastAction;
    }

    @Override
    public ByteBuffer next(int n) {
        ByteBuffer view = peek(n);
        inbound.position(inbound.position() + view.remaining());
        return view;
    }

    @Override
    public ByteBuffer peek(int n) {
        int len = n < 0 ? inbound.remaining() : Math.min(n, inbound.remaining());
        // A view that does not start at index 0, so handlers that assume so are caught.
        return inbound.duplicate().limit(inbound.position() + len);
    }

    @Override
    public int discard(int n) {
        int len = n < 0 ? inbound.remaining() : Math.min(n, inbound.remaining());
        inbound.position(inbound.position() + len);
        return len;
    }

    @Override
    public int read(ByteBuffer dst) {
        int len = Math.min(dst.remaining(), inbound.remaining());
        ByteBuffer view = next(len);
        dst.put(view);
        return len;
    }

    @Override
    public int inboundBuffered() {
        return inbound.remaining();
    }

    @Override
    public int write(ByteBuffer src) {
        int n = src.remaining();
        byte[] b = new byte[n];
        src.get(b);
        outbound.write(b, 0, n);
        return n;
    }

    @Override
    public int write(byte[] src, int off, int len) {
        outbound.write(src, off, len);
        return len;
    }

    @Override
    public long writev(ByteBuffer... srcs) {
        long n = 0;
        for (ByteBuffer b : srcs) {
            n += write(b);
        }
        return n;
    }

    @Override
    public void flush() {
    }

    @Override
    public int outboundBuffered() {
        return outbound.size();
    }

    /** Makes every later asyncWrite fail its callback with {@code error} instead of writing. */
    public void failAsyncWritesWith(Throwable error) {
        this.asyncWriteError = error;
    }

    @Override
    public void asyncWrite(ByteBuffer src, Callback callback) {
        if (asyncWriteError != null) {
            if (callback != null) {
                callback.onComplete(this, asyncWriteError);
            }
            return;
        }
        write(src);
        if (callback != null) {
            callback.onComplete(this, null);
        }
    }

    @Override
    public void asyncWritev(ByteBuffer[] srcs, Callback callback) {
        writev(srcs);
        if (callback != null) {
            callback.onComplete(this, null);
        }
    }

    @Override
    public void wake(Callback callback) {
        handler.onTraffic(this);
        if (callback != null) {
            callback.onComplete(this, null);
        }
    }

    @Override
    public void close() {
        if (open) {
            open = false;
            handler.onClose(this, null);
        }
    }

    @Override
    public void close(Callback callback) {
        close();
        if (callback != null) {
            callback.onComplete(this, null);
        }
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T context() {
        return (T) context;
    }

    @Override
    public void context(Object context) {
        this.context = context;
    }

    @Override
    public SocketAddress localAddress() {
        return new InetSocketAddress("127.0.0.1", 9000);
    }

    @Override
    public SocketAddress remoteAddress() {
        return new InetSocketAddress("127.0.0.1", 40000);
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
