package io.gnetj.internal;

import io.gnetj.ProxyHeader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads one PROXY protocol header (HAProxy's specification, version 1 text or version 2 binary)
 * from the start of a stream, and never a byte past its end: the bytes after it (a TLS
 * ClientHello, the first HTTP request) stay in the socket for the connection.
 *
 * <pre>
 *   v1: "PROXY " ("TCP4" | "TCP6") SP src SP dst SP sport SP dport CRLF | "PROXY UNKNOWN" ... CRLF   (≤ 107 bytes)
 *   v2: 12-byte signature, ver/cmd, family, length (u16), addresses, TLVs                          (16 + length)
 * </pre>
 *
 * <p>How it never reads too far: {@link #want()} is the fewest bytes the header can still have,
 * given what came. Every header is at least 15 bytes, so that is the first read; a version 2
 * header says its length in bytes 15-16; a version 1 line's remaining fields each have a
 * minimum length (an IPv4 address at least 7 characters, a port 1, CRLF 2). A typical header
 * takes two to four reads.
 *
 * <p>Addresses are parsed as literals only, never looked up: a header that names a host is
 * malformed, not a DNS query on the event loop.
 *
 * <p>Passive: it is given bytes and says what it has; the caller does the socket work. Threading:
 * one thread (the connection's loop).
 */
final class ProxyHeaderReader {

    /** Longest version 1 line, CRLF included (the specification's bound). */
    static final int V1_MAX = 107;
    /** Longest version 2 header read (16 fixed bytes, the addresses and the TLVs); longer is refused. */
    static final int V2_MAX = 16 + 4096;
    private static final int MIN_HEADER = 15;
    private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    private static final byte[] V1_PREFIX = "PROXY ".getBytes(StandardCharsets.US_ASCII);

    private byte[] bytes = new byte[32];
    private int have;
    private ProxyHeader header;

    /**
     * How many bytes to read next: at least 1, and never more than the header can still have
     * ({@code 0} once it is complete).
     *
     * @throws ProtocolException if what came so far cannot start a PROXY header, or is too long
     */
    int want() throws ProtocolException {
        if (header != null) {
            return 0;
        }
        if (have < MIN_HEADER) {
            return MIN_HEADER - have;
        }
        if (isV2()) {
            if (have < 16) {
                return 16 - have;
            }
            int total = 16 + (((bytes[14] & 0xFF) << 8) | (bytes[15] & 0xFF));
            if (total > V2_MAX) {
                throw new ProtocolException("PROXY v2 header of " + total + " bytes is longer than the " + V2_MAX
                        + " accepted");
            }
            return total - have;
        }
        return v1Want();
    }

    /** A buffer over the room for the next {@link #want()} bytes; fill it, then call {@link #filled}. */
    ByteBuffer window(int want) {
        if (have + want > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(have + want, bytes.length * 2));
        }
        return ByteBuffer.wrap(bytes, have, want);
    }

    /**
     * {@code n} bytes were put into the last window; parses once the header is whole.
     *
     * @return the header once complete, else {@code null}
     * @throws ProtocolException if the header is malformed
     */
    ProxyHeader filled(int n) throws ProtocolException {
        have += n;
        if (have >= MIN_HEADER && !isV2() && !startsWith(V1_PREFIX)) {
            throw new ProtocolException("not a PROXY protocol header: it starts with neither \"PROXY \" nor the v2"
                    + " signature");
        }
        if (want() == 0) {
            header = isV2() ? parseV2() : parseV1();
        }
        return header;
    }

    /** The same as feeding bytes one window at a time: for tests and fuzzing. */
    static ProxyHeader parse(byte[] input) throws ProtocolException {
        ProxyHeaderReader r = new ProxyHeaderReader();
        int off = 0;
        for (int want; (want = r.want()) > 0; ) {
            if (off + want > input.length) {
                return null;
            }
            r.window(want).put(input, off, want);
            off += want;
            r.filled(want);
        }
        return r.header;
    }

    private boolean isV2() {
        for (int i = 0; i < V2_SIGNATURE.length && i < have; i++) {
            if (bytes[i] != V2_SIGNATURE[i]) {
                return false;
            }
        }
        return have >= V2_SIGNATURE.length || bytes[0] == V2_SIGNATURE[0];
    }

    private boolean startsWith(byte[] prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    // ---- version 1 ----

    /** The fewest bytes the line can still have: the minimum of each field not yet complete. */
    private int v1Want() throws ProtocolException {
        if (bytes[have - 1] == '\n') {
            if (bytes[have - 2] != '\r') {
                throw new ProtocolException("PROXY v1 header: a line feed without a carriage return");
            }
            return 0;
        }
        if (have >= V1_MAX) {
            throw new ProtocolException("PROXY v1 header: no CRLF within " + V1_MAX + " bytes");
        }
        if (bytes[have - 1] == '\r') {
            return 1;
        }
        int need;
        String protocol = field(6);
        if (protocol.startsWith("TCP4") || protocol.startsWith("TCP6")) {
            int minAddress = protocol.startsWith("TCP4") ? 7 : 2;
            int[] minimum = {4, minAddress, minAddress, 1, 1};
            int index = 0;
            int length = 0;
            for (int i = 6; i < have; i++) {
                if (bytes[i] == ' ') {
                    index++;
                    length = 0;
                } else {
                    length++;
                }
            }
            if (index >= minimum.length) {
                throw new ProtocolException("PROXY v1 header: too many fields");
            }
            need = Math.max(minimum[index] - length, 0);
            for (int f = index + 1; f < minimum.length; f++) {
                need += 1 + minimum[f];
            }
            need += 2; // CRLF
        } else {
            need = 2; // UNKNOWN, or a protocol still arriving: at least CRLF
        }
        return Math.min(need, V1_MAX - have);
    }

    private String field(int from) {
        int end = from;
        while (end < have && bytes[end] != ' ' && bytes[end] != '\r') {
            end++;
        }
        return new String(bytes, from, end - from, StandardCharsets.US_ASCII);
    }

    private ProxyHeader parseV1() throws ProtocolException {
        String line = new String(bytes, 0, have - 2, StandardCharsets.US_ASCII);
        String[] f = line.split(" ", -1);
        if (f.length >= 2 && f[1].equals("UNKNOWN")) {
            return new ProxyHeader(1, true, null, null, List.of());
        }
        if (f.length != 6 || !(f[1].equals("TCP4") || f[1].equals("TCP6"))) {
            throw new ProtocolException("PROXY v1 header: expected \"PROXY TCP4|TCP6 src dst sport dport\", got \""
                    + printable(line) + "\"");
        }
        boolean v4 = f[1].equals("TCP4");
        InetAddress src = literal(f[2], v4);
        InetAddress dst = literal(f[3], v4);
        return new ProxyHeader(1, false, new InetSocketAddress(src, port(f[4])),
                new InetSocketAddress(dst, port(f[5])), List.of());
    }

    private static InetAddress literal(String text, boolean v4) throws ProtocolException {
        boolean ok = !text.isEmpty() && text.length() <= 45;
        for (int i = 0; ok && i < text.length(); i++) {
            char c = text.charAt(i);
            ok = v4 ? (c >= '0' && c <= '9') || c == '.'
                    : (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
        }
        // An IPv6 literal must hold a colon, so the JDK parses it and never looks it up; an IPv4 one
        // is checked as four decimal octets first.
        ok = ok && (v4 ? isDottedQuad(text) : text.indexOf(':') >= 0);
        if (ok) {
            try {
                InetAddress a = InetAddress.getByName(text);
                if (v4 == (a.getAddress().length == 4)) {
                    return a;
                }
            } catch (UnknownHostException e) {
                // falls through to the error below
            }
        }
        throw new ProtocolException("PROXY v1 header: \"" + printable(text) + "\" is not an " + (v4 ? "IPv4" : "IPv6")
                + " address");
    }

    private static boolean isDottedQuad(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0') || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    private static int port(String text) throws ProtocolException {
        boolean ok = !text.isEmpty() && text.length() <= 5 && (text.length() == 1 || text.charAt(0) != '0');
        for (int i = 0; ok && i < text.length(); i++) {
            ok = text.charAt(i) >= '0' && text.charAt(i) <= '9';
        }
        if (!ok || Integer.parseInt(text) > 65535) {
            throw new ProtocolException("PROXY v1 header: \"" + printable(text) + "\" is not a port");
        }
        return Integer.parseInt(text);
    }

    // ---- version 2 ----

    private ProxyHeader parseV2() throws ProtocolException {
        int verCmd = bytes[12] & 0xFF;
        if (verCmd >> 4 != 2) {
            throw new ProtocolException("PROXY v2 header: version " + (verCmd >> 4) + ", expected 2");
        }
        int command = verCmd & 0x0F;
        if (command > 1) {
            throw new ProtocolException("PROXY v2 header: unknown command " + command);
        }
        int family = (bytes[13] & 0xFF) >> 4;
        int transport = bytes[13] & 0x0F;
        if (family > 3 || transport > 2) {
            throw new ProtocolException("PROXY v2 header: unknown address family/transport 0x"
                    + Integer.toHexString(bytes[13] & 0xFF));
        }
        int addressLength = family == 1 ? 12 : family == 2 ? 36 : family == 3 ? 216 : 0;
        if (16 + addressLength > have) {
            throw new ProtocolException("PROXY v2 header: " + (have - 16) + " bytes cannot hold the "
                    + addressLength + " of its addresses");
        }
        List<ProxyHeader.Tlv> tlvs = tlvs(16 + addressLength);
        if (command == 0 || family == 0) { // LOCAL, or a connection the balancer cannot describe
            return new ProxyHeader(2, true, null, null, tlvs);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes, 16, addressLength);
        SocketAddress src;
        SocketAddress dst;
        if (family == 3) {
            src = unix(16);
            dst = unix(16 + 108);
        } else {
            byte[] s = new byte[family == 1 ? 4 : 16];
            byte[] d = new byte[s.length];
            b.get(s).get(d);
            try {
                src = new InetSocketAddress(InetAddress.getByAddress(s), b.getShort() & 0xFFFF);
                dst = new InetSocketAddress(InetAddress.getByAddress(d), b.getShort() & 0xFFFF);
            } catch (UnknownHostException e) {
                throw new AssertionError("a 4- or 16-byte address is always valid", e);
            }
        }
        return new ProxyHeader(2, false, src, dst, tlvs);
    }

    private SocketAddress unix(int off) {
        int end = off;
        while (end < off + 108 && bytes[end] != 0) {
            end++;
        }
        return end == off ? null : UnixDomainSocketAddress.of(new String(bytes, off, end - off, StandardCharsets.UTF_8));
    }

    private List<ProxyHeader.Tlv> tlvs(int from) throws ProtocolException {
        List<ProxyHeader.Tlv> out = new ArrayList<>();
        int i = from;
        while (i < have) {
            if (have - i < 3) {
                throw new ProtocolException("PROXY v2 header: a TLV cut short at byte " + i);
            }
            int type = bytes[i] & 0xFF;
            int length = ((bytes[i + 1] & 0xFF) << 8) | (bytes[i + 2] & 0xFF);
            if (i + 3 + length > have) {
                throw new ProtocolException("PROXY v2 header: TLV 0x" + Integer.toHexString(type) + " of " + length
                        + " bytes runs past the header");
            }
            out.add(new ProxyHeader.Tlv(type, Arrays.copyOfRange(bytes, i + 3, i + 3 + length)));
            i += 3 + length;
        }
        return out;
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 64; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7F ? c : '?');
        }
        return b.toString();
    }
}
