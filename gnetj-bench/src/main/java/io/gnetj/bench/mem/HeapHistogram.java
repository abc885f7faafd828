package io.gnetj.bench.mem;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The live objects per class of {@code jcmd PID GC.class_histogram}, to say which objects a
 * connection keeps on the heap (the JDK's socket and selector objects, the TLS engine, the
 * handler's session) between two stages.
 *
 * <p>Threading: stateless; any thread.
 */
final class HeapHistogram {

    /** {@code    1:        123456       7890123  java.lang.String (java.base@17.0.15)}. */
    private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");

    private HeapHistogram() {
    }

    /** Instances and bytes of one class. */
    record Entry(long instances, long bytes) {
    }

    /** Every class of a histogram. */
    static Map<String, Entry> parse(String histogram) {
        Map<String, Entry> out = new HashMap<>();
        for (String line : histogram.split("\n")) {
            Matcher m = ROW.matcher(line);
            if (m.find()) {
                out.put(m.group(3), new Entry(Long.parseLong(m.group(1)), Long.parseLong(m.group(2))));
            }
        }
        return out;
    }

    /**
     * The {@code top} classes that grew most in bytes from {@code before} to {@code after}, as
     * lines giving instances and bytes added, per connection too.
     */
    static List<String> growth(Map<String, Entry> before, Map<String, Entry> after, int conns, int top) {
        List<Map.Entry<String, Long>> grown = new ArrayList<>();
        long total = 0;
        for (Map.Entry<String, Entry> e : after.entrySet()) {
            long added = e.getValue().bytes() - before.getOrDefault(e.getKey(), new Entry(0, 0)).bytes();
            total += added;
            if (added > 0) {
                grown.add(Map.entry(e.getKey(), added));
            }
        }
        grown.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "  heap growth by class (live objects after GC): %+.1f MiB, %.0f B per connection",
                total / 1048576.0, (double) total / conns));
        for (Map.Entry<String, Long> e : grown.subList(0, Math.min(top, grown.size()))) {
            long instances = after.get(e.getKey()).instances() - before.getOrDefault(e.getKey(), new Entry(0, 0)).instances();
            lines.add(String.format(Locale.ROOT, "    %10d B/conn %8.2f objects/conn  %s",
                    Math.round((double) e.getValue() / conns), (double) instances / conns, e.getKey()));
        }
        return lines;
    }
}
