package io.gnetj.examples.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.examples.ExternalClient;
import io.gnetj.examples.ExternalClient.Result;
import io.gnetj.examples.RunningServer;
import io.gnetj.examples.http.HttpExample;
import io.gnetj.examples.redis.RedisExample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real load generators through the proxy to the other examples: redis-benchmark to the redis
 * example and pipelined wrk to the http example. A relay that lost, reordered or duplicated a
 * byte would break their framing and show up as errors.
 */
class ProxyRealClientsTest {

    @TempDir
    Path tmp;

    @Test
    void redisBenchmarkThroughTheProxySeesNoErrors() throws Exception {
        ExternalClient.require("redis-benchmark", "redis-tools");
        try (RunningServer redis = RunningServer.start(new RedisExample());
             RunningServer proxy = ProxyTesting.start(redis.address())) {
            Result r = ExternalClient.run(Duration.ofSeconds(120), List.of("redis-benchmark", "-h", "127.0.0.1",
                    "-p", Integer.toString(proxy.port()), "-t", "set,get", "-n", "20000", "-c", "20", "-P", "16", "-q"));
            assertThat(r.exitCode()).as(r.stderr()).isZero();
            String all = r.stdout() + r.stderr();
            assertThat(all).doesNotContainIgnoringCase("error").doesNotContain("WARNING");
            for (String test : List.of("SET", "GET")) {
                assertThat(all).as(test).containsPattern("(?m)^\\s*" + test + "[^\\n]*: [0-9.]+ requests per second");
            }
            System.out.println("redis-benchmark through the proxy, -c 20 -P 16 -n 20000:\n"
                    + r.stdout().replaceAll("[^\\n]*\\r", ""));
            ProxyTesting.awaitNoConnections(proxy);
        }
    }

    @Test
    void pipelinedWrkThroughTheProxySeesNoErrors() throws Exception {
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
        try (RunningServer http = RunningServer.start(new HttpExample());
             RunningServer proxy = ProxyTesting.start(http.address())) {
            Result r = ExternalClient.run(Duration.ofSeconds(30), List.of("wrk", "-t1", "-c16", "-d2s", "-s",
                    script.toString(), "http://127.0.0.1:" + proxy.port() + "/plaintext"));
            assertThat(r.exitCode()).as(r.stderr()).isZero();
            assertThat(r.stdout()).contains("Requests/sec:").doesNotContain("Non-2xx").doesNotContain("Socket errors");
            Matcher m = Pattern.compile("(\\d+) requests in").matcher(r.stdout());
            assertThat(m.find()).isTrue();
            assertThat(Long.parseLong(m.group(1))).isPositive();
            System.out.println("wrk through the proxy, 16 pipelined /plaintext per write:\n" + r.stdout());
            ProxyTesting.awaitNoConnections(proxy);
        }
    }
}
