package io.gnetj.examples.push;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.ConnectionClosedException;
import io.gnetj.OutboundLimitException;
import io.gnetj.examples.FakeConn;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PushHandlerTest {

    private final PushHandler handler = new PushHandler(Duration.ofMillis(250), () -> 0L);

    @Test
    void broadcastsNumberedLinesToEveryConnection() {
        FakeConn a = new FakeConn(handler);
        FakeConn b = new FakeConn(handler);
        assertThat(handler.onTick().delay()).isEqualTo(Duration.ofMillis(250));
        handler.onTick();
        String expected = "tick 1 1970-01-01T00:00:00Z\ntick 2 1970-01-01T00:00:00Z\n";
        assertThat(a.takeOutput()).isEqualTo(expected);
        assertThat(b.takeOutput()).isEqualTo(expected);
        a.close();
        handler.onTick();
        assertThat(a.takeOutput()).isEmpty();
        assertThat(b.takeOutput()).isEqualTo("tick 3 1970-01-01T00:00:00Z\n");
        assertThat(handler.connections()).isEqualTo(1);
    }

    @Test
    void closesAClientWhoseWritesHitTheOutboundLimit() {
        FakeConn slow = new FakeConn(handler);
        FakeConn gone = new FakeConn(handler);
        FakeConn fine = new FakeConn(handler);
        slow.failAsyncWritesWith(new OutboundLimitException("cap"));
        gone.failAsyncWritesWith(new ConnectionClosedException("closed"));
        handler.onTick();
        assertThat(slow.isOpen()).isFalse();
        assertThat(handler.slowClientsClosed()).isEqualTo(1);
        assertThat(fine.isOpen()).isTrue();
        assertThat(fine.takeOutput()).startsWith("tick 1 ");
        assertThat(handler.connections()).isEqualTo(2);
    }

    @Test
    void discardsWhatClientsSend() {
        FakeConn c = new FakeConn(handler);
        c.receive("ignored\n");
        assertThat(c.inboundBuffered()).isZero();
    }
}
