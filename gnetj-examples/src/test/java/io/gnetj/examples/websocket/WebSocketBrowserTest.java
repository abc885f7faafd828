package io.gnetj.examples.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.examples.ExternalClient;
import io.gnetj.examples.RunningServer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real browser against the websocket example: headless Chromium (Debian {@code chromium})
 * loads the page from the server, its script (the page's {@code ?selftest}) checks that
 * permessage-deflate was negotiated, echoes text, binary and a 640 000-character message through
 * {@code /echo}, broadcasts in {@code /chat} between two sockets and closes with code 4001, and
 * writes the outcome into the page's {@code #result}; the test reads it from the DOM over the
 * DevTools protocol.
 */
class WebSocketBrowserTest {

    /** Everything, browser start included; a 2-core machine under load starts Chromium in seconds. */
    private static final Duration DEADLINE = Duration.ofSeconds(90);

    /** Waits in the page until #result holds a verdict, and returns it. */
    private static final String VERDICT = "new Promise(resolve => { const look = () => {"
            + " const el = document.getElementById('result');"
            + " if (el && /^(PASS|FAIL)/.test(el.textContent)) { resolve(el.textContent); }"
            + " else { setTimeout(look, 50); } }; look(); })";

    @TempDir
    Path profile;

    @Test
    void chromiumRunsThePagesSelfTestAgainstTheServer() throws Exception {
        ExternalClient.require("chromium", "chromium");
        try (RunningServer server = RunningServer.start(new WebSocketExample());
             HeadlessChromium browser = HeadlessChromium.start(profile, DEADLINE)) {
            String session = browser.open("http://127.0.0.1:" + server.port() + "/?selftest");
            String verdict = browser.evaluateString(session, VERDICT);
            assertThat(verdict).as("browser output:\n%s", browser.log())
                    .isEqualTo("PASS open,deflate,text,binary,large,chat,close");
        }
    }
}
