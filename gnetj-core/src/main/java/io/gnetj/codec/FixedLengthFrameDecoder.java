package io.gnetj.codec;

import io.gnetj.Conn;
import java.nio.ByteBuffer;

/**
 * Frames a stream of records of one fixed size.
 *
 * <p>Threading: the connection's event loop thread for {@link #decode}. Stateless: one instance
 * may serve every connection, on every loop. See {@link FrameDecoder} for how long a returned frame
 * is valid.
 */
public final class FixedLengthFrameDecoder implements FrameDecoder {

    private final int frameLength;

    /**
     * A decoder of frames of {@code frameLength} bytes each.
     *
     * @param frameLength the size of every frame, at least 1
     */
    public FixedLengthFrameDecoder(int frameLength) {
        if (frameLength < 1) {
            throw new IllegalArgumentException("frameLength must be at least 1, was " + frameLength);
        }
        this.frameLength = frameLength;
    }

    /** {@return the size of every frame} Any thread. */
    public int frameLength() {
        return frameLength;
    }

    /**
     * Takes the next frame. Runs on the loop thread of {@code conn} (it reads with
     * {@link Conn#next}); the frame is a lent view, valid as {@link FrameDecoder} says.
     *
     * @return a view of {@link #frameLength()} bytes, or {@code null} if fewer are buffered
     */
    @Override
    public ByteBuffer decode(Conn conn) {
        return conn.inboundBuffered() >= frameLength ? conn.next(frameLength) : null;
    }

    /** The frame length. */
    @Override
    public String toString() {
        return "FixedLengthFrameDecoder[" + frameLength + "]";
    }
}
