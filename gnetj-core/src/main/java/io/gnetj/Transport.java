package io.gnetj;

import java.util.Locale;

/**
 * How an engine or client talks to the kernel: the event notification and socket calls under the
 * one connection core (its buffers, TLS, limits and callbacks are the same code on every transport).
 *
 * <p>Chosen with {@link Options.Builder#transport(Transport)}; the default comes from the system
 * property {@code io.gnetj.transport} ({@code nio}, {@code epoll} or {@code auto}) and is
 * {@link #AUTO} without it. The engine logs the transport it runs on when it starts, and
 * {@link Engine#transport()} says which. docs/architecture.md ("Transports") describes both.
 *
 * <p>Threading: an enum: every method may be called from any thread.
 */
public enum Transport {

    /**
     * {@link #EPOLL} where it can run without a warning (Linux on x86-64 or AArch64, JDK 22 or
     * newer, gnetj's code granted native access with {@code --enable-native-access} or the
     * {@code Enable-Native-Access} manifest attribute of an executable jar, no UDP address), and
     * {@link #NIO} otherwise. Picking never calls a restricted method, so the JDK prints no
     * native-access warning when NIO is the result.
     */
    AUTO,

    /**
     * The JDK's {@link java.nio.channels.Selector} and socket channels: every platform and JDK
     * from 17, TCP, UDP and unix domain sockets.
     */
    NIO,

    /**
     * Linux {@code epoll}, {@code eventfd} and socket calls made through the JDK's Foreign
     * Function &amp; Memory API (no native library; JDK 22+, in the jar's
     * {@code META-INF/versions/22}). TCP and unix domain sockets; an engine with a UDP address,
     * or a client dialing one, needs {@link #NIO}. Asking for it where it cannot run fails the
     * engine's start with the reason; without native access granted the JDK prints its
     * restricted-method warning once and the transport runs.
     */
    EPOLL;

    /** The system property that sets the default: {@code nio}, {@code epoll} or {@code auto}. */
    public static final String PROPERTY = "io.gnetj.transport";

    /**
     * The transport named {@code name} ({@code nio}, {@code epoll}, {@code auto}, any case). Any thread.
     *
     * @param name the name
     * @return the transport
     * @throws IllegalArgumentException if {@code name} names none
     */
    public static Transport parse(String name) {
        switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "auto":
                return AUTO;
            case "nio":
                return NIO;
            case "epoll":
                return EPOLL;
            default:
                throw new IllegalArgumentException("unknown transport '" + name + "': expected nio, epoll or auto");
        }
    }

    /**
     * The default: the {@value #PROPERTY} system property's value, or {@link #AUTO} if it is not set. Any thread.
     *
     * @return the default transport
     * @throws IllegalArgumentException if the property names no transport
     */
    public static Transport fromSystemProperty() {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.isBlank()) {
            return AUTO;
        }
        try {
            return parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("-D" + PROPERTY + "=" + value + ": " + e.getMessage(), e);
        }
    }
}
