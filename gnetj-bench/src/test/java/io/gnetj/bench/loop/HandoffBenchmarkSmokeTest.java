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
        // gnetj's epoll transport needs JDK 22+ (its rows' setup fails by design before that).
        boolean gnetjEpoll = Runtime.version().feature() >= 22
                && System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("linux");
        String gnetj = gnetjEpoll ? "gnetj" : "gnetj(?!Epoll)";
        String rows = epoll ? "(" + gnetj + "|netty|jdkSelector)" : "(" + gnetj + "|nettyNio|jdkSelector)";
        JmhSmoke.runAndCheck(HandoffBenchmark.class.getName() + "\\." + rows, (epoll ? 10 : 7) + (gnetjEpoll ? 3 : 0));
    }
}
