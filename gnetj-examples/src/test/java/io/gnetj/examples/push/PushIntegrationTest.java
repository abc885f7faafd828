package io.gnetj.examples.push;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.examples.RunningServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

class PushIntegrationTest {

    @Test
    void everyClientReceivesTheSameTicksInOrder() throws Exception {
        try (RunningServer server = RunningServer.start(new PushExample(), "interval-ms", "20")) {
            List<Socket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    Socket s = new Socket("127.0.0.1", server.port());
                    s.setSoTimeout(10_000);
                    sockets.add(s);
                }
                for (Socket s : sockets) {
                    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                    long previous = -1;
                    for (int i = 0; i < 5; i++) {
                        String line = in.readLine();
                        assertThat(line).matches("tick \\d+ \\S+");
                        String[] parts = line.split(" ");
                        long n = Long.parseLong(parts[1]);
                        assertThat(Instant.parse(parts[2])).isBeforeOrEqualTo(Instant.now());
                        if (previous >= 0) {
                            assertThat(n).isEqualTo(previous + 1);
                        }
                        previous = n;
                    }
                }
            } finally {
                for (Socket s : sockets) {
                    s.close();
                }
            }
        }
    }

    @Test
    void aClientThatStopsReadingIsClosedOnceItsQueueIsFull() throws Exception {
        try (RunningServer server = RunningServer.start(new PushExample(), "interval-ms", "1", "max-queued", "1k")) {
            try (Socket slow = new Socket()) {
                slow.setReceiveBufferSize(2048);
                slow.connect(new java.net.InetSocketAddress("127.0.0.1", server.port()), 5_000);
                assertThat(awaitConnections(server, 1, 10)).as("the client was accepted").isTrue();
                // Never read: the kernel buffers fill, then the engine's queue, then a write fails
                // and the handler closes the client (close waits up to closeTimeout to flush).
                assertThat(awaitConnections(server, 0, 60)).as("the stalled client was closed").isTrue();
                slow.setSoTimeout(10_000);
                slow.getInputStream().readAllBytes(); // what was sent before the close, then EOF
            }
        }
    }

    /** Polls the engine's connection count until it equals {@code n} or {@code seconds} pass. */
    private static boolean awaitConnections(RunningServer server, int n, int seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (server.engine().countConnections() != n) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        return true;
    }
}
