/**
 * gnetj's API: {@link io.gnetj.Gnet} starts engines and clients, {@link io.gnetj.EventHandler}
 * receives events, {@link io.gnetj.Conn} is a connection.
 */
package io.gnetj;
