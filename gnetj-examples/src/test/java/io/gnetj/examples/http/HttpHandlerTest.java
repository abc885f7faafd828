package io.gnetj.examples.http;

import static io.gnetj.examples.TextConns.output;
import static io.gnetj.examples.TextConns.receive;
import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.Action;
import io.gnetj.testing.MemoryConn;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HttpHandlerTest {

    /** 2024-01-02T03:04:05Z. */
    private static final long FIXED_MILLIS = 1704164645_000L;
    private static final String DATE = "Tue, 02 Jan 2024 03:04:05 GMT";

    private final HttpHandler handler = new HttpHandler(1024 * 1024, new DateCache(() -> FIXED_MILLIS));
    private final MemoryConn conn = new MemoryConn(handler).open();

    static final String PLAINTEXT_RESPONSE = "HTTP/1.1 200 OK\r\nServer: gnetj\r\nDate: " + DATE + "\r\n"
            + "Content-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!";

    @Test
    void answersPlaintextExactly() {
        receive(conn, "GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n");
        assertThat(output(conn)).isEqualTo(PLAINTEXT_RESPONSE);
        assertThat(conn.isOpen()).isTrue();
    }

    @Test
    void answersJsonSerializedPerRequest() {
        receive(conn, "GET /json HTTP/1.1\r\nHost: a\r\n\r\nGET /json HTTP/1.1\r\nHost: a\r\n\r\n");
        String one = "HTTP/1.1 200 OK\r\nServer: gnetj\r\nDate: " + DATE + "\r\n"
                + "Content-Type: application/json\r\nContent-Length: 27\r\n\r\n{\"message\":\"Hello, World!\"}";
        assertThat(output(conn)).isEqualTo(one + one);
    }

    @Test
    void echoesContentLengthAndChunkedBodies() {
        receive(conn, "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello");
        assertThat(output(conn)).endsWith("Content-Length: 5\r\n\r\nhello");
        receive(conn, "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
        assertThat(output(conn)).endsWith("Content-Length: 5\r\n\r\nabcde");
        assertThat(conn.isOpen()).isTrue();
    }

    @Test
    void answersPipelinedRequestsInOrderInOneBatch() {
        StringBuilder batch = new StringBuilder();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            batch.append("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n").append(String.format("%02d", i));
            expected.append(String.format("%02d", i));
        }
        receive(conn, batch.toString());
        String out = output(conn);
        StringBuilder bodies = new StringBuilder();
        Matcher m = Pattern.compile("\r\n\r\n(\\d\\d)").matcher(out);
        while (m.find()) {
            bodies.append(m.group(1));
        }
        assertThat(bodies.toString()).isEqualTo(expected.toString());
        // Open, or inboundBuffered() would be 0 whatever the handler consumed: a closed connection reads nothing.
        assertThat(conn.isOpen()).isTrue();
        assertThat(conn.inboundBuffered()).isZero();
    }

    @Test
    void waitsForTheRestOfASplitRequest() {
        String req = "GET /plaintext HTTP/1.1\r\nHost: a\r\n\r\n";
        for (int i = 0; i < req.length(); i++) {
            receive(conn, req.substring(i, i + 1));
        }
        assertThat(output(conn)).isEqualTo(PLAINTEXT_RESPONSE);
        // Open, or inboundBuffered() would be 0 whatever the handler consumed: a closed connection reads nothing.
        assertThat(conn.isOpen()).isTrue();
        assertThat(conn.inboundBuffered()).isZero();
    }

    @Test
    void keepsWhatFollowsACompleteRequestForLater() {
        receive(conn, "GET /plaintext HTTP/1.1\r\nHost: a\r\n\r\nGET /plain");
        assertThat(output(conn)).isEqualTo(PLAINTEXT_RESPONSE);
        assertThat(conn.inboundBuffered()).isEqualTo("GET /plain".length());
        receive(conn, "text HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(output(conn)).isEqualTo(PLAINTEXT_RESPONSE);
    }

    @Test
    void closesAfterAnsweringConnectionClose() {
        Action a = receive(conn, "GET /plaintext HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
                + "GET /plaintext HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(a).isEqualTo(Action.CLOSE);
        String out = output(conn);
        assertThat(out).contains("Connection: close\r\n").endsWith("Hello, World!");
        assertThat(out.split("HTTP/1.1 200", -1)).hasSize(2); // the second request is not answered
        assertThat(conn.isOpen()).isFalse();
    }

    @Test
    void closesHttp10UnlessKeepAliveWasAsked() {
        assertThat(receive(conn, "GET /plaintext HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")).isEqualTo(Action.NONE);
        assertThat(output(conn)).startsWith("HTTP/1.1 200 OK").contains("Connection: keep-alive\r\n");
        assertThat(receive(conn, "GET /plaintext HTTP/1.0\r\n\r\n")).isEqualTo(Action.CLOSE);
        assertThat(output(conn)).contains("Connection: close\r\n");
    }

    @Test
    void answersHeadWithoutABody() {
        receive(conn, "HEAD /plaintext HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(output(conn)).endsWith("Content-Length: 13\r\n\r\n");
    }

    @Test
    void sendsContinueBeforeTheBodyWhenExpected() {
        receive(conn, "POST /echo HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
        assertThat(output(conn)).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
        receive(conn, "abc");
        assertThat(output(conn)).startsWith("HTTP/1.1 200 OK").endsWith("\r\n\r\nabc");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "GET /nope HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|404 Not Found|",
        "POST /plaintext HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 0\\r\\n\\r\\n|405 Method Not Allowed|Allow: GET, HEAD",
        "DELETE /json HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|405 Method Not Allowed|Allow: GET, HEAD",
        "GET /echo HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|405 Method Not Allowed|Allow: POST",
        "GET / HTTP/3.0\\r\\nHost: a\\r\\n\\r\\n|505 HTTP Version Not Supported|",
        "garbage\\r\\n\\r\\n|400 Bad Request|",
        "POST /echo HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: gzip\\r\\n\\r\\n|501 Not Implemented|",
        "POST /echo HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 2000000\\r\\n\\r\\n|413 Content Too Large|",
    })
    void answersErrorsWithConnectionCloseAndCloses(String request, String status, String extraHeader) {
        Action a = receive(conn, request.replace("\\r\\n", "\r\n"));
        String out = output(conn);
        String reason = status.substring(4);
        assertThat(out).startsWith("HTTP/1.1 " + status + "\r\n")
                .contains("Connection: close\r\n")
                .contains("Content-Length: " + (reason.length() + 1) + "\r\n")
                .endsWith("\r\n\r\n" + reason + "\n");
        if (extraHeader != null) {
            assertThat(out).contains(extraHeader + "\r\n");
        }
        assertThat(a).isEqualTo(Action.CLOSE);
        assertThat(conn.isOpen()).isFalse();
    }

    @Test
    void answersOversizedHeadersWith431AndALongRequestLineWith414() {
        receive(conn, "GET / HTTP/1.1\r\nHost: a\r\nX: " + "x".repeat(9000));
        assertThat(output(conn)).startsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n");
        MemoryConn other = new MemoryConn(handler).open();
        receive(other, "GET /" + "u".repeat(9000));
        assertThat(output(other)).startsWith("HTTP/1.1 414 URI Too Long\r\n");
        assertThat(other.isOpen()).isFalse();
    }

    @Test
    void answersEarlierPipelinedRequestsBeforeAnError() {
        receive(conn, "GET /plaintext HTTP/1.1\r\nHost: a\r\n\r\nGET /missing HTTP/1.1\r\nHost: a\r\n\r\n");
        String out = output(conn);
        assertThat(out).startsWith(PLAINTEXT_RESPONSE).contains("HTTP/1.1 404 Not Found\r\n");
    }

    @Test
    void aHeadTrickledSlowerThanTheHeaderTimeoutGets408AndIsClosed() {
        long[] now = {1_000};
        HttpHandler timed = new HttpHandler(1024, new DateCache(() -> FIXED_MILLIS), 10_000, () -> now[0]);
        MemoryConn slow = new MemoryConn(timed).open();
        String head = "GET /plaintext HTTP/1.1\r\nHost: a\r\nX-Slow: ";
        for (char c : head.toCharArray()) {
            receive(slow, String.valueOf(c));
            now[0] += java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(300); // a byte every 300 ms: 14 s for the head
            if (!slow.isOpen()) {
                break;
            }
        }
        assertThat(output(slow)).startsWith("HTTP/1.1 408 Request Timeout\r\n").contains("Connection: close\r\n");
        assertThat(slow.isOpen()).isFalse();
    }

    @Test
    void theHeaderClockStartsAgainForEachRequest() {
        long[] now = {1_000};
        HttpHandler timed = new HttpHandler(1024, new DateCache(() -> FIXED_MILLIS), 10_000, () -> now[0]);
        MemoryConn keepAlive = new MemoryConn(timed).open();
        long nineSeconds = java.util.concurrent.TimeUnit.SECONDS.toNanos(9);
        for (int i = 0; i < 5; i++) {
            receive(keepAlive, "GET /plaintext HTTP/1.1\r\n");
            now[0] += nineSeconds;
            receive(keepAlive, "Host: a\r\n\r\n");
            now[0] += nineSeconds; // idle between requests does not count
            assertThat(output(keepAlive)).isEqualTo(PLAINTEXT_RESPONSE);
        }
        assertThat(keepAlive.isOpen()).isTrue();
    }

    @Test
    void echoesAnEmptyChunkedBody() {
        // Found by HttpParserFuzzTest: the parser had no body array yet and returned null.
        receive(conn, "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        assertThat(output(conn)).startsWith("HTTP/1.1 200 OK\r\n").endsWith("Content-Length: 0\r\n\r\n");
        assertThat(conn.isOpen()).isTrue();
    }
}
