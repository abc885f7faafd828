package io.gnetj.examples.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.examples.ExternalClient;
import io.gnetj.examples.ExternalClient.Result;
import io.gnetj.examples.Main;
import io.gnetj.examples.RunningServer;
import io.gnetj.examples.echo.EchoExample;
import io.gnetj.examples.http.HttpExample;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The http and echo examples with {@code --tls}, driven by curl, openssl s_client and the JDK's SSLSocket. */
class TlsExamplesIntegrationTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static RunningServer http;
    private static Path cacert;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() throws Exception {
        http = RunningServer.start(new HttpExample(), "tls", "true");
        cacert = SelfSignedCertificate.localhost().certificatePem(); // the one --tls made and printed
    }

    @AfterAll
    static void stop() {
        if (http != null) {
            http.close();
        }
    }

    private static Result curl(String... args) throws Exception {
        ExternalClient.require("curl", "curl");
        List<String> cmd = new ArrayList<>(List.of("curl", "-s", "-S", "-i", "--max-time", "10"));
        cmd.addAll(List.of(args));
        return ExternalClient.run(TIMEOUT, cmd);
    }

    @Test
    void curlTrustsThePrintedCertificateAndNegotiatesHttp11() throws Exception {
        Result r = curl("-v", "--cacert", cacert.toString(), "https://localhost:" + http.port() + "/plaintext");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\nHello, World!");
        assertThat(r.stderr()).contains("SSL connection using TLSv1.3").containsPattern("ALPN.*http/1.1");
    }

    @Test
    void curlWithoutTheCertificateRefusesTheServer() throws Exception {
        Result r = curl("https://localhost:" + http.port() + "/plaintext");
        assertThat(r.exitCode()).as("curl's 'peer certificate cannot be authenticated': " + r.stderr()).isEqualTo(60);
        // The refused handshake cost the server nothing lasting: it still serves.
        assertThat(curl("--cacert", cacert.toString(), "https://127.0.0.1:" + http.port() + "/json").stdout())
                .endsWith("{\"message\":\"Hello, World!\"}");
    }

    @Test
    void curlPostsAMebibyteThroughTls() throws Exception {
        byte[] data = new byte[1024 * 1024];
        new Random(7).nextBytes(data);
        Path body = tmp.resolve("body.bin");
        Files.write(body, data);
        Path out = tmp.resolve("out.bin");
        Result r = curl("--cacert", cacert.toString(), "--data-binary", "@" + body, "-o", out.toString(),
                "-w", "%{http_code}", "https://localhost:" + http.port() + "/echo", "-H", "Expect:");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        byte[] got = Files.readAllBytes(out);
        String text = new String(got, StandardCharsets.ISO_8859_1);
        int bodyStart = text.indexOf("\r\n\r\n") + 4;
        assertThat(text).startsWith("HTTP/1.1 200 OK");
        assertThat(java.util.Arrays.copyOfRange(got, bodyStart, got.length)).isEqualTo(data);
    }

    @Test
    void opensslSClientVerifiesAndGetsAReply() throws Exception {
        ExternalClient.require("openssl", "openssl");
        byte[] request = "GET /plaintext HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII);
        Result r = ExternalClient.run(TIMEOUT, List.of("openssl", "s_client", "-connect", "127.0.0.1:" + http.port(),
                "-servername", "localhost", "-verify_hostname", "localhost", "-CAfile", cacert.toString(),
                "-alpn", "http/1.1", "-ign_eof"), request);
        assertThat(r.stdout()).as(r.stderr())
                .contains("Verify return code: 0 (ok)", "ALPN protocol: http/1.1", "HTTP/1.1 200 OK", "Hello, World!");
        assertThat(r.stdout()).containsPattern("(New|Protocol *:) *,? *TLSv1.3");
    }

    @Test
    void echoServesTlsFromPemFilesOpensslMade() throws Exception {
        ExternalClient.require("openssl", "openssl");
        Path cert = tmp.resolve("cert.pem");
        Path key = tmp.resolve("key.pem");
        Result made = ExternalClient.run(TIMEOUT, List.of("openssl", "req", "-x509", "-newkey", "ec",
                "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key.toString(), "-out", cert.toString(),
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-days", "1"));
        assertThat(made.exitCode()).as(made.stderr()).isZero();
        try (RunningServer echo = RunningServer.start(new EchoExample(), "tls", "true",
                "cert", cert.toString(), "key", key.toString());
             SSLSocket socket = (SSLSocket) trusting(cert).getSocketFactory().createSocket("localhost", echo.port())) {
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write("hello over TLS".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] reply = in.readNBytes(14);
            assertThat(new String(reply, StandardCharsets.US_ASCII)).isEqualTo("hello over TLS");
        }
    }

    @Test
    void keyFlagsWithoutTlsOrHalfAPairAreUsageErrors() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        PrintStream outStream = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertThat(Main.run(new String[] {"echo", "--port", "0", "--cert", "c.pem", "--key", "k.pem"}, outStream, errStream))
                .isEqualTo(Main.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("need --tls");
        assertThat(Main.run(new String[] {"http", "--port", "0", "--tls", "--cert", "c.pem"}, outStream, errStream))
                .isEqualTo(Main.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--cert and --key go together");
    }

    private static SSLContext trusting(Path pem) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(pem)) {
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("ca" + i++, c);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }
}
