package io.gnetj.internal;

import io.gnetj.EventLoop.Scheduled;
import io.gnetj.ProxyHeader;
import java.io.EOFException;
import java.io.IOException;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeoutException;

/**
 * An accepted connection on a listener with {@link io.gnetj.Options#proxyProtocol()} on, before
 * it is a connection: it reads the load balancer's PROXY header (through
 * {@link ProxyHeaderReader}, never past its end) and then hands the channel to
 * {@link EventLoop#open}, which makes the real connection with the header's addresses; the bytes
 * after the header are still in the socket. A malformed, over-long or late header
 * ({@link io.gnetj.Options#proxyProtocolTimeout()}) closes the socket before any handler sees it:
 * no {@code onOpen}, no {@code onClose}, one rate-limited log line.
 *
 * <p>It holds the connection's {@link ConnSlot} (the count against {@code maxConnections}) from
 * the accept on, and passes it on or releases it. It is the selection key's attachment meanwhile,
 * and a timer on the loop bounds its life.
 *
 * <p>Threading: the owning loop's thread only.
 */
final class ProxyPreamble implements Runnable {

    private final EventLoop loop;
    private final SocketChannel channel;
    private final ConnSlot slot;
    private final boolean tls;
    private final ProxyHeaderReader reader = new ProxyHeaderReader();
    private SelectionKey key;
    private Scheduled timeout;
    private boolean done;

    ProxyPreamble(EventLoop loop, SocketChannel channel, ConnSlot slot, boolean tls) {
        this.loop = loop;
        this.channel = channel;
        this.slot = slot;
        this.tls = tls;
    }

    /** Registers for reading and starts the clock. */
    void start(SelectionKey key) {
        this.key = key;
        this.timeout = loop.schedule(this, loop.engine().options().proxyProtocolTimeout());
    }

    /** Readable: reads what the header can still hold; complete, opens the connection. */
    void onReadable() {
        try {
            for (int want; (want = reader.want()) > 0; ) {
                ByteBuffer window = reader.window(want);
                int n = channel.read(window);
                if (n < 0) {
                    throw new EOFException("the peer closed before its PROXY header was complete");
                }
                if (n == 0) {
                    return;
                }
                ProxyHeader header = reader.filled(n);
                if (header != null) {
                    finish();
                    loop.open(channel, slot, tls, header);
                    return;
                }
            }
        } catch (IOException e) {
            fail(e);
        }
    }

    /** The timer: the header did not come in time. */
    @Override
    public void run() {
        if (!done) {
            fail(new TimeoutException("no complete PROXY header within proxyProtocolTimeout "
                    + loop.engine().options().proxyProtocolTimeout()));
        }
    }

    /** The loop ends, or the header failed: closes the socket and gives the slot back. */
    void fail(Exception cause) {
        if (done) {
            return;
        }
        finish();
        String from = String.valueOf(StreamConn.addressOrNull(channel, false));
        if (key != null) {
            key.cancel();
        }
        EventLoop.closeQuietly(channel);
        slot.release();
        loop.handlerErrors().log(System.Logger.Level.INFO, "closed the connection from " + from + " before opening it: "
                + (cause instanceof ProtocolException || cause instanceof TimeoutException ? cause.getMessage() : cause));
    }

    private void finish() {
        done = true;
        if (timeout != null) {
            timeout.cancel();
        }
    }
}
