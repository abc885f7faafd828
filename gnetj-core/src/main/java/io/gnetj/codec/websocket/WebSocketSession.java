package io.gnetj.codec.websocket;

import io.gnetj.Conn;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One WebSocket connection after its opening handshake: decodes the client's frames, calls the
 * {@link WebSocketListener}, answers pings, runs the close handshake, and sends messages.
 *
 * <h2>Driving it</h2>
 * {@link WebSocketHandshake#upgrade} makes the session; the connection's handler then calls
 * {@link #onTraffic()} from {@code onTraffic} and {@link #onConnectionClosed} from
 * {@code onClose} (keep the session in the connection's context).
 *
 * <h2>Closing (RFC 6455 sections 5.5.1, 7)</h2>
 * <ul>
 *   <li>The client sends Close: the session answers with a Close frame echoing its status code,
 *       then closes the TCP connection once that is sent.
 *   <li>{@link #close(int, String)}: the session sends Close, ignores data frames after it, and
 *       closes the TCP connection when the client's Close arrives, or after the handshake's
 *       close timeout if it never does.
 *   <li>A protocol error or a limit ({@link WebSocketException}): the session sends Close with its
 *       code (1002, 1007, 1009) and closes the TCP connection at once (after that frame).
 *   <li>The connection closes otherwise: the listener hears {@link CloseCodes#ABNORMAL}.
 * </ul>
 * {@link WebSocketListener#onClose} runs exactly once in every case.
 *
 * <h2>Sending</h2>
 * {@link #sendText}, {@link #sendBinary}, {@link #ping} and {@link #close} are loop-thread
 * methods: each queues one whole frame (copied, so the caller's buffer may be reused at once),
 * compressed when permessage-deflate was agreed and the message is large enough to gain. From any
 * other thread, build the frame with {@link WebSocketFrameEncoder#encode} and hand it to
 * {@code conn().asyncWrite}: it is never compressed, which every connection accepts.
 *
 * <p>Threading: confined to the connection's event loop thread, except {@link #conn()},
 * {@link #path()}, {@link #subprotocol()}, {@link #attachment()}/{@link #attach} and
 * {@link #isOpen()}, which any thread may call.
 */
public final class WebSocketSession {

    private static final int OPEN = 0;
    private static final int CLOSE_SENT = 1;
    private static final int CLOSED = 2;

    private final Conn conn;
    private final WebSocketListener listener;
    private final WebSocketFrameDecoder decoder;
    private final WebSocketFrameEncoder encoder;
    private final String path;
    private final String subprotocol;
    private final String extensions;
    private final boolean autoPong;
    private final Duration closeTimeout;

    /** Written on the loop thread, read by {@link #isOpen()} anywhere. */
    private volatile int state = OPEN;
    private boolean reported;
    private volatile Object attachment;

    WebSocketSession(Conn conn, WebSocketListener listener, PerMessageDeflate deflate, String path,
                     String subprotocol, WebSocketHandshake config) {
        this.conn = conn;
        this.listener = listener;
        this.decoder = new WebSocketFrameDecoder(config.maxFramePayload(), config.maxMessageSize(), deflate);
        this.encoder = new WebSocketFrameEncoder(deflate);
        this.path = path;
        this.subprotocol = subprotocol;
        this.extensions = deflate == null ? null : deflate.response();
        this.autoPong = config.autoPong();
        this.closeTimeout = config.closeTimeout();
    }

    /**
     * Decodes every complete frame buffered and acts on it. Call from the handler's
     * {@code onTraffic}. Loop thread of the connection only. Exceptions thrown by the listener
     * pass through (the engine then closes the connection with them as the cause).
     */
    public void onTraffic() {
        if (state == CLOSED) {
            conn.discard(-1);
            return;
        }
        try {
            for (int event; (event = decoder.decode(conn)) != WebSocketFrameDecoder.NONE; ) {
                ByteBuffer payload = decoder.payload();
                switch (event) {
                    case Opcodes.TEXT:
                    case Opcodes.BINARY:
                        if (state == OPEN) {
                            listener.onMessage(this, payload, event == Opcodes.TEXT);
                        }
                        break;
                    case Opcodes.PING:
                        if (autoPong && state == OPEN) {
                            encoder.write(conn, Opcodes.PONG, payload);
                            payload.position(0);
                        }
                        listener.onPing(this, payload);
                        break;
                    case Opcodes.PONG:
                        listener.onPong(this, payload);
                        break;
                    default: // CLOSE
                        closeReceived(decoder.closeCode(), decoder.closeReason());
                        return;
                }
                if (state == CLOSED) {
                    return;
                }
            }
        } catch (WebSocketException e) {
            fail(e.closeCode(), e.getMessage());
        }
    }

    private void closeReceived(int code, String reason) {
        if (state == OPEN) {
            sendCloseQuietly(code == CloseCodes.NO_STATUS ? CloseCodes.NO_STATUS : code, "");
        }
        state = CLOSED;
        conn.discard(-1); // nothing may follow a Close frame
        report(code, reason); // before the close, which may run onClose (and its 1006) at once
        conn.close();
    }

    /** Fails the connection (RFC 6455 section 7.1.7): Close with {@code code}, then the TCP close. */
    private void fail(int code, String reason) {
        if (state == OPEN) {
            sendCloseQuietly(code, reason);
        }
        state = CLOSED;
        conn.discard(-1);
        report(code, reason);
        conn.close();
    }

    private void sendCloseQuietly(int code, String reason) {
        if (!conn.isOpen()) {
            return;
        }
        try {
            encoder.writeClose(conn, code, reason);
        } catch (RuntimeException e) {
            // the connection is closing or its output full: the TCP close below says enough
        }
    }

    private void report(int code, String reason) {
        if (!reported) {
            reported = true;
            listener.onClose(this, code, reason);
        }
    }

    /**
     * The connection closed: reports {@link CloseCodes#ABNORMAL} to the listener if the session had
     * not ended yet, and releases the compressor's native memory. Call from the handler's
     * {@code onClose}. Loop thread of the connection only.
     *
     * @param cause why the connection closed, or {@code null}
     */
    public void onConnectionClosed(Throwable cause) {
        state = CLOSED;
        decoder.release();
        report(CloseCodes.ABNORMAL, cause == null ? "connection closed without a Close frame" : String.valueOf(cause));
    }

    /**
     * Sends a text message. Loop thread of the connection only.
     *
     * @param text the message
     * @return bytes queued, or 0 if the session is closing or closed (nothing is sent then)
     */
    public long sendText(String text) {
        return send(Opcodes.TEXT, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Sends a text message already encoded as UTF-8 (not checked): {@code utf8}'s remaining bytes,
     * copied (its position moves to its limit). Loop thread of the connection only.
     *
     * @param utf8 the message's bytes
     * @return bytes queued, or 0 if the session is closing or closed
     */
    public long sendText(ByteBuffer utf8) {
        return send(Opcodes.TEXT, utf8);
    }

    /**
     * Sends a binary message: {@code payload}'s remaining bytes, copied (its position moves to its
     * limit). Loop thread of the connection only.
     *
     * @param payload the message
     * @return bytes queued, or 0 if the session is closing or closed
     */
    public long sendBinary(ByteBuffer payload) {
        return send(Opcodes.BINARY, payload);
    }

    /**
     * Sends a ping with up to 125 bytes of application data; the pong reaches
     * {@link WebSocketListener#onPong}. Loop thread of the connection only.
     *
     * @param payload the application data (copied)
     * @return bytes queued, or 0 if the session is closing or closed
     */
    public long ping(ByteBuffer payload) {
        return send(Opcodes.PING, payload);
    }

    private long send(int opcode, ByteBuffer payload) {
        if (state != OPEN) {
            return 0;
        }
        return encoder.write(conn, opcode, payload);
    }

    /**
     * Starts the close handshake: sends Close with {@code code} and {@code reason}, then waits for
     * the client's Close (messages arriving meanwhile are dropped) at most the handshake's close
     * timeout before closing the TCP connection. Does nothing if a Close was already sent or
     * received. Loop thread of the connection only.
     *
     * @param code   a status code that may be sent, e.g. {@link CloseCodes#NORMAL}
     * @param reason a short explanation (cut to 123 bytes)
     */
    public void close(int code, String reason) {
        if (state != OPEN) {
            return;
        }
        encoder.writeClose(conn, code, reason);
        state = CLOSE_SENT;
        try {
            conn.eventLoop().schedule(conn::close, closeTimeout);
        } catch (UnsupportedOperationException e) {
            // a loop without timers (a test double): the client's Close or an idle timeout ends it
        }
    }

    /** {@return the connection this session runs on} Any thread. */
    public Conn conn() {
        return conn;
    }

    /** {@return the path the client asked for in its opening handshake, e.g. "/chat"} Any thread. */
    public String path() {
        return path;
    }

    /** {@return the subprotocol agreed, or {@code null} if none} Any thread. */
    public String subprotocol() {
        return subprotocol;
    }

    /**
     * {@return the {@code Sec-WebSocket-Extensions} value agreed, e.g. "permessage-deflate", or
     * {@code null} if none} Any thread.
     */
    public String extensions() {
        return extensions;
    }

    /** {@return whether messages may still be sent: no Close sent or received yet} Any thread (racy elsewhere). */
    public boolean isOpen() {
        return state == OPEN;
    }

    /** {@return the object attached with {@link #attach}, or {@code null}} Any thread. */
    public Object attachment() {
        return attachment;
    }

    /**
     * Attaches an object to this session, published safely (a volatile field). Any thread.
     *
     * @param attachment anything, or {@code null}
     */
    public void attach(Object attachment) {
        this.attachment = attachment;
    }

    /** {@return the decoder, for tests} */
    WebSocketFrameDecoder decoder() {
        return decoder;
    }
}
