package io.gnetj;

/**
 * How the main reactor picks an event loop for each accepted connection. Ignored with
 * {@link Options#reusePort()}, where the kernel spreads connections over the loops' listeners.
 */
public enum LoadBalancing {
    /** Loops in turn: 0, 1, ..., n-1, 0, ... */
    ROUND_ROBIN,
    /**
     * A hash of the peer's IP address (not its port) picks the loop, so every connection from one
     * host lands on the same loop.
     */
    SOURCE_ADDRESS_HASH,
    /** The loop with the fewest open connections at the moment of accept (ties: the lowest index). */
    LEAST_CONNECTIONS
}
