package io.gnetj.bench.buffer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs two benchmarks (one gnetj, one Netty) in this JVM for one short iteration, to prove the
 * generated benchmark code, the states and the Netty setup work. Not a measurement.
 */
class BufferBenchmarksSmokeTest {

    @Test
    void poolBenchmarksRunAndReportAScore() throws Exception {
        Options options = new OptionsBuilder()
                .include(PoolBenchmark.class.getName() + "\\.(gnetjCache|nettyPooledThreadCache)$")
                .param("size", "4096")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(100))
                .shouldFailOnError(true)
                .build();

        Collection<RunResult> results = new Runner(options).run();

        assertThat(results).hasSize(2);
        for (RunResult result : results) {
            assertThat(result.getPrimaryResult().getScore()).isPositive();
        }
    }
}
