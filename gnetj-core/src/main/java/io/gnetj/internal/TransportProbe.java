package io.gnetj.internal;

import java.nio.channels.spi.SelectorProvider;

/**
 * What a transport other than NIO offers the chooser ({@link Transports}): whether it can run
 * here, and its selector provider. The epoll transport implements it in the jar's
 * {@code META-INF/versions/22} ({@code EpollTransport}), loaded by name so that JDK 17 never sees
 * a class it cannot load.
 *
 * <p>Threading: any thread.
 */
interface TransportProbe {

    /**
     * Why the transport cannot run here, or {@code null} if it can. Calls no restricted method.
     *
     * @param quietly also require native access to be granted to gnetj's code, so that using the
     *                transport prints no JDK warning ({@code auto})
     */
    String unavailableReason(boolean quietly);

    /** The provider of its selectors and channels; only once {@link #unavailableReason} said none. */
    SelectorProvider provider() throws java.io.IOException;
}
