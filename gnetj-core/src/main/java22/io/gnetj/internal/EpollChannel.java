package io.gnetj.internal;

/**
 * A channel of the epoll transport: a socket descriptor an {@link EpollSelector} can watch.
 *
 * <p>Threading: any thread.
 */
interface EpollChannel {

    /** The socket's descriptor (still valid while the channel is open). */
    int fd();

    /** Registered with a selector: the key to take out of it before the descriptor closes. */
    void registered(EpollKey key);
}
