package io.gnetj.codec;

import io.gnetj.Conn;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;

/**
 * Writes lines: the payload, then {@code \n} (or {@code \r\n}). The counterpart of
 * {@link LineFrameDecoder}.
 *
 * <p>A payload holding a {@code \n} would be read back as two lines, so it is refused with
 * {@link IllegalArgumentException} before anything is written (checked by one scan of the bytes,
 * which are about to be copied anyway).
 *
 * <p>Threading: {@link #write} reuses per-instance scratch space, so an instance must be used on
 * one thread only: one per connection, or one per event loop. {@link #encode(ByteBuffer)} and
 * {@link #encode(ByteBuffer, ByteBuffer)} are safe from any thread (for example to build a line
 * on a worker thread for {@link Conn#asyncWrite}).
 */
public final class LineFrameEncoder {

    private static final byte[] LF = {'\n'};
    private static final byte[] CRLF = {'\r', '\n'};

    private final byte[] ending;
    private final ByteBuffer endingBuffer;
    private final ByteBuffer[] pair = new ByteBuffer[2];

    /** Ends lines with {@code \n}. */
    public LineFrameEncoder() {
        this(false);
    }

    /**
     * An encoder that ends each line with {@code \r\n} or {@code \n}.
     *
     * @param crlf {@code true} to end lines with {@code \r\n}, {@code false} for {@code \n}
     */
    public LineFrameEncoder(boolean crlf) {
        this.ending = crlf ? CRLF : LF;
        this.endingBuffer = ByteBuffer.wrap(ending.clone()).asReadOnlyBuffer();
    }

    /**
     * Queues {@code line}'s remaining bytes and the line ending on {@code conn} with one
     * {@link Conn#writev}; {@code line}'s position moves to its limit.
     *
     * <p>Threading: the connection's event loop thread, and only the thread this encoder is
     * confined to. The bytes are copied, so {@code line} may be reused at once.
     *
     * @param conn the connection to write to
     * @param line the line, without its ending
     * @return bytes queued, ending included
     * @throws IllegalArgumentException if {@code line} holds a {@code \n}
     */
    public long write(Conn conn, ByteBuffer line) {
        checkNoNewline(line);
        endingBuffer.clear();
        pair[0] = line;
        pair[1] = endingBuffer;
        try {
            return conn.writev(pair);
        } finally {
            pair[0] = null; // do not keep the caller's buffer reachable
        }
    }

    /**
     * Puts {@code line}'s remaining bytes and the line ending at {@code dst}'s position; both
     * positions advance.
     *
     * <p>Threading: any thread.
     *
     * @param line the line, without its ending
     * @param dst where the line and its ending go
     * @throws IllegalArgumentException if {@code line} holds a {@code \n}
     * @throws BufferOverflowException  if {@code dst} lacks room (nothing is put then)
     */
    public void encode(ByteBuffer line, ByteBuffer dst) {
        checkNoNewline(line);
        if (dst.remaining() < (long) line.remaining() + ending.length) {
            throw new BufferOverflowException();
        }
        dst.put(line).put(ending);
    }

    /**
     * {@return a new heap buffer holding {@code line}'s remaining bytes and the ending, ready to
     * read}
     *
     * <p>Threading: any thread.
     *
     * @param line the line, without its ending
     * @throws IllegalArgumentException if {@code line} holds a {@code \n}
     */
    public ByteBuffer encode(ByteBuffer line) {
        ByteBuffer dst = ByteBuffer.allocate(line.remaining() + ending.length);
        encode(line, dst);
        return dst.flip();
    }

    /** {@return the bytes in the line ending: 1 or 2} Any thread. */
    public int endingLength() {
        return ending.length;
    }

    private static void checkNoNewline(ByteBuffer line) {
        for (int i = line.position(), end = line.limit(); i < end; i++) {
            if (line.get(i) == '\n') {
                throw new IllegalArgumentException("line holds a newline at index " + (i - line.position())
                        + "; it would be read back as two lines");
            }
        }
    }

    /** The line ending. */
    @Override
    public String toString() {
        return "LineFrameEncoder[" + (ending.length == 2 ? "\\r\\n" : "\\n") + "]";
    }
}
