package io.gnetj.examples.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Glob patterns match exactly as Redis 7's {@code stringmatchlen}, quirks included. */
class GlobPatternTest {

    /** The keys of the reference run: the empty key, the pattern metacharacters, bytes past 0x7F. */
    private static final String[] KEYS = {"", "a", "b", "ab", "abc", "aXc", "a*c", "a?c", "a[c", "a]c", "a\\c", "a-c", "a^c", "hello", "hallo", "hllo", "heeeello", "h^llo", "user:1", "user:10", "user:2", "x", "-", "]", "^", "\\", "[", "\u00ff", "\u0080", "z"};

    /**
     * Pattern, then the keys (of {@link #KEYS}) that {@code KEYS pattern} returned from
     * redis-server 7.0.15 holding exactly those keys, sorted, space-separated ({@code <empty>} is
     * the empty key). Strings are ISO-8859-1: character U+00FF is the byte 0xFF.
     */
    private static final String[][] REDIS_7_ANSWERS = {
            {"*", "<empty> - [ \\ ] ^ a a*c a-c a?c aXc a[c a\\c a]c a^c ab abc b h^llo hallo heeeello hello hllo user:1 user:10 user:2 x z \u0080 \u00ff"},
            {"a*", "a a*c a-c a?c aXc a[c a\\c a]c a^c ab abc"},
            {"*c", "a*c a-c a?c aXc a[c a\\c a]c a^c abc"},
            {"a?c", "a*c a-c a?c aXc a[c a\\c a]c a^c abc"},
            {"a[bX]c", "aXc abc"},
            {"a[^bX]c", "a*c a-c a?c a[c a\\c a]c a^c"},
            {"a[a-z]c", "abc"},
            {"a[z-a]c", "abc"},
            {"a\\*c", "a*c"},
            {"a\\?c", "a?c"},
            {"a[\\]]c", "a]c"},
            {"a[]]c", ""},
            {"[", ""},
            {"[a", "a"},
            {"a[", ""},
            {"a[c", ""},
            {"[^", "- [ \\ ] ^ a b x z \u0080 \u00ff"},
            {"[]", ""},
            {"[]]", ""},
            {"[a-]", "] ^ a"},
            {"[-a]", "- a"},
            {"\\", "\\"},
            {"a\\", ""},
            {"\\\\", "\\"},
            {"h[ae]llo", "hallo hello"},
            {"h[^e]llo", "h^llo hallo"},
            {"h*llo", "h^llo hallo heeeello hello hllo"},
            {"h?llo", "h^llo hallo hello"},
            {"**", "- [ \\ ] ^ a a*c a-c a?c aXc a[c a\\c a]c a^c ab abc b h^llo hallo heeeello hello hllo user:1 user:10 user:2 x z \u0080 \u00ff"},
            {"user:?", "user:1 user:2"},
            {"user:*", "user:1 user:10 user:2"},
            {"*:*", "user:1 user:10 user:2"},
            {"", "<empty>"},
            {"[\\", "\\"},
            {"a[\\", ""},
            {"a[\\]", ""},
            {"*a*", "a a*c a-c a?c aXc a[c a\\c a]c a^c ab abc hallo"},
            {"?", "- [ \\ ] ^ a b x z \u0080 \u00ff"},
            {"??", "ab"},
            {"[!a]", "a"},
            {"a[^]c", "a*c a-c a?c aXc a[c a\\c a]c a^c abc"},
            {"a[^]]c", ""},
            {"a[]-b]c", ""},
            {"a[\\-]c", "a-c"},
            {"a[a-]c", ""},
            {"*[", ""},
            {"*\\", "\\"},
            {"h*l*o", "h^llo hallo heeeello hello hllo"},
            {"h**o", "h^llo hallo heeeello hello hllo"},
            {"[a-c]*", "a a*c a-c a?c aXc a[c a\\c a]c a^c ab abc b"},
            {"*[^a-z]*", "- [ \\ ] ^ a*c a-c a?c aXc a[c a\\c a]c a^c h^llo user:1 user:10 user:2 \u0080 \u00ff"},
            {"a[*]c", "a*c"},
            {"[a-\u00ff]", "- [ \\ ] ^ a \u00ff"},
            {"[\u0080-b]", "- [ \\ ] ^ a b \u0080 \u00ff"},
            {"*[^\u0080-\u00fe]*", "- [ \\ ] ^ a a*c a-c a?c aXc a[c a\\c a]c a^c ab abc b h^llo hallo heeeello hello hllo user:1 user:10 user:2 x z \u00ff"},
            {"*a\\", ""},
            {"\\*", ""},
            {"a[\\-]", ""},
            {"[^^]", "- [ \\ ] a b x z \u0080 \u00ff"},
            {"[a-c-e]", "- a b"},
            {"?*?", "a*c a-c a?c aXc a[c a\\c a]c a^c ab abc h^llo hallo heeeello hello hllo user:1 user:10 user:2"},
            {"*?*c", "a*c a-c a?c aXc a[c a\\c a]c a^c abc"}
    };

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** What KEYS does with a pattern: {@code *} alone takes every key, else each key is matched. */
    private static boolean keysMatch(String pattern, String key) {
        GlobPattern p = GlobPattern.compile(bytes(pattern));
        return p.matchesEverything() || p.matches(bytes(key));
    }

