package io.gnetj.examples.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class HttpRequestParserTest {

    private static final int MAX_LINE = 8192;
    private static final int MAX_HEADERS = 8192;
    private static final long MAX_BODY = 1024 * 1024;

    private static HttpRequestParser parser() {
        return new HttpRequestParser(MAX_LINE, MAX_HEADERS, MAX_BODY);
    }

    /** The bytes in a direct buffer, starting at position 3 so absolute indexes are exercised. */
    private static ByteBuffer buffer(byte[] bytes, int length) {
        ByteBuffer b = ByteBuffer.allocateDirect(length + 3);
        b.put(new byte[] {'x', 'y', 'z'}).put(bytes, 0, length).flip().position(3);
        return b;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String body(HttpRequestParser p, ByteBuffer buf) {
        byte[] b = new byte[p.bodyLength()];
        if (p.chunked()) {
            System.arraycopy(p.chunkedBody(), 0, b, 0, b.length);
        } else {
            buf.get(p.bodyStart(), b);
        }
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static String path(HttpRequestParser p, ByteBuffer buf) {
        byte[] b = new byte[p.pathLength()];
        buf.get(p.pathStart(), b);
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static int status(String request) {
        HttpRequestParser p = parser();
        int n = p.parse(buffer(bytes(request), request.length()));
        assertThat(n).as("parse result of %s", request).isEqualTo(HttpRequestParser.ERROR);
        return p.errorStatus();
    }

    @Test
    void parsesAGetWithItsPathMethodAndVersion() {
        String req = "GET /plaintext?x=1 HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n\r\n";
        HttpRequestParser p = parser();
        ByteBuffer buf = buffer(bytes(req), req.length());
        assertThat(p.parse(buf)).isEqualTo(req.length());
        assertThat(p.method()).isEqualTo(HttpRequestParser.METHOD_GET);
        assertThat(path(p, buf)).isEqualTo("/plaintext");
        assertThat(p.pathEquals(buf, HttpHandler.PLAINTEXT_PATH)).isTrue();
        assertThat(p.minorVersion()).isEqualTo(1);
        assertThat(p.keepAlive()).isTrue();
        assertThat(p.bodyLength()).isZero();
        assertThat(buf.position()).as("parse never moves the buffer").isEqualTo(3);
    }

    @Test
    void acceptsAbsoluteFormTargets() {
        String req = "GET http://example.com:8080/json?q HTTP/1.1\r\nHost: example.com\r\n\r\n";
        HttpRequestParser p = parser();
        ByteBuffer buf = buffer(bytes(req), req.length());
        assertThat(p.parse(buf)).isEqualTo(req.length());
        assertThat(path(p, buf)).isEqualTo("/json");
    }

    @Test
    void keepAliveFollowsVersionAndConnectionHeader() {
        assertThat(keepAlive("GET / HTTP/1.1\r\nHost: a\r\n\r\n")).isTrue();
        assertThat(keepAlive("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")).isFalse();
        assertThat(keepAlive("GET / HTTP/1.1\r\nHost: a\r\nconnection: Keep-Alive, CLOSE\r\n\r\n")).isFalse();
        assertThat(keepAlive("GET / HTTP/1.0\r\n\r\n")).isFalse();
        assertThat(keepAlive("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")).isTrue();
        assertThat(keepAlive("GET / HTTP/1.0\r\nConnection: upgrade, keep-alive\r\n\r\n")).isTrue();
    }

    private static boolean keepAlive(String req) {
        HttpRequestParser p = parser();
        assertThat(p.parse(buffer(bytes(req), req.length()))).isEqualTo(req.length());
        return p.keepAlive();
    }

    @Test
    void matchesHeaderNamesInAnyCase() {
        String req = "POST /echo HTTP/1.1\r\nhOsT: a\r\ncOnTeNt-LeNgTh:   5  \r\n\r\nhello";
        HttpRequestParser p = parser();
        ByteBuffer buf = buffer(bytes(req), req.length());
        assertThat(p.parse(buf)).isEqualTo(req.length());
        assertThat(p.method()).isEqualTo(HttpRequestParser.METHOD_POST);
        assertThat(body(p, buf)).isEqualTo("hello");
    }

    @Test
    void acceptsRepeatedIdenticalContentLengths() {
        String req = "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\nContent-Length: 3\r\n\r\nabc";
        HttpRequestParser p = parser();
        ByteBuffer buf = buffer(bytes(req), req.length());
        assertThat(p.parse(buf)).isEqualTo(req.length());
        assertThat(body(p, buf)).isEqualTo("abc");
    }

    @Test
    void decodesChunkedBodiesWithExtensionsAndTrailers() {
        String req = "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;name=value\r\nhello\r\n7\r\n, world\r\nA \r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n";
        HttpRequestParser p = parser();
        ByteBuffer buf = buffer(bytes(req), req.length());
        assertThat(p.parse(buf)).isEqualTo(req.length());
        assertThat(p.chunked()).isTrue();
        assertThat(body(p, buf)).isEqualTo("hello, world0123456789");
    }

    @Test
    void skipsEmptyLinesBeforeTheRequestLine() {
        String req = "\r\n\r\nGET /json HTTP/1.1\r\nHost: a\r\n\r\n";
        HttpRequestParser p = parser();
        ByteBuffer buf = buffer(bytes(req), req.length());
        assertThat(p.parse(buf)).isEqualTo(req.length());
        assertThat(path(p, buf)).isEqualTo("/json");
    }

    @Test
    void toleratesBareLineFeeds() {
        String req = "GET /json HTTP/1.1\nHost: a\n\n";
        HttpRequestParser p = parser();
        ByteBuffer buf = buffer(bytes(req), req.length());
        assertThat(p.parse(buf)).isEqualTo(req.length());
        assertThat(path(p, buf)).isEqualTo("/json");
    }

    static List<String> requests() {
        return List.of(
                "GET /plaintext HTTP/1.1\r\nHost: localhost\r\nUser-Agent: test\r\nAccept: */*\r\n\r\n",
                "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world",
                "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "3;x=y\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nTrailer-A: 1\r\nTrailer-B: 2\r\n\r\n",
                "POST /echo HTTP/1.1\nHost: a\nTransfer-Encoding: chunked\n\n2\nab\n0\n\n",
                "\r\nGET /json HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    }

    @ParameterizedTest
    @MethodSource("requests")
    void needsMoreAtEveryByteBoundaryThenCompletes(String req) {
        byte[] all = bytes(req);
        String expectedBody = bodyOf(req);
        for (int split = 0; split < all.length; split++) {
            HttpRequestParser p = parser();
            assertThat(p.parse(buffer(all, split))).as("prefix of %d bytes", split)
                    .isEqualTo(HttpRequestParser.NEED_MORE);
            ByteBuffer full = buffer(all, all.length);
            assertThat(p.parse(full)).as("after a split at %d", split).isEqualTo(all.length);
            assertThat(body(p, full)).isEqualTo(expectedBody);
        }
    }

    @ParameterizedTest
    @MethodSource("requests")
    void resumesWhenFedOneByteAtATime(String req) {
        byte[] all = bytes(req);
        HttpRequestParser p = parser();
        for (int length = 0; length < all.length; length++) {
            assertThat(p.parse(buffer(all, length))).as("%d bytes", length).isEqualTo(HttpRequestParser.NEED_MORE);
        }
        ByteBuffer full = buffer(all, all.length);
        assertThat(p.parse(full)).isEqualTo(all.length);
        assertThat(body(p, full)).isEqualTo(bodyOf(req));
    }

    private static String bodyOf(String req) {
        HttpRequestParser p = parser();
        ByteBuffer buf = buffer(bytes(req), req.length());
        assertThat(p.parse(buf)).isEqualTo(req.length());
        return body(p, buf);
    }

    @Test
    void parsesManyPipelinedRequestsFromOneBuffer() {
        StringBuilder sb = new StringBuilder();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            String req = requests().get(i % requests().size());
            sb.append(req);
            expected.add(bodyOf(req));
        }
        byte[] all = bytes(sb.toString());
        ByteBuffer buf = buffer(all, all.length);
        HttpRequestParser p = parser();
        List<String> bodies = new ArrayList<>();
        while (buf.hasRemaining()) {
            int n = p.parse(buf);
            assertThat(n).isPositive();
            bodies.add(body(p, buf));
            buf.position(buf.position() + n);
        }
        assertThat(bodies).isEqualTo(expected);
    }

    static List<Arguments> badRequests() {
        String h = "Host: a\r\n";
        return List.of(
                Arguments.of("no target", "GET\r\n\r\n", 400),
                Arguments.of("two spaces", "GET  / HTTP/1.1\r\n" + h + "\r\n", 400),
                Arguments.of("trailing space", "GET / HTTP/1.1 \r\n" + h + "\r\n", 400),
                Arguments.of("not HTTP", "GET / HTTX/1.1\r\n" + h + "\r\n", 400),
                Arguments.of("version without minor", "GET / HTTP/1\r\n" + h + "\r\n", 400),
                Arguments.of("method not a token", "G(T / HTTP/1.1\r\n" + h + "\r\n", 400),
                Arguments.of("control byte in target", "GET /a\u0001b HTTP/1.1\r\n" + h + "\r\n", 400),
                Arguments.of("relative target", "GET abc HTTP/1.1\r\n" + h + "\r\n", 400),
                Arguments.of("header without colon", "GET / HTTP/1.1\r\n" + h + "NoColon\r\n\r\n", 400),
                Arguments.of("space before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400),
                Arguments.of("empty header name", "GET / HTTP/1.1\r\n" + h + ": x\r\n\r\n", 400),
                Arguments.of("obsolete folding", "GET / HTTP/1.1\r\n" + h + "X-A: 1\r\n  2\r\n\r\n", 400),
                Arguments.of("bare CR in a value", "GET / HTTP/1.1\r\n" + h + "X-A: 1\r2\r\n\r\n", 400),
                Arguments.of("no Host in 1.1", "GET / HTTP/1.1\r\n\r\n", 400),
                Arguments.of("two Hosts", "GET / HTTP/1.1\r\n" + h + h + "\r\n", 400),
                Arguments.of("Content-Length not a number", "POST /echo HTTP/1.1\r\n" + h + "Content-Length: abc\r\n\r\n", 400),
                Arguments.of("negative Content-Length", "POST /echo HTTP/1.1\r\n" + h + "Content-Length: -1\r\n\r\n", 400),
                Arguments.of("signed Content-Length", "POST /echo HTTP/1.1\r\n" + h + "Content-Length: +1\r\n\r\nx", 400),
                Arguments.of("empty Content-Length", "POST /echo HTTP/1.1\r\n" + h + "Content-Length:\r\n\r\n", 400),
                Arguments.of("conflicting Content-Lengths",
                        "POST /echo HTTP/1.1\r\n" + h + "Content-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400),
                Arguments.of("conflicting Content-Length list", "POST /echo HTTP/1.1\r\n" + h + "Content-Length: 1, 2\r\n\r\nab", 400),
                Arguments.of("Content-Length and chunked",
                        "POST /echo HTTP/1.1\r\n" + h + "Content-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
                Arguments.of("chunked twice", "POST /echo HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked, chunked\r\n\r\n", 400),
                Arguments.of("chunked in HTTP/1.0", "POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
                Arguments.of("bad chunk size", "POST /echo HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
                Arguments.of("junk after chunk size", "POST /echo HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\n5 x\r\n", 400),
                Arguments.of("chunk data without CRLF",
                        "POST /echo HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\n2\r\nabXY", 400),
                Arguments.of("unknown coding", "POST /echo HTTP/1.1\r\n" + h + "Transfer-Encoding: gzip\r\n\r\n", 501),
                Arguments.of("unknown coding before chunked",
                        "POST /echo HTTP/1.1\r\n" + h + "Transfer-Encoding: gzip, chunked\r\n\r\n", 501),
                Arguments.of("HTTP/2.0", "GET / HTTP/2.0\r\n" + h + "\r\n", 505),
                Arguments.of("HTTP/0.9", "GET / HTTP/0.9\r\n" + h + "\r\n", 505),
                Arguments.of("body over the limit", "POST /echo HTTP/1.1\r\n" + h + "Content-Length: 1048577\r\n\r\n", 413),
                Arguments.of("absurd Content-Length",
                        "POST /echo HTTP/1.1\r\n" + h + "Content-Length: 99999999999999999999999999\r\n\r\n", 413),
                Arguments.of("chunks over the limit",
                        "POST /echo HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\n100001\r\n", 413),
                Arguments.of("absurd chunk size",
                        "POST /echo HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\nffffffffffffffffffffff\r\n", 413),
                Arguments.of("request line too long, complete", "GET /" + "a".repeat(MAX_LINE) + " HTTP/1.1\r\n" + h + "\r\n", 414),
                Arguments.of("request line too long, incomplete", "GET /" + "a".repeat(MAX_LINE + 10), 414),
                Arguments.of("headers too large, complete",
                        "GET / HTTP/1.1\r\n" + h + "X-Big: " + "b".repeat(MAX_HEADERS) + "\r\n\r\n", 431),
                Arguments.of("headers too large, incomplete", "GET / HTTP/1.1\r\n" + h + "X-Big: " + "b".repeat(MAX_HEADERS), 431),
                Arguments.of("trailers too large", "POST /echo HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\n0\r\n"
                        + "X-T: " + "t".repeat(MAX_HEADERS) + "\r\n\r\n", 431));
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("badRequests")
    void answersBadRequestsWithTheirStatus(String what, String request, int expectedStatus) {
        assertThat(status(request)).isEqualTo(expectedStatus);
    }

    @Test
    void staysInErrorOnceFailed() {
        HttpRequestParser p = parser();
        String bad = "BAD\r\n\r\n";
        assertThat(p.parse(buffer(bytes(bad), bad.length()))).isEqualTo(HttpRequestParser.ERROR);
        String good = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
        assertThat(p.parse(buffer(bytes(good), good.length()))).isEqualTo(HttpRequestParser.ERROR);
        assertThat(p.errorStatus()).isEqualTo(400);
    }

    @Test
    void asksForOneContinueWhenTheClientExpectsIt() {
        String head = "POST /echo HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n";
        String req = head + "data";
        HttpRequestParser p = parser();
        assertThat(p.parse(buffer(bytes(req), head.length() - 1))).isEqualTo(HttpRequestParser.NEED_MORE);
        assertThat(p.shouldSendContinue()).as("head incomplete").isFalse();
        assertThat(p.parse(buffer(bytes(req), head.length()))).isEqualTo(HttpRequestParser.NEED_MORE);
        assertThat(p.shouldSendContinue()).isTrue();
        p.continueSent();
        assertThat(p.shouldSendContinue()).isFalse();
        assertThat(p.parse(buffer(bytes(req), req.length()))).isEqualTo(req.length());
        assertThat(p.shouldSendContinue()).isFalse();
    }

    @Test
    void acceptsAHeaderSectionJustUnderTheLimit() {
        String pad = "X-Pad: " + "p".repeat(MAX_HEADERS - 9 - "Host: a\r\n".length()) + "\r\n";
        String req = "GET / HTTP/1.1\r\nHost: a\r\n" + pad + "\r\n";
        HttpRequestParser p = parser();
        assertThat(p.parse(buffer(bytes(req), req.length()))).isEqualTo(req.length());
    }
}
