package io.gnetj.examples.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gnetj.Callback;
import io.gnetj.Conn;
import java.lang.management.ManagementFactory;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The pipelined plaintext path allocates nothing per request once warm. */
class PlaintextAllocationTest {

    @Test
    void pipelinedPlaintextAllocatesNothingPerRequestInSteadyState() {
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        assumeTrue(mx instanceof com.sun.management.ThreadMXBean, "needs HotSpot's per-thread allocation counter");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) mx;

        String one = "GET /plaintext HTTP/1.1\r\nHost: localhost\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n";
        byte[] batch = one.repeat(16).getBytes(StandardCharsets.US_ASCII);
        ReplayConn conn = new ReplayConn(batch);
        HttpHandler handler = new HttpHandler(1024 * 1024, new DateCache());
        handler.onOpen(conn);

        for (int i = 0; i < 50_000; i++) {
            handler.onTraffic(conn);
        }
        long tid = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(tid);
        int rounds = 20_000;
        for (int i = 0; i < rounds; i++) {
            handler.onTraffic(conn);
        }
        long allocated = threads.getThreadAllocatedBytes(tid) - before;
        assertThat(conn.written).isEqualTo(70_000L * 16 * HttpHandlerTest.PLAINTEXT_RESPONSE.length());
        // 320,000 requests: one small object each would be megabytes. Allow the once-a-second
        // Date refresh and the counter's own noise.
        assertThat(allocated).as("bytes allocated for %d requests", rounds * 16).isLessThan(64 * 1024);
    }

    /** Offers the same inbound batch on every call, without allocating. */
    private static final class ReplayConn implements Conn {
        private final ByteBuffer inbound;
        private final int length;
        private Object context;
        long written;

        ReplayConn(byte[] batch) {
            inbound = ByteBuffer.allocateDirect(batch.length);
            inbound.put(batch).flip();
            length = batch.length;
        }

        @Override public ByteBuffer peek(int n) { inbound.limit(length).position(0); return inbound; }
        @Override public int discard(int n) { return n; }
        @Override public int write(byte[] src, int off, int len) { written += len; return len; }
        @Override public int write(ByteBuffer src) { int n = src.remaining(); src.position(src.limit()); written += n; return n; }
        @Override @SuppressWarnings("unchecked") public <T> T context() { return (T) context; }
        @Override public void context(Object context) { this.context = context; }

        @Override public ByteBuffer next(int n) { throw new UnsupportedOperationException(); }
        @Override public int read(ByteBuffer dst) { throw new UnsupportedOperationException(); }
        @Override public int inboundBuffered() { return length; }
        @Override public long writev(ByteBuffer... srcs) { throw new UnsupportedOperationException(); }
        @Override public void flush() { }
        @Override public int outboundBuffered() { return 0; }
        @Override public void asyncWrite(ByteBuffer src, Callback callback) { throw new UnsupportedOperationException(); }
        @Override public void asyncWritev(ByteBuffer[] srcs, Callback callback) { throw new UnsupportedOperationException(); }
        @Override public void wake(Callback callback) { throw new UnsupportedOperationException(); }
        @Override public void close() { }
        @Override public void close(Callback callback) { }
        @Override public void abort(Throwable cause) { }
        @Override public boolean isOpen() { return true; }
        @Override public boolean isWritable() { return true; }
        @Override public void pauseReading() { throw new UnsupportedOperationException(); }
        @Override public void resumeReading() { throw new UnsupportedOperationException(); }
        @Override public boolean inEventLoop() { return true; }
        @Override public io.gnetj.EventLoop eventLoop() { throw new UnsupportedOperationException(); }
        @Override public void shutdownOutput() { throw new UnsupportedOperationException(); }
        @Override public void sendFile(java.nio.channels.FileChannel file, long position, long count, io.gnetj.Callback callback) { throw new UnsupportedOperationException(); }
        @Override public SocketAddress localAddress() { return null; }
        @Override public SocketAddress remoteAddress() { return null; }
        @Override public void setTcpNoDelay(boolean on) { }
        @Override public void setKeepAlive(boolean on, int idleSeconds, int intervalSeconds, int count) { }
        @Override public void setLinger(int seconds) { }
        @Override public void setReceiveBufferSize(int bytes) { }
        @Override public void setSendBufferSize(int bytes) { }
    }
}
