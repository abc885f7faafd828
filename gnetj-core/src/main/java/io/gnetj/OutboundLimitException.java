package io.gnetj;

/**
 * A write would take a connection's queued outbound bytes past
 * {@link Options#maxOutboundBuffered()}: the peer is not reading fast enough. Nothing of the
 * refused write was queued.
 */
public final class OutboundLimitException extends GnetException {
    private static final long serialVersionUID = 1L;

    /**
     * With a message.
     *
     * @param message what happened, for people
     */
    public OutboundLimitException(String message) {
        super(message);
    }
}
