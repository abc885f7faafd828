package io.gnetj;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.buffer.BufferPool;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Books kept by the fault-injection tests, checked once the engine has stopped: every
 * {@code onOpen} has exactly one {@code onClose}, every callback handed to the engine ran exactly
 * once, no pooled byte is still lent out, no {@code gnetj-} thread is left.
 *
 * <p>Threading: any thread.
 */
final class Ledger {

    private final Map<Conn, AtomicInteger> opens = new ConcurrentHashMap<>();
    private final Map<Conn, AtomicInteger> closes = new ConcurrentHashMap<>();
    private final Map<Conn, Throwable> causes = new ConcurrentHashMap<>();
    private final AtomicIntegerArray callbackRuns;
    private final AtomicInteger callbacksIssued = new AtomicInteger();
    private final AtomicInteger callbackFailures = new AtomicInteger();
    private final Set<String> threadsBefore = TestServers.gnetjThreads();

    /** @param maxCallbacks the most callbacks {@link #callback()} will hand out */
    Ledger(int maxCallbacks) {
        this.callbackRuns = new AtomicIntegerArray(maxCallbacks);
    }

    void opened(Conn conn) {
        opens.computeIfAbsent(conn, c -> new AtomicInteger()).incrementAndGet();
    }

    void closed(Conn conn, Throwable cause) {
        closes.computeIfAbsent(conn, c -> new AtomicInteger()).incrementAndGet();
        if (cause != null) {
            causes.put(conn, cause);
        }
    }

    int openCount() {
        return opens.size();
    }

    int closeCount() {
        return closes.size();
    }

    /** The cause {@code onClose} was given for {@code conn}, or {@code null}. */
    Throwable causeOf(Conn conn) {
        return causes.get(conn);
    }

    Map<Conn, Throwable> causes() {
        return causes;
    }

    /** Whether {@link #callback()} can hand out another callback. */
    boolean hasRoom() {
        return callbacksIssued.get() < callbackRuns.length() - 1024; // room for racing issuers and a last round
    }

    /** A fresh callback whose runs are counted; fails if more than the ledger's capacity are asked for. */
    Callback callback() {
        int id = callbacksIssued.getAndIncrement();
        if (id >= callbackRuns.length()) {
            throw new IllegalStateException("ledger full: " + callbackRuns.length() + " callbacks");
        }
        return (conn, error) -> {
            if (error != null) {
                callbackFailures.incrementAndGet();
            }
            callbackRuns.incrementAndGet(id);
        };
    }

    int callbacksIssued() {
        return Math.min(callbacksIssued.get(), callbackRuns.length());
    }

    int callbackFailures() {
        return callbackFailures.get();
    }

    /** Every invariant, for after {@link Engine#stop()} returned and every other thread posting to it ended. */
    void assertBalanced(Engine engine, BufferPool pool) {
        assertThat(engine.isRunning()).as("engine running after stop").isFalse();
        assertThat(engine.countConnections()).as("connections counted after stop").isZero();
        List<String> unbalanced = new ArrayList<>();
        for (Map.Entry<Conn, AtomicInteger> e : opens.entrySet()) {
            AtomicInteger closed = closes.get(e.getKey());
            if (e.getValue().get() != 1 || closed == null || closed.get() != 1) {
                unbalanced.add(e.getKey() + ": onOpen x" + e.getValue().get() + ", onClose x" + (closed == null ? 0 : closed.get()));
            }
        }
        for (Conn c : closes.keySet()) {
            if (!opens.containsKey(c)) {
                unbalanced.add(c + ": onClose without onOpen");
            }
        }
        assertThat(unbalanced).as("connections without exactly one onOpen and one onClose").isEmpty();
        List<String> wrongRuns = new ArrayList<>();
        int issued = callbacksIssued();
        for (int i = 0; i < issued; i++) {
            int runs = callbackRuns.get(i);
            if (runs != 1 && wrongRuns.size() < 20) {
                wrongRuns.add("callback " + i + " ran " + runs + " times");
            }
        }
        assertThat(wrongRuns).as("callbacks (of %d issued) that did not run exactly once", issued).isEmpty();
        assertThat(pool.inUseBytes()).as("pooled bytes still lent out after stop").isZero();
        assertThat(TestServers.gnetjThreads()).as("gnetj threads alive after stop").isSubsetOf(threadsBefore);
    }
}
