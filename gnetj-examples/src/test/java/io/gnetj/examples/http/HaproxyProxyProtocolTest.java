package io.gnetj.examples.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.examples.ExternalClient;
import io.gnetj.examples.ExternalClient.Result;
import io.gnetj.examples.RunningServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The http example with {@code --proxy-protocol} behind the real HAProxy (started by the test on
 * loopback with a generated configuration): through {@code send-proxy} and {@code send-proxy-v2},
 * {@code GET /ip} answers curl's own address and port, not HAProxy's, and wrk through HAProxy
 * sees no error.
 */
class HaproxyProxyProtocolTest {

    @TempDir
    Path tmp;
    private Process haproxy;

    @AfterEach
    void stopHaproxy() throws InterruptedException {
        if (haproxy != null) {
            haproxy.destroy();
            if (!haproxy.waitFor(10, TimeUnit.SECONDS)) {
                haproxy.destroyForcibly();
            }
        }
    }

    @Test
    void behindHaproxyTheServerSeesTheClientsAddressWithBothVersions() throws Exception {
        ExternalClient.require("haproxy", "haproxy");
        ExternalClient.require("curl", "curl");
        ExternalClient.require("wrk", "wrk");
        try (RunningServer http = RunningServer.start(new HttpExample(), "proxy-protocol", "true")) {
            int[] ports = startHaproxy(http.port());
            for (int i = 0; i < 2; i++) {
                String version = i == 0 ? "send-proxy (v1)" : "send-proxy-v2";
                Result r = ExternalClient.run(Duration.ofSeconds(20), List.of("curl", "-s", "--max-time", "10",
                        "-w", "%{local_ip}:%{local_port}", "http://127.0.0.1:" + ports[i] + "/ip"));
                assertThat(r.exitCode()).as(version + ": " + r.stderr()).isZero();
                String[] lines = r.stdout().split("\n");
                assertThat(lines).as(version + ": " + r.stdout()).hasSize(2);
                assertThat(lines[0]).as(version + ": /ip answers curl's own address, not HAProxy's")
                        .isEqualTo(lines[1]);
            }
            Result wrk = ExternalClient.run(Duration.ofSeconds(30), List.of("wrk", "-t1", "-c16", "-d2s",
                    "http://127.0.0.1:" + ports[1] + "/plaintext"));
            assertThat(wrk.exitCode()).as(wrk.stderr()).isZero();
            assertThat(wrk.stdout()).contains("Requests/sec:").doesNotContain("Non-2xx").doesNotContain("Socket errors");
            System.out.println("wrk through HAProxy (send-proxy-v2) to http --proxy-protocol:\n" + wrk.stdout());

            // Straight to the server, without a header: closed before any handler sees it.
            try (Socket direct = new Socket()) {
                direct.connect(http.socketAddress(), 5_000);
                direct.setSoTimeout(20_000);
                direct.getOutputStream().write("GET /ip HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                assertThat(direct.getInputStream().read()).as("no PROXY header: closed, no answer").isEqualTo(-1);
            }
        }
    }

    /** Starts HAProxy with a v1 and a v2 frontend in front of {@code upstreamPort}; returns their ports. */
    private int[] startHaproxy(int upstreamPort) throws Exception {
        for (int attempt = 0; ; attempt++) {
            int v1 = freePort();
            int v2 = freePort();
            Path config = tmp.resolve("haproxy-" + attempt + ".cfg");
            Files.writeString(config, String.join("\n",
                    "global",
                    "  maxconn 512",
                    "defaults",
                    "  mode tcp",
                    "  timeout connect 5s",
                    "  timeout client 30s",
                    "  timeout server 30s",
                    "frontend v1",
                    "  bind 127.0.0.1:" + v1,
                    "  default_backend gnetj_v1",
                    "frontend v2",
                    "  bind 127.0.0.1:" + v2,
                    "  default_backend gnetj_v2",
                    "backend gnetj_v1",
                    "  server s 127.0.0.1:" + upstreamPort + " send-proxy",
                    "backend gnetj_v2",
                    "  server s 127.0.0.1:" + upstreamPort + " send-proxy-v2",
                    ""));
            haproxy = new ProcessBuilder("haproxy", "-db", "-f", config.toString())
                    .redirectErrorStream(true).redirectOutput(tmp.resolve("haproxy-" + attempt + ".log").toFile()).start();
            if (listening(v1) && listening(v2)) {
                return new int[] {v1, v2};
            }
            haproxy.destroyForcibly();
            haproxy.waitFor(10, TimeUnit.SECONDS);
            if (attempt == 2) {
                throw new AssertionError("HAProxy did not start: "
                        + Files.readString(tmp.resolve("haproxy-" + attempt + ".log")));
            }
        }
    }

    /** Polls until {@code port} accepts (HAProxy is up) or the process died; bounded. */
    private boolean listening(int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline && haproxy.isAlive()) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
                return true;
            } catch (IOException notYet) {
                TimeUnit.MILLISECONDS.sleep(20);
            }
        }
        return false;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
