package io.gnetj.codec;

import io.gnetj.Conn;
import java.nio.ByteBuffer;

/**
 * Cuts a connection's inbound byte stream into frames, without copying.
 *
 * <h2>Use</h2>
 * Decode in a loop until {@code null}: {@link io.gnetj.EventHandler#onTraffic} is called when
 * new bytes arrive, not again for bytes already buffered, so a frame left undecoded would wait for
 * the peer's next bytes.
 * <pre>{@code
 * public Action onTraffic(Conn conn) {
 *     FrameDecoder decoder = conn.context();   // one per connection, attached in onOpen
 *     for (ByteBuffer frame; (frame = decoder.decode(conn)) != null; ) {
 *         handle(conn, frame);                  // frame is valid until the next decode
 *     }
 *     return Action.NONE;
 * }
 * }</pre>
 * A partial frame simply stays buffered in the connection until more bytes arrive.
 *
 * <h2>The returned frame</h2>
 * A view into the connection's inbound bytes (taken with {@link Conn#next}), position..limit
 * spanning the frame; its position need not be 0. It is valid until the next {@code decode} on
 * this connection, any other read call on it ({@code next}, {@code peek}, {@code read},
 * {@code discard}), or the return of the handler callback, whichever comes first. Copy what must
 * live longer (for example before handing it to a worker pool). Read it, move its position and
 * limit as you like, never write into it.
 *
 * <h2>Errors</h2>
 * A frame that breaks the decoder's limits throws {@link CorruptFrameException}; thrown out of
 * {@code onTraffic}, the engine then closes the connection with it as the cause. The decoder and
 * the connection's buffered bytes are not usable afterwards.
 *
 * <h2>Sharing</h2>
 * A decoder must be the only reader of the connection's inbound bytes while a frame is pending
 * (call {@link #reset()} after reading them any other way). Each implementation says whether it
 * keeps per-connection state.
 *
 * <p>Threading: the connection's event loop thread only, like {@link Conn#next}.
 */
public interface FrameDecoder {

    /**
     * Takes the next complete frame from {@code conn}'s inbound bytes.
     * Loop thread of {@code conn} only (it reads with {@link Conn#next}). The frame is a read-only
     * view lent until the next {@code decode} or read call on {@code conn}, or the return of the
     * handler callback, whichever comes first.
     *
     * @param conn the connection whose inbound bytes are decoded
     * @return a view of the frame (see the interface javadoc for how long it is valid), or
     *         {@code null} when the buffered bytes hold no complete frame yet
     * @throws CorruptFrameException if the bytes break the decoder's limits
     */
    ByteBuffer decode(Conn conn);

    /**
     * Forgets any state about a partly received frame, for when the connection's inbound bytes
     * were read by other means. Stateless decoders do nothing.
     * On the thread that decodes with this decoder: the loop thread of its connection.
     */
    default void reset() {
    }
}
