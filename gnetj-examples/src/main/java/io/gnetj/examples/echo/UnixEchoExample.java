package io.gnetj.examples.echo;

import io.gnetj.EventHandler;
import io.gnetj.examples.Flag;
import io.gnetj.examples.Flags;
import io.gnetj.examples.ServerExample;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code unix-echo}: the TCP echo's {@link EchoHandler} on a Unix domain socket. The engine
 * replaces a stale socket file left at the path by a dead process (a regular file there is
 * refused, never deleted) and removes the file when it stops.
 */
public final class UnixEchoExample extends ServerExample {

    /** Where the socket file goes. */
    public static final Flag PATH = Flag.string("path", "P", "socket file to serve", "/tmp/gnetj-echo.sock");

    @Override
    public String name() {
        return "unix-echo";
    }

    @Override
    public String description() {
        return "echo server on a Unix domain socket: every byte received is sent back";
    }

    @Override
    protected List<Flag> addressFlags() {
        return List.of(PATH);
    }

    @Override
    protected String scheme() {
        return "unix";
    }

    @Override
    public String address(Flags flags) {
        // Absolute, so unix:// + path always reads as unix:///dir/file.
        return "unix://" + Path.of(flags.getString(PATH.name())).toAbsolutePath();
    }

    @Override
    protected EventHandler handler(Flags flags) {
        return new EchoHandler();
    }
}
