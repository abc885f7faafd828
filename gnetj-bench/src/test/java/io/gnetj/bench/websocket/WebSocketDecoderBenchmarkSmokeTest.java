package io.gnetj.bench.websocket;

import io.gnetj.bench.JmhSmoke;
import org.junit.jupiter.api.Test;

/**
 * Runs every {@link WebSocketDecoderBenchmark} in this JVM for one short iteration: the setup
 * checks that both decoders see every frame, and each iteration that Netty's kept doing so. Not a
 * measurement.
 */
class WebSocketDecoderBenchmarkSmokeTest {

    @Test
    void bothDecodersDecodeEveryFrame() throws Exception {
        JmhSmoke.runAndCheck(WebSocketDecoderBenchmark.class.getName() + "\\.", 4);
    }
}
