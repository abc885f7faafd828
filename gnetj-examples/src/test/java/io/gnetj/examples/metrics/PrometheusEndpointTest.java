package io.gnetj.examples.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.Engine;
import io.gnetj.examples.Example;
import io.gnetj.examples.Examples;
import io.gnetj.examples.ExternalClient;
import io.gnetj.examples.Flags;
import io.gnetj.examples.RunningServer;
import io.gnetj.examples.ServerExample;
import io.gnetj.examples.echo.EchoExample;
import io.gnetj.examples.http.HttpExample;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code --metrics-port} and the http example's {@code GET /metrics}, scraped with curl. */
class PrometheusEndpointTest {

    @Test
    void everyServerExampleTakesMetricsPort() {
        for (Example example : Examples.ALL) {
            if (example instanceof ServerExample) {
                assertThat(example.flags()).as(example.name()).contains(ServerExample.METRICS_PORT);
            }
        }
    }

    @Test
    void theEchoExampleServesItsMetricsToCurlOnTheMetricsPort() throws Exception {
        ExternalClient.require("curl", "curl");
        EchoExample echo = new EchoExample();
        try (RunningServer server = RunningServer.start(echo)) {
            Flags flags = Flags.of(echo.flags(), "host", "127.0.0.1", "metrics-port", "0");
            Engine metrics = echo.startMetrics(flags, server.engine());
            try (Socket client = new Socket("127.0.0.1", server.port())) {
                client.setSoTimeout(10_000);
                OutputStream out = client.getOutputStream();
                out.write(new byte[1000]);
                InputStream in = client.getInputStream();
                assertThat(in.readNBytes(1000)).hasSize(1000);
                int port = ((InetSocketAddress) metrics.addresses().get(0)).getPort();
                String text = curl("http://127.0.0.1:" + port + "/metrics");
                assertThat(text).contains("# TYPE gnetj_connections_active gauge")
                        .contains("gnetj_eventloop_pending_tasks")
                        .contains("gnetj_eventloop_lag_seconds")
                        .contains("gnetj_pool_used_direct_memory_bytes");
                assertThat(sum(text, "gnetj_data_received_bytes_total")).isEqualTo(1000);
                assertThat(sum(text, "gnetj_connections_active")).isEqualTo(1);
                assertThat(curlStatus("http://127.0.0.1:" + port + "/other")).isEqualTo("404");
            } finally {
                metrics.stop();
            }
        }
    }

    @Test
    void theHttpExampleAnswersGetMetricsOnItsMainPort() throws Exception {
        ExternalClient.require("curl", "curl");
        try (RunningServer server = RunningServer.start(new HttpExample())) {
            String base = "http://127.0.0.1:" + server.port();
            assertThat(curl(base + "/plaintext")).isEqualTo("Hello, World!");
            String text = curl(base + "/metrics");
            assertThat(text).contains("gnetj_connections_opened_total").contains("server=\"http\"");
            assertThat(sum(text, "gnetj_data_received_bytes_total")).isPositive();
            assertThat(sum(text, "gnetj_connections_closed_total")).isGreaterThanOrEqualTo(1);
        }
    }

    /**
     * The scrape parses with the official Prometheus client's text-format parser (Debian's
     * python3-prometheus-client), as a real Prometheus server would read it: every family typed,
     * every sample well-formed. Under CI the parser must be there.
     */
    @Test
    void theScrapeParsesWithThePrometheusClientsOwnParser(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        ExternalClient.require("curl", "curl");
        String python = "/usr/bin/python3";
        boolean parser = new java.io.File(python).canExecute()
                && ExternalClient.run(Duration.ofSeconds(30), List.of(python, "-c", "import prometheus_client")).exitCode() == 0;
        if (!parser) {
            ExternalClient.require("python3-prometheus-client-module", "python3-prometheus-client");
        }
        try (RunningServer server = RunningServer.start(new HttpExample())) {
            String base = "http://127.0.0.1:" + server.port();
            curl(base + "/plaintext");
            java.nio.file.Path scrape = java.nio.file.Files.writeString(tmp.resolve("metrics.txt"), curl(base + "/metrics"));
            ExternalClient.Result r = ExternalClient.run(Duration.ofSeconds(30), List.of(python, "-c",
                    "import sys\n"
                            + "from prometheus_client.parser import text_string_to_metric_families\n"
                            + "families = list(text_string_to_metric_families(open(sys.argv[1]).read()))\n"
                            + "names = {f.name for f in families}\n"
                            + "samples = sum(len(f.samples) for f in families)\n"
                            + "assert 'gnetj_connections_opened' in names, names\n"
                            + "print(len(families), samples)\n",
                    scrape.toString()));
            assertThat(r.exitCode()).as("the Prometheus client's parser: " + r.stderr()).isZero();
            String[] counts = r.stdout().trim().split(" ");
            assertThat(Integer.parseInt(counts[0])).as("metric families").isGreaterThan(10);
            assertThat(Integer.parseInt(counts[1])).as("samples").isGreaterThan(10);
        }
    }

    private static String curl(String url) throws Exception {
        ExternalClient.Result r = ExternalClient.run(Duration.ofSeconds(20), List.of("curl", "-s", "-S", "--max-time", "10", url));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        return r.stdout();
    }

    private static String curlStatus(String url) throws Exception {
        ExternalClient.Result r = ExternalClient.run(Duration.ofSeconds(20),
                List.of("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10", url));
        return r.stdout().trim();
    }

    /** Adds up every sample of {@code metric} (all its label sets). */
    static double sum(String text, String metric) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(metric) + "(\\{[^}]*\\})? (\\S+)$").matcher(text);
        double total = 0;
        boolean found = false;
        while (m.find()) {
            total += Double.parseDouble(m.group(2));
            found = true;
        }
        assertThat(found).as(metric + " in\n" + text).isTrue();
        return total;
    }
}
