package io.gnetj.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A parsed {@code scheme://host:port} (or {@code unix:///path}) address.
 *
 * <p>Threading: immutable.
 *
 * @param text     the address as given, for messages
 * @param network  the transport
 * @param family   the protocol family to open sockets with ({@code null}: the JDK's default, dual stack)
 * @param socketAddress where to bind or connect
 * @param tls      whether the address asks for TLS ({@code tls}, {@code tls4}, {@code tls6}: TCP with TLS)
 * @param host     the host as written (for TLS: the name a client verifies and sends as SNI); empty for any
 */
public record ListenAddress(String text, Network network, ProtocolFamily family, SocketAddress socketAddress,
                            boolean tls, String host) {

    /** Transports. */
    public enum Network { TCP, UDP, UNIX }

    private static final String SCHEMES = "tcp, tcp4, tcp6, tls, tls4, tls6, udp, udp4, udp6, unix";

    /**
     * Parses an address.
     *
     * @throws IllegalArgumentException naming the address and what is wrong with it
     */
    public static ListenAddress parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("address must not be null");
        }
        int sep = text.indexOf("://");
        if (sep <= 0) {
            throw bad(text, "expected scheme://host:port (schemes: " + SCHEMES + ")");
        }
        String scheme = text.substring(0, sep).toLowerCase(Locale.ROOT);
        String rest = text.substring(sep + 3);
        switch (scheme) {
            case "tcp": return inet(text, Network.TCP, null, rest, false);
            case "tcp4": return inet(text, Network.TCP, StandardProtocolFamily.INET, rest, false);
            case "tcp6": return inet(text, Network.TCP, StandardProtocolFamily.INET6, rest, false);
            case "tls": return inet(text, Network.TCP, null, rest, true);
            case "tls4": return inet(text, Network.TCP, StandardProtocolFamily.INET, rest, true);
            case "tls6": return inet(text, Network.TCP, StandardProtocolFamily.INET6, rest, true);
            case "udp": return inet(text, Network.UDP, null, rest, false);
            case "udp4": return inet(text, Network.UDP, StandardProtocolFamily.INET, rest, false);
            case "udp6": return inet(text, Network.UDP, StandardProtocolFamily.INET6, rest, false);
            case "unix": return unix(text, rest);
            default: throw bad(text, "unknown scheme '" + scheme + "' (expected one of " + SCHEMES + ")");
        }
    }

    private static ListenAddress unix(String text, String path) {
        if (path.isEmpty()) {
            throw bad(text, "a unix address needs a path, as in unix:///tmp/gnetj.sock");
        }
        try {
            return new ListenAddress(text, Network.UNIX, StandardProtocolFamily.UNIX,
                    UnixDomainSocketAddress.of(Path.of(path)), false, "");
        } catch (RuntimeException e) {
            throw bad(text, "invalid path: " + e.getMessage());
        }
    }

    private static ListenAddress inet(String text, Network network, ProtocolFamily family, String hostPort, boolean tls) {
        String host;
        String portText;
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            if (close < 0 || close + 1 >= hostPort.length() || hostPort.charAt(close + 1) != ':') {
                throw bad(text, "expected [ipv6]:port");
            }
            host = hostPort.substring(1, close);
            portText = hostPort.substring(close + 2);
        } else {
            int colon = hostPort.lastIndexOf(':');
            if (colon < 0) {
                throw bad(text, "missing :port");
            }
            host = hostPort.substring(0, colon);
            portText = hostPort.substring(colon + 1);
            if (host.indexOf(':') >= 0) {
                throw bad(text, "IPv6 hosts go in brackets, as in tcp6://[::1]:9000");
            }
        }
        if (host.indexOf('/') >= 0 || portText.indexOf('/') >= 0) {
            throw bad(text, "unexpected '/'");
        }
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw bad(text, "port '" + portText + "' is not a number");
        }
        if (port < 0 || port > 65_535) {
            throw bad(text, "port " + port + " is out of range 0..65535");
        }
        InetSocketAddress address;
        if (host.isEmpty()) {
            address = family == StandardProtocolFamily.INET
                    ? new InetSocketAddress(anyIpv4(), port)
                    : new InetSocketAddress(port);
        } else {
            InetAddress ip;
            try {
                ip = InetAddress.getByName(host);
            } catch (UnknownHostException e) {
                throw bad(text, "unknown host '" + host + "'");
            }
            if (family == StandardProtocolFamily.INET && !(ip instanceof java.net.Inet4Address)) {
                throw bad(text, "'" + host + "' is not an IPv4 address");
            }
            if (family == StandardProtocolFamily.INET6 && !(ip instanceof java.net.Inet6Address)) {
                throw bad(text, "'" + host + "' is not an IPv6 address");
            }
            address = new InetSocketAddress(ip, port);
        }
        return new ListenAddress(text, network, family, address, tls, host);
    }

    private static InetAddress anyIpv4() {
        try {
            return InetAddress.getByAddress(new byte[4]);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static IllegalArgumentException bad(String text, String why) {
        return new IllegalArgumentException("invalid address '" + text + "': " + why);
    }

    @Override
    public String toString() {
        return text;
    }
}
