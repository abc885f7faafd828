package io.gnetj.bench.buffer;

import io.gnetj.bench.JmhSmoke;
import org.junit.jupiter.api.Test;

/**
 * Runs three benchmarks (gnetj's cache at both leak detection levels, one Netty) in this JVM for
 * one short iteration, to prove the generated benchmark code, the states and the Netty setup work.
 * Not a measurement.
 */
class BufferBenchmarksSmokeTest {

    @Test
    void poolBenchmarksRunAndReportAScore() throws Exception {
        JmhSmoke.runAndCheck(PoolBenchmark.class.getName() + "\\.(gnetjCache|nettyPooledThreadCache)$", 3, "size", "4096");
    }
}
