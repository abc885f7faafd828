package io.gnetj.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gnetj.Options;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.Test;

/** Keep-alive details default as gnet's when only the idle time is given; explicit values stay. */
class SocketOptionsSupportTest {

    @Test
    void anIdleTimeAloneBringsAFifthAsIntervalAndFiveProbes() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
                SocketChannel client = SocketChannel.open(server.getLocalAddress())) {
            assumeTrue(client.supportedOptions().contains(ExtendedSocketOptions.TCP_KEEPINTERVAL),
                    "keep-alive details are not settable on this platform");
            SocketOptionsSupport.applyToStream(client, Options.builder().tcpKeepAlive(Duration.ofSeconds(60)).build());
            assertThat(client.getOption(StandardSocketOptions.SO_KEEPALIVE)).isTrue();
            assertThat(client.getOption(ExtendedSocketOptions.TCP_KEEPIDLE)).isEqualTo(60);
            assertThat(client.getOption(ExtendedSocketOptions.TCP_KEEPINTERVAL)).isEqualTo(12);
            assertThat(client.getOption(ExtendedSocketOptions.TCP_KEEPCOUNT)).isEqualTo(5);

            SocketOptionsSupport.keepAliveDetails(client, 3, 0, 0);
            assertThat(client.getOption(ExtendedSocketOptions.TCP_KEEPINTERVAL)).as("at least a second").isEqualTo(1);

            SocketOptionsSupport.keepAliveDetails(client, 30, 7, 2);
            assertThat(client.getOption(ExtendedSocketOptions.TCP_KEEPIDLE)).isEqualTo(30);
            assertThat(client.getOption(ExtendedSocketOptions.TCP_KEEPINTERVAL)).isEqualTo(7);
            assertThat(client.getOption(ExtendedSocketOptions.TCP_KEEPCOUNT)).isEqualTo(2);
        }
    }
}
