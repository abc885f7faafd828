package io.gnetj;

import java.time.Duration;
import java.util.Objects;

/**
 * What {@link EventHandler#onTick()} returns: when to tick next, and what to do now.
 *
 * <p>Instances are immutable; keep one in a constant to tick without allocating.
 *
 * @param delay  time until the next tick (zero or positive)
 * @param action {@link Action#NONE} to keep ticking, {@link Action#SHUTDOWN} to stop the engine
 *               ({@link Action#CLOSE} has no connection to close here and is treated as NONE)
 */
public record Tick(Duration delay, Action action) {

    /**
     * Validates the components.
     *
     * @param delay  time until the next tick (zero or positive)
     * @param action what to do now
     * @throws IllegalArgumentException if {@code delay} is negative
     */
    public Tick {
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(action, "action");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("tick delay must not be negative: " + delay);
        }
    }

    /**
     * Tick again after {@code delay}. Any thread.
     *
     * @param delay time until the next tick (zero or positive)
     * @return a tick with {@link Action#NONE}
     */
    public static Tick after(Duration delay) {
        return new Tick(delay, Action.NONE);
    }

    /** {@return a tick that stops the engine} Any thread. */
    public static Tick shutdown() {
        return new Tick(Duration.ZERO, Action.SHUTDOWN);
    }
}
