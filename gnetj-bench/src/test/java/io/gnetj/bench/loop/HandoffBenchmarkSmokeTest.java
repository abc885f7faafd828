package io.gnetj.bench.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.epoll.Epoll;
import java.util.Collection;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every {@link HandoffBenchmark} in this JVM for one short iteration, to prove the engines and
 * Netty groups start, every posted task runs and both stop again. Not a measurement. The Netty epoll
 * rows are left out where Netty's native epoll does not load (their setup would fail by design).
 */
class HandoffBenchmarkSmokeTest {

    @Test
    void everyModeRunsAndReportsAScore() throws Exception {
        boolean epoll = Epoll.isAvailable();
        Options options = new OptionsBuilder()
                .include(HandoffBenchmark.class.getName() + (epoll ? "\\." : "\\.(gnetj|nettyNio|jdkSelector)"))
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(100))
                .shouldFailOnError(true)
                .build();

        Collection<RunResult> results = new Runner(options).run();

        assertThat(results).hasSize(epoll ? 10 : 7);
        for (RunResult result : results) {
            assertThat(result.getPrimaryResult().getScore()).isPositive();
        }
    }
}
