package io.gnetj.internal;

import java.lang.System.Logger.Level;
import java.util.ResourceBundle;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Logs a recurring condition at most once per interval, saying how many occurrences were
 * suppressed in between, so that a flood (a handler failing on every event, accept failing on
 * every try) cannot flood the log or cost a core.
 *
 * <p>Threading: any thread. A loop's instances are mostly used by the loop, but also by whichever
 * thread completes a {@link io.gnetj.Callback} after the loop ended, so the window is claimed with
 * a CAS: of racing callers exactly one logs per interval, and the others are counted.
 *
 * <p>It is itself a {@link System.Logger} (the two plain {@code log} methods are limited; the others pass
 * through) for one reason: the JDK's logging backends skip the
 * frames of {@code System.Logger} implementations when they work out a record's source, so a
 * record names the class that saw the failure ({@code AbstractConn}, {@code Acceptor}, ...),
 * not this one.
 */
final class RateLimitedLog implements System.Logger {
    private static final System.Logger LOG = System.getLogger("io.gnetj");

    private final long intervalNanos;
    /** When the last line was logged; {@link Long#MIN_VALUE} before the first. */
    private final AtomicLong lastNanos = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong suppressed = new AtomicLong();

    RateLimitedLog(long intervalNanos) {
        this.intervalNanos = intervalNanos;
    }

    /** Logs {@code message} unless a line was logged within the interval. */
    @Override
    public void log(Level level, String message) {
        log(level, message, (Throwable) null);
    }

    /** Logs {@code message} (and {@code error}, may be null) unless one was logged within the interval. */
    @Override
    public void log(Level level, String message, Throwable error) {
        long now = System.nanoTime();
        long last = lastNanos.get();
        if ((last != Long.MIN_VALUE && now - last < intervalNanos) || !lastNanos.compareAndSet(last, now)) {
            suppressed.incrementAndGet();
            return;
        }
        long skipped = suppressed.getAndSet(0);
        String text = skipped == 0 ? message : message + " (" + skipped + " similar suppressed)";
        if (error == null) {
            LOG.log(level, text);
        } else {
            LOG.log(level, text, error);
        }
    }

    @Override
    public String getName() {
        return LOG.getName();
    }

    @Override
    public boolean isLoggable(Level level) {
        return LOG.isLoggable(level);
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
        LOG.log(level, bundle, message, thrown);
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
        LOG.log(level, bundle, format, params);
    }
}
