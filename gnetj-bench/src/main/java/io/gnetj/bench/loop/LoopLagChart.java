package io.gnetj.bench.loop;

import io.gnetj.Action;
import io.gnetj.Conn;
import io.gnetj.Engine;
import io.gnetj.EventHandler;
import io.gnetj.Gnet;
import io.gnetj.LoopMetrics;
import io.gnetj.Options;
import io.gnetj.codec.ByteSearch;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws what {@link Engine#metrics()} shows of two event loops over a short load: each loop's
 * lag (how late its probe task ran) and busy share, sampled every 250 ms, as docs/observability.md
 * shows it. A server with two loops answers pipelined {@code GET}s with a canned response; wrk
 * loads it from second 3 to second 15; from second 8 to 10 something blocks loop 0 (a 40 ms task
 * every 100 ms, as a handler doing blocking work on the loop would), which is what lag is for.
 *
 * <pre>
 *   mvn -B -q -pl gnetj-bench -am package -DskipTests
 *   java -cp gnetj-bench/target/gnetj-bench.jar io.gnetj.bench.loop.LoopLagChart docs/loop-lag.png
 * </pre>
 *
 * Needs {@code wrk} on the PATH. Loopback only; ends by itself after about 18 s.
 *
 * <p>Threading: a main program; the sampler runs on the main thread, the load in wrk's process.
 */
public final class LoopLagChart {

    private static final byte[] RESPONSE = ("HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\n\r\n"
            + "Hello, World!").getBytes(StandardCharsets.US_ASCII);
    private static final long SAMPLE_MILLIS = 250;
    private static final double SECONDS = 18;

    private LoopLagChart() {
    }

    /** Answers every request head ({@code \r\n\r\n}) with the canned response; bodies are not expected. */
    private static final class Plaintext implements EventHandler {
        @Override
        public Action onTraffic(Conn conn) {
            ByteBuffer in = conn.peek(-1);
            int from = in.position();
            int consumed = 0;
            for (int i = from; ; ) {
                int cr = ByteSearch.indexOf(in, i, in.limit(), (byte) '\r');
                if (cr < 0 || cr + 3 >= in.limit()) {
                    break;
                }
                if (in.get(cr + 1) == '\n' && in.get(cr + 2) == '\r' && in.get(cr + 3) == '\n') {
                    conn.write(RESPONSE);
                    consumed = cr + 4 - from;
                }
                i = cr + 1;
            }
            conn.discard(consumed);
            return Action.NONE;
        }
    }

    /**
     * Runs the load and writes the chart.
     *
     * @param args the PNG to write (default {@code docs/loop-lag.png})
     */
    public static void main(String[] args) throws Exception {
        Path png = Path.of(args.length > 0 ? args[0] : "docs/loop-lag.png");
        Engine engine = Gnet.start(new Plaintext(), "tcp://127.0.0.1:0", Options.builder().numEventLoops(2).build());
        Process wrk = null;
        try {
            int port = ((InetSocketAddress) engine.addresses().get(0)).getPort();
            Path script = Files.createTempFile("pipeline", ".lua");
            Files.writeString(script, "init = function(args) local r = {} for i = 1, 16 do r[i] = wrk.format(nil, \"/\")"
                    + " end req = table.concat(r) end\nrequest = function() return req end\n");
            List<Double> t = new ArrayList<>();
            List<List<Double>> lag = List.of(new ArrayList<>(), new ArrayList<>());
            List<List<Double>> busy = List.of(new ArrayList<>(), new ArrayList<>());
            List<LoopMetrics> previous = engine.metrics().loops();
            long start = System.nanoTime();
            long nextBlock = Long.MAX_VALUE;
            for (long tick = 1; ; tick++) {
                long due = start + TimeUnit.MILLISECONDS.toNanos(tick * SAMPLE_MILLIS);
                while (System.nanoTime() < due) {
                    if (System.nanoTime() >= nextBlock) {
                        nextBlock += TimeUnit.MILLISECONDS.toNanos(100);
                        engine.eventLoops().get(0).execute(() -> sleepMillis(40));
                    }
                    TimeUnit.MILLISECONDS.sleep(5);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                if (wrk == null && seconds >= 3) {
                    wrk = new ProcessBuilder("wrk", "-t1", "-c64", "-d12s", "-s", script.toString(),
                            "http://127.0.0.1:" + port + "/").redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                }
                if (seconds >= 8 && seconds < 10) {
                    nextBlock = Math.min(nextBlock, System.nanoTime());
                } else {
                    nextBlock = Long.MAX_VALUE;
                }
                List<LoopMetrics> now = engine.metrics().loops();
                t.add(seconds);
                for (int i = 0; i < 2; i++) {
                    lag.get(i).add(now.get(i).lastLagNanos() / 1e6);
                    busy.get(i).add(100 * now.get(i).busyRatioSince(previous.get(i)));
                }
                previous = now;
                if (seconds >= SECONDS) {
                    break;
                }
            }
            write(png, t, lag, busy);
            System.out.println("wrote " + png);
        } finally {
            if (wrk != null) {
                wrk.destroy();
                wrk.waitFor(10, TimeUnit.SECONDS);
            }
            engine.stop();
        }
    }

    private static void write(Path png, List<Double> t, List<List<Double>> lag, List<List<Double>> busy)
            throws IOException {
        XYChart lagChart = chart("Loop lag: how late each loop ran its probe task (ms)", "lag, ms");
        XYChart busyChart = chart("Loop busy share (% of wall time not waiting in select)", "busy, %");
        for (int i = 0; i < 2; i++) {
            lagChart.addSeries("loop " + i, t, lag.get(i)).setMarker(SeriesMarkers.NONE);
            busyChart.addSeries("loop " + i, t, busy.get(i)).setMarker(SeriesMarkers.NONE);
        }
        java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(900, 640,
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = image.createGraphics();
        g.drawImage(BitmapEncoder.getBufferedImage(lagChart), 0, 0, null);
        g.drawImage(BitmapEncoder.getBufferedImage(busyChart), 0, 320, null);
        g.dispose();
        Files.createDirectories(png.toAbsolutePath().getParent());
        javax.imageio.ImageIO.write(image, "png", png.toFile());
    }

    private static XYChart chart(String title, String yTitle) {
        XYChart chart = new XYChartBuilder().width(900).height(320).title(title)
                .xAxisTitle("seconds (wrk from 3 to 15; loop 0 blocked 40 ms in every 100 from 8 to 10)")
                .yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setChartTitleFont(chart.getStyler().getChartTitleFont().deriveFont(13f));
        chart.getStyler().setYAxisMin(0.0);
        return chart;
    }

    private static void sleepMillis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
