/**
 * WebSocket (RFC 6455), server side, with permessage-deflate (RFC 7692).
 *
 * <ul>
 *   <li>{@link io.gnetj.codec.websocket.HttpUpgradeRequest} reads the request head;
 *       {@link io.gnetj.codec.websocket.WebSocketHandshake} checks it and answers 101 (or 400, 403,
 *       426) and holds the sessions' settings (subprotocols, origin policy, limits).
 *   <li>{@link io.gnetj.codec.websocket.WebSocketSession} drives one connection afterwards: it
 *       calls a {@link io.gnetj.codec.websocket.WebSocketListener} with whole messages, answers
 *       pings, runs the close handshake and fails the connection with the right status code.
 *   <li>{@link io.gnetj.codec.websocket.WebSocketFrameDecoder} and
 *       {@link io.gnetj.codec.websocket.WebSocketFrameEncoder} are the frame layer underneath, for
 *       use on their own.
 * </ul>
 *
 * <p>Threading: a session, its decoder and its encoder belong to the connection's event loop
 * thread; the handshake is immutable and shared; the static {@code encode} methods of the encoder
 * build frames on any thread, for {@link io.gnetj.Conn#asyncWrite}.
 */
package io.gnetj.codec.websocket;
