package io.gnetj.bench.mem;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;

/**
 * The probe's side of N connections to one server: non-blocking NIO channels, opened from one
 * thread, optionally with a TLS handshake each; then one byte at a time sent to every one of them.
 *
 * <h2>Opening, bounded</h2>
 * Connections are opened through a window: at most {@value #IN_FLIGHT} (TLS: {@value #TLS_IN_FLIGHT})
 * connecting or handshaking at once, and no more than {@value #AHEAD_OF_SERVER} ahead of what
 * the server has accepted, so the server's accept queue never overflows (an overflow would drop
 * SYNs and turn the open into seconds of retransmits). Every wait has a deadline.
 *
 * <h2>One byte per segment</h2>
 * {@link #sendToAll(byte)} writes one byte to each open connection with {@code TCP_NODELAY} set: one
 * write, one segment. The caller waits until the server has read them all before the next byte,
 * so every byte is also a read of its own on the server. With TLS each byte is one record.
 *
 * <p>Closing resets every connection ({@code SO_LINGER} 0): the probe leaves no {@code
 * TIME_WAIT} behind to crowd the ephemeral ports of the next case.
 *
 * <p>Threading: one probe thread.
 */
final class ClientConnections implements AutoCloseable {

    static final int IN_FLIGHT = 256;
    static final int TLS_IN_FLIGHT = 32;
    static final int AHEAD_OF_SERVER = 256;

    private final SocketChannel[] channels;
    private final SSLEngine[] engines;
    private int opened;
    /** Connections the server closed, reset or answered; no longer written to. */
    private final boolean[] gone;
    private int lost;
    private final ByteBuffer one = ByteBuffer.allocate(1);
    private ByteBuffer netOut;

    private ClientConnections(int n, boolean tls) {
        this.channels = new SocketChannel[n];
        this.engines = tls ? new SSLEngine[n] : null;
        this.gone = new boolean[n];
    }

