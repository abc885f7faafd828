package io.gnetj.examples.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.examples.ExternalClient;
import io.gnetj.examples.ExternalClient.Result;
import io.gnetj.examples.RunningServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The redis example on a real engine, driven by redis-cli, redis-benchmark and a raw socket. */
class RedisIntegrationTest {

    private static RunningServer server;

    @BeforeAll
    static void start() throws IOException {
        server = RunningServer.start(new RedisExample());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** One redis-cli call, formatted output ({@code (integer) 1}, {@code (nil)}). */
    private static String cli(String... args) throws Exception {
        ExternalClient.require("redis-cli", "redis-tools");
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p",
                Integer.toString(server.port()), "--no-raw"));
        cmd.addAll(List.of(args));
        Result r = ExternalClient.run(Duration.ofSeconds(20), cmd);
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        return r.stdout().strip();
    }

    @Test
    void redisCliRoundTripsEveryCommand() throws Exception {
        assertThat(cli("FLUSHALL")).isEqualTo("OK");
        assertThat(cli("PING")).isEqualTo("PONG");
        assertThat(cli("PING", "hello")).isEqualTo("\"hello\"");
        assertThat(cli("ECHO", "a b")).isEqualTo("\"a b\"");
        assertThat(cli("SET", "k", "v")).isEqualTo("OK");
        assertThat(cli("GET", "k")).isEqualTo("\"v\"");
        assertThat(cli("SET", "k", "w", "NX")).isEqualTo("(nil)");
        assertThat(cli("SET", "k", "w", "XX", "EX", "100")).isEqualTo("OK");
        assertThat(cli("TTL", "k")).isEqualTo("(integer) 100");
        assertThat(cli("SET", "p", "1", "PX", "100000")).isEqualTo("OK");
        assertThat(cli("EXPIRE", "p", "50")).isEqualTo("(integer) 1");
        assertThat(cli("TTL", "p")).isEqualTo("(integer) 50");
        assertThat(cli("EXISTS", "k", "p", "none")).isEqualTo("(integer) 2");
        assertThat(cli("DEL", "p", "none")).isEqualTo("(integer) 1");
        assertThat(cli("INCR", "n")).isEqualTo("(integer) 1");
        assertThat(cli("INCRBY", "n", "9")).isEqualTo("(integer) 10");
        assertThat(cli("DECR", "n")).isEqualTo("(integer) 9");
        assertThat(cli("MSET", "a", "1", "b", "2")).isEqualTo("OK");
        assertThat(cli("MGET", "a", "b", "c")).isEqualTo("1) \"1\"\n2) \"2\"\n3) (nil)");
        assertThat(cli("DBSIZE")).isEqualTo("(integer) 4");
        assertThat(cli("RPUSH", "l", "x", "y")).isEqualTo("(integer) 2");
        assertThat(cli("LPUSH", "l", "w")).isEqualTo("(integer) 3");
        assertThat(cli("LRANGE", "l", "0", "-1")).isEqualTo("1) \"w\"\n2) \"x\"\n3) \"y\"");
        assertThat(cli("LPOP", "l")).isEqualTo("\"w\"");
        assertThat(cli("RPOP", "l")).isEqualTo("\"y\"");
        assertThat(cli("GET", "l")).isEqualTo("(error) WRONGTYPE Operation against a key holding the wrong kind of value");
        assertThat(cli("GET")).isEqualTo("(error) ERR wrong number of arguments for 'get' command");
        assertThat(cli("INCR", "k")).isEqualTo("(error) ERR value is not an integer or out of range");
        assertThat(cli("FOO", "a")).isEqualTo("(error) ERR unknown command 'FOO', with args beginning with: 'a'");
        assertThat(cli("SELECT", "0")).isEqualTo("OK");
        assertThat(cli("CONFIG", "GET", "appendonly")).isEqualTo("1) \"appendonly\"\n2) \"no\"");
        assertThat(cli("COMMAND", "DOCS")).isEqualTo("(empty array)");
        assertThat(cli("FLUSHALL")).isEqualTo("OK");
        assertThat(cli("DBSIZE")).isEqualTo("(integer) 0");
    }

    /** The commands of issue 14, each through redis-cli; keys under {@code i14:} so other tests' keys do not matter. */
    @Test
    void redisCliRunsTheCommandsUsersTypeFirst() throws Exception {
        assertThat(cli("SET", "i14:s", "v")).isEqualTo("OK");
        assertThat(cli("APPEND", "i14:s", "xx")).isEqualTo("(integer) 3");
        assertThat(cli("GET", "i14:s")).isEqualTo("\"vxx\"");
        assertThat(cli("SETEX", "i14:t", "100", "v")).isEqualTo("OK");
        assertThat(cli("TTL", "i14:t")).isEqualTo("(integer) 100");
        assertThat(cli("PERSIST", "i14:t")).isEqualTo("(integer) 1");
        assertThat(cli("TTL", "i14:t")).isEqualTo("(integer) -1");
        assertThat(cli("SETEX", "i14:t", "0", "v")).isEqualTo("(error) ERR invalid expire time in 'setex' command");
        assertThat(cli("HSET", "i14:h", "name", "gnetj", "lang", "java")).isEqualTo("(integer) 2");
        assertThat(cli("HSET", "i14:h", "lang", "Java")).isEqualTo("(integer) 0");
        assertThat(cli("HGET", "i14:h", "lang")).isEqualTo("\"Java\"");
        assertThat(cli("HGETALL", "i14:h")).isEqualTo("1) \"name\"\n2) \"gnetj\"\n3) \"lang\"\n4) \"Java\"");
        assertThat(cli("HLEN", "i14:h")).isEqualTo("(integer) 2");
        assertThat(cli("HDEL", "i14:h", "name", "nope")).isEqualTo("(integer) 1");
        assertThat(cli("HSET", "i14:h", "odd")).isEqualTo("(error) ERR wrong number of arguments for 'hset' command");
        assertThat(cli("GET", "i14:h")).isEqualTo("(error) WRONGTYPE Operation against a key holding the wrong kind of value");
        assertThat(cli("HGET", "i14:s", "f")).isEqualTo("(error) WRONGTYPE Operation against a key holding the wrong kind of value");
        assertThat(cli("RPUSH", "i14:l", "a")).isEqualTo("(integer) 1");
        assertThat(cli("TYPE", "i14:s")).isEqualTo("string");
        assertThat(cli("TYPE", "i14:l")).isEqualTo("list");
        assertThat(cli("TYPE", "i14:h")).isEqualTo("hash");
        assertThat(cli("TYPE", "i14:none")).isEqualTo("none");
        assertThat(sortedLines(cli("KEYS", "i14:[sh]"))).containsExactly("\"i14:h\"", "\"i14:s\"");
        assertThat(cli("KEYS", "i14:x*")).isEqualTo("(empty array)");
        // redis-cli --scan follows the cursor until it comes back to 0.
        assertThat(sortedLines(cli("--scan", "--pattern", "i14:*")))
                .containsExactly("\"i14:h\"", "\"i14:l\"", "\"i14:s\"", "\"i14:t\"");
        assertThat(cli("SCAN", "0", "MATCH", "i14:*", "TYPE", "hash", "COUNT", "1000"))
                .isEqualTo("1) \"0\"\n2) 1) \"i14:h\"");
        assertThat(cli("SCAN", "nope")).isEqualTo("(error) ERR invalid cursor");
        assertThat(cli("CONFIG", "GET", "maxmemory")).isEqualTo("1) \"maxmemory\"\n2) \"0\"");
        assertThat(cli("CONFIG", "GET", "no-such-parameter")).isEqualTo("(empty array)");
        assertThat(cli("DEL", "i14:s", "i14:t", "i14:h", "i14:l")).isEqualTo("(integer) 4");
    }

    /** A scan of many keys with redis-cli's own cursor loop: every key once. */
    @Test
    void redisCliScanVisitsEveryKey() throws Exception {
        StringBuilder sets = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            sets.append("SET i14scan:").append(i).append(" v\n");
        }
        ExternalClient.require("redis-cli", "redis-tools");
        Result load = ExternalClient.run(Duration.ofSeconds(20), List.of("redis-cli", "-h", "127.0.0.1", "-p",
                Integer.toString(server.port())), sets.toString().getBytes(StandardCharsets.US_ASCII));
        assertThat(load.exitCode()).as(load.stderr()).isZero();
        List<String> keys = cli("--scan", "--pattern", "i14scan:*").lines().collect(Collectors.toList());
        assertThat(keys).hasSize(500).doesNotHaveDuplicates();
        assertThat(cli("KEYS", "i14scan:49?").lines()).hasSize(10);
    }

    private static List<String> sortedLines(String s) {
        return s.lines().map(l -> l.replaceFirst("^\\d+\\) ", "")).sorted().collect(Collectors.toList());
    }

    @Test
    void redisBenchmarkRunsWithoutErrors() throws Exception {
        ExternalClient.require("redis-benchmark", "redis-tools");
        Result r = ExternalClient.run(Duration.ofSeconds(180), List.of("redis-benchmark", "-h", "127.0.0.1",
                "-p", Integer.toString(server.port()), "-t", "ping,set,get,incr,lpush,rpush,lpop,rpop,mset,lrange_100,hset",
                "-n", "20000", "-P", "16", "-q"));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        String all = r.stdout() + r.stderr();
        assertThat(all).doesNotContainIgnoringCase("error").doesNotContain("WARNING");
        for (String test : List.of("PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "LPUSH", "RPUSH", "LPOP",
                "RPOP", "LRANGE_100", "MSET", "HSET")) {
            assertThat(all).as(test).containsPattern("(?m)^\\s*" + test + "[^\\n]*: [0-9.]+ requests per second");
        }
        System.out.println("redis-benchmark -P 16 -n 20000:\n" + r.stdout().replaceAll("[^\\n]*\\r", ""));
    }

    @Test
    void protocolErrorIsAnsweredThenTheConnectionClosed() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("PING\r\n*1\r\n$abc\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII))
                    .isEqualTo("+PONG\r\n-ERR Protocol error: invalid bulk length\r\n");
        }
    }
}
