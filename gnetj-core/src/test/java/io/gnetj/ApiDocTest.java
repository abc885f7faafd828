package io.gnetj;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every public method of the public API says, in its own javadoc, which thread may call it (issue
 * 14): the class comment alone is not enough, since a reader of one method's page never sees it.
 *
 * <p>The sources are read with a small parser that knows comments, string and char literals and
 * braces, nothing more: at each type body's own level it cuts the text into declarations and
 * takes the last javadoc comment before each one (annotations may stand between). A method in a
 * public type counts if it is public or protected (in an interface: not private), as does a
 * method of a public nested type of such a type. Constructors are not methods and are not
 * checked; neither are enum constants and the members of anonymous classes.
 *
 * <p>A method passes if its javadoc matches {@link #THREAD_RULE}; or if it has none, or one that
 * uses <code>{&#64;inheritDoc}</code>, and is an {@code @Override} of a method of a scanned
 * supertype that passes (javadoc copies that description in); or if it is {@code toString},
 * {@code equals} or {@code hashCode}.
 */
class ApiDocTest {

    /**
     * Phrases that name a thread. Deliberately narrow: "thread" alone would let "the calling
     * thread" in a description count as a rule.
     */
    static final Pattern THREAD_RULE = Pattern.compile("(?i)\\b(any thread|loop thread|loop's thread"
            + "|owner thread|owner's thread|one thread at a time|main thread|thread that starts)\\b");

    /** {@code Object} methods: their contract is the JDK's. (Enum members the compiler makes are not in the source.) */
    private static final Set<String> OBJECT_METHODS = Set.of("toString()", "equals(Object)", "hashCode()");

    @Test
    void everyPublicMethodStatesItsThreadRule() {
        List<ApiMethod> methods = new ArrayList<>();
        methods.addAll(scan(Path.of("src/main/java/io/gnetj"), true));
        methods.addAll(scan(Path.of("../gnetj-buffer/src/main/java/io/gnetj/buffer"), false));
        Map<String, ApiMethod> bySignature = new HashMap<>();
        for (ApiMethod m : methods) {
            bySignature.put(m.key(), m);
        }

        assertThat(methods).as("the scan found the API").hasSizeGreaterThan(200);
        assertThat(bySignature).as("the parser sees interface methods")
                .containsKeys("Conn.next(int)", "EventHandler.onTraffic(Conn)", "ElasticBuffer.peek(int,ByteBuffer[])",
                        "EventLoop.Scheduled.cancel()", "Engine.awaitTermination()", "Gnet.run(EventHandler,String,Options)",
                        "Options.Builder.writeBufferWaterMarks(int,int)", "StopReport.clean()");

        List<String> missing = new ArrayList<>();
        for (ApiMethod m : methods) {
            if (!statesRule(m, bySignature, 0)) {
                missing.add(m.file() + ": " + m.key() + (m.javadoc().isEmpty() ? " (no javadoc)" : ""));
            }
        }
        assertThat(missing).as("public methods whose own javadoc names no thread (phrases: " + THREAD_RULE + ")")
                .isEmpty();
    }

    @Test
    void theParserFindsMethodsAndTheirOwnJavadoc() {
        String source = """
                package p;
                /** Class comment: any thread. */
                public class A implements B {
                    private static final Runnable R = () -> { int x = 1; };
                    private final String s = "public void fake() { \\" }";
                    static { init(); }
                    /** Loop thread. */
                    @SuppressWarnings({"a", "b"})
                    public int read(java.nio.ByteBuffer dst, int[] n) { return 0; }
                    public void undocumented() { }
                    @Override
                    public void inherited() { }
                    /** Returns it. */
                    public <T> java.util.List<T> generic(java.util.Map<String, T> m) { return null; }
                    void packagePrivate() { }
                    public A() { }
                    private static final class Hidden { public void h() { } }
                    public interface Inner { void i(); private void p() { } }
                    public enum E { X { void y() { } }, Z; public int code() { return 1; } }
                }
                """;
        List<ApiMethod> found = parse("A.java", source);
        assertThat(found).extracting(ApiMethod::key).containsExactly(
                "A.read(ByteBuffer,int[])", "A.undocumented()", "A.inherited()", "A.generic(Map)",
                "A.Inner.i()", "A.E.code()");
        assertThat(found.get(0).javadoc()).isEqualTo("Loop thread.");
        assertThat(found.get(1).javadoc()).isEmpty();
        assertThat(found.get(2).override()).isTrue();
        assertThat(found.get(3).javadoc()).isEqualTo("Returns it.");
        assertThat(THREAD_RULE.matcher(found.get(0).javadoc()).find()).isTrue();
        assertThat(THREAD_RULE.matcher("Whether the calling thread is this loop's.").find()).isFalse();
    }

    private static boolean statesRule(ApiMethod m, Map<String, ApiMethod> bySignature, int depth) {
        String doc = m.javadoc();
        if (THREAD_RULE.matcher(doc).find() || OBJECT_METHODS.contains(m.signature())) {
            return true;
        }
        // Javadoc copies the overridden method's description in for a missing one or {@inheritDoc}.
        boolean inherits = doc.isEmpty() || doc.contains("{@inheritDoc}");
        if (!inherits || !m.override() || depth > 8) {
            return false;
        }
        for (String supertype : m.supertypes()) {
            ApiMethod overridden = bySignature.get(supertype + "." + m.signature());
            if (overridden != null && statesRule(overridden, bySignature, depth + 1)) {
                return true;
            }
        }
        return false;
    }

    // ---- the parser ----

    /** One API method: {@code Type.Nested.name(ParamType,...)}, its javadoc text, and what it may inherit from. */
    record ApiMethod(String file, String type, String signature, String javadoc, boolean override, List<String> supertypes) {
        String key() {
            return type + "." + signature;
        }
    }

    private static List<ApiMethod> scan(Path root, boolean skipInternal) {
        assertThat(root).as("run from the module directory").isDirectory();
        try (Stream<Path> files = Files.walk(root)) {
            List<ApiMethod> all = new ArrayList<>();
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                String rel = root.relativize(file).toString().replace('\\', '/');
                if (skipInternal && rel.startsWith("internal/")) {
                    continue;
                }
                if (rel.endsWith("package-info.java") || rel.endsWith("module-info.java")) {
                    continue;
                }
                all.addAll(parse(rel, Files.readString(file)));
            }
            return all;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A type whose body is being read: its name, whether its members are API, its kind. */
    private record TypeScope(String name, boolean exported, boolean isInterface, boolean isEnum, int depth,
                             List<String> supertypes, boolean[] enumConstantsDone) {
    }

    private static final Pattern WORD = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*");

    /**
     * Cuts {@code source} into declarations at each type body's level. Text between a boundary
     * ({@code ;}, <code>{</code> or <code>}</code> at that level) and the next <code>{</code> or
     * {@code ;} is a declaration's header; a block that is not a type body is skipped whole.
     */
    static List<ApiMethod> parse(String file, String source) {
        List<ApiMethod> out = new ArrayList<>();
        Deque<TypeScope> scopes = new ArrayDeque<>();
        StringBuilder header = new StringBuilder();
        String javadoc = "";
        int depth = 0;
        int skipUntilDepth = -1; // inside a block that is not a type body: skip to its end
        int parens = 0;
        int n = source.length();
        for (int i = 0; i < n; i++) {
            char c = source.charAt(i);
            // comments and literals first: braces inside them do not count
            if (c == '/' && i + 1 < n && source.charAt(i + 1) == '*') {
                int end = source.indexOf("*/", i + 2);
                if (end < 0) {
                    end = n - 2;
                }
                if (skipUntilDepth < 0 && source.startsWith("/**", i) && end > i + 2) {
                    javadoc = cleanJavadoc(source.substring(i + 3, end));
                }
                i = end + 1;
                continue;
            }
            if (c == '/' && i + 1 < n && source.charAt(i + 1) == '/') {
                int end = source.indexOf('\n', i);
                i = end < 0 ? n : end;
                continue;
            }
            if (c == '"' || c == '\'') {
                int end = skipLiteral(source, i);
                if (skipUntilDepth < 0) {
                    header.append(c).append(c); // keeps "=" detection; contents do not matter
                }
                i = end;
                continue;
            }
            if (skipUntilDepth >= 0) {
                if (c == '{') {
                    depth++;
                } else if (c == '}') {
                    depth--;
                    if (depth == skipUntilDepth) {
                        skipUntilDepth = -1;
                        if (!header.toString().contains("=")) {
                            header.setLength(0); // a method body or initializer ended the declaration
                            javadoc = "";
                        }
                    }
                }
                continue;
            }
            if (c == '(') {
                parens++;
            } else if (c == ')') {
                parens--;
            }
            TypeScope scope = scopes.peek();
            if (c == '{' && parens == 0) {
                String h = stripAnnotations(header.toString());
                depth++;
                String typeKind = typeKind(h);
                if (typeKind != null && (scope == null || !h.contains("="))) {
                    scopes.push(openType(h, typeKind, scope, depth));
                    header.setLength(0);
                    javadoc = "";
                } else {
                    if (scope != null && !h.contains("=") && inEnumConstants(scope)) {
                        // an enum constant's body: skip it, stay among the constants
                    } else if (scope != null) {
                        method(file, header.toString(), h, javadoc, scope, out);
                    }
                    skipUntilDepth = depth - 1;
                }
                continue;
            }
            if (c == '}' && parens == 0) {
                if (scope != null && scope.depth() == depth) {
                    scopes.pop();
                }
                depth--;
                header.setLength(0);
                javadoc = "";
                continue;
            }
            if (c == ';' && parens == 0) {
                if (scope != null) {
                    if (inEnumConstants(scope)) {
                        scope.enumConstantsDone()[0] = true;
                    } else {
                        method(file, header.toString(), stripAnnotations(header.toString()), javadoc, scope, out);
                    }
                }
                header.setLength(0);
                javadoc = "";
                continue;
            }
            header.append(c);
        }
        return out;
    }

    private static boolean inEnumConstants(TypeScope scope) {
        return scope.isEnum() && !scope.enumConstantsDone()[0];
    }

    private static int skipLiteral(String s, int start) {
        if (s.startsWith("\"\"\"", start)) {
            int end = s.indexOf("\"\"\"", start + 3);
            return end < 0 ? s.length() : end + 2;
        }
        char quote = s.charAt(start);
        for (int i = start + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == quote) {
                return i;
            }
        }
        return s.length();
    }

    private static String cleanJavadoc(String body) {
        StringBuilder text = new StringBuilder();
        for (String line : body.split("\n")) {
            String t = line.strip();
            if (t.startsWith("*")) {
                t = t.substring(1).strip();
            }
            if (!t.isEmpty()) {
                text.append(text.length() == 0 ? "" : " ").append(t);
            }
        }
        return text.toString();
    }

    /** The header without annotations (an annotation's arguments may hold parentheses and braces). */
    private static String stripAnnotations(String header) {
        StringBuilder out = new StringBuilder();
        int n = header.length();
        for (int i = 0; i < n; i++) {
            char c = header.charAt(i);
            if (c == '@' && i + 1 < n && Character.isJavaIdentifierStart(header.charAt(i + 1))) {
                int j = i + 1;
                while (j < n && (Character.isJavaIdentifierPart(header.charAt(j)) || header.charAt(j) == '.')) {
                    j++;
                }
                String name = header.substring(i + 1, j);
                if (name.equals("interface")) {
                    out.append("@interface");
                    i = j - 1;
                    continue;
                }
                int k = j;
                while (k < n && Character.isWhitespace(header.charAt(k))) {
                    k++;
                }
                if (k < n && header.charAt(k) == '(') {
                    int level = 0;
                    for (; k < n; k++) {
                        if (header.charAt(k) == '(') {
                            level++;
                        } else if (header.charAt(k) == ')' && --level == 0) {
                            break;
                        }
                    }
                    j = k + 1;
                }
                out.append(' ').append(name.equals("Override") ? "@Override" : "").append(' ');
                i = j - 1;
                continue;
            }
            out.append(c);
        }
        return out.toString();
    }

    private static List<String> words(String s) {
        List<String> words = new ArrayList<>();
        var m = WORD.matcher(s);
        while (m.find()) {
            words.add(m.group());
        }
        return words;
    }

    private static String typeKind(String header) {
        int paren = header.indexOf('(');
        String beforeParams = paren < 0 ? header : header.substring(0, paren);
        for (String w : words(beforeParams)) {
            if (w.equals("class") || w.equals("interface") || w.equals("enum") || w.equals("record")) {
                return w;
            }
        }
        return null;
    }

    private static TypeScope openType(String header, String kind, TypeScope outer, int depth) {
        List<String> w = words(header.replaceAll("<[^<>]*(<[^<>]*>[^<>]*)*>", " "));
        String name = w.get(w.indexOf(kind) + 1);
        boolean declaredPublic = w.contains("public") || (outer != null && outer.isInterface() && !w.contains("private"));
        boolean exported = declaredPublic && (outer == null || outer.exported());
        List<String> supertypes = new ArrayList<>();
        int extendsAt = w.indexOf("extends");
        int implementsAt = w.indexOf("implements");
        int from = extendsAt >= 0 ? extendsAt : implementsAt;
        if (from >= 0) {
            for (String s : w.subList(from + 1, w.size())) {
                if (!s.equals("implements") && !s.equals("extends") && !s.equals("permits")) {
                    supertypes.add(s);
                }
            }
        }
        String qualified = outer == null ? name : outer.name() + "." + name;
        return new TypeScope(qualified, exported, kind.equals("interface"), kind.equals("enum"), depth, supertypes,
                new boolean[] {false});
    }

    /** Records {@code header} if it declares an API method of {@code scope}. */
    private static void method(String file, String raw, String header, String javadoc, TypeScope scope,
                               List<ApiMethod> out) {
        if (!scope.exported()) {
            return;
        }
        int open = header.indexOf('(');
        if (open < 0 || header.substring(0, open).contains("=")) {
            return; // a field (perhaps initialized by a call) or a compact constructor
        }
        String before = header.substring(0, open).replaceAll("<[^<>]*(<[^<>]*>[^<>]*)*>", " ");
        List<String> w = words(before);
        if (w.isEmpty()) {
            return;
        }
        String name = w.get(w.size() - 1);
        String simpleTypeName = scope.name().substring(scope.name().lastIndexOf('.') + 1);
        if (name.equals(simpleTypeName) || w.size() < 2) {
            return; // a constructor
        }
        boolean api = scope.isInterface() ? !w.contains("private") : w.contains("public") || w.contains("protected");
        if (!api) {
            return;
        }
        int close = header.lastIndexOf(')');
        String params = header.substring(open + 1, close).replaceAll("<[^<>]*(<[^<>]*>[^<>]*)*>", "");
        List<String> types = new ArrayList<>();
        for (String p : params.split(",")) {
            String t = p.strip().replaceAll("\\bfinal\\s+", "").replaceAll("\\s*\\.\\.\\.\\s*", "[] ")
                    .replaceAll("\\s*\\[\\s*]", "[]");
            if (t.isEmpty()) {
                continue;
            }
            String type = t.substring(0, t.lastIndexOf(' ') < 0 ? t.length() : t.lastIndexOf(' ')).strip();
            types.add(type.substring(type.lastIndexOf('.') + 1));
        }
        String signature = name + "(" + String.join(",", types) + ")";
        out.add(new ApiMethod(file, scope.name(), signature, javadoc, header.contains("@Override"), scope.supertypes()));
    }
}
