package io.gnetj.internal;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.time.ZoneId;
import java.util.TimeZone;

/**
 * Initialises, once per JVM and while file descriptors are still plentiful, the JDK internals that
 * open a descriptor the first time they are used. Under "too many open files" (EMFILE) their
 * class initialisation fails for good, and they fail with an {@code Error} from then on:
 * <ul>
 *   <li>the default time zone and its rules (read from {@code lib/tzdb.dat}), which
 *       java.util.logging's formatter needs to stamp every record: the engine's first log line
 *       under EMFILE threw instead of logging;
 *   <li>the helper through which the JDK closes every socket, which creates a socket pair when
 *       first used: after a first close under EMFILE no socket of the JVM could be closed.
 * </ul>
 * Found by TooManyOpenFilesTest: an echo server whose first close came under EMFILE lost its
 * event loop and its main thread to those errors.
 *
 * <p>Threading: any thread; the work is done once.
 */
final class JdkWarmUp {

    private static final System.Logger LOG = System.getLogger("io.gnetj");
    private static volatile boolean done;

    private JdkWarmUp() {
    }

    /** Does the warm-up unless done already. Never throws. */
    static void run() {
        if (done) {
            return;
        }
        try {
            TimeZone.getDefault();
            ZoneId.systemDefault().getRules();
            SocketChannel.open().close();
            done = true;
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "JDK warm-up", e);
        }
    }
}
