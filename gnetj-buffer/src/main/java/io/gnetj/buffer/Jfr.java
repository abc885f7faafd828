package io.gnetj.buffer;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Optional;

/**
 * The door from gnetj-buffer to its JDK Flight Recorder event, used only when the runtime has
 * JFR: gnetj-buffer {@code requires static jdk.jfr}, so a runtime without that module still runs
 * it, and the event class ({@link io.gnetj.buffer.internal.jfr.LeakEvents}) is loaded on the first
 * call made after {@link #PRESENT} said yes. {@code -Dgnetj.jfr=false} turns it off, as for
 * gnetj-core's events.
 *
 * <p>Threading: any thread (stateless).
 */
final class Jfr {

    /** Whether JFR is in the runtime, readable by this module, and not turned off. */
    static final boolean PRESENT = detect();

    private Jfr() {
    }

    private static boolean detect() {
        if (!Boolean.parseBoolean(System.getProperty("gnetj.jfr", "true"))) {
            return false;
        }
        Optional<Module> jfr = ModuleLayer.boot().findModule("jdk.jfr");
        return jfr.isPresent() && Jfr.class.getModule().canRead(jfr.get());
    }

    /** A leak was found: {@code io.gnetj.LeakDetected}, if recorded. */
    static void leakDetected(int capacity, BufferPool pool, String takenOn, Throwable takenAt) {
        if (PRESENT) {
            String stack = null;
            if (takenAt != null) {
                StringWriter text = new StringWriter();
                takenAt.printStackTrace(new PrintWriter(text));
                stack = text.toString();
            }
            io.gnetj.buffer.internal.jfr.LeakEvents.leakDetected(capacity, String.valueOf(pool), takenOn, stack);
        }
    }
}
