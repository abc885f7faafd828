package io.gnetj;

import java.time.Duration;

/**
 * What an engine's stop did: how many connections closed gracefully before the deadline, how many
 * it had to cut, and how many queued bytes the cut dropped. {@link Engine#stop(Duration)} returns
 * it, {@link Engine#stopAsync(Duration)} completes with it, and the engine logs it (INFO when
 * nothing was cut, WARNING otherwise).
 *
 * <p>A connection is <em>cut</em> when the stop closed it abortively: it was still open (or still
 * sending what it had queued, or waiting for its peer's end of stream) when the deadline passed, or
 * its own {@link Options#closeTimeout()} ran out during the stop. Its {@code onClose} gets a
 * {@link ConnectionClosedException} saying so and how many bytes were dropped. Every other
 * connection open when the stop began is counted as {@link #closedGracefully()} (a peer that
 * reset meanwhile is among them; its {@code onClose} says so). UDP datagrams are not connections.
 *
 * <p>Threading: immutable.
 *
 * @param closedGracefully connections that closed before the deadline, everything queued sent
 * @param cut              connections the stop closed abortively
 * @param bytesDropped     queued outbound bytes the cut connections still held
 * @param deadline         the deadline the stop ran under (the shortest asked for)
 * @param elapsed          from the stop being asked for until every connection was closed and
 *                         {@code onShutdown} had run
 */
public record StopReport(int closedGracefully, int cut, long bytesDropped, Duration deadline, Duration elapsed) {

    /** Whether nothing had to be cut: every connection closed gracefully within the deadline. */
    public boolean clean() {
        return cut == 0;
    }

    @Override
    public String toString() {
        return "stopped in " + elapsed.toMillis() + " ms (deadline " + deadline.toMillis() + " ms): "
                + closedGracefully + " connections closed gracefully, " + cut + " cut"
                + (cut == 0 ? "" : " with " + bytesDropped + " queued bytes dropped");
    }
}
