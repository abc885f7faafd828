package io.gnetj.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gnetj.ProxyHeader;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The PROXY header reader on its own: versions 1 and 2 as HAProxy's specification writes them,
 * never a byte read past the header whatever follows it, and malformed or over-long headers
 * refused with a message that says what was wrong (and no DNS lookup for a named host).
 */
class ProxyHeaderReaderTest {

    private static final byte[] SIG = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    private static final byte[] AFTER = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Feeds {@code header + AFTER} the way a socket would, each read given at most what
     * {@code want()} allows and at most {@code chunk} bytes; checks nothing past the header is
     * taken.
     */
    private static ProxyHeader read(byte[] header, int chunk) throws ProtocolException {
        byte[] stream = concat(header, AFTER);
        ProxyHeaderReader r = new ProxyHeaderReader();
        int off = 0;
        ProxyHeader done = null;
        for (int want; done == null && (want = r.want()) > 0; ) {
            int n = Math.min(want, chunk);
            r.window(want).put(stream, off, n);
            off += n;
            done = r.filled(n);
        }
        assertThat(off).as("bytes taken from the stream: exactly the header").isEqualTo(header.length);
        return done;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] v2(int verCmd, int famProto, byte[] addresses, byte[]... tlvs) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(addresses);
        for (byte[] tlv : tlvs) {
            body.writeBytes(tlv);
        }
        ByteBuffer b = ByteBuffer.allocate(16 + body.size());
        b.put(SIG).put((byte) verCmd).put((byte) famProto).putShort((short) body.size()).put(body.toByteArray());
        return b.array();
    }

    private static byte[] tlv(int type, byte[] value) {
        return ByteBuffer.allocate(3 + value.length).put((byte) type).putShort((short) value.length).put(value).array();
    }

    @Test
    void versionOneLinesAsHaproxyWritesThem() throws Exception {
        for (int chunk : new int[] {1, 2, 7, 1000}) {
            ProxyHeader h = read(ascii("PROXY TCP4 192.168.0.1 10.0.0.2 56324 443\r\n"), chunk);
            assertThat(h.version()).isEqualTo(1);
            assertThat(h.local()).isFalse();
            assertThat(h.source()).isEqualTo(new InetSocketAddress("192.168.0.1", 56324));
            assertThat(h.destination()).isEqualTo(new InetSocketAddress("10.0.0.2", 443));
            ProxyHeader six = read(ascii("PROXY TCP6 2001:db8::1 ::1 65535 0\r\n"), chunk);
            assertThat(six.source()).isEqualTo(new InetSocketAddress("2001:db8::1", 65535));
            assertThat(six.destination()).isEqualTo(new InetSocketAddress("::1", 0));
            ProxyHeader unknown = read(ascii("PROXY UNKNOWN\r\n"), chunk);
            assertThat(unknown.local()).isTrue();
            assertThat(unknown.source()).isNull();
            assertThat(read(ascii("PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n"), chunk).local()).isTrue();
        }
    }

    @Test
    void versionTwoHeadersWithEveryFamilyAndTlvs() throws Exception {
        byte[] v4 = ByteBuffer.allocate(12).put(new byte[] {(byte) 203, 0, 113, 7}).put(new byte[] {10, 0, 0, 1})
                .putShort((short) 51000).putShort((short) 8080).array();
        ProxyHeader h = read(v2(0x21, 0x11, v4, tlv(ProxyHeader.TYPE_AUTHORITY, ascii("example.com")),
                tlv(ProxyHeader.TYPE_UNIQUE_ID, new byte[] {1, 2, 3})), 5);
        assertThat(h.version()).isEqualTo(2);
        assertThat(h.source()).isEqualTo(new InetSocketAddress("203.0.113.7", 51000));
        assertThat(h.destination()).isEqualTo(new InetSocketAddress("10.0.0.1", 8080));
        assertThat(h.tlv(ProxyHeader.TYPE_AUTHORITY)).isEqualTo(ascii("example.com"));
        assertThat(h.tlv(ProxyHeader.TYPE_UNIQUE_ID)).containsExactly(1, 2, 3);
        assertThat(h.tlv(ProxyHeader.TYPE_SSL)).isNull();

        byte[] v6 = ByteBuffer.allocate(36).put(new byte[15]).put((byte) 1).put(new byte[15]).put((byte) 2)
                .putShort((short) 1).putShort((short) 2).array();
        ProxyHeader six = read(v2(0x21, 0x21, v6), 1000);
        assertThat(six.source()).isEqualTo(new InetSocketAddress("::1", 1));

        byte[] unix = new byte[216];
        System.arraycopy(ascii("/run/client.sock"), 0, unix, 0, 16);
        System.arraycopy(ascii("/run/server.sock"), 0, unix, 108, 16);
        ProxyHeader u = read(v2(0x21, 0x31, unix), 1000);
        assertThat(u.source()).isEqualTo(UnixDomainSocketAddress.of("/run/client.sock"));
        assertThat(u.destination()).isEqualTo(UnixDomainSocketAddress.of("/run/server.sock"));

        ProxyHeader local = read(v2(0x20, 0x00, new byte[0]), 3);
        assertThat(local.local()).isTrue();
        assertThat(local.source()).isNull();
    }

    @Test
    void malformedHeadersAreRefusedWithAReason() {
        assertRefused(ascii("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), "not a PROXY protocol header");
        assertRefused(ascii("PROXY TCP4 host.example 10.0.0.2 1 2\r\n"), "is not an IPv4 address");
        assertRefused(ascii("PROXY TCP4 256.1.1.1 10.0.0.2 1 2\r\n"), "is not an IPv4 address");
        assertRefused(ascii("PROXY TCP6 beef 10.0.0.2 1 2\r\n"), "is not an IPv6 address");
        assertRefused(ascii("PROXY TCP4 1.1.1.1 10.0.0.2 65536 2\r\n"), "is not a port");
        assertRefused(ascii("PROXY TCP4 1.1.1.1 10.0.0.2 1 2 3\r\n"), "too many fields");
        assertRefused(ascii("PROXY TCP4 1.1.1.1 10.0.0.2 1 2\n"), "line feed without a carriage return");
        assertRefused(ascii("PROXY UNKNOWN " + "x".repeat(120) + "\r\n"), "no CRLF within 107 bytes");
        assertRefused(v2(0x11, 0x11, new byte[12]), "version 1, expected 2");
        assertRefused(v2(0x22, 0x11, new byte[12]), "unknown command 2");
        assertRefused(v2(0x21, 0x11, new byte[8]), "cannot hold the 12 of its addresses");
        assertRefused(v2(0x21, 0x11, new byte[12], new byte[] {0x20, 0x00, 0x09, 1}), "runs past the header");
        byte[] huge = ByteBuffer.allocate(16).put(SIG).put((byte) 0x21).put((byte) 0x11).putShort((short) 60000).array();
        assertRefused(huge, "longer than the");
    }

    @Test
    void randomBytesNeverThrowAnythingButProtocolExceptionAndNeverReadPastWant() {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 20_000; i++) {
            byte[] input = new byte[random.nextInt(1, 200)];
            random.nextBytes(input);
            if (random.nextBoolean()) {
                System.arraycopy(random.nextBoolean() ? SIG : ascii("PROXY TCP4 "), 0, input, 0, Math.min(input.length, 11));
            }
            try {
                ProxyHeaderReader.parse(input);
            } catch (ProtocolException expected) {
                // refused: fine
            }
        }
    }

    private static void assertRefused(byte[] header, String reason) {
        assertThatThrownBy(() -> ProxyHeaderReader.parse(concat(header, AFTER)))
                .as(new String(header, StandardCharsets.ISO_8859_1))
                .isInstanceOf(ProtocolException.class).hasMessageContaining(reason);
    }
}
