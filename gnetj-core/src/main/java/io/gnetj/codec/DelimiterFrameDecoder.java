package io.gnetj.codec;

import io.gnetj.Conn;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Frames a stream cut by a delimiter: any non-empty byte sequence, for example {@code \0} or
 * {@code \r\n\r\n}. The frame is the bytes before the delimiter, or with
 * {@code stripDelimiter == false} the bytes up to and including it.
 *
 * <h2>Limits</h2>
 * A frame may hold at most {@code maxLength} bytes, not counting the delimiter. A longer one
 * throws {@link CorruptFrameException} as soon as {@code maxLength + delimiter.length} bytes are
 * buffered and no delimiter starts among the first {@code maxLength + 1}, without waiting for
 * the delimiter. Thrown out of
 * {@link io.gnetj.EventHandler#onTraffic}, it makes the engine close the connection with it as the
 * cause.
 *
 * <h2>Cost</h2>
 * While a frame is incomplete the decoder remembers where it stopped searching (less
 * {@code delimiter.length - 1} bytes, as a delimiter may straddle two arrivals), so each call
 * looks only at new bytes. It never looks past {@code maxLength + delimiter.length} bytes. The
 * search is a plain scan, fast for the short delimiters protocols use.
 *
 * <p>Threading: the connection's event loop thread. Keeps per-connection state (the search
 * position): one decoder per connection, for example in {@link Conn#context(Object)}. See
 * {@link FrameDecoder} for how long a returned frame is valid.
 */
public final class DelimiterFrameDecoder implements FrameDecoder {

    private final byte[] delimiter;
    private final int maxLength;
    private final boolean stripDelimiter;
    /** Leading positions already known not to start a delimiter. */
    private int searched;

    /**
     * A decoder that strips the delimiter from each frame. See the three-argument constructor.
     *
     * @param delimiter the bytes that end a frame; copied; not empty
     * @param maxLength the most bytes a frame may hold, not counting the delimiter
     */
    public DelimiterFrameDecoder(byte[] delimiter, int maxLength) {
        this(delimiter, maxLength, true);
    }

    /**
     * A decoder of frames that end with {@code delimiter}.
     *
     * @param delimiter      the bytes that end a frame; copied; not empty
     * @param maxLength      the most bytes a frame may hold, not counting the delimiter; at least 0
     *                       and at most {@code Integer.MAX_VALUE - delimiter.length}
     * @param stripDelimiter {@code true} to leave the delimiter out of the frame
     */
    public DelimiterFrameDecoder(byte[] delimiter, int maxLength, boolean stripDelimiter) {
        if (delimiter.length == 0) {
            throw new IllegalArgumentException("delimiter must not be empty");
        }
        if (maxLength < 0 || maxLength > Integer.MAX_VALUE - delimiter.length) {
            throw new IllegalArgumentException("maxLength must be in [0, " + (Integer.MAX_VALUE - delimiter.length)
                    + "], was " + maxLength);
        }
        this.delimiter = delimiter.clone();
        this.maxLength = maxLength;
        this.stripDelimiter = stripDelimiter;
    }

    /** {@return the most bytes a frame may hold, not counting the delimiter} Any thread. */
    public int maxLength() {
        return maxLength;
    }

    /**
     * Takes the next frame. Runs on the loop thread of {@code conn} (it reads with
     * {@link Conn#next}); the frame is a lent view, valid as {@link FrameDecoder} says.
     *
     * @return a view of the frame, or {@code null} if no whole frame is buffered yet
     * @throws CorruptFrameException if the frame is longer than {@link #maxLength()}
     */
    @Override
    public ByteBuffer decode(Conn conn) {
        int buffered = conn.inboundBuffered();
        int d = delimiter.length;
        if (buffered < searched) {
            searched = 0; // bytes were consumed behind our back: search again from the start
        }
        // A frame of maxLength bytes has its delimiter end at maxLength + d at the latest.
        int window = Math.min(buffered, maxLength + d);
        int lastStart = window - d;
        if (lastStart < searched) {
            return null; // no new position where a whole delimiter could fit
        }
        ByteBuffer view = conn.peek(window);
        int base = view.position();
        byte first = delimiter[0];
        int start = searched;
        while (start <= lastStart) {
            int at = ByteSearch.indexOf(view, base + start, base + lastStart + 1, first);
            if (at < 0) {
                break;
            }
            start = at - base;
            if (matchesAt(view, at)) {
                searched = 0;
                ByteBuffer frame = conn.next(start + d);
                if (stripDelimiter) {
                    frame.limit(frame.limit() - d);
                }
                return frame;
            }
            start++;
        }
        searched = lastStart + 1;
        if (searched > maxLength) {
            throw new CorruptFrameException("frame longer than the limit of " + maxLength
                    + " bytes: more than that buffered without the delimiter " + describe(delimiter));
        }
        return null;
    }

    /**
     * Forgets how far the pending frame was searched. On the thread that decodes with this decoder:
     * the loop thread of its connection.
     */
    @Override
    public void reset() {
        searched = 0;
    }

    private boolean matchesAt(ByteBuffer view, int at) {
        for (int j = 0; j < delimiter.length; j++) {
            if (view.get(at + j) != delimiter[j]) {
                return false;
            }
        }
        return true;
    }

    private static String describe(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) {
            sb.append(sb.length() == 0 ? "0x" : " 0x").append(String.format("%02x", b & 0xFF));
        }
        return sb.toString();
    }

    /** The delimiter, limit and search state. */
    @Override
    public String toString() {
        return "DelimiterFrameDecoder[delimiter=" + Arrays.toString(delimiter) + ", maxLength=" + maxLength
                + ", strip=" + stripDelimiter + ", searched=" + searched + "]";
    }
}
