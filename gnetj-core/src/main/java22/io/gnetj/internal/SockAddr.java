package io.gnetj.internal;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * Socket addresses to and from the kernel's {@code sockaddr_in}, {@code sockaddr_in6} and
 * {@code sockaddr_un}. An IPv4 address given to an IPv6 (dual-stack) socket travels as
 * {@code ::ffff:a.b.c.d}, and comes back as IPv4, as the JDK's own channels do; the IPv4 wildcard
 * given to such a socket becomes the IPv6 one, which serves both.
 *
 * <p>Threading: stateless.
 */
final class SockAddr {

    /** Unix socket paths are encoded as the JDK encodes file names. */
    private static final Charset PATHS = pathCharset();
    /** {@code sizeof(sun_path)}: 108 bytes, the last of which must be the terminating NUL. */
    private static final int UNIX_PATH_MAX = 108;

    private SockAddr() {
    }

    private static Charset pathCharset() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (RuntimeException e) {
            return StandardCharsets.UTF_8;
        }
    }

    /**
     * Writes {@code address} for a socket of {@code family} into {@code out}.
     *
     * @return the length to pass with it
     */
    static int encode(SocketAddress address, int family, MemorySegment out) throws IOException {
        out.fill((byte) 0);
        if (family == LinuxNative.AF_UNIX) {
            if (!(address instanceof UnixDomainSocketAddress unix)) {
                throw new UnsupportedAddressTypeException();
            }
            byte[] path = unix.getPath().toString().getBytes(PATHS);
            if (path.length >= UNIX_PATH_MAX) {
                throw new IOException("unix domain socket path too long (" + path.length + " bytes, at most "
                        + (UNIX_PATH_MAX - 1) + "): " + unix.getPath());
            }
            out.set(JAVA_SHORT, 0, (short) LinuxNative.AF_UNIX);
            MemorySegment.copy(path, 0, out, JAVA_BYTE, 2, path.length);
            return 2 + path.length + 1;
        }
        if (!(address instanceof InetSocketAddress inet)) {
            throw new UnsupportedAddressTypeException();
        }
        if (inet.isUnresolved()) {
            throw new UnresolvedAddressException();
        }
        InetAddress ip = inet.getAddress();
        int port = inet.getPort();
        if (family == LinuxNative.AF_INET) {
            if (!(ip instanceof Inet4Address)) {
                throw new UnsupportedAddressTypeException();
            }
            out.set(JAVA_SHORT, 0, (short) LinuxNative.AF_INET);
            putPort(out, port);
            MemorySegment.copy(ip.getAddress(), 0, out, JAVA_BYTE, 4, 4);
            return 16;
        }
        out.set(JAVA_SHORT, 0, (short) LinuxNative.AF_INET6);
        putPort(out, port);
        byte[] bytes;
        int scope = 0;
        if (ip instanceof Inet4Address) {
            bytes = new byte[16];
            if (!ip.isAnyLocalAddress()) { // 0.0.0.0 on a dual-stack socket: ::, which also serves IPv4
                bytes[10] = (byte) 0xff;
                bytes[11] = (byte) 0xff;
                System.arraycopy(ip.getAddress(), 0, bytes, 12, 4);
            }
        } else {
            bytes = ip.getAddress();
            scope = ((Inet6Address) ip).getScopeId();
        }
        MemorySegment.copy(bytes, 0, out, JAVA_BYTE, 8, 16);
        out.set(JAVA_INT, 24, scope);
        return 28;
    }

    private static void putPort(MemorySegment out, int port) {
        out.set(JAVA_BYTE, 2, (byte) (port >>> 8));
        out.set(JAVA_BYTE, 3, (byte) port);
    }

    /** The address the kernel wrote into {@code in} ({@code length} bytes). */
    static SocketAddress decode(MemorySegment in, int length) throws IOException {
        if (length < 2) {
            return UnixDomainSocketAddress.of(""); // an unnamed unix socket
        }
        int family = in.get(JAVA_SHORT, 0) & 0xffff;
        switch (family) {
            case LinuxNative.AF_UNIX: {
                int max = Math.min(length - 2, UNIX_PATH_MAX);
                int n = 0;
                while (n < max && in.get(JAVA_BYTE, 2 + n) != 0) {
                    n++;
                }
                byte[] path = new byte[n];
                MemorySegment.copy(in, JAVA_BYTE, 2, path, 0, n);
                return UnixDomainSocketAddress.of(new String(path, PATHS));
            }
            case LinuxNative.AF_INET: {
                byte[] ip = new byte[4];
                MemorySegment.copy(in, JAVA_BYTE, 4, ip, 0, 4);
                return new InetSocketAddress(InetAddress.getByAddress(ip), port(in));
            }
            case LinuxNative.AF_INET6: {
                byte[] ip = new byte[16];
                MemorySegment.copy(in, JAVA_BYTE, 8, ip, 0, 16);
                int scope = in.get(JAVA_INT, 24);
                // getByAddress turns ::ffff:a.b.c.d into an Inet4Address, as the JDK's channels report it.
                InetAddress address = scope != 0 && !isMapped(ip) ? Inet6Address.getByAddress(null, ip, scope)
                        : InetAddress.getByAddress(ip);
                return new InetSocketAddress(address, port(in));
            }
            default:
                throw new IOException("unexpected address family " + family);
        }
    }

    private static boolean isMapped(byte[] ip) {
        for (int i = 0; i < 10; i++) {
            if (ip[i] != 0) {
                return false;
            }
        }
        return ip[10] == (byte) 0xff && ip[11] == (byte) 0xff;
    }

    private static int port(MemorySegment in) {
        return ((in.get(JAVA_BYTE, 2) & 0xff) << 8) | (in.get(JAVA_BYTE, 3) & 0xff);
    }
}
