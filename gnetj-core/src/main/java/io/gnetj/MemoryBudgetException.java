package io.gnetj;

/**
 * The cause given to {@link EventHandler#onClose} when a connection was closed to keep the engine
 * within {@link Options#memoryBudget()}: the pooled memory all connections hold together passed
 * the budget, reading from the connections holding the most was paused, and this one still held
 * the most when the budget stayed exceeded.
 */
public final class MemoryBudgetException extends GnetException {
    private static final long serialVersionUID = 1L;

    /**
     * With a message.
     *
     * @param message what happened, for people
     */
    public MemoryBudgetException(String message) {
        super(message);
    }
}
