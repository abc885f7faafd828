package io.gnetj.examples.redis;

import java.util.Arrays;

/**
 * A Redis glob pattern (KEYS, SCAN MATCH, CONFIG GET), compiled once and matched against byte
 * strings the way Redis 7's {@code stringmatchlen} matches them, quirks included.
 *
 * <h2>Syntax</h2>
 * <ul>
 *   <li>{@code *} any run of bytes (consecutive stars are one), {@code ?} any one byte;
 *   <li>{@code [abc]} one of the bytes listed, {@code [^abc]} any other, {@code [a-z]} a range
 *       (given backwards, {@code [z-a]}, it is turned round); inside brackets {@code \x} is the
 *       byte {@code x};
 *   <li>{@code \x} outside brackets is the byte {@code x}; a lone {@code \} at the end is itself.
 * </ul>
 * Redis's edge cases, each checked against redis-server 7.0 by {@code GlobPatternTest}:
 * <ul>
 *   <li>A {@code ]} right after {@code [} or {@code [^} closes the set, so {@code []]} is an empty
 *       set (matching nothing) followed by a literal {@code ]}; {@code [^]} matches any byte.
 *   <li>A set with no closing {@code ]} runs to the end of the pattern: {@code [a} is {@code [a]}.
 *   <li>{@code x-y} is a range whenever two more pattern bytes follow {@code x}, even if the second
 *       is the closing bracket: {@code [a-]} is the range {@code ]..a}, and swallows the {@code ]},
 *       so the set runs to the end of the pattern.
 *   <li>Ranges compare bytes as C's signed {@code char} on x86 (0x80..0xFF below 0), as Java's
 *       {@code byte} does: {@code [a-\xff]} is the range -1..97.
 *   <li>A non-empty pattern never matches the empty string ({@code *} included): KEYS and SCAN
 *       special-case the pattern {@code *} alone, see {@link #matchesEverything()}.
 * </ul>
 *
 * <h2>Matching</h2>
 * Every element but {@code *} matches exactly one byte, so the compiled pattern is a list of
 * one-byte tests and stars, matched left to right; on a mismatch the last star takes one more
 * byte and matching resumes after it. Only the last star ever needs to back up (an earlier star
 * could only take bytes the later one can take as well), so a match costs at most
 * O(pattern x string) steps, never the exponential backtracking of a naive recursive glob.
 *
 * <p>Threading: immutable once compiled; shared freely.
 */
final class GlobPattern {

    private static final byte STAR = 0;
    private static final byte ANY = 1;
    private static final byte BYTE = 2;
    private static final byte SET = 3;
    private static final byte NOT_SET = 4;

    /** Element kinds, in pattern order. */
    private final byte[] kinds;
    /** For {@link #BYTE}: the byte. */
    private final byte[] literals;
    /** For a set: pairs of (low, high) signed byte values, a single byte as (b, b). */
    private final int[][] ranges;
    private final boolean caseInsensitive;
    private final boolean everything;

    private GlobPattern(byte[] kinds, byte[] literals, int[][] ranges, boolean caseInsensitive, boolean everything) {
        this.kinds = kinds;
        this.literals = literals;
        this.ranges = ranges;
        this.caseInsensitive = caseInsensitive;
        this.everything = everything;
    }

    /** {@code pattern} compiled, matching bytes exactly (KEYS, SCAN). */
    static GlobPattern compile(byte[] pattern) {
        return compile(pattern, false);
    }

