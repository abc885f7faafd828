package io.gnetj.codec.websocket;

import static io.gnetj.codec.websocket.ClientFrames.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.Action;
import io.gnetj.Conn;
import io.gnetj.EventHandler;
import io.gnetj.testing.MemoryConn;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The opening handshake (RFC 6455 section 4.2) and a session's reactions: pongs, the close
 * handshake, failing the connection with the right code; driven through a {@link MemoryConn}.
 */
class WebSocketSessionTest {

    private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

    /** Records what the listener heard; echoes messages. */
    static final class Recorder implements WebSocketListener {
        final List<String> events = new ArrayList<>();

        @Override
        public void onOpen(WebSocketSession session) {
            events.add("open " + session.path() + " " + session.subprotocol() + " " + session.extensions());
        }

        @Override
        public void onMessage(WebSocketSession session, ByteBuffer payload, boolean text) {
            byte[] b = new byte[payload.remaining()];
            payload.get(b);
            events.add((text ? "text " : "binary ") + new String(b, StandardCharsets.UTF_8));
            payload.position(0);
            if (text) {
                session.sendText(payload);
            } else {
                session.sendBinary(payload);
            }
        }

        @Override
        public void onPing(WebSocketSession session, ByteBuffer payload) {
            events.add("ping " + StandardCharsets.UTF_8.decode(payload));
        }

        @Override
        public void onClose(WebSocketSession session, int code, String reason) {
            events.add("close " + code);
        }
    }

    /** A handler as an application writes one: handshake first, then the session. */
    static final class Handler implements EventHandler {
        final WebSocketHandshake handshake;
        final Recorder recorder = new Recorder();

        Handler(WebSocketHandshake handshake) {
            this.handshake = handshake;
        }

        @Override
        public Action onTraffic(Conn conn) {
            WebSocketSession session = conn.context();
            if (session == null) {
                HttpUpgradeRequest request;
                try {
                    request = HttpUpgradeRequest.read(conn, handshake.maxHeadBytes());
                } catch (HttpRequestException e) {
                    WebSocketHandshake.reject(conn, e.status(), e.getMessage());
                    return Action.NONE;
                }
                if (request == null) {
                    return Action.NONE;
                }
                session = handshake.upgrade(conn, request, recorder);
                if (session == null) {
                    return Action.NONE;
                }
                conn.context(session);
            }
            session.onTraffic();
            return Action.NONE;
        }

        @Override
        public Action onClose(Conn conn, Throwable cause) {
            WebSocketSession session = conn.context();
            if (session != null) {
                session.onConnectionClosed(cause);
            }
            return Action.NONE;
        }
    }

