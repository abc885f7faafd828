package io.gnetj.codec;

import io.gnetj.Conn;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Frames a stream whose frames carry their own length in a header field.
 *
 * <h2>Layout</h2>
 * <pre>
 *  |&lt;- lengthFieldOffset -&gt;|&lt;- lengthFieldLength -&gt;|&lt;--- length + lengthAdjustment ---&gt;|
 *  +----------------------+----------------------+-----------------------------------+
 *  |  other header bytes  |    length (unsigned) |       the rest of the frame       |
 *  +----------------------+----------------------+-----------------------------------+
 *  |&lt;-- initialBytesToStrip --&gt;|&lt;------------ the returned frame ------------------&gt;|
 * </pre>
 * The whole frame on the wire is {@code lengthFieldOffset + lengthFieldLength + length +
 * lengthAdjustment} bytes; the decoder returns it less its first {@code initialBytesToStrip}
 * bytes. The usual cases:
 * <ul>
 *   <li>a 4-byte big-endian length, then that many payload bytes, return the payload:
 *       {@code builder().lengthFieldLength(4).initialBytesToStrip(4)};
 *   <li>the same, but the length counts the header too: add {@code .lengthAdjustment(-4)};
 *   <li>a 2-byte type before a 2-byte length, keep the whole frame:
 *       {@code builder().lengthFieldOffset(2).lengthFieldLength(2)}.
 * </ul>
 * Lengths are unsigned (a 4-byte field may say up to 4 GiB); an 8-byte field with its top bit set
 * is corrupt.
 *
 * <h2>Limits</h2>
 * The decoder throws {@link CorruptFrameException} as soon as a header is buffered whose length
 * makes the whole frame larger than {@code maxFrameLength}, shorter than its own header, or
 * shorter than {@code initialBytesToStrip}, or overflows: it does not wait for the body of a frame
 * it will refuse. Thrown out of {@link io.gnetj.EventHandler#onTraffic}, it makes the engine close
 * the connection with it as the cause.
 *
 * <p>Threading: immutable. {@link #decode} runs on the connection's event loop thread, and keeps
 * no per-connection state: one decoder may serve every connection on every loop (it reads the
 * header again when a frame is incomplete, a few bytes). See {@link FrameDecoder} for how long a
 * returned frame is valid.
 */
public final class LengthFieldFrameDecoder implements FrameDecoder {

    private final int lengthFieldOffset;
    private final int lengthFieldLength;
    private final int lengthAdjustment;
    private final int initialBytesToStrip;
    private final ByteOrder byteOrder;
    private final int maxFrameLength;
    /** Where the length field ends: the bytes needed to know a frame's length. */
    private final int headerLength;

    private LengthFieldFrameDecoder(Builder b) {
        this.lengthFieldOffset = b.lengthFieldOffset;
        this.lengthFieldLength = b.lengthFieldLength;
        this.lengthAdjustment = b.lengthAdjustment;
        this.initialBytesToStrip = b.initialBytesToStrip;
        this.byteOrder = b.byteOrder;
        this.maxFrameLength = b.maxFrameLength;
        this.headerLength = lengthFieldOffset + lengthFieldLength;
        if (headerLength > maxFrameLength) {
            throw new IllegalArgumentException("maxFrameLength " + maxFrameLength
                    + " leaves no room for the header of " + headerLength + " bytes");
        }
    }

    /**
     * {@return a builder holding every default} The defaults: a 4-byte big-endian length at offset
     * 0 counting the bytes after it, nothing stripped, frames up to 1 MiB. Any thread.
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Takes the next frame. Runs on the loop thread of {@code conn} (it reads with
     * {@link Conn#next}); the frame is a lent view, valid as {@link FrameDecoder} says.
     *
     * @return a view of the frame less its first {@code initialBytesToStrip} bytes, or
     *         {@code null} if no whole frame is buffered yet
     * @throws CorruptFrameException if the length field is impossible or the frame too large
     */
    @Override
    public ByteBuffer decode(Conn conn) {
        int buffered = conn.inboundBuffered();
        if (buffered < headerLength) {
            return null;
        }
        ByteBuffer header = conn.peek(headerLength);
        long length = LengthFields.read(header, header.position() + lengthFieldOffset, lengthFieldLength, byteOrder);
        long frameLength = frameLength(length);
        if (buffered < frameLength) {
            return null;
        }
        ByteBuffer frame = conn.next((int) frameLength);
        frame.position(frame.position() + initialBytesToStrip);
        return frame;
    }

    /** The whole frame's length for a length field holding {@code length}, checked. */
    private long frameLength(long length) {
        if (length < 0) {
            throw new CorruptFrameException("length field holds " + Long.toUnsignedString(length)
                    + ", beyond 2^63 - 1 (limit: frames of " + maxFrameLength + " bytes)");
        }
        long frameLength;
        try {
            frameLength = Math.addExact(length, (long) lengthAdjustment + headerLength);
        } catch (ArithmeticException e) {
            throw new CorruptFrameException("length field holds " + length + ": the frame length overflows");
        }
        if (frameLength > maxFrameLength) {
            throw new CorruptFrameException("frame of " + frameLength + " bytes (length field " + length
                    + ") exceeds the limit of " + maxFrameLength + " bytes");
        }
        if (frameLength < headerLength) {
            throw new CorruptFrameException("frame of " + frameLength + " bytes (length field " + length
                    + ", adjustment " + lengthAdjustment + ") is shorter than its " + headerLength + "-byte header");
        }
        if (frameLength < initialBytesToStrip) {
            throw new CorruptFrameException("frame of " + frameLength + " bytes (length field " + length
                    + ") is shorter than the " + initialBytesToStrip + " bytes to strip");
        }
        return frameLength;
    }

    /** {@return the bytes before the length field} Any thread. */
    public int lengthFieldOffset() {
        return lengthFieldOffset;
    }

    /** {@return the size of the length field: 1, 2, 4 or 8 bytes} Any thread. */
    public int lengthFieldLength() {
        return lengthFieldLength;
    }

    /**
     * {@return what is added to the length field's value to get the bytes that follow the field}
     * Any thread.
     */
    public int lengthAdjustment() {
        return lengthAdjustment;
    }

    /** {@return the bytes cut from the start of each frame before it is returned} Any thread. */
    public int initialBytesToStrip() {
        return initialBytesToStrip;
    }

    /** {@return the byte order of the length field} Any thread. */
    public ByteOrder byteOrder() {
        return byteOrder;
    }

    /** {@return the largest whole frame accepted, header included, in bytes} Any thread. */
    public int maxFrameLength() {
        return maxFrameLength;
    }

    /** The configuration. */
    @Override
    public String toString() {
        return "LengthFieldFrameDecoder[offset=" + lengthFieldOffset + ", length=" + lengthFieldLength
                + ", adjustment=" + lengthAdjustment + ", strip=" + initialBytesToStrip + ", order=" + byteOrder
                + ", maxFrameLength=" + maxFrameLength + "]";
    }

    /**
     * Configures a {@link LengthFieldFrameDecoder}; every default lives in this class's field
     * initialisers.
     *
     * <p>Threading: not thread-safe; build on one thread, then share the decoder.
     */
    public static final class Builder {
        private int lengthFieldOffset = 0;
        private int lengthFieldLength = 4;
        private int lengthAdjustment = 0;
        private int initialBytesToStrip = 0;
        private ByteOrder byteOrder = ByteOrder.BIG_ENDIAN;
        private int maxFrameLength = 1024 * 1024;

        private Builder() {
        }

        /**
         * Sets the bytes before the length field; default 0.
         * One thread at a time: a builder is not thread-safe.
         *
         * @param offset 0 or more
         * @return this builder
         */
        public Builder lengthFieldOffset(int offset) {
            if (offset < 0) {
                throw new IllegalArgumentException("lengthFieldOffset must not be negative, was " + offset);
            }
            this.lengthFieldOffset = offset;
            return this;
        }

        /**
         * Sets the size of the length field; default 4.
         * One thread at a time: a builder is not thread-safe.
         *
         * @param bytes 1, 2, 4 or 8
         * @return this builder
         */
        public Builder lengthFieldLength(int bytes) {
            this.lengthFieldLength = LengthFields.checkSize(bytes);
            return this;
        }

        /**
         * Sets what is added to the length field's value to get how many bytes follow the field;
         * default 0. Negative when the length counts the header as well (for example -4 for a
         * 4-byte length at offset 0 that counts itself).
         * One thread at a time: a builder is not thread-safe.
         *
         * @param adjustment any value
         * @return this builder
         */
        public Builder lengthAdjustment(int adjustment) {
            this.lengthAdjustment = adjustment;
            return this;
        }

        /**
         * Sets the bytes cut from the start of each frame, usually the header; default 0.
         * One thread at a time: a builder is not thread-safe.
         *
         * @param bytes 0 or more
         * @return this builder
         */
        public Builder initialBytesToStrip(int bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("initialBytesToStrip must not be negative, was " + bytes);
            }
            this.initialBytesToStrip = bytes;
            return this;
        }

        /**
         * Sets the byte order of the length field; default big-endian (network order).
         * One thread at a time: a builder is not thread-safe.
         *
         * @param order the byte order
         * @return this builder
         */
        public Builder byteOrder(ByteOrder order) {
            this.byteOrder = Objects.requireNonNull(order, "byteOrder");
            return this;
        }

        /**
         * Sets the largest whole frame accepted, header included; default 1 MiB.
         * One thread at a time: a builder is not thread-safe.
         *
         * @param bytes at least 1
         * @return this builder
         */
        public Builder maxFrameLength(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxFrameLength must be at least 1, was " + bytes);
            }
            this.maxFrameLength = bytes;
            return this;
        }

        /**
         * {@return a new decoder} One thread at a time: a builder is not thread-safe.
         *
         * @throws IllegalArgumentException if the header alone exceeds {@code maxFrameLength}
         */
        public LengthFieldFrameDecoder build() {
            if ((long) lengthFieldOffset + lengthFieldLength > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("lengthFieldOffset " + lengthFieldOffset + " is too large");
            }
            return new LengthFieldFrameDecoder(this);
        }
    }
}
