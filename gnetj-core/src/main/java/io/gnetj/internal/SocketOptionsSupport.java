package io.gnetj.internal;

import io.gnetj.Options;
import java.io.IOException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SocketChannel;
import jdk.net.ExtendedSocketOptions;

/**
 * Applies {@link Options}' socket options to channels, skipping what a channel or platform does
 * not support (Unix domain sockets have no TCP options; keep-alive details are Linux/macOS only).
 *
 * <p>Threading: stateless.
 */
final class SocketOptionsSupport {

    private SocketOptionsSupport() {
    }

    /** Options for an accepted or dialed stream channel. */
    static void applyToStream(SocketChannel channel, Options options) throws IOException {
        setIfSupported(channel, StandardSocketOptions.TCP_NODELAY, options.tcpNoDelay());
        if (!options.tcpKeepAlive().isZero()) {
            setIfSupported(channel, StandardSocketOptions.SO_KEEPALIVE, true);
            keepAliveDetails(channel, (int) options.tcpKeepAlive().toSeconds(),
                    (int) options.tcpKeepAliveInterval().toSeconds(), options.tcpKeepAliveCount());
        }
        if (options.socketRecvBuffer() > 0) {
            setIfSupported(channel, StandardSocketOptions.SO_RCVBUF, options.socketRecvBuffer());
        }
        if (options.socketSendBuffer() > 0) {
            setIfSupported(channel, StandardSocketOptions.SO_SNDBUF, options.socketSendBuffer());
        }
    }

    /** Probes sent before the peer is given up, when an idle time is given without a count (gnet's default). */
    static final int DEFAULT_KEEPALIVE_COUNT = 5;

    /**
     * Keep-alive idle time, interval and count, where the platform has them. An idle time given
     * alone brings gnet's defaults for the rest: an interval of a fifth of it (at least a second)
     * and {@value #DEFAULT_KEEPALIVE_COUNT} probes. Zero everywhere keeps the system's.
     */
    static void keepAliveDetails(NetworkChannel channel, int idleSeconds, int intervalSeconds, int count) {
        if (idleSeconds > 0) {
            intervalSeconds = intervalSeconds > 0 ? intervalSeconds : Math.max(1, idleSeconds / 5);
            count = count > 0 ? count : DEFAULT_KEEPALIVE_COUNT;
        }
        try {
            if (idleSeconds > 0) {
                setIfSupported(channel, ExtendedSocketOptions.TCP_KEEPIDLE, idleSeconds);
            }
            if (intervalSeconds > 0) {
                setIfSupported(channel, ExtendedSocketOptions.TCP_KEEPINTERVAL, intervalSeconds);
            }
            if (count > 0) {
                setIfSupported(channel, ExtendedSocketOptions.TCP_KEEPCOUNT, count);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("setting keep-alive options", e);
        }
    }

    static <T> boolean setIfSupported(NetworkChannel channel, SocketOption<T> option, T value) throws IOException {
        if (!channel.supportedOptions().contains(option)) {
            return false;
        }
        channel.setOption(option, value);
        return true;
    }
}
