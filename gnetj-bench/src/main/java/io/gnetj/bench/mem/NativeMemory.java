package io.gnetj.bench.mem;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The committed memory per category of {@code jcmd PID VM.native_memory summary}, to say where
 * resident memory went between two stages. On the JDKs this runs on, direct {@code ByteBuffer}s
 * are counted under "Other", the heap under "Java Heap", socket objects inside the heap, and
 * selector and socket bookkeeping of the JDK's native code under "Other" or "NIO".
 *
 * <p>Threading: stateless; any thread.
 */
final class NativeMemory {

    /** {@code -   Java Heap (reserved=1048576KB, committed=65536KB)}; spaces and case vary by JDK. */
    private static final Pattern CATEGORY = Pattern.compile("^-\\s+(.+?)\\s+\\(reserved=(\\d+)KB,\\s*committed=(\\d+)KB\\)");
    private static final Pattern TOTAL = Pattern.compile("^Total:\\s+reserved=(\\d+)KB,\\s*committed=(\\d+)KB");

    private NativeMemory() {
    }

    /** Committed KiB per category, in the report's order, with "Total" first. */
    static Map<String, Long> committedKiB(String summary) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String raw : summary.split("\n")) {
            String line = raw.trim();
            Matcher t = TOTAL.matcher(line);
            if (t.find()) {
                out.put("Total", Long.parseLong(t.group(2)));
                continue;
            }
            Matcher m = CATEGORY.matcher(line);
            if (m.find()) {
                out.put(m.group(1).trim(), Long.parseLong(m.group(3)));
            }
        }
        return out;
    }

    /**
     * A table of committed MiB per category at each stage, with the change from the first stage;
     * categories that never move by 1 MiB are left out.
     */
    static List<String> table(List<String> stages, List<Map<String, Long>> committed) {
        List<String> lines = new ArrayList<>();
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "  %-22s", "NMT committed MiB"));
        for (String s : stages) {
            head.append(String.format(Locale.ROOT, " %12s", s));
        }
        lines.add(head.toString());
        Map<String, Long> first = committed.get(0);
        for (String category : first.keySet()) {
            long min = Long.MAX_VALUE;
            long max = Long.MIN_VALUE;
            for (Map<String, Long> c : committed) {
                long v = c.getOrDefault(category, 0L);
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            if (max - min < 1024 && !category.equals("Total")) {
                continue;
            }
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "  %-22s", category));
            for (Map<String, Long> c : committed) {
                long v = c.getOrDefault(category, 0L);
                long d = v - first.getOrDefault(category, 0L);
                row.append(String.format(Locale.ROOT, " %12s", String.format(Locale.ROOT, "%.1f%s", v / 1024.0,
                        c == first ? "" : String.format(Locale.ROOT, "(%+.0f)", d / 1024.0))));
            }
            lines.add(row.toString());
        }
        return lines;
    }
}
