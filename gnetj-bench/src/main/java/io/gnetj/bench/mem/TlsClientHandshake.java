package io.gnetj.bench.mem;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * The client side of one TLS handshake over a non-blocking channel, stepped by the probe's
 * selector loop: {@link #step()} answers what the engine asks for until it needs bytes that have
 * not come, or the handshake is done.
 *
 * <p>Only the input buffer is per connection (a record may arrive in pieces), and only while the
 * handshake lasts; output goes through a buffer shared by every handshake of the loop, and is
 * written at once: a fresh loopback socket takes a few KiB without blocking, and if it ever does
 * not, the handshake fails with a message rather than hanging.
 *
 * <p>Threading: the probe's one selector thread.
 */
final class TlsClientHandshake {

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final SocketChannel channel;
    private final SSLEngine engine;
    private final ByteBuffer netOut;
    private final ByteBuffer scratch;
    private ByteBuffer netIn;

    /**
     * @param netOut  shared, at least the session's packet size
     * @param scratch shared, where handshake unwraps put their (absent) plaintext
     */
    TlsClientHandshake(SocketChannel channel, SSLEngine engine, ByteBuffer netOut, ByteBuffer scratch) throws SSLException {
        this.channel = channel;
        this.engine = engine;
        this.netOut = netOut;
        this.scratch = scratch;
        this.netIn = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.beginHandshake();
    }

    SSLEngine engine() {
        return engine;
    }

    /**
     * Reads what the socket holds and carries the handshake on.
     *
     * @return whether the handshake is done
     * @throws IOException if the server closed the connection or the handshake failed
     */
    boolean onReadable() throws IOException {
        if (!netIn.hasRemaining()) {
            // A record larger than the session's packet size: JDK engines announce the bound, so
            // this is a broken peer, not a case to grow for.
            throw new IOException("TLS record larger than the packet buffer (" + netIn.capacity() + " B)");
        }
        if (channel.read(netIn) < 0) {
            throw new IOException("the server closed the connection during the TLS handshake");
        }
        return step();
    }

    /**
     * Wraps and unwraps until the engine needs input that has not come, or is done.
     *
     * @return whether the handshake is done; the input buffer is then dropped
     */
    boolean step() throws IOException {
        while (true) {
            HandshakeStatus hs = engine.getHandshakeStatus();
            switch (hs) {
                case NEED_TASK:
                    Runnable task;
                    while ((task = engine.getDelegatedTask()) != null) {
                        task.run(); // the client's share of the key exchange: short, and this thread has nothing else to do
                    }
                    break;
                case NEED_WRAP:
                    netOut.clear();
                    SSLEngineResult w = engine.wrap(EMPTY, netOut);
                    netOut.flip();
                    writeAll();
                    if (w.getStatus() == SSLEngineResult.Status.CLOSED) {
                        throw new IOException("the TLS engine closed during the handshake");
                    }
                    if (w.getHandshakeStatus() == HandshakeStatus.FINISHED) {
                        return done();
                    }
                    break;
                case NEED_UNWRAP:
                case NEED_UNWRAP_AGAIN:
                    netIn.flip();
                    scratch.clear();
                    SSLEngineResult u = engine.unwrap(netIn, scratch);
                    netIn.compact();
                    switch (u.getStatus()) {
                        case BUFFER_UNDERFLOW:
                            return false; // the rest of the record is still on its way
                        case CLOSED:
                            throw new IOException("the server closed TLS during the handshake");
                        case BUFFER_OVERFLOW:
                            throw new IOException("handshake plaintext overflowed " + scratch.capacity() + " B");
                        default:
                            break;
                    }
                    if (u.getHandshakeStatus() == HandshakeStatus.FINISHED) {
                        return done();
                    }
                    break;
                case FINISHED:
                case NOT_HANDSHAKING:
                default:
                    return done();
            }
        }
    }

    private boolean done() {
        // What may follow (TLS 1.3 session tickets) is left unread in the socket: the probe never
        // reads application data, and the tickets weigh on the probe's kernel buffers, not the server.
        netIn = null;
        return true;
    }

    private void writeAll() throws IOException {
        channel.write(netOut);
        if (netOut.hasRemaining()) {
            throw new IOException("a fresh loopback socket did not take " + netOut.limit() + " B of handshake at once");
        }
    }
}
