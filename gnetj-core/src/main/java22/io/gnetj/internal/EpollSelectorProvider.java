package io.gnetj.internal;

import java.io.IOException;
import java.net.ProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;

/**
 * The epoll transport as a {@link SelectorProvider}: the JDK's own seam between selectors and
 * channels, so the connection core runs unchanged on it. It makes epoll selectors and TCP and
 * unix domain stream sockets; datagram channels and pipes are not part of it (an engine with a
 * UDP address runs on NIO: {@link Transports}).
 *
 * <p>Threading: any thread.
 */
final class EpollSelectorProvider extends SelectorProvider {

    static final EpollSelectorProvider INSTANCE = new EpollSelectorProvider();

    private EpollSelectorProvider() {
    }

    @Override
    public DatagramChannel openDatagramChannel() {
        throw new UnsupportedOperationException("the epoll transport has no datagram channels: UDP runs on NIO");
    }

    @Override
    public DatagramChannel openDatagramChannel(ProtocolFamily family) {
        return openDatagramChannel();
    }

    @Override
    public Pipe openPipe() {
        throw new UnsupportedOperationException("the epoll transport has no pipes");
    }

    @Override
    public AbstractSelector openSelector() throws IOException {
        return new EpollSelector(this);
    }

    @Override
    public ServerSocketChannel openServerSocketChannel() throws IOException {
        return new EpollServerSocketChannel(this, EpollSockets.family(null));
    }

    @Override
    public ServerSocketChannel openServerSocketChannel(ProtocolFamily family) throws IOException {
        return new EpollServerSocketChannel(this, EpollSockets.family(family));
    }

    @Override
    public SocketChannel openSocketChannel() throws IOException {
        return new EpollSocketChannel(this, EpollSockets.family(null));
    }

    @Override
    public SocketChannel openSocketChannel(ProtocolFamily family) throws IOException {
        return new EpollSocketChannel(this, EpollSockets.family(family));
    }

    @Override
    public String toString() {
        return "gnetj epoll (FFM)";
    }
}