    static String request(String... extraHeaders) {
        StringBuilder b = new StringBuilder("GET /chat?x=1 HTTP/1.1\r\nHost: server.example.com\r\n"
                + "Upgrade: websocket\r\nConnection: keep-alive, Upgrade\r\nSec-WebSocket-Key: " + KEY + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n");
        for (String h : extraHeaders) {
            b.append(h).append("\r\n");
        }
        return b.append("\r\n").toString();
    }

    private static String head(MemoryConn conn) {
        String all = new String(conn.takeWritten(), StandardCharsets.ISO_8859_1);
        return all;
    }

    @Test
    void acceptKeyIsTheRfcsExample() {
        assertThat(WebSocketHandshake.acceptKey(KEY)).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }

    @Test
    void upgradesAndEchoesWithTheRequestSplitAtEveryOffset() {
        byte[] req = request("Sec-WebSocket-Protocol: superchat, chat").getBytes(StandardCharsets.ISO_8859_1);
        byte[] frames = new ClientFrames().text("hi").ping("p").binary(utf8("b")).close(1000, "done").bytes();
        byte[] stream = new byte[req.length + frames.length];
        System.arraycopy(req, 0, stream, 0, req.length);
        System.arraycopy(frames, 0, stream, req.length, frames.length);
        String expectedHead = null;
        for (int cut = 0; cut <= stream.length; cut++) {
            Handler handler = new Handler(WebSocketHandshake.builder().subprotocols(List.of("chat")).build());
            MemoryConn conn = new MemoryConn(handler);
            conn.receive(stream, 0, cut).receive(stream, cut, stream.length - cut);
            assertThat(handler.recorder.events).as("cut at %d", cut)
                    .containsExactly("open /chat chat null", "text hi", "ping p", "binary b", "close 1000");
            String written = head(conn);
            int end = written.indexOf("\r\n\r\n") + 4;
            if (expectedHead == null) {
                expectedHead = written.substring(0, end);
                assertThat(expectedHead).startsWith("HTTP/1.1 101 Switching Protocols\r\n")
                        .contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n")
                        .contains("Sec-WebSocket-Protocol: chat\r\n").containsIgnoringCase("upgrade: websocket");
            }
            List<ClientFrames.ServerFrame> back = ClientFrames.parseServerFrames(
                    written.substring(end).getBytes(StandardCharsets.ISO_8859_1));
            assertThat(back).extracting(f -> Opcodes.name(f.opcode()) + " " + (f.opcode() == Opcodes.CLOSE ? "" : f.text()))
                    .containsExactly("text hi", "pong p", "binary b", "close ");
            assertThat(back.get(3).closeCode()).as("the close code is echoed").isEqualTo(1000);
            assertThat(conn.isOpen()).as("TCP closed after the close handshake").isFalse();
        }
    }

    @Test
    void refusesBadHandshakesWithTheirStatus() {
        assertThat(answer(request().replace("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 8")))
                .startsWith("HTTP/1.1 426 ").contains("Sec-WebSocket-Version: 13\r\n");
        assertThat(answer(request().replace("Sec-WebSocket-Key: " + KEY + "\r\n", ""))).startsWith("HTTP/1.1 400 ");
        assertThat(answer(request().replace(KEY, "c2hvcnQ="))).as("key of 5 bytes").startsWith("HTTP/1.1 400 ");
        assertThat(answer(request().replace("keep-alive, Upgrade", "keep-alive"))).startsWith("HTTP/1.1 400 ");
        assertThat(answer(request().replace("GET", "POST"))).startsWith("HTTP/1.1 400 ");
        assertThat(answer(request().replace("HTTP/1.1", "HTTP/1.0"))).startsWith("HTTP/1.1 400 ");
        assertThat(answer(request().replace("Host: server.example.com\r\n", ""))).startsWith("HTTP/1.1 400 ");
        assertThat(answer("GET / HTTP/1.1\r\n bad folding\r\n\r\n")).startsWith("HTTP/1.1 400 ");
        assertThat(answer("GET / HTTP/1.1\r\nX: " + "a".repeat(9000))).startsWith("HTTP/1.1 431 ");
        WebSocketHandshake onlyExample = WebSocketHandshake.builder().originPolicy("https://example.com"::equals).build();
        assertThat(answer(onlyExample, request("Origin: https://evil.example"))).startsWith("HTTP/1.1 403 ");
        assertThat(answer(onlyExample, request("Origin: https://example.com"))).startsWith("HTTP/1.1 101 ");
    }

    private static String answer(String request) {
        return answer(WebSocketHandshake.builder().build(), request);
    }

    private static String answer(WebSocketHandshake handshake, String request) {
        MemoryConn conn = new MemoryConn(new Handler(handshake));
        conn.receive(request.getBytes(StandardCharsets.ISO_8859_1));
        String written = head(conn);
        if (!written.startsWith("HTTP/1.1 101")) {
            assertThat(conn.isOpen()).as("closed after refusing").isFalse();
        }
        return written;
    }

    @Test
    void negotiatesPermessageDeflateOnlyInAFormItHonours() {
        assertThat(extensionsAnswered("permessage-deflate; client_max_window_bits")).isEqualTo("permessage-deflate");
        assertThat(extensionsAnswered("permessage-deflate; server_no_context_takeover; client_no_context_takeover"))
                .isEqualTo("permessage-deflate; server_no_context_takeover; client_no_context_takeover");
        assertThat(extensionsAnswered("permessage-deflate; server_max_window_bits=10, permessage-deflate"))
                .as("first offer declined (window < 15), second taken").isEqualTo("permessage-deflate");
        assertThat(extensionsAnswered("permessage-deflate; server_max_window_bits=10")).isNull();
        assertThat(extensionsAnswered("permessage-deflate; client_max_window_bits=7")).isNull();
        assertThat(extensionsAnswered("permessage-deflate; unknown=1")).isNull();
        assertThat(extensionsAnswered("permessage-deflate; server_no_context_takeover; server_no_context_takeover")).isNull();
        assertThat(extensionsAnswered("x-webkit-deflate-frame")).isNull();
        assertThat(extensionsAnswered(null)).isNull();
    }

    private static String extensionsAnswered(String offer) {
        String written = offer == null ? answer(request()) : answer(request("Sec-WebSocket-Extensions: " + offer));
        assertThat(written).startsWith("HTTP/1.1 101 ");
        for (String line : written.split("\r\n")) {
            if (line.startsWith("Sec-WebSocket-Extensions: ")) {
                return line.substring("Sec-WebSocket-Extensions: ".length());
            }
        }
        return null;
    }

    @Test
    void compressedMessagesRoundTrip() {
        Handler handler = new Handler(WebSocketHandshake.builder().build());
        MemoryConn conn = new MemoryConn(handler);
        conn.receive(request("Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover; server_no_context_takeover")
                .getBytes(StandardCharsets.ISO_8859_1));
        head(conn);
        String big = "compress me ".repeat(50);
        conn.receive(new ClientFrames().frame(true, 4, Opcodes.TEXT, ClientFrames.deflate(utf8(big)), true).bytes());
        List<ClientFrames.ServerFrame> back = ClientFrames.parseServerFrames(conn.takeWritten());
        assertThat(back).hasSize(1);
        assertThat(back.get(0).rsv1()).as("the echo is compressed").isTrue();
        java.util.zip.Inflater inflater = new java.util.zip.Inflater(true);
        byte[] in = java.util.Arrays.copyOf(back.get(0).payload(), back.get(0).payload().length + 4);
        in[in.length - 2] = (byte) 0xFF;
        in[in.length - 1] = (byte) 0xFF;
        inflater.setInput(in);
        byte[] out = new byte[big.length() * 2];
        try {
            int n = inflater.inflate(out);
            assertThat(new String(out, 0, n, StandardCharsets.UTF_8)).isEqualTo(big);
        } catch (java.util.zip.DataFormatException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void failsTheConnectionWithTheRightCloseCode() {
        assertThat(failure(new ClientFrames().frame(true, 0, Opcodes.TEXT, utf8("x"), false).bytes())).isEqualTo(1002);
        assertThat(failure(new ClientFrames().frame(true, Opcodes.TEXT, new byte[] {(byte) 0xFF}).bytes())).isEqualTo(1007);
        assertThat(failure(new ClientFrames().binary(new byte[2000]).bytes())).isEqualTo(1009);
    }

    private static int failure(byte[] frames) {
        Handler handler = new Handler(WebSocketHandshake.builder().maxFramePayload(1000).maxMessageSize(1000).build());
        MemoryConn conn = new MemoryConn(handler);
        conn.receive(request().getBytes(StandardCharsets.ISO_8859_1));
        head(conn);
        conn.receive(frames);
        List<ClientFrames.ServerFrame> back = ClientFrames.parseServerFrames(conn.takeWritten());
        assertThat(back).hasSize(1);
        assertThat(back.get(0).opcode()).isEqualTo(Opcodes.CLOSE);
        assertThat(conn.isOpen()).as("TCP closed after failing").isFalse();
        assertThat(handler.recorder.events).last().isEqualTo("close " + back.get(0).closeCode());
        assertThat(handler.recorder.events.stream().filter(e -> e.startsWith("close"))).hasSize(1);
        return back.get(0).closeCode();
    }

    @Test
    void serverInitiatedCloseWaitsForTheClientsCloseAndDropsMessagesMeanwhile() {
        Handler handler = new Handler(WebSocketHandshake.builder().build());
        MemoryConn conn = new MemoryConn(handler);
        conn.receive(request().getBytes(StandardCharsets.ISO_8859_1));
        head(conn);
        WebSocketSession session = conn.context();
        session.close(CloseCodes.GOING_AWAY, "bye");
        assertThat(ClientFrames.parseServerFrames(conn.takeWritten())).singleElement()
                .satisfies(f -> assertThat(f.closeCode()).isEqualTo(1001));
        assertThat(session.sendText("late")).isZero();
        conn.receive(new ClientFrames().text("ignored").close(1001, "").bytes());
        assertThat(conn.takeWritten()).as("nothing echoed once closing").isEmpty();
        assertThat(conn.isOpen()).isFalse();
        assertThat(handler.recorder.events).containsExactly("open /chat null null", "close 1001");
    }

    @Test
    void lostConnectionIsReportedAsAbnormalOnce() {
        Handler handler = new Handler(WebSocketHandshake.builder().build());
        MemoryConn conn = new MemoryConn(handler);
        conn.receive(request().getBytes(StandardCharsets.ISO_8859_1));
        conn.close();
        assertThat(handler.recorder.events).containsExactly("open /chat null null", "close 1006");
    }
}
