package io.gnetj.examples.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import io.gnetj.examples.StreamFeed;
import org.junit.jupiter.api.Tag;

/**
 * Fuzzes {@link HttpRequestParser}: request line, headers, Content-Length and chunked bodies.
 *
 * <p>Runs in regression mode in every build over the inputs committed under
 * {@code src/test/resources/io/gnetj/examples/http/HttpParserFuzzTestInputs/<method>/}; fuzzes
 * with {@code JAZZER_FUZZ=1} (see docs/reliability.md for the command).
 */
@Tag("fuzz")
class HttpParserFuzzTest {

    /** Small limits, so the fuzzer reaches 414, 431 and 413 with small inputs. */
    private static final int MAX_REQUEST_LINE = 64;
    private static final int MAX_HEADER_BYTES = 128;
    private static final int MAX_BODY = 256;

    /**
     * Any bytes: {@code data[0]} chooses how the stream arrives (whole, or in chunks of 1-63
     * bytes), the rest is the stream. The parser never throws, never claims more bytes than it
     * was given, never moves the buffer, ends every stream in a bounded number of calls, and
     * reaches the same requests and the same verdict however the stream is cut.
     */
    @FuzzTest(maxDuration = "5m")
    void parse(byte[] data) {
        if (data.length == 0) {
            return;
        }
        int chunk = data[0] & 0x3f;
        byte[] stream = Arrays.copyOfRange(data, 1, data.length);
        List<String> whole = run(stream, stream.length);
        if (chunk > 0) {
            assertThat(run(stream, chunk)).as("results with the stream cut every %d bytes", chunk).isEqualTo(whole);
        }
    }

    /**
     * Feeds {@code stream} as a handler would (the bytes of a request stay in place until it is
     * complete, then are consumed) and describes every result.
     */
    private static List<String> run(byte[] stream, int chunk) {
        assertThat(new int[] {HttpRequestParser.NEED_MORE, HttpRequestParser.ERROR}).as("the parser's answers as StreamFeed reads them")
                .containsExactly(StreamFeed.NEED_MORE, StreamFeed.ERROR);
        HttpRequestParser parser = new HttpRequestParser(MAX_REQUEST_LINE, MAX_HEADER_BYTES, MAX_BODY);
        return StreamFeed.run(stream, chunk, new StreamFeed.Target() {
            @Override
            public int parse(ByteBuffer buf) {
                return parser.parse(buf);
            }

            @Override
            public String describe(ByteBuffer buf, int start, int n) {
                return HttpParserFuzzTest.describe(parser, buf, start, n);
            }

            @Override
            public String describeError() {
                assertThat(parser.errorStatus()).isIn(400, 413, 414, 431, 501, 505);
                return String.valueOf(parser.errorStatus());
            }
        });
    }

    private static String describe(HttpRequestParser p, ByteBuffer buf, int start, int n) {
        assertThat(p.pathStart()).as("path start").isBetween(start, start + n);
        assertThat(p.pathStart() + p.pathLength()).as("path end").isLessThanOrEqualTo(start + n);
        assertThat(p.bodyLength()).as("body length").isBetween(0, MAX_BODY);
        byte[] path = new byte[p.pathLength()];
        buf.get(p.pathStart(), path);
        byte[] body = new byte[p.bodyLength()];
        if (p.chunked()) {
            System.arraycopy(p.chunkedBody(), 0, body, 0, body.length);
        } else {
            assertThat(p.bodyStart() + p.bodyLength()).as("body end").isEqualTo(start + n);
            buf.get(p.bodyStart(), body);
        }
        return "request " + n + " method " + p.method() + " path " + latin1(path) + " 1." + p.minorVersion()
                + " keepAlive " + p.keepAlive() + " chunked " + p.chunked() + " body " + latin1(body);
    }

