package io.gnetj.internal;

import io.gnetj.Transport;
import java.io.IOException;
import java.nio.channels.spi.SelectorProvider;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Picks an engine's transport ({@link Transport}) and gives its {@link SelectorProvider}: the
 * seam between the connection core and the kernel. Every selector, listening socket and dialed
 * socket an engine makes comes from the chosen provider; the connection core, its buffers, TLS,
 * limits and callbacks are the same code on every transport. NIO is the JDK's default provider;
 * epoll is gnetj's own provider over Linux calls made through the Foreign Function &amp; Memory
 * API, compiled into the jar's {@code META-INF/versions/22} and loaded by name here.
 *
 * <p>The choice is logged at INFO once per process for each distinct outcome.
 *
 * <p>Threading: any thread.
 */
final class Transports {

    private static final System.Logger LOG = System.getLogger("io.gnetj");
    private static final String EPOLL_CLASS = "io.gnetj.internal.EpollTransport";
    private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();

    /** A chosen transport and its provider. */
    static final class Chosen {
        final Transport transport;
        final SelectorProvider provider;

        Chosen(Transport transport, SelectorProvider provider) {
            this.transport = transport;
            this.provider = provider;
        }
    }

    /** The JDK's own: NIO. */
    static final Chosen NIO = new Chosen(Transport.NIO, SelectorProvider.provider());

    private Transports() {
    }

    /**
     * The transport to run on.
     *
     * @param asked what the options ask for
     * @param udp   whether the engine serves a UDP address (only NIO serves UDP)
     * @param what  what is starting, for the log line ("engine", "client")
     * @throws IllegalStateException    if {@code EPOLL} was asked for where it cannot run, with why
     * @throws IllegalArgumentException if {@code EPOLL} was asked for with a UDP address
     */
    static Chosen choose(Transport asked, boolean udp, String what) throws IOException {
        if (asked == Transport.NIO) {
            logOnce(what + " transport: nio (asked for)");
            return NIO;
        }
        if (udp) {
            if (asked == Transport.EPOLL) {
                throw new IllegalArgumentException("the epoll transport serves TCP and unix domain sockets;"
                        + " UDP addresses need Transport.NIO (or AUTO)");
            }
            logOnce(what + " transport: nio (auto: a UDP address, which the epoll transport does not serve)");
            return NIO;
        }
        boolean quietly = asked == Transport.AUTO;
        TransportProbe probe;
        String reason = platformReason();
        if (reason == null) {
            probe = loadEpoll();
            reason = probe == null ? "this gnetj-core jar has no epoll transport (META-INF/versions/22 missing,"
                    + " or its classes are not loaded from the multi-release jar)" : probe.unavailableReason(quietly);
        } else {
            probe = null;
        }
        if (reason != null) {
            if (asked == Transport.EPOLL) {
                throw new IllegalStateException("the epoll transport cannot run here: " + reason);
            }
            logOnce(what + " transport: nio (auto: epoll unavailable: " + reason + ")");
            return NIO;
        }
        logOnce(what + " transport: epoll (" + (quietly ? "auto" : "asked for") + ")");
        return new Chosen(Transport.EPOLL, probe.provider());
    }

    /** Why this platform cannot run the epoll transport at all, before loading anything; or null. */
    private static String platformReason() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (!os.startsWith("linux")) {
            return "not Linux (" + System.getProperty("os.name") + ")";
        }
        String arch = System.getProperty("os.arch", "");
        if (!arch.equals("amd64") && !arch.equals("x86_64") && !arch.equals("aarch64")) {
            return "the CPU architecture " + arch + " is not x86-64 or AArch64";
        }
        int feature = Runtime.version().feature();
        if (feature < 22) {
            return "JDK " + feature + " (the Foreign Function & Memory API needs JDK 22+)";
        }
        return null;
    }

    private static TransportProbe loadEpoll() {
        try {
            Class<?> type = Class.forName(EPOLL_CLASS, true, Transports.class.getClassLoader());
            return (TransportProbe) type.getDeclaredConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            return null;
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException("loading the epoll transport failed", e);
        }
    }

    private static void logOnce(String line) {
        if (LOGGED.add(line)) {
            LOG.log(System.Logger.Level.INFO, "gnetj: " + line);
        }
    }
}
