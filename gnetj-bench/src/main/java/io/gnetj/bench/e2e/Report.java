package io.gnetj.bench.e2e;

import io.gnetj.bench.host.Machine;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * Turns the runs into {@code results.csv} (every run), {@code report.md} (median, min and max per
 * figure, and the ratio to Netty NIO measured in the same run) and a chart drawn with XChart; with
 * {@code --docs}, also into the docs page between its {@value #BEGIN} and {@value #END} markers.
 */
final class Report {

    static final String BEGIN = "<!-- e2e:begin -->";
    static final String END = "<!-- e2e:end -->";
    static final String CHART = "e2e-servers.png";

    private final Runner.Config config;
    private final List<Machine.Jdk> jdks;
    private final List<Case> cases;
    private final List<Result> results;
    private final String loadBefore;
    private final String loadAfter;
    private final double minutes;

    Report(Runner.Config config, List<Machine.Jdk> jdks, List<Case> cases, List<Result> results, String loadBefore,
           String loadAfter, double minutes) {
        this.config = config;
        this.jdks = jdks;
        this.cases = cases;
        this.results = results;
        this.loadBefore = loadBefore;
        this.loadAfter = loadAfter;
        this.minutes = minutes;
    }

    Path chartPath() {
        return config.out().resolve(CHART);
    }

    /** Writes CSV, markdown and chart (and the docs page if asked); returns the markdown's path. */
    Path writeAll() throws IOException {
        Files.createDirectories(config.out());
        Files.writeString(config.out().resolve("results.csv"), csv(), StandardCharsets.UTF_8);
        chart(chartPath());
        String md = markdown(CHART);
        Path report = config.out().resolve("report.md");
        Files.writeString(report, md, StandardCharsets.UTF_8);
        if (config.docs() != null) {
            updateDocs(config.docs(), md);
            Files.copy(chartPath(), config.docs().resolveSibling(CHART), StandardCopyOption.REPLACE_EXISTING);
        }
        return report;
    }

    // ---- one line per run, for the console ----

    static String oneLine(Case c, Map<String, Double> m) {
        if (c.load() == Case.Load.IDLE) {
            return String.format(Locale.ROOT, "RSS +%.1f MiB for %,d connections, live heap %,.0f B/conn",
                    m.get(Result.RSS_DELTA_MIB), c.conns(), m.get(Result.HEAP_PER_CONN_B));
        }
        String s = String.format(Locale.ROOT, "%s %s, server CPU %.2f us/req (%.0f %%), load CPU %.0f %%, others %.0f %%, %.0f B/req on loops",
                number(m.get(Result.THROUGHPUT)), c.load().unit, m.get(Result.CPU_US_PER_REQ),
                m.get(Result.SERVER_CPU_PCT), m.get(Result.LOAD_CPU_PCT), m.getOrDefault(Result.OTHER_CPU_PCT, Double.NaN),
                m.get(Result.ALLOC_LOOP_B_PER_REQ));
        if (m.containsKey(Result.P99_US)) {
            s += String.format(Locale.ROOT, ", p99 %.0f us", m.get(Result.P99_US));
        }
        return s;
    }

    // ---- CSV ----

    private static final String[] CSV_METRICS = {
        Result.THROUGHPUT, Result.REQUESTS, Result.CPU_US_PER_REQ, Result.SERVER_CPU_PCT, Result.LOAD_CPU_PCT,
        Result.OTHER_CPU_PCT,
        Result.ALLOC_LOOP_B_PER_REQ, Result.ALLOC_ALL_B_PER_REQ, Result.P50_US, Result.P99_US, Result.P999_US,
        Result.RSS_BEFORE_MIB, Result.RSS_AFTER_MIB, Result.RSS_DELTA_MIB, Result.HEAP_PER_CONN_B,
    };

    private String csv() {
        StringBuilder sb = new StringBuilder("jdk,case,impl,round,status," + String.join(",", CSV_METRICS) + ",note\n");
        for (Result r : results) {
            sb.append(r.jdk()).append(',').append(r.caseName()).append(',').append(r.impl()).append(',')
                    .append(r.round()).append(',').append(r.status());
            for (String k : CSV_METRICS) {
                double v = r.get(k);
                sb.append(',').append(Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.4f", v));
            }
            sb.append(',').append(r.note() == null ? "" : '"' + r.note().replace('"', '\'').replace('\n', ' ') + '"').append('\n');
        }
        return sb.toString();
    }

    /** Reads back a {@code results.csv} this class wrote (to redraw the chart without measuring again). */
    static List<Result> readCsv(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        String[] header = lines.get(0).split(",");
        List<Result> out = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            int quote = line.indexOf('"');
            String note = quote < 0 ? null : line.substring(quote + 1, line.length() - 1);
            String[] f = (quote < 0 ? line : line.substring(0, quote)).split(",", -1);
            java.util.Map<String, Double> m = new java.util.HashMap<>();
            for (int i = 5; i < header.length - 1 && i < f.length; i++) {
                if (!f[i].isEmpty()) {
                    m.put(header[i], Double.parseDouble(f[i]));
                }
            }
            out.add(new Result(f[0], f[1], f[2], Integer.parseInt(f[3]), Result.Status.valueOf(f[4]), m, note));
        }
        return out;
    }

    // ---- statistics ----

    /** Median, min and max of one figure over the rounds that measured it. */
    record Stat(double median, double min, double max, int n) {
        static final Stat NONE = new Stat(Double.NaN, Double.NaN, Double.NaN, 0);

        boolean present() {
            return n > 0;
        }
    }

    Stat stat(String jdk, String caseName, String impl, String metric) {
        double[] v = results.stream()
                .filter(r -> r.status() == Result.Status.OK && r.jdk().equals(jdk) && r.caseName().equals(caseName)
                        && r.impl().equals(impl))
                .mapToDouble(r -> r.get(metric)).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (v.length == 0) {
            return Stat.NONE;
        }
        double median = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        return new Stat(median, v[0], v[v.length - 1], v.length);
    }

    private double ratio(String jdk, String caseName, String impl, String metric) {
        Stat mine = stat(jdk, caseName, impl, metric);
        Stat ref = stat(jdk, caseName, Case.REFERENCE, metric);
        return mine.present() && ref.present() && ref.median() != 0 ? mine.median() / ref.median() : Double.NaN;
    }

    // ---- markdown ----

    String markdown(String chartFile) {
        StringBuilder sb = new StringBuilder();
        sb.append("<!-- Written by io.gnetj.bench.e2e.Runner; rerun it rather than editing by hand. -->\n\n");
        sb.append("### Setup\n\n| | |\n|---|---|\n");
        row(sb, "machine", Machine.describe());
        StringBuilder jdkText = new StringBuilder();
        for (Machine.Jdk j : jdks) {
            jdkText.append(jdkText.length() == 0 ? "" : "; ").append(j.description());
        }
        row(sb, "server JDKs", jdkText.toString());
        row(sb, "gnetj revision", Machine.revision());
        row(sb, "Netty", nettyVersion() + ": NIO and native epoll transports, `IoHandler` event loops, default allocator");
        row(sb, "load", Machine.wrkVersion() + ", 1 thread; EchoLoad (gnetj-bench), 1 thread, on JDK "
                + System.getProperty("java.version"));
        row(sb, "pinning", (config.serverPin().isEmpty() ? "none" : "servers `" + String.join(" ", config.serverPin()) + "`, loads `"
                + String.join(" ", config.loadPin()) + "`") + "; " + config.loops() + " event loop(s) per server plus its acceptor thread");
        row(sb, "server JVM flags", "`" + String.join(" ", Runner.SERVER_FLAGS) + "`; Netty on JDK 24+ also "
                + "`--sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED`");
        row(sb, "rounds", config.rounds() + " per case, servers alternating within each round; warm-up " + config.warmup()
                + " s, measured " + config.measure() + " s; a fresh server JVM per " + (config.smoke() ? "workload" : "case"));
        row(sb, "load average", "at start " + loadBefore + ", at end " + loadAfter + String.format(Locale.ROOT, "; the run took %.0f min", minutes));
        row(sb, "command", "`" + config.command() + "`");
        sb.append('\n');
        sb.append("Each figure is the median over the rounds, with min–max in brackets; \"vs NIO\" divides medians "
                + "by Netty NIO's of the same JDK and run. CPU/req is the server process's user + system time "
                + "(all its threads, from `/proc/PID/stat`) over the measured window, divided by the requests "
                + "answered in it; server, load and others' CPU are percent of one core over the window, \"others\" being "
                + "every other process on the machine (from `/proc/stat`), the measure of how much the figures were disturbed. "
                + "Alloc is the bytes allocated by the server's event-loop threads per request. "
                + "For wrk cases the latency is wrk's, per request; for ping-pong it is per round trip.\n\n");
        sb.append("![End-to-end: throughput and CPU per request relative to Netty NIO](").append(chartFile).append(")\n\n");

        for (Machine.Jdk j : jdks) {
            sb.append("### JDK ").append(j.label()).append("\n\n");
            sb.append("| case | server | throughput | vs NIO | CPU/req (µs) | vs NIO | server CPU | load CPU | others' CPU | latency p50 / p99 / p99.9 (µs) | alloc (B/req) |\n");
            sb.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for (Case c : cases) {
                if (c.load() == Case.Load.IDLE) {
                    continue;
                }
                for (String impl : c.impls()) {
                    Stat t = stat(j.label(), c.name(), impl, Result.THROUGHPUT);
                    if (!t.present()) {
                        sb.append("| ").append(c.name()).append(" | ").append(impl).append(" | ")
                                .append(why(j.label(), c.name(), impl)).append(" | | | | | | | | |\n");
                        continue;
                    }
                    Stat cpu = stat(j.label(), c.name(), impl, Result.CPU_US_PER_REQ);
                    sb.append("| ").append(c.name()).append(" | ").append(impl).append(" | ")
                            .append(range(t, "%,.0f")).append(' ').append(c.load().unit).append(" | ")
                            .append(ratioText(ratio(j.label(), c.name(), impl, Result.THROUGHPUT))).append(" | ")
                            .append(range(cpu, "%.2f")).append(" | ")
                            .append(ratioText(ratio(j.label(), c.name(), impl, Result.CPU_US_PER_REQ))).append(" | ")
                            .append(fmt("%.0f %%", stat(j.label(), c.name(), impl, Result.SERVER_CPU_PCT).median())).append(" | ")
                            .append(fmt("%.0f %%", stat(j.label(), c.name(), impl, Result.LOAD_CPU_PCT).median())).append(" | ")
                            .append(range(stat(j.label(), c.name(), impl, Result.OTHER_CPU_PCT), "%.0f %%")).append(" | ")
                            .append(latency(j.label(), c.name(), impl)).append(" | ")
                            .append(range(stat(j.label(), c.name(), impl, Result.ALLOC_LOOP_B_PER_REQ), "%.1f")).append(" |\n");
                }
            }
            sb.append('\n');
            boolean anyIdle = cases.stream().anyMatch(c -> c.load() == Case.Load.IDLE);
            if (anyIdle) {
                sb.append("| memory case | server | RSS before (MiB) | RSS after (MiB) | ΔRSS (MiB) | vs NIO | ΔRSS per connection | live heap per connection |\n");
                sb.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
                for (Case c : cases) {
                    if (c.load() != Case.Load.IDLE) {
                        continue;
                    }
                    for (String impl : c.impls()) {
                        Stat d = stat(j.label(), c.name(), impl, Result.RSS_DELTA_MIB);
                        if (!d.present()) {
                            sb.append("| ").append(c.name()).append(" | ").append(impl).append(" | ")
                                    .append(why(j.label(), c.name(), impl)).append(" | | | | | |\n");
                            continue;
                        }
                        sb.append("| ").append(c.name()).append(String.format(Locale.ROOT, " (%,d idle)", c.conns()))
                                .append(" | ").append(impl).append(" | ")
                                .append(fmt("%.1f", stat(j.label(), c.name(), impl, Result.RSS_BEFORE_MIB).median())).append(" | ")
                                .append(fmt("%.1f", stat(j.label(), c.name(), impl, Result.RSS_AFTER_MIB).median())).append(" | ")
                                .append(range(d, "%.1f")).append(" | ")
                                .append(ratioText(ratio(j.label(), c.name(), impl, Result.RSS_DELTA_MIB))).append(" | ")
                                .append(fmt("%,.0f B", d.median() * 1024 * 1024 / c.conns())).append(" | ")
                                .append(fmt("%,.0f B", stat(j.label(), c.name(), impl, Result.HEAP_PER_CONN_B).median())).append(" |\n");
                    }
                }
                sb.append('\n');
            }
        }
        sb.append("Loads: ");
        for (int i = 0; i < cases.size(); i++) {
            sb.append(i == 0 ? "" : "; ").append('`').append(cases.get(i).name()).append("` ").append(cases.get(i).describe());
        }
        sb.append(".\n");
        List<String> problems = new ArrayList<>();
        for (Result r : results) {
            if (r.status() == Result.Status.FAILED) {
                problems.add("- failed: JDK " + r.jdk() + ", " + r.caseName() + ", " + r.impl() + ", round " + r.round()
                        + ": " + firstLine(r.note()));
            }
        }
        if (!problems.isEmpty()) {
            sb.append("\nRuns that failed:\n\n").append(String.join("\n", problems)).append('\n');
        }
        return sb.toString();
    }

    private String why(String jdk, String caseName, String impl) {
        for (Result r : results) {
            if (r.jdk().equals(jdk) && r.caseName().equals(caseName) && r.impl().equals(impl) && r.note() != null) {
                return (r.status() == Result.Status.SKIPPED ? "skipped: " : "failed: ") + firstLine(r.note());
            }
        }
        return "not run";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).replace('|', '/');
    }

    private String latency(String jdk, String caseName, String impl) {
        Stat p50 = stat(jdk, caseName, impl, Result.P50_US);
        Stat p99 = stat(jdk, caseName, impl, Result.P99_US);
        Stat p999 = stat(jdk, caseName, impl, Result.P999_US);
        if (!p50.present()) {
            return "";
        }
        return fmt("%.0f", p50.median()) + " / " + range(p99, "%.0f") + (p999.present() ? " / " + fmt("%.0f", p999.median()) : "");
    }

    private static void row(StringBuilder sb, String k, String v) {
        sb.append("| ").append(k).append(" | ").append(v.replace('|', '/').replace("\n", " ")).append(" |\n");
    }

    private static String range(Stat s, String format) {
        if (!s.present()) {
            return "";
        }
        if (s.n() == 1) {
            return fmt(format, s.median());
        }
        return fmt(format, s.median()) + " (" + fmt(format, s.min()) + "–" + fmt(format, s.max()) + ")";
    }

    private static String ratioText(double r) {
        return Double.isNaN(r) ? "" : fmt("%.2f×", r);
    }

    private static String fmt(String format, double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, format, v);
    }

    private static String number(double v) {
        return String.format(Locale.ROOT, v >= 1000 ? "%,.0f" : "%.1f", v);
    }

    private static String nettyVersion() {
        try {
            // Every Netty jar is of one version (the BOM); a shaded jar may keep only one jar's entry.
            return "Netty " + io.netty.util.Version.identify(Report.class.getClassLoader()).values().iterator().next()
                    .artifactVersion();
        } catch (RuntimeException e) {
            return "Netty (version unknown)";
        }
    }

    // ---- chart ----

    /**
     * One row per JDK: throughput relative to Netty NIO (higher is better) and server CPU time per
     * request relative to Netty NIO (lower is better), per case and server.
     */
    void chart(Path png) throws IOException {
        List<String> categories = new ArrayList<>();
        for (Case c : cases) {
            if (c.load() != Case.Load.IDLE) {
                categories.add(c.name());
            }
        }
        List<String> memoryCategories = new ArrayList<>();
        for (Case c : cases) {
            if (c.load() == Case.Load.IDLE) {
                memoryCategories.add(c.name());
            }
        }
        // One column per JDK; rows: throughput, CPU per request, and memory when measured.
        int w = 760;
        int h = 430;
        int rows = (categories.isEmpty() ? 0 : 2) + (memoryCategories.isEmpty() ? 0 : 1);
        BufferedImage image = new BufferedImage(w * Math.max(1, jdks.size()), h * Math.max(1, rows), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        int x = 0;
        for (Machine.Jdk j : jdks) {
            int y = 0;
            if (!categories.isEmpty()) {
                drawChart(g, x, y, ratioChart(j.label(), categories, Result.THROUGHPUT,
                        "JDK " + j.label() + ": throughput vs Netty NIO (higher is better)", w, h));
                y += h;
                drawChart(g, x, y, ratioChart(j.label(), categories, Result.CPU_US_PER_REQ,
                        "JDK " + j.label() + ": server CPU per request vs Netty NIO (lower is better)", w, h));
                y += h;
            }
            if (!memoryCategories.isEmpty()) {
                drawChart(g, x, y, ratioChart(j.label(), memoryCategories, Result.RSS_DELTA_MIB,
                        "JDK " + j.label() + ": RSS growth with idle connections vs Netty NIO (lower is better)", w, h));
            }
            x += w;
        }
        g.dispose();
        Files.createDirectories(png.getParent());
        ImageIO.write(image, "png", png.toFile());
    }

    private static void drawChart(Graphics2D g, int x, int y, CategoryChart chart) {
        g.drawImage(BitmapEncoder.getBufferedImage(chart), x, y, null);
    }

    private CategoryChart ratioChart(String jdk, List<String> categories, String metric, String title, int w, int h) {
        CategoryChart chart = new CategoryChartBuilder().width(w).height(h).title(title)
                .yAxisTitle("ratio to Netty NIO").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setXAxisLabelRotation(20);
        chart.getStyler().setChartTitleFont(chart.getStyler().getChartTitleFont().deriveFont(13f));
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisDecimalPattern("0.00");
        for (String impl : Arrays.asList(Case.GNETJ, Case.GNETJ_EPOLL, Case.NETTY_NIO, Case.NETTY_EPOLL)) {
            List<Double> values = new ArrayList<>();
            boolean any = false;
            for (String c : categories) {
                double r = ratio(jdk, c, impl, metric);
                values.add(Double.isNaN(r) ? 0.0 : r);
                any |= !Double.isNaN(r);
            }
            if (any) {
                chart.addSeries(impl, categories, values).setFillColor(color(impl));
            }
        }
        if (chart.getSeriesMap().isEmpty()) {
            chart.addSeries("no data", categories, categories.stream().map(c -> 0.0).toList());
        }
        return chart;
    }

    /** The same colour for a server in every chart, whichever servers are present. */
    private static Color color(String impl) {
        switch (impl) {
            case Case.GNETJ: return new Color(0x1f77b4);
            case Case.GNETJ_EPOLL: return new Color(0x2ca02c);
            case Case.NETTY_NIO: return new Color(0x9a9a9a);
            default: return new Color(0xff7f0e);
        }
    }

    // ---- docs ----

    private void updateDocs(Path docs, String md) throws IOException {
        String page = Files.readString(docs, StandardCharsets.UTF_8);
        int begin = page.indexOf(BEGIN);
        int end = page.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IOException(docs + " has no " + BEGIN + " ... " + END + " markers to write between");
        }
        String updated = page.substring(0, begin + BEGIN.length()) + "\n" + md + "\n" + page.substring(end);
        Files.writeString(docs, updated, StandardCharsets.UTF_8);
    }
}
