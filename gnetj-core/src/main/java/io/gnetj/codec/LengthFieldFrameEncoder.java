package io.gnetj.codec;

import io.gnetj.Conn;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Writes frames with a length header in front of the payload: the counterpart of
 * {@link LengthFieldFrameDecoder} with {@code lengthFieldOffset = 0}.
 *
 * <pre>
 *  +----------------------------+---------------------+
 *  | payload - lengthAdjustment |       payload       |
 *  | (lengthFieldLength bytes)  |                     |
 *  +----------------------------+---------------------+
 * </pre>
 * Configure it with the same field length, byte order and adjustment as the decoder that reads
 * the frames: the field holds {@code payload.remaining() - lengthAdjustment}, which the decoder
 * turns back into the payload size. (Netty's {@code LengthFieldPrepender} counts its adjustment
 * the other way round.) For example, for a 4-byte length that counts itself, both sides use
 * {@code lengthAdjustment = -4}.
 *
 * <h2>Two ways to write</h2>
 * <ul>
 *   <li>{@link #write(Conn, ByteBuffer)}, on the loop thread: queues header and payload with one
 *       {@link Conn#writev} (all or nothing past the outbound limit), from a header buffer and
 *       array this encoder reuses, so writing allocates nothing.
 *   <li>{@link #encode(ByteBuffer, ByteBuffer)} or {@link #encode(ByteBuffer)}, on any thread:
 *       build a whole frame in a buffer, for example on a worker thread for
 *       {@link Conn#asyncWrite}.
 * </ul>
 *
 * <p>Threading: {@link #write} reuses per-instance scratch space, so an instance must be used on
 * one thread only: one per connection (for example next to its decoder in the connection's
 * context), or one per event loop. {@code encode}, {@link #frameLength} and the accessors are
 * safe from any thread.
 */
public final class LengthFieldFrameEncoder {

    private final int lengthFieldLength;
    private final ByteOrder byteOrder;
    private final int lengthAdjustment;
    private final ByteBuffer header;
    private final ByteBuffer[] pair = new ByteBuffer[2];

    /** A 4-byte big-endian length counting the payload only. */
    public LengthFieldFrameEncoder() {
        this(4, ByteOrder.BIG_ENDIAN, 0);
    }

    /**
     * An encoder that puts a length field of {@code lengthFieldLength} bytes before each payload.
     *
     * @param lengthFieldLength 1, 2, 4 or 8 bytes
     * @param byteOrder         byte order of the length field
     * @param lengthAdjustment  the same adjustment as the decoder's: the field holds
     *                          {@code payload - lengthAdjustment}
     */
    public LengthFieldFrameEncoder(int lengthFieldLength, ByteOrder byteOrder, int lengthAdjustment) {
        this.lengthFieldLength = LengthFields.checkSize(lengthFieldLength);
        this.byteOrder = Objects.requireNonNull(byteOrder, "byteOrder");
        this.lengthAdjustment = lengthAdjustment;
        this.header = ByteBuffer.allocate(lengthFieldLength);
    }

    /**
     * Queues one frame, header then the remaining bytes of {@code payload} (its position moves to
     * its limit), on {@code conn}; the bytes are copied, so {@code payload} may be reused at once.
     *
     * <p>Threading: the connection's event loop thread, and only the thread this encoder is
     * confined to.
     *
     * @param conn the connection to write to
     * @param payload the frame's payload
     * @return bytes queued, header included
     * @throws IllegalArgumentException if the payload's size does not fit the length field
     * @throws io.gnetj.ConnectionClosedException if the connection is closed
     * @throws io.gnetj.OutboundLimitException     if the frame would pass the outbound limit
     *                                             (nothing is queued then)
     */
    public long write(Conn conn, ByteBuffer payload) {
        long value = fieldValue(payload.remaining());
        header.clear();
        LengthFields.write(header, value, lengthFieldLength, byteOrder);
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
     * Puts one frame, header then the remaining bytes of {@code payload}, at {@code dst}'s
     * position; both positions advance.
     *
     * <p>Threading: any thread.
     *
     * @param payload the frame's payload
     * @param dst where the frame goes
     * @throws IllegalArgumentException if the payload's size does not fit the length field
     * @throws BufferOverflowException  if {@code dst} has less room than
     *                                  {@link #frameLength(int)} (nothing is put then)
     */
    public void encode(ByteBuffer payload, ByteBuffer dst) {
        long value = fieldValue(payload.remaining());
        if (dst.remaining() < lengthFieldLength + (long) payload.remaining()) {
            throw new BufferOverflowException();
        }
        LengthFields.write(dst, value, lengthFieldLength, byteOrder);
        dst.put(payload);
    }

    /**
     * {@return a new heap buffer holding one frame for {@code payload}'s remaining bytes, ready to
     * read} The payload's position moves to its limit. For {@link Conn#asyncWrite} from a worker
     * thread.
     *
     * <p>Threading: any thread.
     *
     * @param payload the frame's payload
     * @throws IllegalArgumentException if the payload's size does not fit the length field, or the
     *                                  frame would exceed 2 GiB
     */
    public ByteBuffer encode(ByteBuffer payload) {
        ByteBuffer dst = ByteBuffer.allocate(frameLength(payload.remaining()));
        encode(payload, dst);
        return dst.flip();
    }

    /**
     * {@return the bytes on the wire for a payload of {@code payloadLength} bytes} Any thread.
     *
     * @param payloadLength the payload's size in bytes
     * @throws IllegalArgumentException if that exceeds 2 GiB
     */
    public int frameLength(int payloadLength) {
        long total = (long) lengthFieldLength + payloadLength;
        if (total > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("frame of " + total + " bytes exceeds 2 GiB");
        }
        return (int) total;
    }

    /** {@return the size of the length field: 1, 2, 4 or 8 bytes} Any thread. */
    public int lengthFieldLength() {
        return lengthFieldLength;
    }

    /** {@return the byte order of the length field} Any thread. */
    public ByteOrder byteOrder() {
        return byteOrder;
    }

    /**
     * {@return the adjustment shared with the decoder: the field holds
     * {@code payload - lengthAdjustment}} Any thread.
     */
    public int lengthAdjustment() {
        return lengthAdjustment;
    }

    private long fieldValue(int payloadLength) {
        long value = (long) payloadLength - lengthAdjustment;
        if (value < 0 || value > LengthFields.maxValue(lengthFieldLength)) {
            throw new IllegalArgumentException("payload of " + payloadLength + " bytes (field value " + value
                    + ") does not fit a " + lengthFieldLength + "-byte length field");
        }
        return value;
    }

    /** The configuration. */
    @Override
    public String toString() {
        return "LengthFieldFrameEncoder[length=" + lengthFieldLength + ", order=" + byteOrder
                + ", adjustment=" + lengthAdjustment + "]";
    }
}
