package io.gnetj.internal;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.util.Set;
import jdk.net.ExtendedSocketOptions;

/**
 * What the epoll transport's two socket channels share: making a socket, the address families,
 * socket options, and the local address.
 *
 * <p>Threading: stateless.
 */
final class EpollSockets {

    /** Whether this kernel makes IPv6 sockets (else a socket opened without a family is IPv4). */
    static final boolean IPV6 = probeIpv6();

    static final Set<SocketOption<?>> INET_STREAM = Set.of(StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_RCVBUF,
            StandardSocketOptions.SO_KEEPALIVE, StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_REUSEPORT,
            StandardSocketOptions.SO_LINGER, StandardSocketOptions.TCP_NODELAY, ExtendedSocketOptions.TCP_KEEPIDLE,
            ExtendedSocketOptions.TCP_KEEPINTERVAL, ExtendedSocketOptions.TCP_KEEPCOUNT);
    static final Set<SocketOption<?>> UNIX_STREAM = Set.of(StandardSocketOptions.SO_SNDBUF,
            StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_LINGER);
    static final Set<SocketOption<?>> INET_LISTEN = Set.of(StandardSocketOptions.SO_RCVBUF,
            StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_REUSEPORT);
    static final Set<SocketOption<?>> UNIX_LISTEN = Set.of(StandardSocketOptions.SO_RCVBUF);

    private EpollSockets() {
    }

