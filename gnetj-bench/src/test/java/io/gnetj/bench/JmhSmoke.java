package io.gnetj.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The benchmark smoke tests' one move: run some JMH benchmarks in this JVM for one 100 ms
 * iteration, no warm-up, failing on any error, and check each reported a score. Proves the
 * generated code, the states and the setups work; measures nothing.
 */
public final class JmhSmoke {

    private JmhSmoke() {
    }

    /**
     * Runs the benchmarks whose names match {@code include}, with {@code params} as name/value
     * pairs, and checks there were {@code expected} results, each with a positive score.
     */
    public static void runAndCheck(String include, int expected, String... params) throws RunnerException {
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(include)
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(100))
                .shouldFailOnError(true);
        for (int i = 0; i + 1 < params.length; i += 2) {
            options.param(params[i], params[i + 1]);
        }
        Collection<RunResult> results = new Runner(options.build()).run();
        assertThat(results).as("benchmark results for %s", include).hasSize(expected);
        for (RunResult result : results) {
            assertThat(result.getPrimaryResult().getScore()).as(result.getParams().getBenchmark()).isPositive();
        }
    }
}
