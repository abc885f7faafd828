package io.gnetj.codec.websocket;

import io.gnetj.Conn;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Reads client-to-server WebSocket frames (RFC 6455 section 5) from a connection's inbound bytes
 * and hands out whole messages and control frames, unmasked.
 *
 * <h2>Use</h2>
 * <pre>{@code
 * for (int event; (event = decoder.decode(conn)) != WebSocketFrameDecoder.NONE; ) {
 *     ByteBuffer payload = decoder.payload();   // lent until the next decode or the callback returns
 *     switch (event) { case Opcodes.TEXT: ... case Opcodes.BINARY: ... case Opcodes.PING: ... }
 * }
 * }</pre>
 * {@link WebSocketSession} does this, answers pings and runs the close handshake; use the decoder
 * directly only to build something else on top.
 *
 * <h2>What it checks (each failure throws {@link WebSocketException} with the close code)</h2>
 * <ul>
 *   <li>1002: a reserved bit set that no extension gave a meaning (RSV1 is permessage-deflate's,
 *       on the first frame of a data message only), a reserved opcode, an unmasked frame (a
 *       client MUST mask, section 5.1), a control frame fragmented or longer than 125 bytes, a
 *       continuation frame with no message started or a new message before the last one's final
 *       fragment, a 64-bit length with its top bit set, a Close frame with a 1-byte body or a
 *       status code that may not be sent;
 *   <li>1007: a text message (or a Close frame's reason) that is not UTF-8, checked as the bytes
 *       arrive, across fragment boundaries, so it fails before the message is complete; compressed
 *       bytes that do not inflate;
 *   <li>1009: a frame's payload over {@code maxFramePayload}, a message over
 *       {@code maxMessageSize} (checked from each frame header, before its payload is buffered),
 *       or a compressed message that inflates past {@code maxMessageSize}.
 * </ul>
 *
 * <h2>Buffers and allocation</h2>
 * A frame's payload is unmasked as it arrives, chunk by chunk, into the decoder's message buffer
 * (the connection's inbound view is read-only, so the mask cannot be removed in place); the
 * connection therefore never holds more than a frame header of this stream. The message buffer
 * is a heap array, made on the first data frame, grown to the largest message seen and kept while
 * it is at most 64 KiB: decoding an unfragmented frame allocates nothing after the first one. A
 * larger message gets its own array, dropped when the next message starts. Control frames are
 * unmasked into a fixed 125-byte array, so a ping between two fragments leaves the message being
 * assembled alone. A compressed message is inflated into a buffer of the
 * {@code PerMessageDeflate} agreement (allocation per message allowed there).
 *
 * <p>{@link #payload()} is a read-only view of the decoder's own buffer: valid until the next
 * {@code decode} on this decoder (or the callback returns, whatever comes first); copy what must
 * outlive it. Handing it to {@link Conn#asyncWrite} is safe (read-only buffers are copied).
 *
 * <p>Threading: not thread-safe; one decoder per connection, used on that connection's event
 * loop thread only.
 */
public final class WebSocketFrameDecoder {

    /** {@link #decode} found no complete message or control frame yet. */
    public static final int NONE = -1;

    /** Message arrays up to this size are kept between messages; larger ones are dropped. */
    static final int RETAINED_BUFFER = 64 * 1024;

    private static final int HEADER = 0;
    private static final int PAYLOAD = 1;
    private static final byte[] EMPTY = new byte[0];
    /** Eight bytes of a {@code byte[]} at a time, in the platform's order (no byte swap). */
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final boolean NATIVE_LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private final int maxFramePayload;
    private final int maxMessageSize;
    private final PerMessageDeflate deflate;

    // the frame being read
    private int stage = HEADER;
    private boolean fin;
    private int opcode;
    private int mask;
    private int maskIndex;
    private long remaining;

    // the data message being assembled
    private int messageOpcode = NONE;
    private boolean compressed;
    private int messageLength;
    private byte[] message = EMPTY;
    private ByteBuffer messageBuf = ByteBuffer.wrap(EMPTY);
    private ByteBuffer messageView = messageBuf.asReadOnlyBuffer();
    private final Utf8Validator textValidator = new Utf8Validator();

    // the control frame being read
    private final byte[] control = new byte[Opcodes.MAX_CONTROL_PAYLOAD];
    private final ByteBuffer controlBuf = ByteBuffer.wrap(control);
    private final ByteBuffer controlView = controlBuf.asReadOnlyBuffer();
    private int controlLength;
    private final Utf8Validator reasonValidator = new Utf8Validator();

    // the last event
    private ByteBuffer payload = controlView;
    private int closeCode = CloseCodes.NO_STATUS;

    /**
     * A decoder without extensions.
     *
     * @param maxFramePayload largest payload of one frame, in bytes (1009 past it)
     * @param maxMessageSize  largest message, all fragments together (1009 past it)
     */
    public WebSocketFrameDecoder(int maxFramePayload, int maxMessageSize) {
        this(maxFramePayload, maxMessageSize, null);
    }

    /** A decoder with permessage-deflate agreed ({@code deflate} non-null) or not. */
    WebSocketFrameDecoder(int maxFramePayload, int maxMessageSize, PerMessageDeflate deflate) {
        if (maxFramePayload < Opcodes.MAX_CONTROL_PAYLOAD || maxMessageSize < 1) {
            throw new IllegalArgumentException("maxFramePayload " + maxFramePayload + " must be at least 125 and "
                    + "maxMessageSize " + maxMessageSize + " at least 1");
        }
        if (maxMessageSize > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("maxMessageSize " + maxMessageSize + " is too large for one array");
        }
        this.maxFramePayload = maxFramePayload;
        this.maxMessageSize = maxMessageSize;
        this.deflate = deflate;
    }

    /**
     * Decodes what {@code conn} has buffered until a message or a control frame is complete.
     * Loop thread of {@code conn} only (it reads with {@link Conn#peek}, {@link Conn#next} and
     * {@link Conn#discard}); bytes of a partial frame are consumed and kept by the decoder.
     *
     * @param conn the connection whose inbound bytes are decoded
     * @return {@link Opcodes#TEXT} or {@link Opcodes#BINARY} for a whole message,
     *         {@link Opcodes#PING}, {@link Opcodes#PONG} or {@link Opcodes#CLOSE} for a control
     *         frame (its payload in {@link #payload()}), or {@link #NONE} if more bytes are needed
     * @throws WebSocketException if the peer broke the protocol or a limit; the decoder is not
     *                            usable afterwards
     */
    public int decode(Conn conn) {
        while (true) {
            if (stage == HEADER) {
                if (!readHeader(conn)) {
                    return NONE;
                }
            }
            if (remaining > 0) {
                int available = conn.inboundBuffered();
                if (available == 0) {
                    return NONE;
                }
                int n = (int) Math.min(remaining, available);
                ByteBuffer src = conn.next(n);
                if (Opcodes.isControl(opcode)) {
                    unmask(src, control, controlLength, n);
                    controlLength += n;
                } else {
                    unmask(src, message, messageLength, n);
                    if (messageOpcode == Opcodes.TEXT && !compressed
                            && !textValidator.check(messageBuf, messageLength, messageLength + n)) {
                        throw new WebSocketException(CloseCodes.INVALID_PAYLOAD, "text message is not valid UTF-8");
                    }
                    messageLength += n;
                }
                remaining -= n;
                if (remaining > 0) {
                    return NONE;
                }
            }
            stage = HEADER;
            int event = frameDone();
            if (event != NONE) {
                return event;
            }
        }
    }

    /** Reads and checks a header if it is all buffered; {@code false} if not yet. */
    private boolean readHeader(Conn conn) {
        int available = conn.inboundBuffered();
        if (available < 2) {
            return false;
        }
        ByteBuffer h = conn.peek(Math.min(available, 14));
        int p = h.position();
        int b0 = h.get(p) & 0xFF;
        int b1 = h.get(p + 1) & 0xFF;
        boolean finBit = (b0 & 0x80) != 0;
        boolean rsv1 = (b0 & 0x40) != 0;
        int op = b0 & 0x0F;
        int len7 = b1 & 0x7F;
        checkFrameStart(finBit, rsv1, (b0 & 0x30) != 0, op, (b1 & 0x80) != 0, len7);
        int extended = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
        int headerLength = 2 + extended + 4;
        if (available < headerLength) {
            return false;
        }
        long length = len7 == 126 ? h.getShort(p + 2) & 0xFFFF : len7 == 127 ? h.getLong(p + 2) : len7;
        if (length < 0) {
            throw new WebSocketException(CloseCodes.PROTOCOL_ERROR, "64-bit payload length has its top bit set");
        }
        if (length > maxFramePayload) {
            throw new WebSocketException(CloseCodes.MESSAGE_TOO_BIG, "frame payload of " + length
                    + " bytes exceeds the limit of " + maxFramePayload);
        }
        mask = h.getInt(p + 2 + extended);
        conn.discard(headerLength);
        fin = finBit;
        opcode = op;
        maskIndex = 0;
        remaining = length;
        stage = PAYLOAD;
        if (Opcodes.isControl(op)) {
            controlLength = 0;
        } else {
            if (op != Opcodes.CONTINUATION) {
                startMessage(op, rsv1);
            }
            if (messageLength + length > maxMessageSize) {
                throw new WebSocketException(CloseCodes.MESSAGE_TOO_BIG, "message of at least "
                        + (messageLength + length) + " bytes exceeds the limit of " + maxMessageSize);
            }
            ensureCapacity(messageLength + (int) length + (compressed ? 4 : 0));
        }
        return true;
    }

    /** The checks that need only the first two bytes, so a bad frame fails before its length arrives. */
    private void checkFrameStart(boolean finBit, boolean rsv1, boolean rsv23, int op, boolean masked, int len7) {
        if (rsv23) {
            throw new WebSocketException(CloseCodes.PROTOCOL_ERROR, "RSV2/RSV3 set with no extension giving them a meaning");
        }
        if ((op > Opcodes.BINARY && op < Opcodes.CLOSE) || op > Opcodes.PONG) {
            throw new WebSocketException(CloseCodes.PROTOCOL_ERROR, "reserved opcode " + Opcodes.name(op));
        }
        if (!masked) {
            throw new WebSocketException(CloseCodes.PROTOCOL_ERROR, "unmasked " + Opcodes.name(op)
                    + " frame: a client must mask every frame");
        }
        if (Opcodes.isControl(op)) {
            if (!finBit) {
                throw new WebSocketException(CloseCodes.PROTOCOL_ERROR, "fragmented " + Opcodes.name(op) + " frame");
            }
            if (len7 > Opcodes.MAX_CONTROL_PAYLOAD) {
                throw new WebSocketException(CloseCodes.PROTOCOL_ERROR, Opcodes.name(op)
                        + " frame longer than 125 bytes");
            }
        } else if (op == Opcodes.CONTINUATION) {
            if (messageOpcode == NONE) {
                throw new WebSocketException(CloseCodes.PROTOCOL_ERROR, "continuation frame with no message started");
            }
        } else if (messageOpcode != NONE) {
            throw new WebSocketException(CloseCodes.PROTOCOL_ERROR, "new " + Opcodes.name(op)
                    + " message before the final fragment of the last one");
        }
        if (rsv1 && (deflate == null || Opcodes.isControl(op) || op == Opcodes.CONTINUATION)) {
            throw new WebSocketException(CloseCodes.PROTOCOL_ERROR, deflate == null
                    ? "RSV1 set but permessage-deflate was not negotiated"
                    : "RSV1 set on a " + Opcodes.name(op) + " frame (only the first frame of a message may have it)");
        }
    }

    private void startMessage(int op, boolean rsv1) {
        messageOpcode = op;
        compressed = rsv1;
        messageLength = 0;
        textValidator.reset();
        if (message.length > RETAINED_BUFFER) {
            setMessageArray(EMPTY);
        }
    }

    private void ensureCapacity(int needed) {
        if (message.length >= needed) {
            return;
        }
        long doubled = Math.max(256L, 2L * message.length);
        int capacity = (int) Math.max(needed, Math.min(doubled, maxMessageSize + 4L));
        if (needed <= RETAINED_BUFFER) {
            capacity = Math.min(Math.max(capacity, needed), RETAINED_BUFFER);
        }
        byte[] grown = new byte[capacity];
        System.arraycopy(message, 0, grown, 0, messageLength);
        setMessageArray(grown);
    }

    private void setMessageArray(byte[] array) {
        message = array;
        messageBuf = ByteBuffer.wrap(array);
        messageView = messageBuf.asReadOnlyBuffer();
    }

    /**
     * Copies {@code n} bytes of {@code src} (from its position) into {@code dst} at {@code at}
     * (a bulk copy, memcpy for a direct source), then XORs them with the mask in place, eight
     * bytes at a time through a native-order long view of the array, with the mask repeated in
     * a long rotated to where this frame's mask stands.
     */
    private void unmask(ByteBuffer src, byte[] dst, int at, int n) {
        src.get(src.position(), dst, at, n);
        int rotated = Integer.rotateLeft(mask, 8 * maskIndex);
        if (NATIVE_LITTLE_ENDIAN) {
            rotated = Integer.reverseBytes(rotated); // the frame's first mask byte is the lowest
        }
        long mask64 = ((long) rotated << 32) | (rotated & 0xFFFFFFFFL);
        int i = at;
        int end = at + n;
        for (; i + 8 <= end; i += 8) {
            LONGS.set(dst, i, (long) LONGS.get(dst, i) ^ mask64);
        }
        for (int k = i - at; i < end; i++, k++) {
            dst[i] ^= (byte) (mask >>> (24 - 8 * ((maskIndex + k) & 3)));
        }
        maskIndex = (maskIndex + n) & 3;
    }

    /** A frame's payload is all in: the event it completes, or {@link #NONE}. */
    private int frameDone() {
        if (Opcodes.isControl(opcode)) {
            controlView.limit(controlLength).position(0);
            payload = controlView;
            if (opcode == Opcodes.CLOSE) {
                readClose();
            }
            return opcode;
        }
        if (!fin) {
            return NONE;
        }
        int type = messageOpcode;
        messageOpcode = NONE;
        if (compressed) {
            ByteBuffer inflated = deflate.inflate(message, messageLength, maxMessageSize);
            if (type == Opcodes.TEXT) {
                textValidator.reset();
                if (!textValidator.check(inflated, 0, inflated.limit()) || !textValidator.complete()) {
                    throw new WebSocketException(CloseCodes.INVALID_PAYLOAD, "text message is not valid UTF-8");
                }
            }
            payload = inflated.asReadOnlyBuffer();
        } else {
            if (type == Opcodes.TEXT && !textValidator.complete()) {
                throw new WebSocketException(CloseCodes.INVALID_PAYLOAD, "text message ends inside a UTF-8 sequence");
            }
            messageView.limit(messageLength).position(0);
            payload = messageView;
        }
        return type;
    }

    private void readClose() {
        if (controlLength == 0) {
            closeCode = CloseCodes.NO_STATUS;
            return;
        }
        if (controlLength == 1) {
            throw new WebSocketException(CloseCodes.PROTOCOL_ERROR, "close frame with a 1-byte body");
        }
        int code = ((control[0] & 0xFF) << 8) | (control[1] & 0xFF);
        if (!CloseCodes.isValidOnWire(code)) {
            throw new WebSocketException(CloseCodes.PROTOCOL_ERROR, "close frame with status code " + code
                    + ", which may not be sent");
        }
        reasonValidator.reset();
        if (!reasonValidator.check(control, 2, controlLength) || !reasonValidator.complete()) {
            throw new WebSocketException(CloseCodes.INVALID_PAYLOAD, "close reason is not valid UTF-8");
        }
        closeCode = code;
    }

    /**
     * {@return the payload of the event {@link #decode} last returned} A read-only view of the
     * decoder's buffer, position 0 to the payload's end: for a Close frame the whole body (status
     * code and reason). Valid until the next {@code decode}; loop thread of the connection only.
     */
    public ByteBuffer payload() {
        return payload;
    }

    /**
     * {@return the status code of the last Close frame decoded} {@link CloseCodes#NO_STATUS} if it
     * had none. Loop thread of the connection only.
     */
    public int closeCode() {
        return closeCode;
    }

    /**
     * {@return the reason of the last Close frame decoded, "" if it had none} Allocates a string.
     * Loop thread of the connection only.
     */
    public String closeReason() {
        return controlLength <= 2 ? "" : new String(control, 2, controlLength - 2, StandardCharsets.UTF_8);
    }

    /**
     * {@return whether a fragmented message has begun and its final fragment not yet arrived}
     * Loop thread of the connection only.
     */
    public boolean inMessage() {
        return messageOpcode != NONE;
    }

    /** {@return the largest payload of one frame accepted, in bytes} Any thread. */
    public int maxFramePayload() {
        return maxFramePayload;
    }

    /** {@return the largest message accepted, all fragments (or all inflated bytes), in bytes} Any thread. */
    public int maxMessageSize() {
        return maxMessageSize;
    }

    /** {@return the buffer capacity kept for assembling messages, for tests} */
    int retainedBytes() {
        return message.length;
    }

    /**
     * Releases the native memory of a permessage-deflate agreement, if any. Call once the
     * connection closed; idempotent. Loop thread of the connection only.
     */
    public void release() {
        if (deflate != null) {
            deflate.end();
        }
    }
}