    @Test
    void everyPatternSelectsTheKeysRedisSelects() {
        for (String[] row : REDIS_7_ANSWERS) {
            List<String> expected = new ArrayList<>();
            for (String k : row[1].isEmpty() ? new String[0] : row[1].split(" ")) {
                expected.add(k.equals("<empty>") ? "" : k);
            }
            List<String> matched = new ArrayList<>();
            for (String key : KEYS) {
                if (keysMatch(row[0], key)) {
                    matched.add(key);
                }
            }
            assertThat(matched).as("KEYS '%s'", row[0]).containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    @Test
    void theCommonPatterns() {
        assertThat(keysMatch("user:*", "user:42")).isTrue();
        assertThat(keysMatch("user:*", "users")).isFalse();
        assertThat(keysMatch("h?llo", "hello")).isTrue();
        assertThat(keysMatch("h[ae]llo", "hillo")).isFalse();
        assertThat(keysMatch("h[^e]llo", "hallo")).isTrue();
        assertThat(keysMatch("h[a-b]llo", "hbllo")).isTrue();
        assertThat(keysMatch("a\\*", "a*")).isTrue();
        assertThat(keysMatch("a\\*", "ab")).isFalse();
    }

    @Test
    void onlyALoneStarTakesTheEmptyKey() {
        assertThat(keysMatch("*", "")).isTrue();
        assertThat(keysMatch("**", "")).isFalse();
        assertThat(keysMatch("", "")).isTrue();
        assertThat(GlobPattern.compile(bytes("**")).matchesEverything()).isFalse();
    }

    @Test
    void caseInsensitivePatternsFoldAsciiLettersOnly() {
        GlobPattern p = GlobPattern.compile(bytes("MAX*"), true);
        assertThat(p.matches(bytes("maxmemory"))).isTrue();
        assertThat(GlobPattern.compile(bytes("[A-Z]ave"), true).matches(bytes("save"))).isTrue();
        assertThat(GlobPattern.compile(bytes("?AVE"), true).matches(bytes("save"))).isTrue();
        assertThat(GlobPattern.compile(bytes("\u00c9"), true).matches(bytes("\u00e9"))).isFalse();
        assertThat(GlobPattern.compile(bytes("MAX*"), false).matches(bytes("maxmemory"))).isFalse();
    }

    @Test
    void manyStarsDoNotBacktrackExponentially() {
        byte[] key = bytes("a".repeat(20_000));
        GlobPattern p = GlobPattern.compile(bytes("a*a*a*a*a*a*a*a*a*a*a*a*b"));
        // A recursive glob without Redis's cut-off takes ages here; ours is one pass per star.
        boolean matched = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> p.matches(key),
                "matching 12 stars against 20,000 bytes should take milliseconds");
        assertThat(matched).isFalse();
    }
}
