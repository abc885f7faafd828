package io.gnetj.buffer.internal.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * The JDK Flight Recorder event of gnetj-buffer: {@code io.gnetj.LeakDetected}, one per pooled
 * buffer found garbage-collected without being released. Only {@code io.gnetj.buffer.Jfr} calls in
 * here, and only once it knows JFR is present: gnetj-buffer {@code requires static jdk.jfr}, so a
 * runtime without that module must never load this class.
 *
 * <p>On by default (a leak is always worth recording); its stack is off, because the event is
 * committed by whichever thread collects leaks, not the one that took the buffer: with leak
 * detection at {@code sampled} or {@code paranoid}, {@code takenAt} holds the taking stack as text.
 *
 * <p>Threading: any thread.
 */
public final class LeakEvents {

    private LeakEvents() {
    }

    /**
     * Emits {@code io.gnetj.LeakDetected}, if a recording has it on. Any thread.
     *
     * @param capacity    the leaked buffer's capacity
     * @param pool        the pool it came from, as text
     * @param takenOn     the thread that took it
     * @param takenAt     where it was taken, or {@code null} when not recorded
     */
    public static void leakDetected(int capacity, String pool, String takenOn, String takenAt) {
        LeakDetected e = new LeakDetected();
        if (e.shouldCommit()) {
            e.capacity = capacity;
            e.pool = pool;
            e.takenOn = takenOn;
            e.takenAt = takenAt;
            e.commit();
        }
    }

    @Name("io.gnetj.LeakDetected")
    @Label("Pooled Buffer Leak")
    @Category("gnetj")
    @Description("A pooled buffer became unreachable without being released; its bytes are subtracted from the pool's in-use count")
    @StackTrace(false)
    static final class LeakDetected extends Event {
        @Label("Capacity")
        @DataAmount
        int capacity;

        @Label("Pool")
        String pool;

        @Label("Taken On Thread")
        String takenOn;

        @Label("Taken At")
        @Description("The stack of the take, when leak detection recorded it (sampled or paranoid)")
        String takenAt;
    }
}
