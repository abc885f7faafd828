package io.gnetj.examples.websocket;

import io.gnetj.codec.websocket.WebSocketListener;
import io.gnetj.codec.websocket.WebSocketSession;
import java.nio.ByteBuffer;

/**
 * {@code /echo}: every message goes back as it came, text as text, binary as binary. The payload
 * is the decoder's buffer; {@code send*} copies it into the outbound buffer, so nothing is
 * allocated per message.
 *
 * <p>Threading: stateless; its callbacks run on the sessions' loop threads.
 */
final class EchoEndpoint implements WebSocketListener {

    @Override
    public void onMessage(WebSocketSession session, ByteBuffer payload, boolean text) {
        if (text) {
            session.sendText(payload);
        } else {
            session.sendBinary(payload);
        }
    }
}
