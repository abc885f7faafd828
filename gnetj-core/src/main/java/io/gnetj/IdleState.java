package io.gnetj;

/**
 * Which way a stream connection has been quiet, as reported to {@link EventHandler#onIdle}.
 *
 * <p>Threading: an enum, immutable.
 */
public enum IdleState {
    /** Nothing received for {@link Options#readIdleTimeout()}. */
    READ,
    /** Nothing sent to the socket for {@link Options#writeIdleTimeout()}. */
    WRITE,
    /** Nothing received or sent for {@link Options#idleTimeout()}. */
    ALL
}
