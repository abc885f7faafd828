package io.gnetj.examples.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gnetj.Options;
import io.gnetj.examples.Flags;
import io.gnetj.examples.UsageException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The proxy example's flags: where it listens, what it relays to, and the engine options they make. */
class ProxyExampleTest {

    private final ProxyExample example = new ProxyExample();

    @Test
    void listensOn7000AndRelaysToTheEchoExampleByDefault() {
        Flags defaults = Flags.parse(example.flags(), List.of());
        assertThat(example.address(defaults)).isEqualTo("tcp://127.0.0.1:7000");
        assertThat(defaults.getString(ProxyExample.UPSTREAM.name())).isEqualTo("tcp://127.0.0.1:9000");
    }

    @Test
    void optionsPassHalfCloseThroughAndBoundEachQueue() throws Exception {
        Options o = example.options(Flags.of(example.flags(), "high-water", "1m"));
        assertThat(o.halfClose()).isTrue();
        assertThat(o.pauseReadingWhenUnwritable()).as("the handler pauses the other side, not the engine this one").isFalse();
        assertThat(o.writeBufferHighWaterMark()).isEqualTo(1 << 20);
        assertThat(o.writeBufferLowWaterMark()).isEqualTo(1 << 19);
        assertThat(o.maxOutboundBuffered()).isEqualTo((1 << 20) + ProxyExample.OUTBOUND_SLACK);
    }

    @Test
    void upstreamHostNamesAreResolvedOnceAtStart() {
        assertThat(ProxyExample.resolveUpstream("tcp://localhost:6379")).matches("tcp://(127\\.0\\.0\\.1|\\[.*\\]):6379");
        assertThat(ProxyExample.resolveUpstream("tcp4://localhost:6379")).isEqualTo("tcp4://127.0.0.1:6379");
        assertThat(ProxyExample.resolveUpstream("TCP://127.0.0.1:80")).isEqualTo("tcp://127.0.0.1:80");
        assertThat(ProxyExample.resolveUpstream("tcp6://[::1]:80")).isEqualTo("tcp6://[0:0:0:0:0:0:0:1]:80");
        assertThat(ProxyExample.resolveUpstream("unix:///tmp/x.sock")).isEqualTo("unix:///tmp/x.sock");
    }

    @Test
    void upstreamsThatAreNotStreamsOrLackAPortAreUsageErrors() {
        for (String bad : List.of("udp://127.0.0.1:9000", "tls://127.0.0.1:443", "127.0.0.1:9000",
                "tcp://127.0.0.1", "tcp://127.0.0.1:0", "tcp://127.0.0.1:9000/path", "unix://",
                "tcp://no-such-host.invalid:80")) {
            assertThatThrownBy(() -> ProxyExample.resolveUpstream(bad)).as(bad)
                    .isInstanceOf(UsageException.class).hasMessageContaining("--upstream " + bad);
        }
    }
}