    /**
     * {@code pattern} compiled; with {@code caseInsensitive}, ASCII letters match either case
     * (CONFIG GET), folded as Redis does: a range's ends are swapped first, then folded.
     */
    static GlobPattern compile(byte[] pattern, boolean caseInsensitive) {
        int n = pattern.length;
        byte[] kinds = new byte[n];
        byte[] literals = new byte[n];
        int[][] ranges = new int[n][];
        int count = 0;
        int i = 0;
        while (i < n) {
            byte b = pattern[i];
            if (b == '*') {
                if (count == 0 || kinds[count - 1] != STAR) {
                    kinds[count++] = STAR;
                }
                i++;
            } else if (b == '?') {
                kinds[count++] = ANY;
                i++;
            } else if (b == '[') {
                boolean not = i + 1 < n && pattern[i + 1] == '^';
                int[] set = new int[8];
                int pairs = 0;
                int j = not ? i + 2 : i + 1;
                while (true) {
                    int low;
                    int high;
                    if (j < n && pattern[j] == '\\' && n - j >= 2) {
                        j++;
                        low = pattern[j];
                        high = low;
                    } else if (j < n && pattern[j] == ']') {
                        break;
                    } else if (j >= n) {
                        j--; // unterminated: the set ends with the pattern
                        break;
                    } else if (n - j >= 3 && pattern[j + 1] == '-') {
                        low = Math.min(pattern[j], pattern[j + 2]);
                        high = Math.max(pattern[j], pattern[j + 2]);
                        if (caseInsensitive) {
                            low = fold(low);
                            high = fold(high);
                        }
                        j += 2;
                    } else {
                        low = pattern[j];
                        high = low;
                    }
                    if (caseInsensitive && low == high) {
                        low = fold(low);
                        high = low;
                    }
                    if (2 * pairs + 2 > set.length) {
                        set = Arrays.copyOf(set, set.length * 2);
                    }
                    set[2 * pairs] = low;
                    set[2 * pairs + 1] = high;
                    pairs++;
                    j++;
                }
                kinds[count] = not ? NOT_SET : SET;
                ranges[count++] = Arrays.copyOf(set, 2 * pairs);
                i = j + 1;
            } else {
                if (b == '\\' && n - i >= 2) {
                    i++;
                }
                kinds[count] = BYTE;
                literals[count++] = pattern[i];
                i++;
            }
        }
        boolean everything = n == 1 && pattern[0] == '*';
        return new GlobPattern(Arrays.copyOf(kinds, count), Arrays.copyOf(literals, count),
                Arrays.copyOf(ranges, count), caseInsensitive, everything);
    }

    /**
     * Whether the pattern is {@code *} alone, which KEYS and SCAN take to mean every key (the
     * empty key too) without matching at all.
     */
    boolean matchesEverything() {
        return everything;
    }

    /** Whether {@code s} matches, by {@code stringmatchlen}'s rules. */
    boolean matches(byte[] s) {
        if (s.length == 0) {
            return kinds.length == 0; // Redis's loop never runs on an empty string
        }
        int p = 0;
        int i = 0;
        int starP = -1; // the last star seen, and where in s it was last resumed from
        int starI = 0;
        while (i < s.length) {
            if (p < kinds.length && kinds[p] == STAR) {
                starP = p++;
                starI = i;
            } else if (p < kinds.length && matchesOne(p, s[i])) {
                p++;
                i++;
            } else if (starP >= 0) {
                p = starP + 1; // the star takes one more byte
                i = ++starI;
            } else {
                return false;
            }
        }
        while (p < kinds.length && kinds[p] == STAR) {
            p++;
        }
        return p == kinds.length;
    }

    private boolean matchesOne(int p, byte b) {
        switch (kinds[p]) {
            case ANY:
                return true;
            case BYTE:
                return caseInsensitive ? fold(literals[p]) == fold(b) : literals[p] == b;
            case SET:
                return inSet(ranges[p], b);
            case NOT_SET:
                return !inSet(ranges[p], b);
            default:
                throw new AssertionError(kinds[p]);
        }
    }

    private boolean inSet(int[] set, byte b) {
        int c = caseInsensitive ? fold(b) : b;
        for (int k = 0; k < set.length; k += 2) {
            if (c >= set[k] && c <= set[k + 1]) {
                return true;
            }
        }
        return false;
    }

    /** C's {@code tolower} in the "C" locale: only A-Z change. */
    private static int fold(int c) {
        return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
    }
}
