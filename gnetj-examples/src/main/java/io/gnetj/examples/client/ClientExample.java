package io.gnetj.examples.client;

import io.gnetj.Client;
import io.gnetj.Options;
import io.gnetj.Transport;
import io.gnetj.examples.Example;
import io.gnetj.examples.ExampleFailedException;
import io.gnetj.examples.Flag;
import io.gnetj.examples.Flags;
import io.gnetj.examples.ServerExample;
import io.gnetj.examples.UsageException;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code client}: dials an echo server with {@link Client} and measures ping-pong round trips (see
 * {@link PingPongHandler}): {@code --connections} connections, each sending {@code --count}
 * messages of {@code --size} bytes, one at a time. Prints a summary (messages answered, errors,
 * latency percentiles; with {@code --verbose}, every round trip and error as it happens first),
 * stops the client and exits 0. A wrong reply, an early close or no reply within
 * {@code --timeout-ms} (a lost datagram, over UDP) is an error: it ends that connection, the
 * others go on, and once all are done the summary is printed and the run exits 1 with the first
 * error, naming the address. A server that cannot be dialed exits 1 at once.
 */
public final class ClientExample implements Example {

    /** Largest UDP payload over IPv4: 65,535 less the IP and UDP headers. */
    static final int MAX_DATAGRAM = 65_507;

    /** Where to connect. */
    public static final Flag ADDRESS = Flag.string("address", "A",
            "server to dial: tcp://host:port, udp://host:port or unix:///path", "tcp://127.0.0.1:9000");
    /** Messages per connection. */
    public static final Flag COUNT = Flag.integer("count", "messages per connection", 10, 1, 100_000_000);
    /** Bytes per message. */
    public static final Flag SIZE = Flag.size("size", "bytes per message (at most 65507 over udp)", "64", 1,
            16L * 1024 * 1024);
    /** Connections, each running its own ping-pong. */
    public static final Flag CONNECTIONS = Flag.integer("connections", "connections, each its own ping-pong", 1, 1,
            10_000);
    /** How long to wait for any progress before giving up. */
    public static final Flag TIMEOUT = Flag.integer("timeout-ms", "give up when no reply comes for this long",
            5000, 1, 3_600_000);
    /** Print each round trip and error as it happens, not only the summary. */
    public static final Flag VERBOSE = Flag.bool("verbose", "print every round trip and error, not only the summary");

    @Override
    public String name() {
        return "client";
    }

    @Override
    public String description() {
        return "echo client: ping-pong round trips over tcp, udp or unix, with latency percentiles";
    }

    @Override
    public List<Flag> flags() {
        return List.of(ADDRESS, COUNT, SIZE, CONNECTIONS, TIMEOUT, VERBOSE, ServerExample.TRANSPORT);
    }

    @Override
    public int run(Flags flags, PrintStream out) throws IOException, InterruptedException, ExampleFailedException {
        String address = flags.getString(ADDRESS.name());
        int count = flags.getInt(COUNT.name());
        int size = flags.getInt(SIZE.name());
        int connections = flags.getInt(CONNECTIONS.name());
        long timeoutMillis = flags.getLong(TIMEOUT.name());
        boolean verbose = flags.getBoolean(VERBOSE.name());
        boolean datagrams = address.toLowerCase(Locale.ROOT).startsWith("udp");
        if (datagrams && size > MAX_DATAGRAM) {
            throw new UsageException("--size " + size + " does not fit one UDP datagram (at most " + MAX_DATAGRAM + " bytes)");
        }

        BlockingQueue<PingPongHandler.Event> events = new LinkedBlockingQueue<>();
        Options.Builder builder = Options.builder()
                .numEventLoops(Math.min(connections, Runtime.getRuntime().availableProcessors()));
        if (datagrams) {
            builder.transport(Transport.NIO); // the epoll transport dials stream sockets only
        }
        Options options = ServerExample.transport(flags, builder).build();
        Client client = Client.start(new PingPongHandler(address, datagrams, count, events), options);
        try {
            out.println("client: " + connections + (connections == 1 ? " connection" : " connections") + " to "
                    + address + ", " + count + " messages of " + size + " bytes each");
            long start = System.nanoTime();
            for (int c = 1; c <= connections; c++) {
                dial(client, address, new PingPongHandler.Session(c, size));
            }
            Outcome outcome = await(events, connections, timeoutMillis, address, verbose ? out : null);
            long elapsed = System.nanoTime() - start;
            Latencies latencies = outcome.latencies;
            out.printf(Locale.ROOT, "%d of %d messages answered, %d %s, in %.1f ms (%.0f per second)%n",
                    latencies.count(), (long) connections * count, outcome.errors, outcome.errors == 1 ? "error" : "errors",
                    elapsed / 1e6, latencies.count() / (elapsed / 1e9));
            if (latencies.count() > 0) {
                out.println("latency: " + latencies.summary());
            }
            if (outcome.errors > 0) {
                throw new ExampleFailedException(outcome.firstError
                        + (outcome.errors > 1 ? " (" + outcome.errors + " errors in all)" : ""));
            }
            return 0;
        } finally {
            client.stop();
        }
    }

    /** What the connections reported: the round trips, and how many failed (the first one's message). */
    private static final class Outcome {
        final Latencies latencies = new Latencies();
        int errors;
        String firstError;

        void error(String message, PrintStream verbose) {
            errors++;
            if (firstError == null) {
                firstError = message;
            }
            if (verbose != null) {
                verbose.println("error: " + message);
            }
        }
    }

    private static void dial(Client client, String address, PingPongHandler.Session session)
            throws IOException, ExampleFailedException {
        try {
            client.dial(address, session);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        } catch (IOException e) {
            // gnetj's message names the address: "cannot dial 'tcp://...': Connection refused".
            throw new ExampleFailedException(e.getMessage());
        }
    }

    /**
     * Collects the round trips until every connection has finished or failed (each reports one
     * or the other, once), or nothing at all is reported for {@code timeoutMillis}: then each
     * connection still running is one error. With {@code verbose} non-null, prints each round trip
     * and error to it as it comes.
     */
    private static Outcome await(BlockingQueue<PingPongHandler.Event> events, int connections, long timeoutMillis,
                                 String address, PrintStream verbose) throws InterruptedException {
        Outcome outcome = new Outcome();
        int finished = 0;
        while (finished + outcome.errors < connections) {
            PingPongHandler.Event e = events.poll(timeoutMillis, TimeUnit.MILLISECONDS);
            if (e == null) {
                int running = connections - finished - outcome.errors;
                String message = "no reply from " + address + " for " + timeoutMillis + " ms (" + finished + " of "
                        + connections + " connections finished, " + outcome.latencies.count() + " round trips done)";
                for (int i = 0; i < running; i++) {
                    outcome.error(message, i == 0 ? verbose : null);
                }
                break;
            }
            if (e instanceof PingPongHandler.RoundTrip) {
                PingPongHandler.RoundTrip r = (PingPongHandler.RoundTrip) e;
                outcome.latencies.add(r.nanos());
                if (verbose != null) {
                    verbose.println("connection " + r.connection() + " message " + r.message() + ": "
                            + Latencies.micros(r.nanos()));
                }
            } else if (e instanceof PingPongHandler.Finished) {
                finished++;
            } else {
                outcome.error(((PingPongHandler.Failed) e).message(), verbose);
            }
        }
        return outcome;
    }
}
