package io.gnetj.examples.lengthfield;

import io.gnetj.Action;
import io.gnetj.Conn;
import io.gnetj.EventHandler;
import io.gnetj.codec.LengthFieldFrameDecoder;
import io.gnetj.codec.LengthFieldFrameEncoder;
import java.nio.ByteBuffer;

/**
 * Answers every frame with a frame holding the same bytes, ASCII letters upper-cased (so a reply
 * shows the server decoded the frame rather than copied bytes through). A frame is a 4-byte
 * big-endian unsigned length, then that many payload bytes:
 * <pre>
 *  +--------------------+--------------------------+
 *  | length (4 bytes,   |  payload: length bytes   |
 *  | big-endian)        |  (0 to maxPayload)       |
 *  +--------------------+--------------------------+
 * </pre>
 * A length over {@code maxPayload} closes the connection as soon as the header arrives (the
 * decoder's {@link io.gnetj.codec.CorruptFrameException}), without waiting for the body.
 *
 * <p>Threading: the decoder is stateless and shared; each connection's encoder and scratch
 * array are its own (its context), used on its loop only.
 */
public final class UppercaseFrameHandler implements EventHandler {

    /** A scratch array larger than this is not kept after its frame: one huge frame does not pin memory. */
    private static final int KEPT_SCRATCH = 64 * 1024;

    private final LengthFieldFrameDecoder decoder;

    /** Frames of at most {@code maxPayload} bytes after the header. */
    public UppercaseFrameHandler(int maxPayload) {
        this.decoder = decoder(maxPayload);
    }

    /** The decoder for this protocol: returns the payload, refuses lengths over {@code maxPayload}. */
    static LengthFieldFrameDecoder decoder(int maxPayload) {
        return LengthFieldFrameDecoder.builder()
                .lengthFieldLength(4)
                .initialBytesToStrip(4)
                .maxFrameLength(4 + maxPayload) // the decoder's limit counts the header
                .build();
    }

    /** One connection's writing tools. */
    private static final class Session {
        final LengthFieldFrameEncoder encoder = new LengthFieldFrameEncoder();
        byte[] scratch = new byte[256];
    }

    @Override
    public Action onOpen(Conn conn) {
        conn.context(new Session());
        return Action.NONE;
    }

    @Override
    public Action onTraffic(Conn conn) {
        Session s = conn.context();
        for (ByteBuffer frame; (frame = decoder.decode(conn)) != null; ) {
            int n = frame.remaining();
            // Never write into a view: upper-case a copy.
            byte[] out = n <= s.scratch.length ? s.scratch : new byte[n];
            int at = frame.position();
            for (int i = 0; i < n; i++) {
                out[i] = upper(frame.get(at + i));
            }
            s.encoder.write(conn, ByteBuffer.wrap(out, 0, n));
            if (out.length <= KEPT_SCRATCH) {
                s.scratch = out;
            }
        }
        return Action.NONE;
    }

    /** ASCII {@code a-z} to {@code A-Z}; every other byte unchanged. */
    static byte upper(byte b) {
        return b >= 'a' && b <= 'z' ? (byte) (b - ('a' - 'A')) : b;
    }
}
