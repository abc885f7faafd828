package io.gnetj;

import java.time.Duration;

/**
 * What an engine's stop did: how many connections closed gracefully before the deadline, how many
 * it had to cut, and how many queued bytes the cut dropped. {@link Engine#stop(Duration)} returns
 * it, {@link Engine#stopAsync(Duration)} completes with it, and the engine logs it (INFO when
 * nothing was cut, WARNING otherwise).
 *
 * <p>A connection is <em>cut</em> when the stop closed it without everything it had queued sent:
 * still open or still sending when the deadline passed (its {@code onClose} gets a
 * {@link ConnectionClosedException} naming the stop deadline and the bytes dropped), or past its
 * own {@link Options#closeTimeout()} during the stop. Every other connection open when the stop
 * began counts as {@link #closedGracefully()}: among them one that had sent everything and was
 * only waiting for its peer's end of stream when the deadline passed (closed then, with no cause:
 * nothing was lost), and one whose peer reset meanwhile (its {@code onClose} says so). UDP
 * datagrams are not connections.
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

    /** Whether nothing had to be cut: every connection closed gracefully within the deadline. Any thread. */
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
