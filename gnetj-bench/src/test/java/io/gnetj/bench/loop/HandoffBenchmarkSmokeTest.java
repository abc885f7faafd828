package io.gnetj.bench.loop;

import io.gnetj.bench.JmhSmoke;
import io.netty.channel.epoll.Epoll;
import org.junit.jupiter.api.Test;

/**
 * Runs every {@link HandoffBenchmark} in this JVM for one short iteration, to prove the engines and
 * Netty groups start, every posted task runs and both stop again. Not a measurement. The Netty epoll
 * rows are left out where Netty's native epoll does not load (their setup would fail by design).
 */
class HandoffBenchmarkSmokeTest {

    @Test
    void everyModeRunsAndReportsAScore() throws Exception {
        boolean epoll = Epoll.isAvailable();
        JmhSmoke.runAndCheck(HandoffBenchmark.class.getName() + (epoll ? "\\." : "\\.(gnetj|nettyNio|jdkSelector)"), epoll ? 10 : 7);
    }
}
