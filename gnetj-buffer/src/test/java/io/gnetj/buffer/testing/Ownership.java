package io.gnetj.buffer.testing;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Who holds what, in a concurrency check: the referee that makes "never lent to two owners at
 * once" a verdict. A holder (a thread id, or a made-up id such as a mailbox between threads)
 * claims a thing when it gets it and gives it up before it hands it back; a claim of a thing
 * someone else holds throws an {@link AssertionError} naming both holders.
 *
 * <p>Things are compared by identity, so recycled handles (a pooled buffer, a reused task) are
 * told apart only by who holds them now, which is the point.
 *
 * <p>A model checker need not explore this class's own synchronization:
 * {@link ConcurrencyCheck}'s options tell Lincheck to leave it out of the analysis (its methods
 * run as single steps and do not show in traces).
 *
 * <p>Threading: any thread; every method is synchronized, so in a stress run the bookkeeping
 * itself is exact and orders a give-up before the next claim.
 *
 * @param <T> what is held
 */
public final class Ownership<T> {

    private final Map<T, Integer> holderOf = new IdentityHashMap<>();
    private final Map<Integer, ArrayDeque<T>> byHolder = new HashMap<>();

    /**
     * {@code holder} now holds {@code thing}.
     *
     * @throws AssertionError if another holder (or this one) holds it already
     */
    public synchronized void claim(int holder, T thing) {
        Integer current = holderOf.get(thing);
        if (current != null) {
            throw new AssertionError(thing + " claimed by holder " + holder + " while holder " + current
                    + " holds it: lent to two owners at once");
        }
        holderOf.put(thing, holder);
        byHolder.computeIfAbsent(holder, h -> new ArrayDeque<>()).addLast(thing);
    }

    /** {@code holder} gives up the thing it got first and still holds, which is returned; null if it holds nothing. */
    public synchronized T giveUpOldest(int holder) {
        ArrayDeque<T> held = byHolder.get(holder);
        T thing = held == null ? null : held.pollFirst();
        if (thing != null) {
            holderOf.remove(thing);
        }
        return thing;
    }

    /** {@code holder} gives up the thing it got last and still holds, which is returned; null if it holds nothing. */
    public synchronized T giveUpLatest(int holder) {
        ArrayDeque<T> held = byHolder.get(holder);
        T thing = held == null ? null : held.pollLast();
        if (thing != null) {
            holderOf.remove(thing);
        }
        return thing;
    }

    /**
     * {@code holder} gives up {@code thing}.
     *
     * @throws AssertionError if {@code holder} does not hold it
     */
    public synchronized void giveUp(int holder, T thing) {
        Integer current = holderOf.get(thing);
        if (current == null || current != holder) {
            throw new AssertionError("holder " + holder + " gives up " + thing + " held by " + current);
        }
        holderOf.remove(thing);
        byHolder.get(holder).remove(thing);
    }

    /** How many things {@code holder} holds. */
    public synchronized int count(int holder) {
        ArrayDeque<T> held = byHolder.get(holder);
        return held == null ? 0 : held.size();
    }

    /** Whether anyone holds {@code thing}. */
    public synchronized boolean isHeld(T thing) {
        return holderOf.containsKey(thing);
    }

    /** Everything held, by anyone (for checks at quiescence). */
    public synchronized List<T> holdings() {
        return new ArrayList<>(holderOf.keySet());
    }
}
