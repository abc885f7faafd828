package io.gnetj;

/**
 * What the engine does after an {@link EventHandler} callback returns.
 */
public enum Action {
    /** Carry on. */
    NONE,
    /** Close this connection (after flushing what it has queued, as {@link Conn#close()} does). */
    CLOSE,
    /** Stop the engine, as {@link Engine#stop()} does, without waiting for it. */
    SHUTDOWN
}
