package io.gnetj.codec.websocket;

/**
 * The frame opcodes of RFC 6455 section 5.2, and the layout of a frame's header.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-------+-+-------------+-------------------------------+
 *  |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
 *  |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
 *  |N|V|V|V|       |S|             |   (if payload len==126/127)   |
 *  | |1|2|3|       |K|             |                               |
 *  +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
 *  |     Extended payload length continued, if payload len == 127  |
 *  + - - - - - - - - - - - - - - - +-------------------------------+
 *  |                               |Masking-key, if MASK set to 1  |
 *  +-------------------------------+-------------------------------+
 *  | Masking-key (continued)       |          Payload Data         |
 *  +-------------------------------- - - - - - - - - - - - - - - - +
 * </pre>
 * Opcodes 8 and above are control frames: at most 125 bytes of payload, never fragmented.
 *
 * <p>Threading: constants and pure functions; any thread.
 */
public final class Opcodes {

    /** 0: a continuation of a fragmented message. */
    public static final int CONTINUATION = 0x0;
    /** 1: a text message (UTF-8). */
    public static final int TEXT = 0x1;
    /** 2: a binary message. */
    public static final int BINARY = 0x2;
    /** 8: the close handshake. */
    public static final int CLOSE = 0x8;
    /** 9: a ping, answered by a pong with the same payload. */
    public static final int PING = 0x9;
    /** 10: a pong. */
    public static final int PONG = 0xA;

    /** Largest payload of a control frame. */
    public static final int MAX_CONTROL_PAYLOAD = 125;

    private Opcodes() {
    }

    /**
     * {@return whether {@code opcode} is a control frame's (close, ping, pong, or reserved 0xB-0xF)}
     * Any thread.
     *
     * @param opcode a frame's four opcode bits
     */
    public static boolean isControl(int opcode) {
        return (opcode & 0x8) != 0;
    }

    /**
     * {@return the name of {@code opcode}, e.g. "text", or "0x3" for a reserved one} Any thread.
     *
     * @param opcode a frame's four opcode bits
     */
    public static String name(int opcode) {
        switch (opcode) {
            case CONTINUATION: return "continuation";
            case TEXT: return "text";
            case BINARY: return "binary";
            case CLOSE: return "close";
            case PING: return "ping";
            case PONG: return "pong";
            default: return "0x" + Integer.toHexString(opcode);
        }
    }
}
