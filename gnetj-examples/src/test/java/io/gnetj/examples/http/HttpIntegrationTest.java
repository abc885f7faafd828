package io.gnetj.examples.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.examples.ExternalClient;
import io.gnetj.examples.ExternalClient.Result;
import io.gnetj.examples.RunningServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The http example on a real engine, driven by curl, wrk and raw sockets. */
class HttpIntegrationTest {

    private static final Duration CURL_TIMEOUT = Duration.ofSeconds(20);
    private static RunningServer server;
    private static String base;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() throws IOException {
        server = RunningServer.start(new HttpExample(), "max-body", "64k");
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static Result curl(String... args) throws Exception {
        ExternalClient.require("curl", "curl");
        List<String> cmd = new ArrayList<>(List.of("curl", "-s", "-S", "-i", "--http1.1", "--max-time", "10"));
        cmd.addAll(List.of(args));
        return ExternalClient.run(CURL_TIMEOUT, cmd);
    }

    private static int status(Result r) {
        Matcher m = Pattern.compile("^HTTP/1.1 (\\d{3}) ").matcher(r.stdout());
        assertThat(m.find()).as("a status line in %s / %s", r.stdout(), r.stderr()).isTrue();
        return Integer.parseInt(m.group(1));
    }

    @Test
    void plaintextIsByteExactApartFromTheDate() throws Exception {
        Result r = curl(base + "/plaintext");
        assertThat(r.exitCode()).isZero();
        String masked = r.stdout().replaceFirst("Date: [A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT",
                "Date: <date>");
        assertThat(masked).isEqualTo("HTTP/1.1 200 OK\r\nServer: gnetj\r\nDate: <date>\r\n"
                + "Content-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!");
    }

    @Test
    void jsonRoute() throws Exception {
        Result r = curl(base + "/json");
        assertThat(status(r)).isEqualTo(200);
        assertThat(r.stdout()).contains("Content-Type: application/json\r\n", "Content-Length: 27\r\n")
                .endsWith("\r\n\r\n{\"message\":\"Hello, World!\"}");
    }

    @Test
    void echoRouteWithContentLengthAndChunkedBodies() throws Exception {
        Path body = tmp.resolve("body.bin");
        byte[] data = new byte[40_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) ('a' + i % 26);
        }
        Files.write(body, data);
        Result r = curl("--data-binary", "@" + body, base + "/echo");
        assertThat(status(r)).isEqualTo(200);
        assertThat(r.stdout()).endsWith("\r\n\r\n" + new String(data, StandardCharsets.ISO_8859_1));
        Result chunked = curl("-H", "Transfer-Encoding: chunked", "--data-binary", "@" + body, base + "/echo");
        assertThat(status(chunked)).isEqualTo(200);
        assertThat(chunked.stdout()).contains("Content-Length: 40000\r\n")
                .endsWith("\r\n\r\n" + new String(data, StandardCharsets.ISO_8859_1));
    }

    @Test
    void reusesTheConnectionAcrossRequests() throws Exception {
        Result r = curl("-v", base + "/plaintext", base + "/json");
        assertThat(r.stdout()).contains("Hello, World!HTTP/1.1 200 OK");
        assertThat(r.stderr()).containsIgnoringCase("Re-using existing connection");
    }

    @Test
    void errorStatusesThroughCurl() throws Exception {
        Path big = tmp.resolve("big.bin");
        Files.write(big, new byte[64 * 1024 + 1]);
        assertError(curl(base + "/nope"), 404);
        assertError(curl("-X", "POST", base + "/plaintext"), 405);
        assertThat(curl("-X", "POST", base + "/plaintext").stdout()).contains("Allow: GET, HEAD\r\n");
        assertThat(curl(base + "/echo").stdout()).contains("Allow: POST\r\n");
        assertError(curl("--data-binary", "@" + big, base + "/echo"), 413);
        assertError(curl(base + "/" + "u".repeat(9000)), 414);
        assertError(curl("-H", "X-Big: " + "b".repeat(9000), base + "/plaintext"), 431);
        assertError(curl("-H", "Content-Length: abc", base + "/plaintext"), 400);
        assertError(curl("-H", "Transfer-Encoding: gzip, chunked", "--data-binary", "x", base + "/echo"), 501);
    }

    private static void assertError(Result r, int expected) {
        assertThat(status(r)).as(r.stdout()).isEqualTo(expected);
        assertThat(r.stdout()).contains("Connection: close\r\n", "Content-Length: ");
    }

    @Test
    void errorStatusesCurlCannotSendThroughARawSocket() throws Exception {
        assertThat(raw("GET /plaintext HTTP/2.0\r\nHost: a\r\n\r\n")).startsWith("HTTP/1.1 505 ");
        assertThat(raw("GET /plaintext HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n")).startsWith("HTTP/1.1 400 ");
        assertThat(raw("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"))
                .startsWith("HTTP/1.1 400 ");
        assertThat(raw("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n")).startsWith("HTTP/1.1 501 ");
    }

    @Test
    void pipelinedRequestsOnOneSocketAreAnsweredInOrder() throws Exception {
        String one = "GET /plaintext HTTP/1.1\r\nHost: a\r\n\r\nGET /json HTTP/1.1\r\nHost: a\r\n\r\n";
        String all = one.repeat(50) + "GET /plaintext HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
        String reply = raw(all);
        Matcher m = Pattern.compile("\r\n\r\n(Hello, World!|\\{\"message\":\"Hello, World!\"\\})").matcher(reply);
        List<String> bodies = new ArrayList<>();
        while (m.find()) {
            bodies.add(m.group(1).startsWith("H") ? "p" : "j");
        }
        assertThat(String.join("", bodies)).isEqualTo("pj".repeat(50) + "p");
    }

    /** Sends {@code request} and reads until the server closes (every case here closes). */
    private static String raw(String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void wrkWithSixteenPipelinedRequestsPerWriteSeesNoErrors() throws Exception {
        ExternalClient.require("wrk", "wrk");
        Path script = tmp.resolve("pipeline.lua");
        Files.writeString(script, String.join("\n",
                "init = function(args)",
                "  local r = {}",
                "  for i = 1, 16 do r[i] = wrk.format(nil, \"/plaintext\") end",
                "  req = table.concat(r)",
                "end",
                "request = function() return req end",
                ""));
        Result r = ExternalClient.run(Duration.ofSeconds(30),
                List.of("wrk", "-t1", "-c16", "-d2s", "-s", script.toString(), base + "/plaintext"));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).contains("Requests/sec:").doesNotContain("Non-2xx").doesNotContain("Socket errors");
        Matcher m = Pattern.compile("(\\d+) requests in").matcher(r.stdout());
        assertThat(m.find()).isTrue();
        assertThat(Long.parseLong(m.group(1))).isPositive();
        System.out.println("wrk, 16 pipelined /plaintext per write:\n" + r.stdout());
    }
}