    private static boolean probeIpv6() {
        if (Boolean.getBoolean("java.net.preferIPv4Stack")) {
            return false;
        }
        try {
            int fd = socket(LinuxNative.AF_INET6);
            LinuxNative.close(fd);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The kernel's family for a channel opened with {@code family} ({@code null}: IPv6 dual-stack where there is IPv6). */
    static int family(ProtocolFamily family) {
        if (family == null) {
            return IPV6 ? LinuxNative.AF_INET6 : LinuxNative.AF_INET;
        }
        if (family == StandardProtocolFamily.INET) {
            return LinuxNative.AF_INET;
        }
        if (family == StandardProtocolFamily.INET6) {
            return LinuxNative.AF_INET6;
        }
        if (family == StandardProtocolFamily.UNIX) {
            return LinuxNative.AF_UNIX;
        }
        throw new UnsupportedOperationException("protocol family " + family + " is not supported");
    }

    /** A new non-blocking, close-on-exec stream socket; an IPv6 one serves IPv4 too. */
    static int socket(int family) throws IOException {
        LinuxNative.Scratch s = LinuxNative.Scratch.get();
        int fd;
        try {
            fd = (int) LinuxNative.SOCKET.invokeExact(s.errno, family,
                    LinuxNative.SOCK_STREAM | LinuxNative.SOCK_NONBLOCK | LinuxNative.SOCK_CLOEXEC, 0);
        } catch (Throwable t) {
            throw LinuxNative.rethrow(t);
        }
        if (fd < 0) {
            throw LinuxNative.error("socket", s.errno());
        }
        if (family == LinuxNative.AF_INET6) {
            try {
                LinuxNative.setInt(fd, LinuxNative.IPPROTO_IPV6, LinuxNative.IPV6_V6ONLY, 0);
            } catch (IOException e) {
                LinuxNative.close(fd);
                throw e;
            }
        }
        return fd;
    }

    /** Binds {@code fd} (of {@code family}) to {@code local}, or throws a {@link java.net.BindException} naming it. */
    static void bind(int fd, int family, SocketAddress local) throws IOException {
        LinuxNative.Scratch s = LinuxNative.Scratch.get();
        int length = SockAddr.encode(local, family, s.sockaddr);
        int r;
        try {
            r = (int) LinuxNative.BIND.invokeExact(s.errno, fd, s.sockaddr, length);
        } catch (Throwable t) {
            throw LinuxNative.rethrow(t);
        }
        if (r < 0) {
            throw LinuxNative.error("bind " + local, s.errno());
        }
    }

    /** The socket's own address ({@code getsockname}). */
    static SocketAddress localAddress(int fd) throws IOException {
        return name(fd, LinuxNative.GETSOCKNAME, "getsockname", false);
    }

    /** The peer's address ({@code getpeername}), or null if not connected. */
    static SocketAddress peerAddress(int fd) throws IOException {
        return name(fd, LinuxNative.GETPEERNAME, "getpeername", true);
    }

    /** {@code getsockname} or {@code getpeername}; {@code ENOTCONN} is {@code null} if {@code orNull}. */
    private static SocketAddress name(int fd, java.lang.invoke.MethodHandle call, String what, boolean orNull)
            throws IOException {
        LinuxNative.Scratch s = LinuxNative.Scratch.get();
        s.length.set(JAVA_INT, 0, LinuxNative.SOCKADDR_CAP);
        int r;
        try {
            r = (int) call.invokeExact(s.errno, fd, s.sockaddr, s.length);
        } catch (Throwable t) {
            throw LinuxNative.rethrow(t);
        }
        if (r < 0) {
            int errno = s.errno();
            if (orNull && errno == LinuxNative.ENOTCONN) {
                return null;
            }
            throw LinuxNative.error(what, errno);
        }
        return SockAddr.decode(s.sockaddr, s.length.get(JAVA_INT, 0));
    }

    // ---- options ----

    static <T> void setOption(int fd, Set<SocketOption<?>> supported, SocketOption<T> option, T value) throws IOException {
        if (!supported.contains(option)) {
            throw new UnsupportedOperationException("'" + option + "' not supported");
        }
        if (value == null) {
            throw new IllegalArgumentException("Invalid value 'null'");
        }
        if (option == StandardSocketOptions.SO_LINGER) {
            int seconds = (Integer) value;
            LinuxNative.Scratch s = LinuxNative.Scratch.get();
            s.option.set(JAVA_INT, 0, seconds < 0 ? 0 : 1);
            s.option.set(JAVA_INT, 4, Math.max(0, Math.min(seconds, 65535)));
            int r;
            try {
                r = (int) LinuxNative.SETSOCKOPT.invokeExact(s.errno, fd, LinuxNative.SOL_SOCKET, LinuxNative.SO_LINGER,
                        s.option, 8);
            } catch (Throwable t) {
                throw LinuxNative.rethrow(t);
            }
            if (r < 0) {
                throw LinuxNative.error("setsockopt SO_LINGER", s.errno());
            }
            return;
        }
        int[] levelAndName = levelAndName(option);
        int intValue;
        if (value instanceof Boolean on) {
            intValue = on ? 1 : 0;
        } else {
            intValue = (Integer) value;
            if (intValue < 0) {
                throw new IllegalArgumentException("Invalid value '" + value + "' for " + option);
            }
        }
        LinuxNative.setInt(fd, levelAndName[0], levelAndName[1], intValue);
    }

    @SuppressWarnings("unchecked")
    static <T> T getOption(int fd, Set<SocketOption<?>> supported, SocketOption<T> option) throws IOException {
        if (!supported.contains(option)) {
            throw new UnsupportedOperationException("'" + option + "' not supported");
        }
        if (option == StandardSocketOptions.SO_LINGER) {
            LinuxNative.Scratch s = LinuxNative.Scratch.get();
            s.length.set(JAVA_INT, 0, 8);
            int r;
            try {
                r = (int) LinuxNative.GETSOCKOPT.invokeExact(s.errno, fd, LinuxNative.SOL_SOCKET, LinuxNative.SO_LINGER,
                        s.option, s.length);
            } catch (Throwable t) {
                throw LinuxNative.rethrow(t);
            }
            if (r < 0) {
                throw LinuxNative.error("getsockopt SO_LINGER", s.errno());
            }
            return (T) Integer.valueOf(s.option.get(JAVA_INT, 0) == 0 ? -1 : s.option.get(JAVA_INT, 4));
        }
        int[] levelAndName = levelAndName(option);
        int value = LinuxNative.getInt(fd, levelAndName[0], levelAndName[1]);
        if (option.type() == Boolean.class) {
            return (T) Boolean.valueOf(value != 0);
        }
        return (T) Integer.valueOf(value);
    }

    private static int[] levelAndName(SocketOption<?> option) {
        if (option == StandardSocketOptions.TCP_NODELAY) {
            return new int[] {LinuxNative.IPPROTO_TCP, LinuxNative.TCP_NODELAY};
        } else if (option == StandardSocketOptions.SO_KEEPALIVE) {
            return new int[] {LinuxNative.SOL_SOCKET, LinuxNative.SO_KEEPALIVE};
        } else if (option == StandardSocketOptions.SO_SNDBUF) {
            return new int[] {LinuxNative.SOL_SOCKET, LinuxNative.SO_SNDBUF};
        } else if (option == StandardSocketOptions.SO_RCVBUF) {
            return new int[] {LinuxNative.SOL_SOCKET, LinuxNative.SO_RCVBUF};
        } else if (option == StandardSocketOptions.SO_REUSEADDR) {
            return new int[] {LinuxNative.SOL_SOCKET, LinuxNative.SO_REUSEADDR};
        } else if (option == StandardSocketOptions.SO_REUSEPORT) {
            return new int[] {LinuxNative.SOL_SOCKET, LinuxNative.SO_REUSEPORT};
        } else if (option == ExtendedSocketOptions.TCP_KEEPIDLE) {
            return new int[] {LinuxNative.IPPROTO_TCP, LinuxNative.TCP_KEEPIDLE};
        } else if (option == ExtendedSocketOptions.TCP_KEEPINTERVAL) {
            return new int[] {LinuxNative.IPPROTO_TCP, LinuxNative.TCP_KEEPINTVL};
        } else if (option == ExtendedSocketOptions.TCP_KEEPCOUNT) {
            return new int[] {LinuxNative.IPPROTO_TCP, LinuxNative.TCP_KEEPCNT};
        }
        throw new UnsupportedOperationException("'" + option + "' not supported");
    }
}
