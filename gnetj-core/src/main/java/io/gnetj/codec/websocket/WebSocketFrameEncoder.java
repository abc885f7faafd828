package io.gnetj.codec.websocket;

import io.gnetj.Conn;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Writes server-to-client WebSocket frames: never masked (RFC 6455 section 5.1), each message in
 * one frame, compressed when permessage-deflate was agreed.
 *
 * <h2>Two ways to write</h2>
 * <ul>
 *   <li>{@link #write(Conn, int, ByteBuffer)} and the other instance methods, on the
 *       connection's loop thread: the header is built in a 10-byte buffer this encoder reuses and
 *       queued with the payload in one {@link Conn#writev} (all or nothing past the outbound
 *       limit): no copy besides the one {@code writev} makes into the outbound buffer, nothing
 *       allocated for an uncompressed frame.
 *   <li>{@link #encode(int, ByteBuffer)}, on any thread: a whole frame in a new heap buffer,
 *       never compressed (valid on every connection whatever it agreed), for
 *       {@link Conn#asyncWrite}. Encode once and hand the same buffer to every member of a
 *       broadcast: {@code asyncWrite} never moves its position.
 * </ul>
 *
 * <p>Threading: the instance methods reuse per-instance scratch space (and the connection's
 * {@code Deflater}): one encoder per connection, used on its loop thread only. The static methods
 * are safe from any thread.
 */
public final class WebSocketFrameEncoder {

    /** Most bytes of a frame header from a server: 2, plus 8 for a 64-bit length, no mask. */
    public static final int MAX_HEADER_LENGTH = 10;
    /** Messages shorter than this are sent uncompressed even with permessage-deflate agreed. */
    static final int COMPRESS_THRESHOLD = 64;

    private final PerMessageDeflate deflate;
    private final ByteBuffer header = ByteBuffer.allocate(MAX_HEADER_LENGTH);
    private final ByteBuffer[] pair = new ByteBuffer[2];
    private final byte[] close = new byte[Opcodes.MAX_CONTROL_PAYLOAD];

    /** An encoder without extensions. */
    public WebSocketFrameEncoder() {
        this(null);
    }

    /** An encoder that compresses data messages when {@code deflate} is non-null. */
    WebSocketFrameEncoder(PerMessageDeflate deflate) {
        this.deflate = deflate;
    }

    /**
     * Queues one whole message or control frame on {@code conn}: the remaining bytes of
     * {@code payload} (its position moves to its limit; the bytes are copied, so it may be reused
     * at once). A text or binary message of 64 bytes or more is compressed when permessage-deflate
     * was agreed. Loop thread of {@code conn} only.
     *
     * @param conn    the connection to write to
     * @param opcode  {@link Opcodes#TEXT}, {@link Opcodes#BINARY}, {@link Opcodes#PING},
     *                {@link Opcodes#PONG} or {@link Opcodes#CLOSE}
     * @param payload the message; text must be UTF-8 (not checked)
     * @return bytes queued, header included
     * @throws IllegalArgumentException if a control frame's payload exceeds 125 bytes
     * @throws io.gnetj.ConnectionClosedException if the connection is closed
     * @throws io.gnetj.OutboundLimitException     if the frame would pass the outbound limit
     */
    public long write(Conn conn, int opcode, ByteBuffer payload) {
        if (deflate != null && !Opcodes.isControl(opcode) && payload.remaining() >= COMPRESS_THRESHOLD) {
            ByteBuffer compressed = deflate.deflate(payload);
            return writeFrame(conn, true, true, opcode, compressed);
        }
        return writeFrame(conn, true, false, opcode, payload);
    }

    /**
     * Queues one frame exactly as asked, never compressed: for sending a message in fragments
     * (the first with its opcode, the rest {@link Opcodes#CONTINUATION}, the last with
     * {@code fin}). Loop thread of {@code conn} only; {@code payload} is copied and its position
     * moves to its limit.
     *
     * @param conn    the connection to write to
     * @param fin     whether this is the message's final frame
     * @param opcode  the frame's opcode
     * @param payload the frame's payload
     * @return bytes queued, header included
     */
    public long writeFrame(Conn conn, boolean fin, int opcode, ByteBuffer payload) {
        return writeFrame(conn, fin, false, opcode, payload);
    }

    private long writeFrame(Conn conn, boolean fin, boolean rsv1, int opcode, ByteBuffer payload) {
        header.clear();
        putHeader(header, fin, rsv1, opcode, payload.remaining());
        header.flip();
        pair[0] = header;
        pair[1] = payload;
        try {
            return conn.writev(pair);
        } finally {
            pair[1] = null; // do not keep the caller's buffer reachable
        }
    }

    /**
     * Queues a Close frame with {@code code} and {@code reason} (cut to the 123 bytes a control
     * frame has room for, on a character boundary). Loop thread of {@code conn} only.
     *
     * @param conn   the connection to write to
     * @param code   a status code that may be sent ({@link CloseCodes#isValidOnWire}), or
     *               {@link CloseCodes#NO_STATUS} for a Close frame without a body
     * @param reason a short explanation, may be empty
     * @return bytes queued
     * @throws IllegalArgumentException if {@code code} may not be sent
     */
    public long writeClose(Conn conn, int code, String reason) {
        int length = closePayload(code, reason, close);
        return writeFrame(conn, true, false, Opcodes.CLOSE, ByteBuffer.wrap(close, 0, length));
    }

    /**
     * {@return a new heap buffer holding one unmasked, uncompressed, final frame with
     * {@code payload}'s remaining bytes, ready to read} {@code payload}'s position does not move.
     * Any thread.
     *
     * @param opcode  the frame's opcode
     * @param payload the frame's payload (at most 125 bytes for a control frame)
     * @throws IllegalArgumentException if a control frame's payload exceeds 125 bytes, or the
     *                                  frame would exceed 2 GiB
     */
    public static ByteBuffer encode(int opcode, ByteBuffer payload) {
        int length = payload.remaining();
        long total = (long) headerLength(length) + length;
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("frame of " + total + " bytes exceeds 2 GiB");
        }
        ByteBuffer frame = ByteBuffer.allocate((int) total);
        putHeader(frame, true, false, opcode, length);
        frame.put(payload.duplicate());
        return frame.flip();
    }

    /**
     * {@return a new buffer holding a Close frame with {@code code} and {@code reason}, ready to
     * read} Any thread, for {@link Conn#asyncWrite}.
     *
     * @param code   a status code that may be sent, or {@link CloseCodes#NO_STATUS} for no body
     * @param reason a short explanation, cut to 123 bytes
     */
    public static ByteBuffer encodeClose(int code, String reason) {
        byte[] body = new byte[Opcodes.MAX_CONTROL_PAYLOAD];
        return encode(Opcodes.CLOSE, ByteBuffer.wrap(body, 0, closePayload(code, reason, body)));
    }

    /**
     * {@return the bytes of a server frame header for a payload of {@code payloadLength} bytes:
     * 2, 4 or 10} Any thread.
     *
     * @param payloadLength the payload's size
     */
    public static int headerLength(long payloadLength) {
        return payloadLength <= 125 ? 2 : payloadLength <= 0xFFFF ? 4 : 10;
    }

    /**
     * Puts an unmasked frame header at {@code dst}'s position, which advances. Any thread.
     *
     * @param dst           where the header goes (at least {@link #headerLength} bytes of room)
     * @param fin           the FIN bit
     * @param rsv1          the RSV1 bit (a compressed message's first frame)
     * @param opcode        the opcode
     * @param payloadLength the payload's size
     * @throws IllegalArgumentException if a control frame is longer than 125 bytes or not final,
     *                                  or the opcode is not four bits
     */
    public static void putHeader(ByteBuffer dst, boolean fin, boolean rsv1, int opcode, long payloadLength) {
        if ((opcode & ~0xF) != 0 || payloadLength < 0) {
            throw new IllegalArgumentException("opcode " + opcode + " or length " + payloadLength + " out of range");
        }
        if (Opcodes.isControl(opcode) && (payloadLength > Opcodes.MAX_CONTROL_PAYLOAD || !fin)) {
            throw new IllegalArgumentException(Opcodes.name(opcode) + " frame of " + payloadLength
                    + " bytes: control frames are final and carry at most 125 bytes");
        }
        dst.put((byte) ((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode));
        if (payloadLength <= 125) {
            dst.put((byte) payloadLength);
        } else if (payloadLength <= 0xFFFF) {
            dst.put((byte) 126);
            dst.putShort((short) payloadLength);
        } else {
            dst.put((byte) 127);
            dst.putLong(payloadLength);
        }
    }

    private static int closePayload(int code, String reason, byte[] dst) {
        if (code == CloseCodes.NO_STATUS) {
            return 0;
        }
        if (!CloseCodes.isValidOnWire(code)) {
            throw new IllegalArgumentException("status code " + code + " may not be sent in a Close frame");
        }
        dst[0] = (byte) (code >>> 8);
        dst[1] = (byte) code;
        byte[] text = reason == null ? new byte[0] : reason.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(text.length, dst.length - 2);
        while (n < text.length && n > 0 && (text[n] & 0xC0) == 0x80) {
            n--; // do not cut a character in two: the peer checks the reason is UTF-8
        }
        System.arraycopy(text, 0, dst, 2, n);
        return 2 + n;
    }
}
