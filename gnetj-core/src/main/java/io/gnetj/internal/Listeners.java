package io.gnetj.internal;

import io.gnetj.Options;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Every socket a server engine listens on, bound before any loop runs, and who serves each one.
 *
 * <ul>
 *   <li>TCP, TLS and unix addresses: one listener each, accepted by the main reactor's
 *       {@link Acceptor}; with {@code reusePort}, one {@code SO_REUSEPORT} listener per loop per
 *       address, each loop accepting by itself (a unix path can be bound once: loop 0 takes it).
 *   <li>UDP addresses: on Linux, one {@code SO_REUSEPORT} socket per loop bound to the same
 *       address, so the kernel spreads datagrams over every loop (hashing the sender, so one
 *       sender's datagrams stay on one loop, in order), as gnet does. Where the platform lacks
 *       {@code SO_REUSEPORT}, or does not spread unicast datagrams with it (BSD and macOS hand
 *       each to one socket), one socket on one loop (the next in turn), logged once at INFO. A
 *       multicast group is always one socket: every socket that joins it gets a copy of each
 *       datagram.
 * </ul>
 *
 * <p>Binding only binds: no socket is registered with a selector here. The loops and the main
 * reactor register their listeners after {@code onBoot} returned (see
 * {@link EventLoop#startListening()}), so nothing is served before it.
 *
 * <p>Threading: built on the thread starting the engine, before the loops start; {@link #close()}
 * from the main reactor's stop sequence (or the starting thread if a bind fails); the rest is
 * immutable once built and readable from any thread.
 */
final class Listeners {

    private static final System.Logger LOG = System.getLogger("io.gnetj");
    private static final AtomicBoolean UDP_FALLBACK_LOGGED = new AtomicBoolean();

    private final ServerEngine engine;
    private final Options options;
    private final EventLoop[] loops;
    private final List<SocketAddress> boundAddresses = new ArrayList<>();
    private final List<Path> unixPaths = new ArrayList<>();
    private final List<ServerSocketChannel> allListeners = new ArrayList<>();
    private final List<DatagramChannel> allDatagramChannels = new ArrayList<>();
    /** Listeners whose connections speak TLS (identity: a channel's equals is identity). */
    private final Set<ServerSocketChannel> tlsListeners = new HashSet<>();
    private int udpListenerCount;
    private Acceptor mainAcceptor;

    private Listeners(ServerEngine engine, Options options, EventLoop[] loops) {
        this.engine = engine;
        this.options = options;
        this.loops = loops;
    }

    /** No listeners (a client's engine). */
    static Listeners none(ServerEngine engine, Options options, EventLoop[] loops) {
        return new Listeners(engine, options, loops);
    }

    /**
     * Binds every address and hands each socket to its server (the main acceptor or a loop).
     * A failure closes what was bound and throws, naming the address.
     */
    static Listeners bind(ServerEngine engine, Options options, EventLoop[] loops, List<ListenAddress> all)
            throws IOException {
        Listeners listeners = new Listeners(engine, options, loops);
        try {
            listeners.bindAll(all);
        } catch (IOException | RuntimeException e) {
            listeners.close();
            throw e;
        }
        return listeners;
    }

    /** The main reactor's acceptor, or {@code null} if every stream listener is a loop's ({@code reusePort}) or there is none. */
    Acceptor mainAcceptor() {
        return mainAcceptor;
    }

    /** The addresses bound, one per address given, in order. */
    List<SocketAddress> addresses() {
        return Collections.unmodifiableList(boundAddresses);
    }

    /** Whether connections accepted from {@code listener} speak TLS. */
    boolean isTls(ServerSocketChannel listener) {
        return !tlsListeners.isEmpty() && tlsListeners.contains(listener);
    }

    private void bindAll(List<ListenAddress> all) throws IOException {
        List<ListenAddress> streams = new ArrayList<>();
        for (ListenAddress address : all) {
            if (address.network() == ListenAddress.Network.UDP) {
                bindUdp(address);
            } else {
                streams.add(address);
            }
        }
        if (!options.reusePort()) {
            List<ServerSocketChannel> listeners = new ArrayList<>();
            for (ListenAddress address : streams) {
                ServerSocketChannel listener = bind(address, address.socketAddress(), false);
                listeners.add(listener);
                boundAddresses.add(listener.getLocalAddress());
                if (address.tls()) {
                    tlsListeners.add(listener);
                }
            }
            if (!listeners.isEmpty()) {
                mainAcceptor = new Acceptor(engine, listeners, null, LoadBalancer.of(options.loadBalancing(), loops));
            }
            return;
        }
        List<List<ServerSocketChannel>> perLoop = new ArrayList<>();
        for (int i = 0; i < loops.length; i++) {
            perLoop.add(new ArrayList<>());
        }
        for (ListenAddress address : streams) {
            if (address.network() == ListenAddress.Network.UNIX) {
                ServerSocketChannel listener = bind(address, address.socketAddress(), false);
                perLoop.get(0).add(listener);
                boundAddresses.add(listener.getLocalAddress());
                continue;
            }
            ServerSocketChannel first = bind(address, address.socketAddress(), true);
            SocketAddress actual = first.getLocalAddress();
            perLoop.get(0).add(first);
            boundAddresses.add(actual);
            if (address.tls()) {
                tlsListeners.add(first);
            }
            for (int i = 1; i < loops.length; i++) {
                ServerSocketChannel listener = bind(address, actual, true);
                perLoop.get(i).add(listener);
                if (address.tls()) {
                    tlsListeners.add(listener);
                }
            }
        }
        for (int i = 0; i < loops.length; i++) {
            if (!perLoop.get(i).isEmpty()) {
                loops[i].adoptListener(new Acceptor(engine, perLoop.get(i), loops[i], null));
            }
        }
    }

    /** Binds a UDP address: one socket per loop where the kernel spreads datagrams over them, else one socket. */
    private void bindUdp(ListenAddress address) throws IOException {
        boolean multicast = ((InetSocketAddress) address.socketAddress()).getAddress().isMulticastAddress();
        boolean perLoop = loops.length > 1 && !multicast && (options.reusePort() || UdpReusePort.SPREADS);
        if (!perLoop) {
            if (loops.length > 1 && !multicast && UDP_FALLBACK_LOGGED.compareAndSet(false, true)) {
                LOG.log(System.Logger.Level.INFO, "serving " + address + " with one event loop: SO_REUSEPORT does not"
                        + " spread UDP datagrams over sockets on this platform (" + UdpReusePort.OS + ")");
            }
            EventLoop loop = loops[udpListenerCount++ % loops.length];
            DatagramChannel channel = bindDatagram(address, address.socketAddress(), options.reusePort());
            boundAddresses.add(channel.getLocalAddress());
            loop.adoptUdpListener(new UdpListener(loop, channel));
            return;
        }
        DatagramChannel first = bindDatagram(address, address.socketAddress(), true);
        SocketAddress actual = first.getLocalAddress();
        boundAddresses.add(actual);
        loops[0].adoptUdpListener(new UdpListener(loops[0], first));
        SocketAddress sameAddress = new InetSocketAddress(((InetSocketAddress) address.socketAddress()).getAddress(),
                ((InetSocketAddress) actual).getPort());
        for (int i = 1; i < loops.length; i++) {
            loops[i].adoptUdpListener(new UdpListener(loops[i], bindDatagram(address, sameAddress, true)));
        }
    }

    /**
     * {@code SO_REUSEADDR}, {@code SO_REUSEPORT} when asked (a clear error where the platform has
     * none) and {@code SO_RCVBUF}, on a socket about to be bound.
     */
    private void applyListenOptions(NetworkChannel channel, ListenAddress address, boolean reuseAddr, boolean reusePort)
            throws IOException {
        channel.setOption(StandardSocketOptions.SO_REUSEADDR, reuseAddr);
        if (reusePort) {
            if (!channel.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
                throw new UnsupportedOperationException("cannot serve '" + address
                        + "' with reusePort: SO_REUSEPORT is not supported on this platform");
            }
            channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        }
        if (options.socketRecvBuffer() > 0) {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, options.socketRecvBuffer());
        }
    }

    private DatagramChannel bindDatagram(ListenAddress address, SocketAddress at, boolean reusePort) throws IOException {
        InetSocketAddress inet = (InetSocketAddress) at;
        boolean multicast = inet.getAddress().isMulticastAddress();
        ProtocolFamily family = address.family();
        if (family == null && multicast) {
            family = inet.getAddress() instanceof java.net.Inet4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
        }
        DatagramChannel channel = family == null ? DatagramChannel.open() : DatagramChannel.open(family);
        allDatagramChannels.add(channel);
        try {
            channel.configureBlocking(false);
            applyListenOptions(channel, address, options.reuseAddr() || multicast, reusePort);
            if (options.socketSendBuffer() > 0) {
                channel.setOption(StandardSocketOptions.SO_SNDBUF, options.socketSendBuffer());
            }
            if (!multicast) {
                channel.bind(at);
                return channel;
            }
            String name = options.multicastInterface();
            if (name == null) {
                throw new IllegalArgumentException("cannot serve '" + address
                        + "': a multicast group needs Options.multicastInterface (the interface to join it on)");
            }
            NetworkInterface nif = NetworkInterface.getByName(name);
            if (nif == null) {
                throw new IllegalArgumentException("cannot serve '" + address + "': no network interface named '" + name + "'");
            }
            channel.bind(new InetSocketAddress(inet.getPort()));
            channel.setOption(StandardSocketOptions.IP_MULTICAST_IF, nif);
            channel.join(inet.getAddress(), nif);
            return channel;
        } catch (BindException e) {
            BindException named = new BindException("cannot bind '" + address + "': " + e.getMessage());
            named.initCause(e);
            throw named;
        } catch (IOException e) {
            throw new IOException("cannot bind '" + address + "': " + e.getMessage(), e);
        }
    }

    private ServerSocketChannel bind(ListenAddress address, SocketAddress at, boolean reusePort) throws IOException {
        ServerSocketChannel listener = address.family() == null
                ? engine.provider().openServerSocketChannel()
                : engine.provider().openServerSocketChannel(address.family());
        allListeners.add(listener);
        try {
            listener.configureBlocking(false);
            if (address.network() == ListenAddress.Network.UNIX) {
                removeStaleSocketFile(address, ((UnixDomainSocketAddress) at).getPath());
            } else {
                applyListenOptions(listener, address, options.reuseAddr(), reusePort);
            }
            listener.bind(at, options.backlog());
            if (address.network() == ListenAddress.Network.UNIX) {
                unixPaths.add(((UnixDomainSocketAddress) at).getPath());
            }
            return listener;
        } catch (BindException e) {
            BindException named = new BindException("cannot bind '" + address + "': " + e.getMessage());
            named.initCause(e);
            throw named;
        } catch (IOException e) {
            throw new IOException("cannot bind '" + address + "': " + e.getMessage(), e);
        }
    }

    /** A socket file left by a process that died is removed; a regular file or directory is not touched. */
    private static void removeStaleSocketFile(ListenAddress address, Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS) || Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)
                || Files.isSymbolicLink(path)) {
            throw new IOException("cannot bind '" + address + "': " + path + " exists and is not a socket");
        }
        Files.delete(path);
    }

    /** Closes every listening socket and removes the unix socket files bound. Idempotent. */
    void close() {
        for (ServerSocketChannel listener : allListeners) {
            EventLoop.closeQuietly(listener);
        }
        for (DatagramChannel channel : allDatagramChannels) {
            EventLoop.closeQuietly(channel);
        }
        for (Path path : unixPaths) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "could not remove socket file " + path, e);
            }
        }
        unixPaths.clear();
    }

    /** Whether UDP sockets sharing a port with {@code SO_REUSEPORT} split the datagrams between them: Linux 3.9+. */
    private static final class UdpReusePort {
        static final String OS = System.getProperty("os.name", "unknown");
        static final boolean SPREADS = OS.toLowerCase(Locale.ROOT).startsWith("linux") && supported();

        private static boolean supported() {
            try (DatagramChannel probe = DatagramChannel.open()) {
                return probe.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT);
            } catch (IOException | RuntimeException e) {
                return false;
            }
        }
    }
}
