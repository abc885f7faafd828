package io.gnetj.examples.websocket;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A headless Chromium driven over the DevTools protocol: opens a page and evaluates a script in
 * it. {@code --dump-dom} is no use for a page that works over a WebSocket: it dumps at the load
 * event (and {@code --virtual-time-budget} does not wait for socket traffic), before the page's
 * script has anything to show; the protocol lets the test wait for the outcome itself.
 *
 * <p>Every wait is bounded by the deadline given to {@link #start}; {@link #close()} kills the
 * browser and its helper processes.
 */
final class HeadlessChromium implements AutoCloseable {

    private static final Pattern DEVTOOLS = Pattern.compile("DevTools listening on (ws://\\S+)");
    private static final Pattern ID = Pattern.compile("^\\{\"id\":(\\d+)");

    private final Process process;
    private final long deadlineNanos;
    private final StringBuffer log = new StringBuffer();
    private final Map<Integer, CompletableFuture<String>> pending = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    private WebSocket devtools;

    private HeadlessChromium(Process process, Duration deadline) {
        this.process = process;
        this.deadlineNanos = System.nanoTime() + deadline.toNanos();
    }

    /** Starts Chromium on {@code about:blank} with a fresh profile in {@code profile}. */
    static HeadlessChromium start(Path profile, Duration deadline) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(List.of("chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check", "--mute-audio",
                "--remote-debugging-port=0", "--remote-allow-origins=*", "--user-data-dir=" + profile, "about:blank"))
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        // its singleton socket and other scratch go under the profile, deleted with it, not into /tmp
        builder.environment().put("TMPDIR", profile.toString());
        Process p = builder.start();
        HeadlessChromium chromium = new HeadlessChromium(p, deadline);
        try {
            chromium.connect();
        } catch (Exception | AssertionError e) {
            chromium.close();
            throw e;
        }
        return chromium;
    }

    private void connect() throws Exception {
        CompletableFuture<String> endpoint = new CompletableFuture<>();
        Thread drain = new Thread(() -> {
            // reads the browser's output to its end, so a chatty browser never blocks on a full pipe
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    log.append(line).append('\n');
                    Matcher m = DEVTOOLS.matcher(line);
                    if (m.find()) {
                        endpoint.complete(m.group(1));
                    }
                }
            } catch (IOException e) {
                // the browser was killed
            }
            endpoint.completeExceptionally(new IllegalStateException("chromium exited without a DevTools endpoint"));
        }, "chromium-output");
        drain.setDaemon(true);
        drain.start();
        String url = endpoint.get(remainingMillis(), TimeUnit.MILLISECONDS);
        devtools = HttpClient.newHttpClient().newWebSocketBuilder()
                .connectTimeout(Duration.ofMillis(remainingMillis()))
                .buildAsync(URI.create(url), new Replies())
                .get(remainingMillis(), TimeUnit.MILLISECONDS);
    }

    /** Collects DevTools replies (text messages, possibly in parts) and completes their requests. */
    private final class Replies implements WebSocket.Listener {
        private final StringBuilder message = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            message.append(data);
            if (last) {
                String whole = message.toString();
                message.setLength(0);
                Matcher m = ID.matcher(whole);
                if (m.find()) {
                    CompletableFuture<String> f = pending.remove(Integer.parseInt(m.group(1)));
                    if (f != null) {
                        f.complete(whole);
                    }
                }
            }
            ws.request(1);
            return null;
        }
    }

    /** Sends one DevTools command and returns its reply, raw JSON. */
    String call(String method, String paramsJson, String sessionId) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<String> reply = new CompletableFuture<>();
        pending.put(id, reply);
        String msg = "{\"id\":" + id + (sessionId == null ? "" : ",\"sessionId\":\"" + sessionId + "\"")
                + ",\"method\":\"" + method + "\",\"params\":" + paramsJson + "}";
        devtools.sendText(msg, true).get(remainingMillis(), TimeUnit.MILLISECONDS);
        return reply.get(remainingMillis(), TimeUnit.MILLISECONDS);
    }

    /** Opens {@code url} in a new tab; returns the DevTools session attached to it. */
    String open(String url) throws Exception {
        String target = field(call("Target.createTarget", "{\"url\":\"" + url + "\"}", null), "targetId");
        return field(call("Target.attachToTarget", "{\"targetId\":\"" + target + "\",\"flatten\":true}", null), "sessionId");
    }

    /**
     * Evaluates {@code expression} (which may return a promise) in the page and returns its string
     * value. A page still navigating destroys the context the expression runs in: it is evaluated
     * again in the new one, until the deadline.
     */
    String evaluateString(String session, String expression) throws Exception {
        String params = "{\"expression\":" + jsonString(expression) + ",\"awaitPromise\":true,\"returnByValue\":true}";
        while (true) {
            String reply = call("Runtime.evaluate", params, session);
            Matcher m = Pattern.compile("\"type\":\"string\",\"value\":(\"(?:[^\"\\\\]|\\\\.)*\")").matcher(reply);
            if (m.find()) {
                return unquote(m.group(1));
            }
            if (remainingMillis() <= 1) {
                throw new AssertionError("no string from the page: " + reply);
            }
            // the context was destroyed by a navigation (or the page is not there yet): evaluate again
        }
    }

    private long remainingMillis() {
        long left = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
        if (left <= 0) {
            throw new AssertionError("headless chromium: deadline passed; its output:\n" + log);
        }
        return left;
    }

    /** What the browser printed, for failure messages. */
    String log() {
        return log.toString();
    }

    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\"([^\"]+)\"").matcher(json);
        if (!m.find()) {
            throw new AssertionError("no " + name + " in " + json);
        }
        return m.group(1);
    }

    private static String jsonString(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    private static String unquote(String json) {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i < json.length() - 1; i++) {
            char c = json.charAt(i);
            if (c == '\\') {
                char n = json.charAt(++i);
                if (n == 'u') {
                    b.append((char) Integer.parseInt(json.substring(i + 1, i + 5), 16));
                    i += 4;
                } else {
                    b.append(n == 'n' ? '\n' : n == 't' ? '\t' : n);
                }
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    @Override
    public void close() {
        if (devtools != null) {
            devtools.abort();
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
