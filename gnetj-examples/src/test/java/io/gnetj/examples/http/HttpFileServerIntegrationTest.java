package io.gnetj.examples.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.examples.ExternalClient;
import io.gnetj.examples.ExternalClient.Result;
import io.gnetj.examples.RunningServer;
import io.gnetj.examples.http.RawHttp.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code http --root DIR} on a real engine, driven by curl and raw sockets. */
class HttpFileServerIntegrationTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int SMALL = 1 << 20;

    @TempDir
    static Path tmp;
    private static Path root;
    private static byte[] small;
    private static byte[] text;
    private static RunningServer server;

    @BeforeAll
    static void start() throws Exception {
        root = Files.createDirectories(tmp.resolve("www")).toRealPath();
        small = new byte[SMALL];
        new Random(14).nextBytes(small);
        Files.write(root.resolve("small.bin"), small);
        text = "hello, files\n".getBytes(StandardCharsets.US_ASCII);
        Files.write(root.resolve("hello.txt"), text);
        Files.write(root.resolve("empty.json"), new byte[0]);
        Files.createDirectories(root.resolve("site"));
        Files.writeString(root.resolve("site/index.html"), "<h1>site</h1>\n");
        Files.createDirectories(root.resolve("bare"));
        Files.writeString(tmp.resolve("secret.txt"), "TOP-SECRET\n");
        Files.createSymbolicLink(root.resolve("escape.txt"), tmp.resolve("secret.txt"));
        try (RandomAccessFile big = new RandomAccessFile(root.resolve("big.bin").toFile(), "rw")) {
            big.setLength(64L << 20); // sparse: content does not matter where this one is used
        }
        server = RunningServer.start(new HttpExample(), "root", root.toString());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static Socket connect() throws IOException {
        return connect(0);
    }

    /**
     * A client with {@code SO_RCVBUF} set before connecting (0: the default). Set after the
     * handshake, the kernel has already agreed a segment size for the larger buffer: a window
     * that then stays below one segment can stall a large transfer for good (seen on loopback,
     * on Linux, with the server's queue full and its persist timer probing forever).
     */
    private static Socket connect(int receiveBuffer) throws IOException {
        Socket s = new Socket();
        if (receiveBuffer > 0) {
            s.setReceiveBufferSize(receiveBuffer);
        }
        s.connect(new java.net.InetSocketAddress("127.0.0.1", server.port()), (int) WAIT.toMillis());
        s.setSoTimeout((int) WAIT.toMillis());
        return s;
    }

    private static void send(Socket s, String requests) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(requests.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private static String get(String path, String... headers) {
        StringBuilder b = new StringBuilder("GET ").append(path).append(" HTTP/1.1\r\nHost: a\r\n");
        for (String h : headers) {
            b.append(h).append("\r\n");
        }
        return b.append("\r\n").toString();
    }

    /** One request on a fresh connection, its response. */
    private static Response exchange(String request, boolean head) throws IOException {
        try (Socket s = connect()) {
            send(s, request);
            return RawHttp.read(s.getInputStream(), head);
        }
    }

    @Test
    void getServesTheFileWithTypeLengthLastModifiedAndAcceptRanges() throws Exception {
        Response r = exchange(get("/hello.txt"), false);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(text);
        assertThat(r.header("Content-Type")).isEqualTo("text/plain; charset=utf-8");
        assertThat(r.header("Content-Length")).isEqualTo(Integer.toString(text.length));
        assertThat(r.header("Accept-Ranges")).isEqualTo("bytes");
        ZonedDateTime modified = ZonedDateTime.parse(r.header("Last-Modified"), DateTimeFormatter.RFC_1123_DATE_TIME);
        assertThat(modified.toEpochSecond()).isEqualTo(Files.getLastModifiedTime(root.resolve("hello.txt")).toMillis() / 1000);
        assertThat(r.header("Last-Modified")).matches("[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT");
        assertThat(exchange(get("/small.bin"), false).body()).isEqualTo(small);
        assertThat(exchange(get("/small.bin"), false).header("Content-Type")).isEqualTo("application/octet-stream");
        Response empty = exchange(get("/empty.json"), false);
        assertThat(empty.status()).isEqualTo(200);
        assertThat(empty.header("Content-Type")).isEqualTo("application/json");
        assertThat(empty.header("Content-Length")).isEqualTo("0");
    }

    @Test
    void aDirectoryIsServedAsItsIndexOrForbidden() throws Exception {
        Response index = exchange(get("/site/"), false);
        assertThat(index.status()).isEqualTo(200);
        assertThat(index.header("Content-Type")).isEqualTo("text/html; charset=utf-8");
        assertThat(index.text()).isEqualTo("<h1>site</h1>\n");
        assertThat(exchange(get("/bare/"), false).status()).isEqualTo(403);
    }

    @Test
    void byteRangesThroughCurl() throws Exception {
        ExternalClient.require("curl", "curl");
        String url = "http://127.0.0.1:" + server.port() + "/small.bin";
        assertThat(curlRange(url, "100-199")).isEqualTo(Arrays.copyOfRange(small, 100, 200));
        assertThat(curlRange(url, "-1000")).isEqualTo(Arrays.copyOfRange(small, SMALL - 1000, SMALL));
        assertThat(curlRange(url, "1000000-")).isEqualTo(Arrays.copyOfRange(small, 1_000_000, SMALL));
    }

    private static byte[] curlRange(String url, String range) throws Exception {
        Path out = Files.createTempFile(tmp, "range", ".bin");
        Result r = ExternalClient.run(WAIT, List.of("curl", "-s", "-S", "--http1.1", "--max-time", "10",
                "-r", range, "-o", out.toString(), "-w", "%{http_code}", url));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).isEqualTo("206");
        return Files.readAllBytes(out);
    }

    @Test
    void rangeResponsesCarryContentRangeAndBadRangesAreHandled() throws Exception {
        Response partial = exchange(get("/hello.txt", "Range: bytes=0-4"), false);
        assertThat(partial.status()).isEqualTo(206);
        assertThat(partial.header("Content-Range")).isEqualTo("bytes 0-4/" + text.length);
        assertThat(partial.text()).isEqualTo("hello");
        Response unsatisfiable = exchange(get("/hello.txt", "Range: bytes=500-"), false);
        assertThat(unsatisfiable.status()).isEqualTo(416);
        assertThat(unsatisfiable.header("Content-Range")).isEqualTo("bytes */" + text.length);
        Response several = exchange(get("/hello.txt", "Range: bytes=0-1,4-5"), false);
        assertThat(several.status()).as("several ranges: the whole file").isEqualTo(200);
        assertThat(several.body()).isEqualTo(text);
        Response staleIfRange = exchange(get("/hello.txt", "Range: bytes=0-4",
                "If-Range: Mon, 01 Jan 2001 00:00:00 GMT"), false);
        assertThat(staleIfRange.status()).as("If-Range not matching: the whole file").isEqualTo(200);
        String lastModified = partial.header("Last-Modified");
        assertThat(exchange(get("/hello.txt", "Range: bytes=0-4", "If-Range: " + lastModified), false).status())
                .isEqualTo(206);
    }

    @Test
    void ifModifiedSinceTheLastModificationIsNotModified() throws Exception {
        String lastModified = exchange(get("/hello.txt"), false).header("Last-Modified");
        Response r = exchange(get("/hello.txt", "If-Modified-Since: " + lastModified), false);
        assertThat(r.status()).isEqualTo(304);
        assertThat(r.header("Last-Modified")).isEqualTo(lastModified);
        String older = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.of(2001, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC));
        assertThat(exchange(get("/hello.txt", "If-Modified-Since: " + older), false).status()).isEqualTo(200);
        assertThat(exchange(get("/hello.txt", "If-Modified-Since: garbage"), false).status()).isEqualTo(200);
    }

    @Test
    void headHasTheLengthAndNoBodyAndStatusesKeepTheConnection() throws Exception {
        try (Socket s = connect()) {
            InputStream in = s.getInputStream();
            send(s, "HEAD /small.bin HTTP/1.1\r\nHost: a\r\n\r\n");
            Response head = RawHttp.read(in, true);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("Content-Length")).isEqualTo(Integer.toString(SMALL));
            send(s, get("/nope.txt"));
            assertThat(RawHttp.read(in, false).status()).as("the HEAD sent no body: next comes this 404").isEqualTo(404);
            send(s, "POST /hello.txt HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc");
            Response post = RawHttp.read(in, false);
            assertThat(post.status()).isEqualTo(405);
            assertThat(post.header("Allow")).isEqualTo("GET, HEAD");
            send(s, "DELETE /hello.txt HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(RawHttp.read(in, false).status()).isEqualTo(405);
            send(s, get("/bare"));
            assertThat(RawHttp.read(in, false).status()).isEqualTo(403);
            send(s, get("/hello.txt", "Range: bytes=99-"));
            assertThat(RawHttp.read(in, false).status()).isEqualTo(416);
            send(s, get("/hello.txt"));
            assertThat(RawHttp.read(in, false).body()).as("still the same connection").isEqualTo(text);
        }
    }

    @Test
    void pathsEscapingTheRootAreRefusedWhateverTheirSpelling() throws Exception {
        String[] attacks = {"/../secret.txt", "/../../../../etc/passwd", "/%2e%2e/secret.txt", "/%2E%2E/%2e%2e/etc/passwd",
            "/..%2fsecret.txt", "/..%2Fsecret.txt", "/site/../../secret.txt", "/..\\secret.txt", "/%5c..%5csecret.txt",
            "//etc/passwd", "/escape.txt", "/hello.txt%00.html", "/.%2e/secret.txt", "/%252e%252e/secret.txt",
            "http://a/../secret.txt", "/etc/passwd"};
        for (String path : attacks) {
            Response r = exchange(get(path), false);
            assertThat(r.status()).as(path).isIn(400, 403, 404);
            assertThat(r.text()).as(path).doesNotContain("TOP-SECRET").doesNotContain("root:");
        }
        assertThat(exchange(get("/../secret.txt"), false).status()).isEqualTo(403);
        assertThat(exchange(get("/%2e%2e/secret.txt"), false).status()).isEqualTo(403);
        assertThat(exchange(get("/escape.txt"), false).status()).isEqualTo(403);
        assertThat(exchange(get("//etc/passwd"), false).status()).isEqualTo(404);
        assertThat(exchange(get("/hello.txt%00"), false).status()).isEqualTo(400);
    }

    @Test
    void pipelinedGetsOfTwoFilesInOneWriteAreAnsweredInOrder() throws Exception {
        try (Socket s = connect()) {
            send(s, get("/small.bin") + get("/hello.txt"));
            InputStream in = s.getInputStream();
            assertThat(RawHttp.read(in, false).body()).isEqualTo(small);
            assertThat(RawHttp.read(in, false).body()).isEqualTo(text);
        }
    }

    @Test
    void moreFilesPipelinedThanMayBeOpenAtOnceAreAllAnsweredInOrder() throws Exception {
        int requests = FileResponder.MAX_FILES_IN_FLIGHT * 4 + 1;
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < requests; i++) {
            all.append(get(i % 2 == 0 ? "/small.bin" : "/hello.txt", i == requests - 1 ? "Connection: close" : "X: y"));
        }
        try (Socket s = connect()) {
            send(s, all.toString());
            InputStream in = s.getInputStream();
            for (int i = 0; i < requests; i++) {
                Response r = RawHttp.read(in, false);
                assertThat(r.body()).as("response " + i).isEqualTo(i % 2 == 0 ? small : text);
            }
            assertThat(in.read()).as("closed after the last, which asked for it").isEqualTo(-1);
        }
    }

    @Test
    void connectionCloseIsHonouredOnceTheWholeFileIsSent() throws Exception {
        try (Socket s = connect(16 * 1024)) {
            send(s, get("/big.bin", "Connection: close"));
            InputStream in = s.getInputStream();
            Response head = RawHttp.read(in, true);
            assertThat(head.header("Connection")).isEqualTo("close");
            long body = in.transferTo(OutputStream.nullOutputStream());
            assertThat(body).isEqualTo(64L << 20);
        }
    }

    @Test
    void noFileDescriptorLeaksAfterManyRequestsIncludingAbortedOnes() throws Exception {
        long before = RawHttp.openDescriptors();
        for (int round = 0; round < 20; round++) {
            try (Socket s = connect()) {
                send(s, get("/small.bin") + "HEAD /hello.txt HTTP/1.1\r\nHost: a\r\n\r\n"
                        + get("/hello.txt", "Range: bytes=1-3") + get("/missing") + get("/hello.txt", "Range: bytes=99-")
                        + get("/site/") + get("/empty.json"));
                InputStream in = s.getInputStream();
                assertThat(RawHttp.read(in, false).body()).isEqualTo(small);
                assertThat(RawHttp.read(in, true).status()).isEqualTo(200);
                assertThat(RawHttp.read(in, false).status()).isEqualTo(206);
                assertThat(RawHttp.read(in, false).status()).isEqualTo(404);
                assertThat(RawHttp.read(in, false).status()).isEqualTo(416);
                assertThat(RawHttp.read(in, false).status()).isEqualTo(200);
                assertThat(RawHttp.read(in, false).status()).isEqualTo(200);
            }
            // Aborted mid-file: several big files queued, a few bytes read, then a reset.
            Socket aborted = connect(8 * 1024);
            send(aborted, get("/big.bin") + get("/big.bin") + get("/small.bin"));
            assertThat(aborted.getInputStream().readNBytes(1000)).hasSize(1000);
            aborted.setSoLinger(true, 0);
            aborted.close();
            // Closed without reading a byte, all files still queued.
            try (Socket quiet = connect()) {
                send(quiet, get("/big.bin") + get("/big.bin"));
            }
        }
        RawHttp.await("every served file closed (fds under the root: " + RawHttp.openFilesUnder(root) + ")", WAIT,
                () -> RawHttp.openFilesUnder(root) == 0);
        RawHttp.await("descriptors back to " + before + " (+ a few for other threads); now " + RawHttp.openDescriptors(),
                WAIT, () -> RawHttp.openDescriptors() <= before + 8);
    }

    @Test
    void aFileTruncatedWhileSentClosesTheConnectionRatherThanSendAShortFile() throws Exception {
        Path victim = root.resolve("shrinking.bin");
        long size = 64L << 20;
        try (RandomAccessFile f = new RandomAccessFile(victim.toFile(), "rw")) {
            f.setLength(size);
        }
        try (Socket s = connect(16 * 1024)) {
            send(s, get("/shrinking.bin"));
            InputStream in = s.getInputStream();
            Response head = RawHttp.read(in, true);
            assertThat(head.header("Content-Length")).isEqualTo(Long.toString(size));
            byte[] buf = new byte[64 * 1024];
            long got = 0;
            while (got < (8L << 20)) {
                int n = in.read(buf);
                assertThat(n).isPositive();
                got += n;
            }
            try (FileChannel ch = FileChannel.open(victim, StandardOpenOption.WRITE)) {
                ch.truncate(1L << 20);
            }
            boolean reset = false;
            try {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    got += n;
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the server neither finished nor closed within " + WAIT + " (a hang)", e);
            } catch (IOException e) {
                reset = true; // a reset is as good as an end: the client knows it is short
            }
            assertThat(got).as("bytes of body received (reset: %s)", reset).isLessThan(size);
        }
        RawHttp.await("the truncated file closed", WAIT, () -> RawHttp.openFilesUnder(root) == 0);
    }
}
