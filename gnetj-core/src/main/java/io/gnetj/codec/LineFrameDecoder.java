package io.gnetj.codec;

import io.gnetj.Conn;
import java.nio.ByteBuffer;

/**
 * Frames lines ended by {@code \n} or {@code \r\n}; the frame is the line without its ending.
 * A lone {@code \r} inside a line is part of the line.
 *
 * <h2>Limits</h2>
 * A line may hold at most {@code maxLength} bytes (not counting its ending). A longer line throws
 * {@link CorruptFrameException} as soon as more than {@code maxLength} bytes (plus a possible
 * {@code \r}) are buffered without a {@code \n}: a peer that sends 100 MiB without a newline is
 * refused after {@code maxLength} bytes, not after 100 MiB. Thrown out of
 * {@link io.gnetj.EventHandler#onTraffic}, it makes the engine close the connection with it as the
 * cause.
 *
 * <h2>Cost</h2>
 * While a line is incomplete the decoder remembers how many bytes it has already searched, so each
 * call looks only at bytes that arrived since; a long line sent in many small pieces costs time in
 * proportion to its length, not its square. It never looks past {@code maxLength + 2} bytes.
 *
 * <p>Threading: the connection's event loop thread. Keeps per-connection state (the search
 * position): one decoder per connection, for example in {@link Conn#context(Object)}. See
 * {@link FrameDecoder} for how long a returned frame is valid.
 */
public final class LineFrameDecoder implements FrameDecoder {

    private final int maxLength;
    /** Leading inbound bytes already known to hold no {@code \n}. */
    private int searched;

    /**
     * A decoder of lines ending in {@code \n} or {@code \r\n}, which it strips.
     *
     * @param maxLength the most bytes a line may hold, not counting {@code \n} or {@code \r\n};
     *                  between 0 and {@code Integer.MAX_VALUE - 2}
     */
    public LineFrameDecoder(int maxLength) {
        if (maxLength < 0 || maxLength > Integer.MAX_VALUE - 2) {
            throw new IllegalArgumentException("maxLength must be in [0, " + (Integer.MAX_VALUE - 2) + "], was " + maxLength);
        }
        this.maxLength = maxLength;
    }

    /** {@return the most bytes a line may hold, not counting its ending} Any thread. */
    public int maxLength() {
        return maxLength;
    }

    /**
     * Takes the next line, without its ending. Runs on the loop thread of {@code conn} (it reads
     * with {@link Conn#next}); the frame is a lent view, valid as {@link FrameDecoder} says.
     *
     * @return a view of the line, or {@code null} if no whole line is buffered yet
     * @throws CorruptFrameException if the line is longer than {@link #maxLength()}
     */
    @Override
    public ByteBuffer decode(Conn conn) {
        int buffered = conn.inboundBuffered();
        if (buffered < searched) {
            searched = 0; // bytes were consumed behind our back: search again from the start
        }
        if (buffered == searched) {
            return null; // nothing new since the last call
        }
        // A line of maxLength bytes ends with \n at index maxLength + 1 at the latest.
        int window = Math.min(buffered, maxLength + 2);
        ByteBuffer view = conn.peek(window);
        int base = view.position();
        int lf = ByteSearch.indexOf(view, base + searched, base + window, (byte) '\n');
        if (lf >= 0) {
            int i = lf - base;
            int length = i > 0 && view.get(lf - 1) == '\r' ? i - 1 : i;
            if (length > maxLength) {
                throw tooLong(length + " bytes");
            }
            searched = 0;
            ByteBuffer frame = conn.next(i + 1);
            frame.limit(frame.position() + length);
            return frame;
        }
        searched = window;
        // No \n yet: the line holds at least the bytes seen, less a trailing \r that may start \r\n.
        int atLeast = view.get(base + window - 1) == '\r' ? window - 1 : window;
        if (atLeast > maxLength) {
            throw tooLong("more than " + maxLength + " bytes without a newline");
        }
        return null;
    }

    /**
     * Forgets how far the pending line was searched. On the thread that decodes with this decoder:
     * the loop thread of its connection.
     */
    @Override
    public void reset() {
        searched = 0;
    }

    private CorruptFrameException tooLong(String what) {
        return new CorruptFrameException("line longer than the limit of " + maxLength + " bytes: " + what);
    }

    /** The limit and search state. */
    @Override
    public String toString() {
        return "LineFrameDecoder[maxLength=" + maxLength + ", searched=" + searched + "]";
    }
}
