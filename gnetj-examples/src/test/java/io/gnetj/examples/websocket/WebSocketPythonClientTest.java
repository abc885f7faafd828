package io.gnetj.examples.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.examples.ExternalClient;
import io.gnetj.examples.RunningServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The websocket example against Python's {@code websockets} library (Debian
 * {@code python3-websockets}): echo of text and binary with and without permessage-deflate, a
 * large message, fragmented messages, ping, the close handshake's code, 1009 for a message over
 * the limit and for a zip bomb, and the chat room.
 */
class WebSocketPythonClientTest {

    @TempDir
    Path tmp;

    @Test
    void pythonWebsocketsClientPassesEveryCheck() throws Exception {
        String python = Python.withWebsockets();
        Path script = tmp.resolve("python_client.py");
        try (InputStream in = getClass().getResourceAsStream("python_client.py")) {
            Files.copy(in, script);
        }
        try (RunningServer server = RunningServer.start(new WebSocketExample())) {
            ExternalClient.Result r = ExternalClient.run(Duration.ofSeconds(120),
                    List.of(python, script.toString(), Integer.toString(server.port())));
            assertThat(r.stdout()).as("stderr: %s", r.stderr())
                    .contains("ok echo-deflate", "ok echo-plain", "ok large", "ok fragmented", "ok ping",
                            "ok close-code", "ok too-big-1009", "ok zip-bomb-1009", "ok chat", "done");
            assertThat(r.exitCode()).isZero();
        }
    }

    /** Finds a python3 that can import websockets. */
    static final class Python {
        private Python() {
        }

        /**
         * {@code /usr/bin/python3} (Debian's, where python3-websockets installs) if it has the
         * library, else the {@code python3} on the PATH; skips, or under {@code CI=true} fails,
         * when neither has it.
         */
        static String withWebsockets() throws IOException, InterruptedException {
            for (String candidate : List.of("/usr/bin/python3", "python3")) {
                if (candidate.startsWith("/") && !Files.isExecutable(Path.of(candidate))) {
                    continue;
                }
                try {
                    ExternalClient.Result r = ExternalClient.run(Duration.ofSeconds(30),
                            List.of(candidate, "-c", "import websockets"));
                    if (r.exitCode() == 0) {
                        return candidate;
                    }
                } catch (IOException e) {
                    // not runnable: try the next
                }
            }
            ExternalClient.require("python3-websockets-module", "python3-websockets");
            throw new AssertionError("unreachable: require fails or aborts");
        }
    }
}
