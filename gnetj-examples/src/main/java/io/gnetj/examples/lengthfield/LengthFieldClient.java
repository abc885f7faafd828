package io.gnetj.examples.lengthfield;

import io.gnetj.Action;
import io.gnetj.Client;
import io.gnetj.Conn;
import io.gnetj.EventHandler;
import io.gnetj.Options;
import io.gnetj.codec.LengthFieldFrameDecoder;
import io.gnetj.codec.LengthFieldFrameEncoder;
import io.gnetj.examples.ExampleFailedException;
import io.gnetj.examples.UsageException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@code length-field --client} mode: one connection sends {@code count} frames one at a
 * time, decodes each reply with the same decoder as the server and checks it is the frame
 * upper-cased. Frame {@code i} holds {@code (i * 97) % 1001} bytes (frame 0 is empty) of
 * lower-case letters, digits and spaces.
 *
 * <p>Threading: the exchange runs on the client's loop (first frame in {@code onOpen}, each next
 * one in {@code onTraffic}); the calling thread waits for the outcome.
 */
final class LengthFieldClient implements EventHandler {

    private static final byte[] ALPHABET = "abcdefghijklmnopqrstuvwxyz 0123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final int LARGEST_FRAME = 1000;

    private final String address;
    private final int count;
    private final LengthFieldFrameDecoder decoder = UppercaseFrameHandler.decoder(LARGEST_FRAME);
    private final LengthFieldFrameEncoder encoder = new LengthFieldFrameEncoder(); // one connection, one loop
    private final byte[] payload = new byte[LARGEST_FRAME];
    private final CompletableFuture<Void> outcome = new CompletableFuture<>();
    /** Replies checked so far; read by the waiting thread to tell a slow run from a stuck one. */
    private final AtomicInteger replies = new AtomicInteger();
    private long payloadBytes;

    private LengthFieldClient(String address, int count) {
        this.address = address;
        this.count = count;
    }

    /**
     * Runs the exchange and prints a summary.
     *
     * @throws ExampleFailedException naming the address, if the dial fails, a reply is wrong, the
     *                                connection closes early, or no reply comes for {@code timeoutMillis}
     */
    static void run(String address, int count, long timeoutMillis, PrintStream out)
            throws IOException, InterruptedException, ExampleFailedException {
        LengthFieldClient handler = new LengthFieldClient(address, count);
        Client client = Client.start(handler, Options.builder().numEventLoops(1).build());
        try {
            long start = System.nanoTime();
            try {
                client.dial(address);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            } catch (IOException e) {
                throw new ExampleFailedException(e.getMessage());
            }
            handler.await(timeoutMillis);
            out.printf(Locale.ROOT, "%d frames (%d payload bytes) sent to %s and answered upper-cased in %.1f ms%n",
                    count, handler.payloadBytes, address, (System.nanoTime() - start) / 1e6);
        } finally {
            client.stop();
        }
    }

    private void await(long timeoutMillis) throws InterruptedException, ExampleFailedException {
        int seen = -1;
        while (true) {
            try {
                outcome.get(timeoutMillis, TimeUnit.MILLISECONDS);
                return;
            } catch (ExecutionException e) {
                throw new ExampleFailedException(e.getCause().getMessage());
            } catch (TimeoutException e) {
                int now = replies.get();
                if (now == seen) {
                    throw new ExampleFailedException("no reply from " + address + " for " + timeoutMillis + " ms ("
                            + now + " of " + count + " frames answered)");
                }
                seen = now;
            }
        }
    }

    @Override
    public Action onOpen(Conn conn) {
        sendFrame(conn, 0);
        return Action.NONE;
    }

    @Override
    public Action onTraffic(Conn conn) {
        for (ByteBuffer reply; (reply = decoder.decode(conn)) != null; ) {
            int i = replies.get();
            if (i == count) {
                return fail("an unexpected frame after the last reply");
            }
            int n = length(i);
            if (reply.remaining() != n) {
                return fail("the reply to frame " + i + " holds " + reply.remaining() + " bytes, expected " + n);
            }
            fill(i);
            int at = reply.position();
            for (int j = 0; j < n; j++) {
                byte want = UppercaseFrameHandler.upper(payload[j]);
                if (reply.get(at + j) != want) {
                    return fail(String.format("the reply to frame %d differs at byte %d: expected '%c', got 0x%02x",
                            i, j, (char) want, reply.get(at + j) & 0xFF));
                }
            }
            payloadBytes += n;
            replies.set(i + 1);
            if (i + 1 == count) {
                outcome.complete(null);
            } else {
                sendFrame(conn, i + 1);
            }
        }
        return Action.NONE;
    }

    @Override
    public Action onClose(Conn conn, Throwable cause) {
        if (!outcome.isDone()) {
            outcome.completeExceptionally(new IllegalStateException("the connection to " + address + " closed after "
                    + replies.get() + " of " + count + " replies" + (cause != null ? ": " + cause : "")));
        }
        return Action.NONE;
    }

    private void sendFrame(Conn conn, int i) {
        fill(i);
        encoder.write(conn, ByteBuffer.wrap(payload, 0, length(i)));
    }

    private Action fail(String why) {
        outcome.completeExceptionally(new IllegalStateException(address + ": " + why));
        return Action.CLOSE;
    }

    private static int length(int i) {
        return (int) ((i * 97L) % (LARGEST_FRAME + 1));
    }

    /** Puts frame {@code i}'s payload at the start of {@link #payload}. */
    private void fill(int i) {
        int n = length(i);
        for (int j = 0; j < n; j++) {
            payload[j] = ALPHABET[(i + j) % ALPHABET.length];
        }
    }
}
