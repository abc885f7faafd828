package io.gnetj.examples.redis;

import static io.gnetj.examples.TextConns.output;
import static io.gnetj.examples.TextConns.receive;
import static io.gnetj.examples.redis.RedisCommandsTest.parse;
import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.testing.MemoryConn;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * SCAN: its replies and errors as Redis 7's, and its guarantee (every key present for the whole
 * scan is returned at least once) while other keys come and go, the map resizes, and, in the
 * last test, another thread writes all along.
 */
class ScanCommandTest {

    private final AtomicLong clock = new AtomicLong(1_700_000_000_000L);

    /** One command as a multibulk on {@code conn}; the reply. */
    private static String call(MemoryConn conn, String... args) {
        StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            sb.append('$').append(a.getBytes(StandardCharsets.ISO_8859_1).length).append("\r\n").append(a).append("\r\n");
        }
        receive(conn, sb.toString());
        return output(conn);
    }

    private MemoryConn connTo(Keyspace keyspace) {
        return new MemoryConn(new RedisHandler(keyspace, 1024 * 1024, 1024)).open();
    }

    /** One SCAN page: the next cursor and the keys. */
    private record Page(String cursor, List<String> keys) {
    }

    @SuppressWarnings("unchecked")
    private static Page scan(MemoryConn conn, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "SCAN";
        System.arraycopy(args, 0, all, 1, args.length);
        String reply = call(conn, all);
        assertThat(reply).as("SCAN %s", String.join(" ", args)).startsWith("*2\r\n");
        List<Object> parts = (List<Object>) parse(reply);
        return new Page((String) parts.get(0), (List<String>) parts.get(1));
    }

    @Test
    void pagesThroughEveryKeyOnceAndEndsAtCursorZero() {
        MemoryConn conn = connTo(new Keyspace(clock::get));
        Set<String> all = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            call(conn, "SET", "key:" + i, "v");
            all.add("key:" + i);
        }
        List<String> seen = new ArrayList<>();
        String cursor = "0";
        int pages = 0;
        do {
            Page page = scan(conn, cursor, "COUNT", "3");
            assertThat(page.keys()).as("page %d", pages).hasSizeLessThanOrEqualTo(3);
            seen.addAll(page.keys());
            cursor = page.cursor();
            assertThat(++pages).as("pages before the cursor came back to 0").isLessThanOrEqualTo(50);
        } while (!cursor.equals("0"));
        assertThat(seen).as("each key once: pages cover disjoint position ranges").containsExactlyInAnyOrderElementsOf(all);
        Page whole = scan(conn, "0", "COUNT", "1000");
        assertThat(whole.cursor()).isEqualTo("0");
        assertThat(whole.keys()).containsExactlyInAnyOrderElementsOf(all);
        assertThat(scan(conn, "0").keys()).as("COUNT defaults to 10").hasSize(10);
    }

    @Test
    void anEmptyKeyspaceIsOnePageAndDone() {
        MemoryConn conn = connTo(new Keyspace(clock::get));
        assertThat(call(conn, "SCAN", "0")).isEqualTo("*2\r\n$1\r\n0\r\n*0\r\n");
    }

    @Test
    void everyKeyPresentThroughoutIsReturnedWhileOthersComeAndGo() {
        Keyspace keyspace = new Keyspace(clock::get);
        MemoryConn conn = connTo(keyspace);
        Set<String> stable = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            call(conn, "SET", "stable:" + i, "v");
            stable.add("stable:" + i);
        }
        Set<String> seen = new HashSet<>();
        String cursor = "0";
        int pages = 0;
        int added = 0;
        do {
            Page page = scan(conn, cursor, "COUNT", "7");
            seen.addAll(page.keys());
            cursor = page.cursor();
            // Between the first 50 pages: a burst of new keys (2,000 in all: the map's table grows
            // from 512 bins to 4,096), and some deleted.
            if (pages < 50) {
                for (int i = 0; i < 40; i++) {
                    call(conn, "SET", "churn:" + added++, "v");
                }
            }
            call(conn, "DEL", "churn:" + (added - 3 - pages), "churn:" + (added - 17 - pages));
            pages++;
        } while (!cursor.equals("0") && pages < 10_000);
        assertThat(cursor).as("the scan ended").isEqualTo("0");
        assertThat(seen).containsAll(stable);
        assertThat(seen).as("keys that did not exist are never made up")
                .allMatch(k -> k.startsWith("stable:") || k.startsWith("churn:"));
    }

    @Test
    void keysSharingAPositionComeOnOnePageEvenPastCount() {
        // Position = the key's first byte: every "a..." key shares one position.
        Keyspace keyspace = new Keyspace(clock::get, new KeyScan(key -> key[0]));
        MemoryConn conn = connTo(keyspace);
        call(conn, "MSET", "a1", "v", "a2", "v", "a3", "v", "a4", "v", "b1", "v", "c1", "v");
        Page first = scan(conn, "0", "COUNT", "2");
        assertThat(first.keys()).containsExactlyInAnyOrder("a1", "a2", "a3", "a4");
        assertThat(first.cursor()).isEqualTo(Long.toString('a' + 1));
        Page second = scan(conn, first.cursor(), "COUNT", "2");
        assertThat(second.keys()).containsExactlyInAnyOrder("b1", "c1");
        assertThat(second.cursor()).isEqualTo("0");
        assertThat(scan(conn, Long.toString('c'), "COUNT", "1")).as("a cursor is a position: any value is valid")
                .isEqualTo(new Page("0", List.of("c1")));
    }

    @Test
    void theLargestPositionEndsTheScan() {
        Keyspace keyspace = new Keyspace(clock::get, new KeyScan(key -> key[0] == 'z' ? -1L : key[0]));
        MemoryConn conn = connTo(keyspace);
        call(conn, "MSET", "a", "v", "z", "v");
        assertThat(scan(conn, "0", "COUNT", "1")).isEqualTo(new Page(Long.toString('a' + 1), List.of("a")));
        assertThat(scan(conn, "98", "COUNT", "1")).as("position 2^64 - 1: the cursor cannot go past it")
                .isEqualTo(new Page("0", List.of("z")));
        assertThat(scan(conn, "-1")).as("-1 is 2^64 - 1, as C's strtoul reads it")
                .isEqualTo(new Page("0", List.of("z")));
        assertThat(scan(conn, "18446744073709551615")).isEqualTo(new Page("0", List.of("z")));
    }

    @Test
    void matchAndTypeFilterBeforeAPageIsCut() {
        MemoryConn conn = connTo(new Keyspace(clock::get));
        for (int i = 0; i < 20; i++) {
            call(conn, "SET", "other:" + i, "v");
        }
        call(conn, "MSET", "user:1", "v", "user:2", "v");
        call(conn, "RPUSH", "user:list", "x");
        call(conn, "HSET", "user:hash", "f", "v");
        call(conn, "SET", "user:gone", "v", "PX", "10");
        clock.addAndGet(10);
        Page users = scan(conn, "0", "MATCH", "user:*", "COUNT", "4");
        assertThat(users.keys()).as("all four on the first page: non-matching keys take no room")
                .containsExactlyInAnyOrder("user:1", "user:2", "user:list", "user:hash");
        assertThat(users.cursor()).isEqualTo("0");
        assertThat(scan(conn, "0", "TYPE", "hash").keys()).containsExactly("user:hash");
        assertThat(scan(conn, "0", "type", "LIST", "match", "user:*").keys()).containsExactly("user:list");
        assertThat(scan(conn, "0", "MATCH", "user:?", "TYPE", "string", "COUNT", "100").keys())
                .containsExactlyInAnyOrder("user:1", "user:2");
        assertThat(scan(conn, "0", "TYPE", "zset").keys()).as("an unknown type matches nothing, as in Redis 7.0").isEmpty();
        assertThat(scan(conn, "0", "COUNT", "100", "MATCH", "x*", "MATCH", "user:?").keys())
                .as("the last option of a kind wins").containsExactlyInAnyOrder("user:1", "user:2");
    }

    @Test
    void cursorsAndOptionsAreCheckedAsRedisChecksThem() {
        MemoryConn conn = connTo(new Keyspace(clock::get));
        call(conn, "SET", "k", "v");
        String invalid = "-ERR invalid cursor\r\n";
        for (String bad : new String[] {"x", "+", "-", " 1", "1 ", "\t1", "0x10", "1e3", "18446744073709551616",
                "99999999999999999999", "-18446744073709551616"}) {
            assertThat(call(conn, "SCAN", bad)).as("cursor '%s'", bad).isEqualTo(invalid);
        }
        for (String zero : new String[] {"", "00", "+0", "-0", "\u0000", "0\u0000junk"}) {
            assertThat(scan(conn, zero).keys()).as("cursor '%s' reads as 0", zero).containsExactly("k");
        }
        assertThat(call(conn, "SCAN", "x", "COUNT", "0")).as("the cursor is checked first").isEqualTo(invalid);
        assertThat(call(conn, "SCAN", "0", "COUNT", "0")).isEqualTo("-ERR syntax error\r\n");
        assertThat(call(conn, "SCAN", "0", "COUNT", "-1")).isEqualTo("-ERR syntax error\r\n");
        assertThat(call(conn, "SCAN", "0", "COUNT", "x")).isEqualTo("-ERR value is not an integer or out of range\r\n");
        assertThat(call(conn, "SCAN", "0", "MATCH")).isEqualTo("-ERR syntax error\r\n");
        assertThat(call(conn, "SCAN", "0", "MATCH", "a", "COUNT")).isEqualTo("-ERR syntax error\r\n");
        assertThat(call(conn, "SCAN", "0", "FOO", "bar")).isEqualTo("-ERR syntax error\r\n");
        assertThat(scan(conn, "0", "COUNT", "9223372036854775807").keys()).containsExactly("k");
        assertThat(call(conn, "SCAN")).isEqualTo("-ERR wrong number of arguments for 'scan' command\r\n");
    }

    @Test
    void aScanRacingAWriterThreadStillReturnsEveryStableKey() throws Exception {
        Keyspace keyspace = new Keyspace(); // the real clock: nothing here expires
        long now = keyspace.now();
        Set<String> stable = new HashSet<>();
        for (int i = 0; i < 2_000; i++) {
            keyspace.put(key("stable:" + i), new byte[] {1});
            stable.add("stable:" + i);
        }
        AtomicBoolean scanning = new AtomicBoolean(true);
        AtomicReference<Throwable> writerFailed = new AtomicReference<>();
        CountDownLatch writerStarted = new CountDownLatch(1);
        Thread writer = new Thread(() -> {
            try {
                writerStarted.countDown();
                ThreadLocalRandom random = ThreadLocalRandom.current();
                // Bounded: at most 100,000 rounds, so the scan always catches up and ends.
                for (int i = 0; i < 100_000 && scanning.get(); i++) {
                    keyspace.put(key("churn:" + random.nextInt(5_000)), new byte[] {2});
                    keyspace.delete(key("churn:" + random.nextInt(5_000)), now);
                    keyspace.expire(key("stable:" + random.nextInt(2_000)), now + 3_600_000, 0, now);
                }
            } catch (Throwable t) {
                writerFailed.set(t);
            }
        }, "scan-test-writer");
        writer.start();
        assertThat(writerStarted.await(10, TimeUnit.SECONDS)).as("writer thread started").isTrue();
        Set<String> seen = new HashSet<>();
        long cursor = 0;
        int pages = 0;
        try {
            do {
                KeyScan.Page page = keyspace.scan(cursor, 50, null, null, now);
                for (byte[] k : page.keys) {
                    seen.add(new String(k, StandardCharsets.ISO_8859_1));
                }
                cursor = page.cursor;
                pages++;
            } while (cursor != 0 && pages < 100_000);
        } finally {
            scanning.set(false);
            writer.join(TimeUnit.SECONDS.toMillis(30));
        }
        assertThat(writer.isAlive()).as("writer thread stopped").isFalse();
        assertThat(writerFailed.get()).as("writer thread failure").isNull();
        assertThat(cursor).as("the scan ended within 100,000 pages").isZero();
        assertThat(seen).containsAll(stable);
    }

    private static Key key(String s) {
        return new Key(s.getBytes(StandardCharsets.ISO_8859_1));
    }
}