    /**
     * Opens {@code n} connections to {@code server} (with a TLS handshake each if {@code tls} is
     * not {@code null}).
     *
     * @param serverHeld how many of the probe's connections the server holds now (read from /proc)
     * @throws IOException if a connection fails, or they are not all open within {@code timeoutMillis}
     */
    static ClientConnections open(InetSocketAddress server, int n, SSLContext tls, LongSupplier serverHeld,
                                  long timeoutMillis) throws IOException {
        ClientConnections c = new ClientConnections(n, tls != null);
        try {
            c.openAll(server, tls, serverHeld, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis), timeoutMillis);
            return c;
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    private void openAll(InetSocketAddress server, SSLContext tls, LongSupplier serverHeld, long deadline, long timeoutMillis)
            throws IOException {
        int window = tls != null ? TLS_IN_FLIGHT : IN_FLIGHT;
        int n = channels.length;
        int done = 0;
        int inFlight = 0;
        long held = 0;
        ByteBuffer scratch = null;
        if (tls != null) {
            SSLEngine probe = tls.createSSLEngine();
            netOut = ByteBuffer.allocate(probe.getSession().getPacketBufferSize());
            scratch = ByteBuffer.allocate(probe.getSession().getApplicationBufferSize());
        }
        try (Selector selector = Selector.open()) {
            while (done < n) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("opened " + done + " of " + n + " connections (" + inFlight
                            + " still connecting or handshaking, the server holds " + held + ") within " + timeoutMillis + " ms");
                }
                if (opened - held > AHEAD_OF_SERVER) {
                    held = serverHeld.getAsLong();
                }
                while (opened < n && inFlight < window && opened - held <= AHEAD_OF_SERVER) {
                    startOne(selector, server, tls, scratch);
                    inFlight++;
                }
                selector.select(50);
                for (SelectionKey key : selector.selectedKeys()) {
                    if (progress(key)) {
                        key.cancel();
                        inFlight--;
                        done++;
                    }
                }
                selector.selectedKeys().clear();
            }
        }
    }

    private void startOne(Selector selector, InetSocketAddress server, SSLContext tls, ByteBuffer scratch) throws IOException {
        int i = opened;
        SocketChannel ch = SocketChannel.open();
        channels[i] = ch;
        opened++;
        ch.configureBlocking(false);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ch.connect(server);
        Object attachment = i;
        if (tls != null) {
            SSLEngine engine = tls.createSSLEngine("localhost", server.getPort());
            engine.setUseClientMode(true);
            engines[i] = engine;
            attachment = new TlsClientHandshake(ch, engine, netOut, scratch);
        }
        ch.register(selector, SelectionKey.OP_CONNECT, attachment);
    }

    /** One ready key: finishes the connect, steps the handshake; whether the connection is ready. */
    private static boolean progress(SelectionKey key) throws IOException {
        SocketChannel ch = (SocketChannel) key.channel();
        TlsClientHandshake hs = key.attachment() instanceof TlsClientHandshake ? (TlsClientHandshake) key.attachment() : null;
        if (key.isConnectable()) {
            try {
                if (!ch.finishConnect()) {
                    return false;
                }
            } catch (IOException e) {
                throw new IOException("connect to the server failed: " + e.getMessage(), e);
            }
            if (hs == null) {
                return true;
            }
            key.interestOps(SelectionKey.OP_READ);
            return hs.step(); // the client speaks first
        }
        return key.isReadable() && hs != null && hs.onReadable();
    }

    int size() {
        return channels.length;
    }

    /**
     * Writes {@code b} to every connection still open: one write, one TCP segment (one TLS
     * record) each. A connection the server has reset is closed and skipped from then on.
     *
     * @return how many connections were found reset by the server in this round
     * @throws IOException if a socket does not take the byte at once (its send buffer cannot be
     *         full: the server reads everything before the next byte is sent)
     */
    int sendToAll(byte b) throws IOException {
        int reset = 0;
        for (int i = 0; i < channels.length; i++) {
            if (gone[i]) {
                continue;
            }
            one.clear();
            one.put(b).flip();
            ByteBuffer out = one;
            if (engines != null) {
                netOut.clear();
                SSLEngineResult r = engines[i].wrap(one, netOut);
                if (r.getStatus() != SSLEngineResult.Status.OK) {
                    throw new IOException("connection " + i + ": TLS wrap of one byte: " + r.getStatus());
                }
                netOut.flip();
                out = netOut;
            }
            int want = out.remaining();
            try {
                channels[i].write(out);
            } catch (IOException e) {
                // reset or closed by the server: what the caller counts, not a probe failure
                markGone(i);
                reset++;
                continue;
            }
            if (out.hasRemaining()) {
                throw new IOException("connection " + i + ": the socket took " + (want - out.remaining()) + " of " + want + " B");
            }
        }
        return reset;
    }

    /**
     * How many connections the server has closed or answered: none should be, since each holds
     * an unfinished frame. Counts those found reset while sending, and those readable now: an
     * end of stream, a reset, or (plaintext only) any answer. TLS connections are readable from
     * the session tickets TLS 1.3 servers send, so for TLS only an end of stream or reset counts.
     */
    int closedOrAnswered() throws IOException {
        ByteBuffer sink = ByteBuffer.allocate(64 * 1024);
        try (Selector selector = Selector.open()) {
            for (int i = 0; i < opened; i++) {
                if (!gone[i]) {
                    channels[i].register(selector, SelectionKey.OP_READ, i);
                }
            }
            selector.selectNow();
            for (SelectionKey key : selector.selectedKeys()) {
                SocketChannel ch = (SocketChannel) key.channel();
                int n;
                long total = 0;
                try {
                    while ((n = ch.read(sink.clear())) > 0) {
                        total += n;
                    }
                } catch (IOException e) {
                    n = -1; // reset by the server
                }
                if (n < 0 || (engines == null && total > 0)) {
                    key.cancel();
                    markGone((Integer) key.attachment());
                }
            }
        }
        return lost;
    }

    private void markGone(int i) {
        gone[i] = true;
        lost++;
        try {
            channels[i].close();
        } catch (IOException ignored) {
            // closing a connection the server already ended
        }
    }

    /** Resets every connection opened, as {@link #close()}. */
    @Override
    public void close() {
        resetAll();
    }

    /** Resets every connection opened; a second call does nothing. */
    void resetAll() {
        for (int i = 0; i < opened; i++) {
            SocketChannel ch = channels[i];
            if (ch == null) {
                continue; // closed already
            }
            try {
                if (ch.isOpen()) {
                    if (ch.isConnected()) {
                        ch.setOption(StandardSocketOptions.SO_LINGER, 0);
                    }
                    ch.close();
                }
            } catch (IOException ignored) {
                // closing anyway; nothing else to do with it
            }
            channels[i] = null;
            if (engines != null) {
                engines[i] = null;
            }
        }
    }
}
