package io.gnetj.examples.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RespParserTest {

    private static RespParser parser() {
        return new RespParser(1024, 100);
    }

    private static ByteBuffer buffer(byte[] bytes, int length) {
        ByteBuffer b = ByteBuffer.allocateDirect(length + 2);
        b.put(new byte[] {'#', '#'}).put(bytes, 0, length).flip().position(2);
        return b;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static List<String> args(RespParser p) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < p.argc(); i++) {
            out.add(new String(p.argBytes(i), StandardCharsets.ISO_8859_1));
        }
        return out;
    }

    private static List<String> parseOne(String input) {
        RespParser p = parser();
        assertThat(p.parse(buffer(bytes(input), input.length()))).isEqualTo(input.length());
        return args(p);
    }

    private static String error(String input) {
        RespParser p = parser();
        assertThat(p.parse(buffer(bytes(input), input.length()))).isEqualTo(RespParser.ERROR);
        return p.error();
    }

    @Test
    void parsesMultibulkInPlace() {
        assertThat(parseOne("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nv\r\nv!\r\n")).containsExactly("SET", "k", "v\r\nv!");
        assertThat(parseOne("*1\r\n$0\r\n\r\n")).containsExactly("");
    }

    @Test
    void skipsEmptyMultibulks() {
        assertThat(parseOne("*0\r\n")).isEmpty();
        assertThat(parseOne("*-1\r\n")).isEmpty();
    }

    @Test
    void parsesInlineCommandsWithRedisQuoting() {
        assertThat(parseOne("PING\r\n")).containsExactly("PING");
        assertThat(parseOne("  set   key   value \n")).containsExactly("set", "key", "value");
        assertThat(parseOne("SET k \"a b\\n\\x41\\\"\"\r\n")).containsExactly("SET", "k", "a b\nA\"");
        assertThat(parseOne("SET k 'it\\'s'\r\n")).containsExactly("SET", "k", "it's");
        assertThat(parseOne("\r\n")).isEmpty();
        assertThat(parseOne("\n")).isEmpty();
    }

    static List<String> commands() {
        return List.of(
                "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$10\r\n0123456789\r\n",
                "*2\r\n$4\r\nECHO\r\n$4\r\n\r\n\r\n\r\n",
                "SET k \"quoted value\"\r\n",
                "*1\r\n$4\r\nPING\r\n");
    }

    @ParameterizedTest
    @MethodSource("commands")
    void needsMoreAtEveryByteBoundaryThenCompletes(String cmd) {
        byte[] all = bytes(cmd);
        List<String> expected = parseOne(cmd);
        for (int split = 0; split < all.length; split++) {
            RespParser p = parser();
            assertThat(p.parse(buffer(all, split))).as("prefix %d", split).isEqualTo(RespParser.NEED_MORE);
            assertThat(p.parse(buffer(all, all.length))).isEqualTo(all.length);
            assertThat(args(p)).isEqualTo(expected);
        }
        RespParser p = parser();
        for (int length = 0; length < all.length; length++) {
            assertThat(p.parse(buffer(all, length))).as("%d bytes", length).isEqualTo(RespParser.NEED_MORE);
        }
        assertThat(p.parse(buffer(all, all.length))).isEqualTo(all.length);
        assertThat(args(p)).isEqualTo(expected);
    }

    @Test
    void parsesAPipelineCommandByCommand() {
        StringBuilder sb = new StringBuilder();
        List<List<String>> expected = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String c = commands().get(i % commands().size());
            sb.append(c);
            expected.add(parseOne(c));
        }
        byte[] all = bytes(sb.toString());
        ByteBuffer buf = buffer(all, all.length);
        RespParser p = parser();
        List<List<String>> seen = new ArrayList<>();
        while (buf.hasRemaining()) {
            int n = p.parse(buf);
            assertThat(n).isPositive();
            seen.add(args(p));
            buf.position(buf.position() + n);
        }
        assertThat(seen).isEqualTo(expected);
    }

    static List<Arguments> protocolErrors() {
        return List.of(
                Arguments.of("*abc\r\n", "Protocol error: invalid multibulk length"),
                Arguments.of("*101\r\n", "Protocol error: invalid multibulk length"),
                Arguments.of("*01\r\n", "Protocol error: invalid multibulk length"),
                Arguments.of("*1\r\nfoo\r\n", "Protocol error: expected '$', got 'f'"),
                Arguments.of("*1\r\n$-1\r\n", "Protocol error: invalid bulk length"),
                Arguments.of("*1\r\n$x\r\n", "Protocol error: invalid bulk length"),
                Arguments.of("*1\r\n$1025\r\n", "Protocol error: invalid bulk length"),
                Arguments.of("SET k \"unterminated\r\n", "Protocol error: unbalanced quotes in request"),
                Arguments.of("SET k \"a\"b\r\n", "Protocol error: unbalanced quotes in request"),
                Arguments.of("SET k 'a\r\n", "Protocol error: unbalanced quotes in request"),
                Arguments.of("x".repeat(RespParser.MAX_INLINE + 1), "Protocol error: too big inline request"),
                Arguments.of("*" + "1".repeat(RespParser.MAX_INLINE + 1), "Protocol error: too big mbulk count string"),
                Arguments.of("*1\r\n$" + "1".repeat(RespParser.MAX_INLINE + 1), "Protocol error: too big bulk count string"));
    }

    @ParameterizedTest
    @MethodSource("protocolErrors")
    void reportsProtocolErrorsWithRedisTexts(String input, String expected) {
        assertThat(error(input)).isEqualTo(expected);
    }

    @Test
    void staysInErrorOnceFailed() {
        RespParser p = parser();
        assertThat(p.parse(buffer(bytes("*x\r\n"), 4))).isEqualTo(RespParser.ERROR);
        assertThat(p.parse(buffer(bytes("PING\r\n"), 6))).isEqualTo(RespParser.ERROR);
    }

    @Test
    void parsesLongsLikeRedis() {
        assertThat(Resp.parseLong(bytes("0"))).isZero();
        assertThat(Resp.parseLong(bytes("-12"))).isEqualTo(-12);
        assertThat(Resp.parseLong(bytes("9223372036854775807"))).isEqualTo(Long.MAX_VALUE);
        assertThat(Resp.parseLong(bytes("9223372036854775808"))).isEqualTo(Resp.NOT_A_NUMBER);
        assertThat(Resp.parseLong(bytes("-9223372036854775807"))).isEqualTo(-Long.MAX_VALUE);
        for (String bad : new String[] {"", "-", "01", "-0", "+1", " 1", "1 ", "1a", "99999999999999999999"}) {
            assertThat(Resp.parseLong(bytes(bad))).as("'%s'", bad).isEqualTo(Resp.NOT_A_NUMBER);
        }
    }
}