    /**
     * A valid request built from the fuzzer's bytes (method, path, query, headers, a body sent
     * with Content-Length or in random chunks, pipelined after another request): it parses to
     * exactly what was built, and the parser claims exactly its bytes.
     */
    @FuzzTest(maxDuration = "5m")
    void validRequestsRoundTrip(byte[] data) {
        Source in = new Source(data);
        HttpRequestParser parser = new HttpRequestParser(8192, 8192, 1 << 16);
        String method = in.pick("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", in.token(1 + in.next(8)));
        String path = "/" + in.text(in.next(40), "abcxyz019-._~!$&'()*+,;=:@/%");
        String target = path + (in.bool() ? "?" + in.text(in.next(20), "a=1&b/?:@") : "");
        int minor = in.bool() ? 1 : 0;
        boolean close = in.bool();
        boolean chunked = minor == 1 && in.bool();
        byte[] body = in.bytes(in.next(300));
        ByteArrayOutputStream req = new ByteArrayOutputStream();
        write(req, method + " " + target + " HTTP/1." + minor + "\r\n");
        write(req, in.pick("Host", "host", "HOST") + ":" + in.pick("", " ", "\t") + "example.com" + in.pick("", " ") + "\r\n");
        for (int i = in.next(5); i > 0; i--) {
            write(req, "X-" + in.token(1 + in.next(10)) + ": " + in.text(in.next(30), "abc ;=,\t\"xyz0129!~") .trim() + "\r\n");
        }
        if (close) {
            write(req, "Connection: close\r\n");
        } else if (minor == 0) {
            write(req, "Connection: keep-alive\r\n");
        }
        if (chunked) {
            write(req, "Transfer-Encoding: chunked\r\n\r\n");
            int off = 0;
            while (off < body.length) {
                int n = Math.min(body.length - off, 1 + in.next(100));
                write(req, Integer.toHexString(n) + (in.bool() ? ";ext=" + in.token(3) : "") + "\r\n");
                req.write(body, off, n);
                write(req, "\r\n");
                off += n;
            }
            write(req, "0\r\n" + (in.bool() ? "Trailer-Field: x\r\n" : "") + "\r\n");
        } else {
            if (body.length > 0 || in.bool()) {
                write(req, "Content-Length: " + body.length + "\r\n");
            } else {
                body = new byte[0];
            }
            write(req, "\r\n");
            req.write(body, 0, body.length);
        }
        byte[] request = req.toByteArray();
        byte[] first = HttpSyntax.ascii("GET /plaintext HTTP/1.1\r\nHost: a\r\n\r\n");
        byte[] pipeline = new byte[first.length + request.length];
        System.arraycopy(first, 0, pipeline, 0, first.length);
        System.arraycopy(request, 0, pipeline, first.length, request.length);

        ByteBuffer buf = ByteBuffer.wrap(pipeline);
        assertThat(parser.parse(buf)).isEqualTo(first.length);
        buf.position(first.length);
        int n = parser.parse(buf);
        assertThat(n).as("bytes of %s", latin1(request)).isEqualTo(request.length);
        int expectedMethod = method.equals("GET") ? HttpRequestParser.METHOD_GET
                : method.equals("HEAD") ? HttpRequestParser.METHOD_HEAD
                : method.equals("POST") ? HttpRequestParser.METHOD_POST : HttpRequestParser.METHOD_OTHER;
        assertThat(parser.method()).as("method of %s", method).isEqualTo(expectedMethod);
        assertThat(parser.pathEquals(buf, HttpSyntax.ascii(path))).as("path %s", path).isTrue();
        assertThat(parser.minorVersion()).isEqualTo(minor);
        assertThat(parser.keepAlive()).isEqualTo(!close);
        assertThat(parser.chunked()).isEqualTo(chunked);
        assertThat(parser.bodyLength()).isEqualTo(body.length);
        byte[] got = new byte[body.length];
        if (chunked) {
            System.arraycopy(parser.chunkedBody(), 0, got, 0, got.length);
        } else {
            buf.get(parser.bodyStart(), got);
        }
        assertThat(got).isEqualTo(body);
    }

    private static void write(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** Turns fuzzer bytes into choices; past the end, every choice is the first option. */
    static final class Source {
        private static final String TCHARS = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        private final byte[] data;
        private int pos;

        Source(byte[] data) {
            this.data = data;
        }

        int next(int bound) {
            if (bound <= 0 || pos >= data.length) {
                return 0;
            }
            return (data[pos++] & 0xff) % bound;
        }

        boolean bool() {
            return next(2) == 1;
        }

        String pick(String... options) {
            return options[next(options.length)];
        }

        String text(int length, String alphabet) {
            StringBuilder sb = new StringBuilder(length);
            for (int i = 0; i < length; i++) {
                sb.append(alphabet.charAt(next(alphabet.length())));
            }
            return sb.toString();
        }

        String token(int length) {
            return text(Math.max(1, length), TCHARS);
        }

        byte[] bytes(int length) {
            byte[] b = new byte[length];
            for (int i = 0; i < length; i++) {
                b[i] = (byte) next(256);
            }
            return b;
        }
    }
}
