package io.gnetj.internal;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;

/**
 * A bound UDP socket served by one event loop: each datagram received becomes one
 * {@code onTraffic} on a {@link UdpConn} that names its sender.
 *
 * <p>Datagrams are received into the loop's 64 KiB datagram buffer, larger than any UDP payload
 * (65,507 bytes over IPv4, 65,527 over IPv6 without jumbograms), so none is ever truncated; a
 * datagram that fills the buffer exactly could only be a truncated jumbogram and is dropped with a
 * log line rather than delivered cut.
 *
 * <p>Threading: the owning loop's thread, except {@link #close()} after the loop has ended.
 */
final class UdpListener {
    private static final int MAX_DATAGRAMS_PER_WAKEUP = 64;

    private final EventLoop loop;
    private final DatagramChannel channel;
    private final SocketAddress localAddress;

    UdpListener(EventLoop loop, DatagramChannel channel) throws IOException {
        this.loop = loop;
        this.channel = channel;
        this.localAddress = channel.getLocalAddress();
    }

    void register(Selector selector) throws ClosedChannelException {
        channel.register(selector, SelectionKey.OP_READ, this);
    }

    /** The socket is readable: deliver what is pending, up to a bound so other work is not starved. */
    void onReadable() {
        ByteBuffer buffer = loop.buffers().datagramBuffer();
        for (int i = 0; i < MAX_DATAGRAMS_PER_WAKEUP; i++) {
            buffer.clear();
            SocketAddress sender;
            try {
                sender = channel.receive(buffer);
            } catch (IOException e) {
                loop.handlerErrors().log(System.Logger.Level.WARNING, "receiving on " + localAddress + " failed", e);
                return;
            }
            if (sender == null) {
                return;
            }
            int length = buffer.position();
            if (length == buffer.capacity()) {
                loop.handlerErrors().log(System.Logger.Level.WARNING, "dropped a datagram from " + sender
                        + " that filled the " + buffer.capacity() + "-byte receive buffer: it may have been truncated");
                continue;
            }
            new UdpConn(loop, channel, localAddress, sender).deliver(length);
        }
    }

    void close() {
        EventLoop.closeQuietly(channel);
    }
}
