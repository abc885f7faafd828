package io.gnetj.bench.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every {@link HttpParserBenchmark} in this JVM for one short iteration: the setup checks that
 * both parsers see every request of both inputs whole, and each iteration that Netty's decoder kept
 * doing so. Not a measurement.
 */
class HttpParserBenchmarkSmokeTest {

    @Test
    void bothParsersParseEveryInput() throws Exception {
        Options options = new OptionsBuilder()
                .include(HttpParserBenchmark.class.getName() + "\\.")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(100))
                .shouldFailOnError(true)
                .build();

        Collection<RunResult> results = new Runner(options).run();

        assertThat(results).hasSize(8);
        for (RunResult result : results) {
            assertThat(result.getPrimaryResult().getScore()).isPositive();
        }
    }
}
