package io.gnetj.internal;

import java.nio.channels.spi.SelectorProvider;

/**
 * The epoll transport's entry, loaded by name by {@link Transports} on JDK 22+ (this class exists
 * only in the jar's {@code META-INF/versions/22}).
 *
 * <p>{@link #unavailableReason(boolean)} asks the module system first, with no restricted call:
 * without native access granted, {@code auto} never links a function, so the JDK prints no
 * warning. Then it links every function and makes one selector (an epoll set and an eventfd) and
 * closes it, so that a transport that cannot work fails here, with the reason, not later.
 *
 * <p>Threading: any thread.
 */
final class EpollTransport implements TransportProbe {

    EpollTransport() {
    }

    @Override
    public String unavailableReason(boolean quietly) {
        Module module = EpollTransport.class.getModule();
        if (quietly && !module.isNativeAccessEnabled()) {
            String who = module.isNamed() ? module.getName() : "ALL-UNNAMED";
            return "native access is not enabled for gnetj (java --enable-native-access=" + who
                    + ", or Enable-Native-Access: ALL-UNNAMED in an executable jar's manifest)";
        }
        try {
            EpollSelectorProvider.INSTANCE.openSelector().close();
            return null;
        } catch (Throwable t) { // IllegalCallerException (native access denied), linkage errors, EMFILE...
            return t.toString();
        }
    }

    @Override
    public SelectorProvider provider() {
        return EpollSelectorProvider.INSTANCE;
    }
}
