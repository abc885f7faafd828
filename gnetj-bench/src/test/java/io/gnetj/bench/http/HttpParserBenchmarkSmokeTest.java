package io.gnetj.bench.http;

import io.gnetj.bench.JmhSmoke;
import org.junit.jupiter.api.Test;

/**
 * Runs every {@link HttpParserBenchmark} in this JVM for one short iteration: the setup checks that
 * both parsers see every request of both inputs whole, and each iteration that Netty's decoder kept
 * doing so. Not a measurement.
 */
class HttpParserBenchmarkSmokeTest {

    @Test
    void bothParsersParseEveryInput() throws Exception {
        JmhSmoke.runAndCheck(HttpParserBenchmark.class.getName() + "\\.", 8);
    }
}
