package io.gnetj;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.buffer.BufferPool;
import java.io.InputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EchoTest {

    @Test
    void echoesEveryByteToManyConcurrentClients() throws Exception {
        BufferPool pool = BufferPool.create();
        Engine engine = TestServers.start(new TestServers.Echo(),
                Options.builder().numEventLoops(2).bufferPool(pool).build());
        int clients = 200;
        ExecutorService exec = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> results = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                long seed = c;
                results.add(exec.submit(() -> {
                    Random random = new Random(seed);
                    try (Socket socket = TestServers.connect(engine)) {
                        InputStream in = socket.getInputStream();
                        for (int round = 0; round < 5; round++) {
                            byte[] message = new byte[1 + random.nextInt(random.nextBoolean() ? 100 : 200_000)];
                            random.nextBytes(message);
                            TestServers.write(socket, message);
                            assertThat(TestServers.readExactly(in, message.length)).isEqualTo(message);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : results) {
                f.get(60, TimeUnit.SECONDS);
            }
            TestServers.await("every connection closed", () -> engine.countConnections() == 0);
        } finally {
            exec.shutdownNow();
            engine.stop();
        }
        assertThat(engine.isRunning()).isFalse();
        assertThat(pool.inUseBytes()).as("pooled bytes still lent out after stop").isZero();
    }
}
