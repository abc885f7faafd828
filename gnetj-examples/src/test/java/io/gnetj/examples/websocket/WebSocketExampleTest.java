package io.gnetj.examples.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.codec.websocket.Opcodes;
import io.gnetj.examples.RunningServer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The example's HTTP side and its flags, over raw sockets. */
class WebSocketExampleTest {

    @Test
    void servesThePageAndRefusesUnknownPaths() throws Exception {
        try (RunningServer server = RunningServer.start(new WebSocketExample())) {
            try (RawWebSocket page = RawWebSocket.open(server.port(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 0)) {
                assertThat(page.responseHead).startsWith("HTTP/1.1 200 OK\r\n").contains("text/html");
            }
            try (RawWebSocket missing = RawWebSocket.open(server.port(), "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n", 0)) {
                assertThat(missing.responseHead).startsWith("HTTP/1.1 404 ");
            }
            try (RawWebSocket noEndpoint = RawWebSocket.open(server.port(), RawWebSocket.upgradeRequest("/nope"), 0)) {
                assertThat(noEndpoint.responseHead).startsWith("HTTP/1.1 404 ");
            }
            try (RawWebSocket old = RawWebSocket.open(server.port(),
                    RawWebSocket.upgradeRequest("/echo").replace("Version: 13", "Version: 8"), 0)) {
                assertThat(old.responseHead).startsWith("HTTP/1.1 426 ").contains("Sec-WebSocket-Version: 13");
            }
        }
    }

    @Test
    void aSlowRequestIsClosedAtTheRequestTimeoutButAnUpgradedSessionStays() throws Exception {
        try (RunningServer server = RunningServer.start(new WebSocketExample(), "request-timeout-ms", "300");
             java.net.Socket slow = new java.net.Socket("127.0.0.1", server.port());
             RawWebSocket session = RawWebSocket.connect(server.port(), "/echo", 0)) {
            slow.setSoTimeout(20_000);
            slow.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            long start = System.nanoTime();
            assertThat(slow.getInputStream().read()).as("a head that never ends: closed").isEqualTo(-1);
            assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isLessThan(java.time.Duration.ofSeconds(10));
            // A negative check needs a bound: the session opened after the slow socket, so its own 300 ms
            // timer has fired within 500 ms more, and must have left it alone.
            java.util.concurrent.TimeUnit.MILLISECONDS.sleep(500);
            session.send(Opcodes.TEXT, "still here".getBytes(StandardCharsets.UTF_8));
            assertThat(new String(session.read().payload(), StandardCharsets.UTF_8)).isEqualTo("still here");
        }
    }

    @Test
    void pageAndUpgradeShareOneKeepAliveConnection() throws Exception {
        try (RunningServer server = RunningServer.start(new WebSocketExample())) {
            String twoRequests = "GET / HTTP/1.1\r\nHost: x\r\n\r\n" + RawWebSocket.upgradeRequest("/echo");
            try (RawWebSocket ws = RawWebSocket.open(server.port(), twoRequests, 0)) {
                assertThat(ws.responseHead).startsWith("HTTP/1.1 200 OK");
            }
            try (RawWebSocket ws = RawWebSocket.connect(server.port(), "/echo", 0)) {
                ws.send(Opcodes.TEXT, "hi".getBytes(StandardCharsets.UTF_8));
                RawWebSocket.Frame f = ws.read();
                assertThat(f.opcode()).isEqualTo(Opcodes.TEXT);
                assertThat(new String(f.payload(), StandardCharsets.UTF_8)).isEqualTo("hi");
            }
        }
    }

    @Test
    void originFlagRestrictsWhoMayConnect() throws Exception {
        try (RunningServer server = RunningServer.start(new WebSocketExample(), "origin", "http://a.example, http://b.example")) {
            try (RawWebSocket other = RawWebSocket.open(server.port(),
                    RawWebSocket.upgradeRequest("/echo", "Origin: http://evil.example"), 0)) {
                assertThat(other.responseHead).startsWith("HTTP/1.1 403 ");
            }
            try (RawWebSocket allowed = RawWebSocket.open(server.port(),
                    RawWebSocket.upgradeRequest("/echo", "Origin: http://b.example"), 0)) {
                assertThat(allowed.responseHead).startsWith("HTTP/1.1 101 ");
            }
        }
        try (RunningServer server = RunningServer.start(new WebSocketExample())) {
            try (RawWebSocket any = RawWebSocket.open(server.port(),
                    RawWebSocket.upgradeRequest("/echo", "Origin: http://anywhere.example"), 0)) {
                assertThat(any.responseHead).as("every origin by default").startsWith("HTTP/1.1 101 ");
            }
        }
    }
}
