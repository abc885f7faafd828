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
}
