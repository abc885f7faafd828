/**
 * Frame decoders and encoders: they cut a connection's inbound byte stream into frames without
 * copying, and write frames with as little work as possible.
 *
 * <p>Decoders ({@link io.gnetj.codec.FrameDecoder}): {@link io.gnetj.codec.LineFrameDecoder},
 * {@link io.gnetj.codec.DelimiterFrameDecoder}, {@link io.gnetj.codec.FixedLengthFrameDecoder},
 * {@link io.gnetj.codec.LengthFieldFrameDecoder}. A handler decodes in a loop until
 * {@code decode} returns {@code null}; a partial frame stays buffered in the connection. A frame
 * that breaks a limit throws {@link io.gnetj.codec.CorruptFrameException}, which closes the
 * connection when thrown out of {@code onTraffic}.
 *
 * <p>Encoders: {@link io.gnetj.codec.LengthFieldFrameEncoder}, {@link io.gnetj.codec.LineFrameEncoder}.
 *
 * <p>Threading: everything here runs on the connection's event loop thread, except the
 * {@code encode} methods of the encoders, which are safe from any thread.
 */
package io.gnetj.codec;
