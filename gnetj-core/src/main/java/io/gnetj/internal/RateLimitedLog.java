package io.gnetj.internal;

import java.lang.System.Logger.Level;

/**
 * Logs a recurring condition at most once per interval, saying how many occurrences were
 * suppressed in between, so that a flood (a handler failing on every event, accept failing on
 * every try) cannot flood the log or cost a core.
 *
 * <p>Threading: one owner thread (each loop and the main reactor own their own instances).
 */
final class RateLimitedLog {
    private static final System.Logger LOG = System.getLogger("io.gnetj");

    private final long intervalNanos;
    private long lastNanos;
    private boolean logged;
    private long suppressed;

    RateLimitedLog(long intervalNanos) {
        this.intervalNanos = intervalNanos;
    }

    /** Logs {@code message} (and {@code error}, may be null) unless one was logged within the interval. */
    void log(Level level, String message, Throwable error) {
        long now = System.nanoTime();
        if (logged && now - lastNanos < intervalNanos) {
            suppressed++;
            return;
        }
        String text = suppressed == 0 ? message : message + " (" + suppressed + " similar suppressed)";
        if (error == null) {
            LOG.log(level, text);
        } else {
            LOG.log(level, text, error);
        }
        logged = true;
        lastNanos = now;
        suppressed = 0;
    }
}
