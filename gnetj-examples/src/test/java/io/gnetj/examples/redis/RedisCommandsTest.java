package io.gnetj.examples.redis;

import static io.gnetj.examples.TextConns.output;
import static io.gnetj.examples.TextConns.receive;
import static org.assertj.core.api.Assertions.assertThat;

import io.gnetj.Action;
import io.gnetj.testing.MemoryConn;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Command semantics and exact replies, through the handler without a socket. */
class RedisCommandsTest {

    private final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
    private final Keyspace keyspace = new Keyspace(clock::get);
    private final RedisHandler handler = new RedisHandler(keyspace, 1024 * 1024, 1024);
    private final MemoryConn conn = new MemoryConn(handler).open();

    /** Sends one command as a multibulk and returns the reply. */
    private String call(String... args) {
        receive(conn, encode(args));
        return output(conn);
    }

    private static String encode(String... args) {
        StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            sb.append('$').append(a.getBytes(StandardCharsets.ISO_8859_1).length).append("\r\n").append(a).append("\r\n");
        }
        return sb.toString();
    }

    private static String bulk(String s) {
        return "$" + s.length() + "\r\n" + s + "\r\n";
    }

    private static final String OK = "+OK\r\n";
    private static final String NIL = "$-1\r\n";
    private static final String WRONGTYPE = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
    private static final String NOT_INTEGER = "-ERR value is not an integer or out of range\r\n";

    private static String arity(String cmd) {
        return "-ERR wrong number of arguments for '" + cmd + "' command\r\n";
    }

    /** The RESP reply {@code reply} as Java values: String (simple or bulk), Long, List, or null. */
    static Object parse(String reply) {
        int[] at = {0};
        Object v = parse(reply, at);
        assertThat(at[0]).as("one reply in %s", reply).isEqualTo(reply.length());
        return v;
    }

    private static Object parse(String s, int[] at) {
        int eol = s.indexOf("\r\n", at[0]);
        char type = s.charAt(at[0]);
        String head = s.substring(at[0] + 1, eol);
        at[0] = eol + 2;
        switch (type) {
            case '+':
                return head;
            case ':':
                return Long.parseLong(head);
            case '$': {
                int n = Integer.parseInt(head);
                if (n < 0) {
                    return null;
                }
                String bulk = s.substring(at[0], at[0] + n);
                at[0] += n + 2;
                return bulk;
            }
            case '*': {
                List<Object> items = new ArrayList<>();
                for (int i = Integer.parseInt(head); i > 0; i--) {
                    items.add(parse(s, at));
                }
                return items;
            }
            default:
                throw new AssertionError("not a reply: " + s);
        }
    }

    /** The bulk strings of an array reply, in order. */
    @SuppressWarnings("unchecked")
    static List<String> strings(String reply) {
        return (List<String>) parse(reply);
    }

    @Test
    void pingAndEcho() {
        assertThat(call("PING")).isEqualTo("+PONG\r\n");
        assertThat(call("ping", "hi")).isEqualTo(bulk("hi"));
        assertThat(call("PING", "a", "b")).isEqualTo(arity("ping"));
        assertThat(call("ECHO", "x y")).isEqualTo(bulk("x y"));
        assertThat(call("ECHO")).isEqualTo(arity("echo"));
        receive(conn, "PING\r\n");
        assertThat(output(conn)).isEqualTo("+PONG\r\n");
    }

    @Test
    void setAndGet() {
        assertThat(call("GET", "k")).isEqualTo(NIL);
        assertThat(call("SET", "k", "v")).isEqualTo(OK);
        assertThat(call("GET", "k")).isEqualTo(bulk("v"));
        assertThat(call("get")).isEqualTo(arity("get"));
        assertThat(call("GET", "a", "b")).isEqualTo(arity("get"));
        assertThat(call("SET", "k")).isEqualTo(arity("set"));
    }

    @Test
    void setNxAndXx() {
        assertThat(call("SET", "k", "1", "XX")).isEqualTo(NIL);
        assertThat(call("SET", "k", "1", "NX")).isEqualTo(OK);
        assertThat(call("SET", "k", "2", "NX")).isEqualTo(NIL);
        assertThat(call("SET", "k", "3", "xx")).isEqualTo(OK);
        assertThat(call("GET", "k")).isEqualTo(bulk("3"));
        assertThat(call("SET", "k", "4", "NX", "XX")).isEqualTo("-ERR syntax error\r\n");
        assertThat(call("SET", "k", "5", "GET")).isEqualTo(bulk("3"));
        assertThat(call("SET", "new", "5", "NX", "GET")).isEqualTo(NIL);
        assertThat(call("GET", "new")).isEqualTo(bulk("5"));
    }

    @Test
    void setExPxAndKeepTtl() {
        assertThat(call("SET", "k", "v", "EX", "10")).isEqualTo(OK);
        assertThat(call("TTL", "k")).isEqualTo(":10\r\n");
        assertThat(call("PTTL", "k")).isEqualTo(":10000\r\n");
        assertThat(call("SET", "k", "v2", "KEEPTTL")).isEqualTo(OK);
        assertThat(call("TTL", "k")).isEqualTo(":10\r\n");
        assertThat(call("SET", "k", "v3")).isEqualTo(OK);
        assertThat(call("TTL", "k")).isEqualTo(":-1\r\n");
        assertThat(call("SET", "p", "v", "PX", "1500")).isEqualTo(OK);
        assertThat(call("TTL", "p")).isEqualTo(":2\r\n"); // rounded, as Redis does
        clock.addAndGet(1499);
        assertThat(call("GET", "p")).isEqualTo(bulk("v"));
        clock.addAndGet(1);
        assertThat(call("GET", "p")).isEqualTo(NIL);
        assertThat(call("SET", "k", "v", "EX", "0")).isEqualTo("-ERR invalid expire time in 'set' command\r\n");
        assertThat(call("SET", "k", "v", "EX", "-5")).isEqualTo("-ERR invalid expire time in 'set' command\r\n");
        assertThat(call("SET", "k", "v", "EX", "ten")).isEqualTo(NOT_INTEGER);
        assertThat(call("SET", "k", "v", "EX")).isEqualTo("-ERR syntax error\r\n");
        assertThat(call("SET", "k", "v", "EX", "1", "PX", "1")).isEqualTo("-ERR syntax error\r\n");
        assertThat(call("SET", "k", "v", "KEEPTTL", "EX", "1")).isEqualTo("-ERR syntax error\r\n");
        assertThat(call("SET", "k", "v", "BOGUS")).isEqualTo("-ERR syntax error\r\n");
    }

    @Test
    void delAndExists() {
        call("SET", "a", "1");
        call("SET", "b", "2");
        assertThat(call("EXISTS", "a", "b", "a", "c")).isEqualTo(":3\r\n");
        assertThat(call("DEL", "a", "c")).isEqualTo(":1\r\n");
        assertThat(call("EXISTS", "a")).isEqualTo(":0\r\n");
        assertThat(call("DEL")).isEqualTo(arity("del"));
    }

    @Test
    void incrementsAndDecrements() {
        assertThat(call("INCR", "n")).isEqualTo(":1\r\n");
        assertThat(call("INCRBY", "n", "41")).isEqualTo(":42\r\n");
        assertThat(call("DECR", "n")).isEqualTo(":41\r\n");
        assertThat(call("DECRBY", "n", "50")).isEqualTo(":-9\r\n");
        assertThat(call("GET", "n")).isEqualTo(bulk("-9"));
        call("SET", "s", "abc");
        assertThat(call("INCR", "s")).isEqualTo(NOT_INTEGER);
        assertThat(call("INCRBY", "n", "x")).isEqualTo(NOT_INTEGER);
        call("SET", "max", Long.toString(Long.MAX_VALUE));
        assertThat(call("INCR", "max")).isEqualTo("-ERR increment or decrement would overflow\r\n");
        assertThat(call("INCRBY", "n")).isEqualTo(arity("incrby"));
    }

    @Test
    void incrKeepsTheExpiry() {
        call("SET", "n", "1", "EX", "100");
        call("INCR", "n");
        assertThat(call("TTL", "n")).isEqualTo(":100\r\n");
    }

    @Test
    void mgetAndMset() {
        assertThat(call("MSET", "a", "1", "b", "2")).isEqualTo(OK);
        call("RPUSH", "l", "x");
        assertThat(call("MGET", "a", "missing", "b", "l")).isEqualTo("*4\r\n" + bulk("1") + NIL + bulk("2") + NIL);
        assertThat(call("MSET", "a", "1", "b")).isEqualTo(arity("mset"));
    }

    @Test
    void expireAndTtl() {
        assertThat(call("TTL", "k")).isEqualTo(":-2\r\n");
        assertThat(call("EXPIRE", "k", "10")).isEqualTo(":0\r\n");
        call("SET", "k", "v");
        assertThat(call("TTL", "k")).isEqualTo(":-1\r\n");
        assertThat(call("EXPIRE", "k", "10")).isEqualTo(":1\r\n");
        assertThat(call("TTL", "k")).isEqualTo(":10\r\n");
        assertThat(call("EXPIRE", "k", "20", "NX")).isEqualTo(":0\r\n");
        assertThat(call("EXPIRE", "k", "20", "XX")).isEqualTo(":1\r\n");
        assertThat(call("EXPIRE", "k", "5", "GT")).isEqualTo(":0\r\n");
        assertThat(call("EXPIRE", "k", "5", "LT")).isEqualTo(":1\r\n");
        assertThat(call("TTL", "k")).isEqualTo(":5\r\n");
        assertThat(call("PEXPIRE", "k", "2500")).isEqualTo(":1\r\n");
        assertThat(call("PTTL", "k")).isEqualTo(":2500\r\n");
        clock.addAndGet(2500);
        assertThat(call("TTL", "k")).isEqualTo(":-2\r\n");
        call("SET", "k", "v");
        assertThat(call("EXPIRE", "k", "-1")).isEqualTo(":1\r\n");
        assertThat(call("EXISTS", "k")).isEqualTo(":0\r\n");
        assertThat(call("EXPIRE", "k", "x")).isEqualTo(NOT_INTEGER);
        assertThat(call("EXPIRE", "k", "1", "NX", "XX"))
                .isEqualTo("-ERR NX and XX, GT or LT options at the same time are not compatible\r\n");
        assertThat(call("EXPIRE", "k", "1", "GT", "LT"))
                .isEqualTo("-ERR GT and LT options at the same time are not compatible\r\n");
        assertThat(call("EXPIRE", "k", "1", "FOO")).isEqualTo("-ERR Unsupported option FOO\r\n");
        assertThat(call("EXPIRE", "k", "9223372036854775807"))
                .isEqualTo("-ERR invalid expire time in 'expire' command\r\n");
        assertThat(call("TTL")).isEqualTo(arity("ttl"));
    }

    @Test
    void expiredKeysAreSweptAndCountedUntilThen() {
        call("SET", "a", "1", "PX", "10");
        call("SET", "b", "1");
        assertThat(call("DBSIZE")).isEqualTo(":2\r\n");
        clock.addAndGet(10);
        assertThat(keyspace.sweepExpired()).isEqualTo(1);
        assertThat(call("DBSIZE")).isEqualTo(":1\r\n");
    }

    @Test
    void dbsizeAndFlushall() {
        call("MSET", "a", "1", "b", "2");
        assertThat(call("DBSIZE")).isEqualTo(":2\r\n");
        assertThat(call("FLUSHALL")).isEqualTo(OK);
        assertThat(call("DBSIZE")).isEqualTo(":0\r\n");
        assertThat(call("FLUSHALL", "ASYNC")).isEqualTo(OK);
        assertThat(call("FLUSHALL", "NOW")).isEqualTo("-ERR syntax error\r\n");
        assertThat(call("DBSIZE", "x")).isEqualTo(arity("dbsize"));
    }

    @Test
    void listsPushPopAndRange() {
        assertThat(call("RPUSH", "l", "a", "b", "c")).isEqualTo(":3\r\n");
        assertThat(call("LPUSH", "l", "x", "y")).isEqualTo(":5\r\n");
        assertThat(call("LRANGE", "l", "0", "-1"))
                .isEqualTo("*5\r\n" + bulk("y") + bulk("x") + bulk("a") + bulk("b") + bulk("c"));
        assertThat(call("LRANGE", "l", "1", "2")).isEqualTo("*2\r\n" + bulk("x") + bulk("a"));
        assertThat(call("LRANGE", "l", "-2", "100")).isEqualTo("*2\r\n" + bulk("b") + bulk("c"));
        assertThat(call("LRANGE", "l", "4", "1")).isEqualTo("*0\r\n");
        assertThat(call("LRANGE", "l", "9", "10")).isEqualTo("*0\r\n");
        assertThat(call("LRANGE", "missing", "0", "-1")).isEqualTo("*0\r\n");
        assertThat(call("LRANGE", "l", "a", "1")).isEqualTo(NOT_INTEGER);
        assertThat(call("LLEN", "l")).isEqualTo(":5\r\n");
        assertThat(call("LPOP", "l")).isEqualTo(bulk("y"));
        assertThat(call("RPOP", "l")).isEqualTo(bulk("c"));
        assertThat(call("LPOP", "l", "2")).isEqualTo("*2\r\n" + bulk("x") + bulk("a"));
        assertThat(call("RPOP", "l", "5")).isEqualTo("*1\r\n" + bulk("b"));
        assertThat(call("EXISTS", "l")).as("an emptied list is deleted").isEqualTo(":0\r\n");
        assertThat(call("LPOP", "l")).isEqualTo(NIL);
        assertThat(call("LPOP", "l", "2")).isEqualTo("*-1\r\n");
        assertThat(call("LPOP", "l", "-1")).isEqualTo("-ERR value is out of range, must be positive\r\n");
        assertThat(call("LPOP", "l", "1", "2")).isEqualTo(arity("lpop"));
        assertThat(call("LPUSH", "l")).isEqualTo(arity("lpush"));
        assertThat(call("LRANGE", "l", "0")).isEqualTo(arity("lrange"));
    }

    @Test
    void listGrowsPastItsInitialRingBothWays() {
        for (int i = 0; i < 20; i++) {
            call("LPUSH", "l", "L" + i);
            call("RPUSH", "l", "R" + i);
        }
        assertThat(call("LLEN", "l")).isEqualTo(":40\r\n");
        assertThat(call("LRANGE", "l", "0", "0")).isEqualTo("*1\r\n" + bulk("L19"));
        assertThat(call("LRANGE", "l", "-1", "-1")).isEqualTo("*1\r\n" + bulk("R19"));
        assertThat(call("LRANGE", "l", "19", "20")).isEqualTo("*2\r\n" + bulk("L0") + bulk("R0"));
    }

    @Test
    void wrongTypeErrors() {
        call("SET", "s", "v");
        call("RPUSH", "l", "a");
        assertThat(call("GET", "l")).isEqualTo(WRONGTYPE);
        assertThat(call("INCR", "l")).isEqualTo(WRONGTYPE);
        assertThat(call("SET", "l", "x", "GET")).isEqualTo(WRONGTYPE);
        assertThat(call("LPUSH", "s", "a")).isEqualTo(WRONGTYPE);
        assertThat(call("RPOP", "s")).isEqualTo(WRONGTYPE);
        assertThat(call("LRANGE", "s", "0", "1")).isEqualTo(WRONGTYPE);
        assertThat(call("LLEN", "s")).isEqualTo(WRONGTYPE);
        assertThat(call("GET", "s")).isEqualTo(bulk("v"));
        assertThat(call("SET", "l", "now a string")).isEqualTo(OK);
        assertThat(call("GET", "l")).isEqualTo(bulk("now a string"));
    }

    @Test
    void unknownCommandsGetRedisSevenText() {
        assertThat(call("FOO", "a", "b")).isEqualTo("-ERR unknown command 'FOO', with args beginning with: 'a' 'b' \r\n");
        assertThat(call("foo")).isEqualTo("-ERR unknown command 'foo', with args beginning with: \r\n");
        String longArg = "x".repeat(200);
        assertThat(call("NOPE", longArg, "more"))
                .isEqualTo("-ERR unknown command 'NOPE', with args beginning with: '" + "x".repeat(128) + "' \r\n");
    }

    @Test
    void connectionCommandsAnswerHarmlessly() {
        assertThat(call("SELECT", "0")).isEqualTo(OK);
        assertThat(call("SELECT", "1")).isEqualTo("-ERR DB index is out of range\r\n");
        assertThat(call("SELECT", "x")).isEqualTo(NOT_INTEGER);
        assertThat(call("COMMAND", "DOCS")).isEqualTo("*0\r\n");
        assertThat(call("COMMAND")).isEqualTo("*0\r\n");
        assertThat(call("CONFIG", "GET", "save")).isEqualTo("*2\r\n" + bulk("save") + "$0\r\n\r\n");
        assertThat(call("CONFIG", "GET", "appendonly")).isEqualTo("*2\r\n" + bulk("appendonly") + bulk("no"));
        assertThat(call("CONFIG", "SET", "a", "b")).isEqualTo("-ERR unknown subcommand 'SET'. Try CONFIG HELP.\r\n");
        assertThat(call("CLIENT", "GETNAME")).isEqualTo(NIL);
        assertThat(call("CLIENT", "SETNAME", "me")).isEqualTo(OK);
        assertThat(call("CLIENT", "GETNAME")).isEqualTo(bulk("me"));
        assertThat(call("CLIENT", "SETINFO", "lib-name", "x")).isEqualTo(OK);
        assertThat(call("CLIENT", "ID")).startsWith(":");
        assertThat(call("CLIENT")).isEqualTo(arity("client"));
        assertThat(call("INFO")).contains("redis_version:");
    }

    @Test
    void quitAnswersOkAndCloses() {
        Action a = receive(conn, encode("QUIT") + encode("PING"));
        assertThat(output(conn)).isEqualTo(OK);
        assertThat(a).isEqualTo(Action.CLOSE);
        assertThat(conn.isOpen()).isFalse();
    }

    @Test
    void answersAPipelineInOrderInOneWrite() {
        StringBuilder in = new StringBuilder();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            in.append(encode("INCR", "n"));
            expected.append(':').append(i + 1).append("\r\n");
        }
        in.append("PING\r\n");
        expected.append("+PONG\r\n");
        receive(conn, in.toString());
        assertThat(output(conn)).isEqualTo(expected.toString());
        // Open, or inboundBuffered() would be 0 whatever the handler consumed: a closed connection reads nothing.
        assertThat(conn.isOpen()).isTrue();
        assertThat(conn.inboundBuffered()).isZero();
    }

    @Test
    void holdsAnIncompleteCommandUntilItCompletes() {
        String cmd = encode("SET", "k", "value");
        for (int i = 0; i < cmd.length(); i++) {
            receive(conn, cmd.substring(i, i + 1));
        }
        assertThat(output(conn)).isEqualTo(OK);
        // Open, or inboundBuffered() would be 0 whatever the handler consumed: a closed connection reads nothing.
        assertThat(conn.isOpen()).isTrue();
        assertThat(conn.inboundBuffered()).isZero();
    }

    @Test
    void protocolErrorsAreAnsweredThenTheConnectionCloses() {
        Action a = receive(conn, encode("PING") + "*x\r\n");
        assertThat(output(conn)).isEqualTo("+PONG\r\n-ERR Protocol error: invalid multibulk length\r\n");
        assertThat(a).isEqualTo(Action.CLOSE);
        MemoryConn other = new MemoryConn(handler).open();
        receive(other, "*1\r\n$99999999\r\n");
        assertThat(output(other)).isEqualTo("-ERR Protocol error: invalid bulk length\r\n");
        assertThat(other.isOpen()).isFalse();
    }

    @Test
    void bulkValuesAreBinarySafe() {
        String value = "a\r\nb\u0000c\u00ff";
        assertThat(call("SET", "bin", value)).isEqualTo(OK);
        assertThat(call("GET", "bin")).isEqualTo(bulk(value));
    }

    @Test
    void aPipelineOfBigRepliesStopsAtThePauseMarkAndResumesWhenCalledAgain() {
        int pauseAt = 64 * 1024;
        RedisHandler pausing = new RedisHandler(new Keyspace(), 1024 * 1024, 1024, pauseAt);
        // Bytes written stay queued (outboundBuffered) until output() takes them: a client that reads only then.
        MemoryConn client = new MemoryConn(pausing).queueOutboundUntilTaken(Integer.MAX_VALUE).open();
        String value = "v".repeat(16 * 1024);
        receive(client, encode("SET", "big", value));
        assertThat(output(client)).isEqualTo(OK);
        receive(client, "GET big\r\n".repeat(100));
        String reply = bulk(value);
        int answered = 0;
        for (int round = 0; round < 100 && answered < 100; round++) {
            String out = output(client);
            assertThat(out.length()).as("bytes answered in one call").isLessThan(pauseAt + reply.length());
            assertThat(out).isEqualTo(reply.repeat(out.length() / reply.length()));
            answered += out.length() / reply.length();
            client.wake(null); // what the engine does once the client has read enough
            assertThat(client.runPendingTasks()).isEqualTo(1);
            assertThat(client.closeCause()).isNull();
        }
        assertThat(answered).isEqualTo(100);
    }

    // ---- the commands users type first (issue 14) ----

    @Test
    void keysReturnsTheLiveKeysMatchingAGlob() {
        call("MSET", "user:1", "a", "user:2", "b", "user:10", "c", "other", "d");
        call("RPUSH", "user:list", "x");
        call("HSET", "user:hash", "f", "v");
        call("SET", "user:gone", "v", "PX", "10");
        clock.addAndGet(10);
        assertThat(strings(call("KEYS", "user:*")))
                .containsExactlyInAnyOrder("user:1", "user:2", "user:10", "user:list", "user:hash");
        assertThat(strings(call("KEYS", "user:?"))).containsExactlyInAnyOrder("user:1", "user:2");
        assertThat(strings(call("KEYS", "user:[^1]*"))).containsExactlyInAnyOrder("user:2", "user:list", "user:hash");
        assertThat(strings(call("KEYS", "*"))).hasSize(6);
        assertThat(call("KEYS", "nothing*")).isEqualTo("*0\r\n");
        assertThat(call("KEYS")).isEqualTo(arity("keys"));
        assertThat(call("KEYS", "a", "b")).isEqualTo(arity("keys"));
    }

    @Test
    void keysStarAloneIncludesTheEmptyKeyAsRedisDoes() {
        call("SET", "", "empty");
        call("SET", "k", "v");
        assertThat(strings(call("KEYS", "*"))).containsExactlyInAnyOrder("", "k");
        assertThat(strings(call("KEYS", "**"))).containsExactly("k");
    }

    @Test
    void typeNamesEveryKindOfValue() {
        call("SET", "s", "v");
        call("RPUSH", "l", "a");
        call("HSET", "h", "f", "v");
        call("SET", "gone", "v", "PX", "5");
        assertThat(call("TYPE", "s")).isEqualTo("+string\r\n");
        assertThat(call("TYPE", "l")).isEqualTo("+list\r\n");
        assertThat(call("TYPE", "h")).isEqualTo("+hash\r\n");
        assertThat(call("TYPE", "missing")).isEqualTo("+none\r\n");
        clock.addAndGet(5);
        assertThat(call("TYPE", "gone")).isEqualTo("+none\r\n");
        assertThat(call("TYPE")).isEqualTo(arity("type"));
        assertThat(call("TYPE", "a", "b")).isEqualTo(arity("type"));
    }

    @Test
    void setexSetsTheValueWithATimeToLive() {
        assertThat(call("SETEX", "k", "10", "v")).isEqualTo(OK);
        assertThat(call("GET", "k")).isEqualTo(bulk("v"));
        assertThat(call("TTL", "k")).isEqualTo(":10\r\n");
        assertThat(call("PTTL", "k")).isEqualTo(":10000\r\n");
        clock.addAndGet(9_999);
        assertThat(call("GET", "k")).isEqualTo(bulk("v"));
        clock.addAndGet(1);
        assertThat(call("GET", "k")).isEqualTo(NIL);
        call("RPUSH", "l", "a");
        assertThat(call("SETEX", "l", "5", "now a string")).as("SETEX replaces any type, as SET does").isEqualTo(OK);
        assertThat(call("TYPE", "l")).isEqualTo("+string\r\n");
        String invalid = "-ERR invalid expire time in 'setex' command\r\n";
        assertThat(call("SETEX", "k", "0", "v")).isEqualTo(invalid);
        assertThat(call("SETEX", "k", "-1", "v")).isEqualTo(invalid);
        assertThat(call("SETEX", "k", "9223372036854775807", "v")).as("seconds past a long in ms").isEqualTo(invalid);
        assertThat(call("SETEX", "k", "9223372036854775", "v")).as("past a long once now is added").isEqualTo(invalid);
        assertThat(call("SETEX", "k", "ten", "v")).isEqualTo(NOT_INTEGER);
        assertThat(call("EXISTS", "k")).as("a refused SETEX sets nothing").isEqualTo(":0\r\n");
        assertThat(call("SETEX", "k", "10")).isEqualTo(arity("setex"));
        assertThat(call("SETEX", "k", "10", "v", "x")).isEqualTo(arity("setex"));
    }

    @Test
    void persistRemovesAnExpiry() {
        call("SET", "k", "v", "EX", "100");
        call("SET", "forever", "v");
        assertThat(call("PERSIST", "k")).isEqualTo(":1\r\n");
        assertThat(call("TTL", "k")).isEqualTo(":-1\r\n");
        assertThat(call("PERSIST", "k")).as("no expiry left to remove").isEqualTo(":0\r\n");
        assertThat(call("PERSIST", "forever")).isEqualTo(":0\r\n");
        assertThat(call("PERSIST", "missing")).isEqualTo(":0\r\n");
        clock.addAndGet(200_000);
        assertThat(call("GET", "k")).isEqualTo(bulk("v"));
        call("RPUSH", "l", "a");
        call("EXPIRE", "l", "10");
        assertThat(call("PERSIST", "l")).as("any type").isEqualTo(":1\r\n");
        assertThat(call("LRANGE", "l", "0", "-1")).isEqualTo("*1\r\n" + bulk("a"));
        call("SET", "short", "v", "PX", "10");
        clock.addAndGet(10);
        assertThat(call("PERSIST", "short")).as("an expired key is absent").isEqualTo(":0\r\n");
        assertThat(call("PERSIST")).isEqualTo(arity("persist"));
    }

    @Test
    void appendExtendsAStringAndKeepsItsExpiry() {
        assertThat(call("APPEND", "k", "Hello")).isEqualTo(":5\r\n");
        assertThat(call("APPEND", "k", " World")).isEqualTo(":11\r\n");
        assertThat(call("GET", "k")).isEqualTo(bulk("Hello World"));
        call("SET", "n", "12", "EX", "50");
        assertThat(call("APPEND", "n", "3")).isEqualTo(":3\r\n");
        assertThat(call("INCR", "n")).isEqualTo(":124\r\n");
        assertThat(call("TTL", "n")).isEqualTo(":50\r\n");
        assertThat(call("APPEND", "empty", "")).isEqualTo(":0\r\n");
        assertThat(call("TYPE", "empty")).as("an empty append still creates the key").isEqualTo("+string\r\n");
        call("SET", "old", "stale", "PX", "10");
        clock.addAndGet(10);
        assertThat(call("APPEND", "old", "new")).as("an expired string counts as absent").isEqualTo(":3\r\n");
        assertThat(call("TTL", "old")).isEqualTo(":-1\r\n");
        call("RPUSH", "l", "a");
        call("HSET", "h", "f", "v");
        assertThat(call("APPEND", "l", "x")).isEqualTo(WRONGTYPE);
        assertThat(call("APPEND", "h", "x")).isEqualTo(WRONGTYPE);
        assertThat(call("APPEND", "k")).isEqualTo(arity("append"));
    }

    @Test
    void appendStopsAtTheBulkLimitAsRedisDoesAtProtoMaxBulkLen() {
        MemoryConn small = new MemoryConn(new RedisHandler(new Keyspace(clock::get), 8, 1024)).open();
        receive(small, encode("APPEND", "k", "12345"));
        assertThat(output(small)).isEqualTo(":5\r\n");
        receive(small, encode("APPEND", "k", "678"));
        assertThat(output(small)).as("exactly the limit is allowed").isEqualTo(":8\r\n");
        receive(small, encode("APPEND", "k", "9"));
        assertThat(output(small)).isEqualTo("-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n");
        receive(small, encode("GET", "k"));
        assertThat(output(small)).isEqualTo(bulk("12345678"));
    }

    @Test
    void hsetCountsNewFieldsAndHgetallAnswersInFieldOrder() {
        assertThat(call("HSET", "h", "a", "1", "b", "2", "a", "3")).as("a field given twice is new once").isEqualTo(":2\r\n");
        assertThat(call("HGETALL", "h")).isEqualTo("*4\r\n" + bulk("a") + bulk("3") + bulk("b") + bulk("2"));
        assertThat(call("HSET", "h", "c", "4")).isEqualTo(":1\r\n");
        assertThat(call("HSET", "h", "a", "9")).as("an update keeps the field's place").isEqualTo(":0\r\n");
        assertThat(call("HGETALL", "h"))
                .isEqualTo("*6\r\n" + bulk("a") + bulk("9") + bulk("b") + bulk("2") + bulk("c") + bulk("4"));
        assertThat(call("HGET", "h", "a")).isEqualTo(bulk("9"));
        assertThat(call("HGET", "h", "zz")).isEqualTo(NIL);
        assertThat(call("HGET", "missing", "a")).isEqualTo(NIL);
        assertThat(call("HLEN", "h")).isEqualTo(":3\r\n");
        assertThat(call("HLEN", "missing")).isEqualTo(":0\r\n");
        assertThat(call("HGETALL", "missing")).isEqualTo("*0\r\n");
        assertThat(call("HSET", "bin", "f\r\n\u0000", "v\u00ff")).isEqualTo(":1\r\n");
        assertThat(call("HGET", "bin", "f\r\n\u0000")).as("fields and values are binary safe").isEqualTo(bulk("v\u00ff"));
    }

    @Test
    void hdelCountsRemovedFieldsAndDeletesAnEmptiedHash() {
        call("HSET", "h", "a", "1", "b", "2", "c", "3");
        assertThat(call("HDEL", "h", "a", "zz", "b", "a")).isEqualTo(":2\r\n");
        assertThat(call("HGETALL", "h")).isEqualTo("*2\r\n" + bulk("c") + bulk("3"));
        assertThat(call("HDEL", "missing", "a")).isEqualTo(":0\r\n");
        assertThat(call("HSET", "h", "a", "again")).isEqualTo(":1\r\n");
        assertThat(call("HGETALL", "h")).as("a re-added field goes last")
                .isEqualTo("*4\r\n" + bulk("c") + bulk("3") + bulk("a") + bulk("again"));
        assertThat(call("HDEL", "h", "c", "a")).isEqualTo(":2\r\n");
        assertThat(call("EXISTS", "h")).isEqualTo(":0\r\n");
        assertThat(call("TYPE", "h")).isEqualTo("+none\r\n");
    }

    @Test
    void aHashKeepsItsExpiryAndAnExpiredOneStartsAfresh() {
        call("HSET", "h", "a", "1");
        assertThat(call("EXPIRE", "h", "100")).isEqualTo(":1\r\n");
        assertThat(call("HSET", "h", "b", "2")).isEqualTo(":1\r\n");
        assertThat(call("HDEL", "h", "a")).isEqualTo(":1\r\n");
        assertThat(call("TTL", "h")).isEqualTo(":100\r\n");
        clock.addAndGet(100_000);
        assertThat(call("HGET", "h", "b")).isEqualTo(NIL);
        assertThat(call("HLEN", "h")).isEqualTo(":0\r\n");
        assertThat(call("HSET", "h", "c", "3")).isEqualTo(":1\r\n");
        assertThat(call("TTL", "h")).isEqualTo(":-1\r\n");
        assertThat(call("HGETALL", "h")).isEqualTo("*2\r\n" + bulk("c") + bulk("3"));
    }

    @Test
    void hashCommandsCheckTypesAndArity() {
        call("SET", "s", "v");
        call("RPUSH", "l", "a");
        call("HSET", "h", "f", "v");
        for (String key : new String[] {"s", "l"}) {
            assertThat(call("HSET", key, "f", "v")).isEqualTo(WRONGTYPE);
            assertThat(call("HGET", key, "f")).isEqualTo(WRONGTYPE);
            assertThat(call("HDEL", key, "f")).isEqualTo(WRONGTYPE);
            assertThat(call("HGETALL", key)).isEqualTo(WRONGTYPE);
            assertThat(call("HLEN", key)).isEqualTo(WRONGTYPE);
        }
        assertThat(call("GET", "h")).isEqualTo(WRONGTYPE);
        assertThat(call("INCR", "h")).isEqualTo(WRONGTYPE);
        assertThat(call("LPUSH", "h", "x")).isEqualTo(WRONGTYPE);
        assertThat(call("LLEN", "h")).isEqualTo(WRONGTYPE);
        assertThat(call("SET", "h", "x", "GET")).isEqualTo(WRONGTYPE);
        assertThat(call("MGET", "h", "s")).isEqualTo("*2\r\n" + NIL + bulk("v"));
        assertThat(call("HGET", "h", "f")).as("the failed commands left the hash alone").isEqualTo(bulk("v"));
        assertThat(call("HSET", "h", "a")).isEqualTo(arity("hset"));
        assertThat(call("HSET", "h", "a", "1", "b")).isEqualTo(arity("hset"));
        assertThat(call("HSET", "h")).isEqualTo(arity("hset"));
        assertThat(call("HGET", "h")).isEqualTo(arity("hget"));
        assertThat(call("HGET", "h", "f", "g")).isEqualTo(arity("hget"));
        assertThat(call("HDEL", "h")).isEqualTo(arity("hdel"));
        assertThat(call("HGETALL")).isEqualTo(arity("hgetall"));
        assertThat(call("HLEN", "h", "x")).isEqualTo(arity("hlen"));
        assertThat(call("SET", "h", "replaced")).as("SET replaces a hash").isEqualTo(OK);
        assertThat(call("TYPE", "h")).isEqualTo("+string\r\n");
    }

    @Test
    void configGetAnswersAsRedisSeven() {
        assertThat(call("CONFIG", "GET", "maxmemory")).isEqualTo("*2\r\n" + bulk("maxmemory") + bulk("0"));
        assertThat(call("CONFIG", "GET", "MAXMEMORY")).as("the name as asked")
                .isEqualTo("*2\r\n" + bulk("MAXMEMORY") + bulk("0"));
        assertThat(call("CONFIG", "GET", "maxmemory", "save"))
                .isEqualTo("*4\r\n" + bulk("maxmemory") + bulk("0") + bulk("save") + "$0\r\n\r\n");
        assertThat(call("CONFIG", "GET", "appendonly", "APPENDONLY", "append*")).as("each parameter once")
                .isEqualTo("*2\r\n" + bulk("appendonly") + bulk("no"));
        assertThat(call("CONFIG", "GET", "MAX*")).as("a glob, in any case, answers canonical names")
                .isEqualTo("*2\r\n" + bulk("maxmemory") + bulk("0"));
        assertThat(strings(call("CONFIG", "GET", "*"))).hasSize(8).contains("databases", "appendonly", "save", "maxmemory");
        assertThat(call("CONFIG", "GET", "no-such-parameter")).isEqualTo("*0\r\n");
        assertThat(call("CONFIG", "GET")).isEqualTo(arity("config|get"));
        assertThat(call("CONFIG")).isEqualTo(arity("config"));
        assertThat(call("CONFIG", "FOO")).isEqualTo("-ERR unknown subcommand 'FOO'. Try CONFIG HELP.\r\n");
    }
}
