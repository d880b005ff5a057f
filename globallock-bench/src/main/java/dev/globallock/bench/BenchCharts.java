/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Draws the benchmark charts of docs/benchmarks.md as SVG (no dependency) from the markdown tables
 * the bench mains print ({@code target/bench/<engine>.md}), kept in {@code docs/benchmarks/raw/} as
 * {@code <engine>-<date>.md}; the newest file of each engine is drawn.
 *
 * <pre>
 * mvn -q -pl globallock-bench compile org.codehaus.mojo:exec-maven-plugin:3.5.0:java \
 *     -Dexec.mainClass=dev.globallock.bench.BenchCharts [-Dexec.args="RAW_DIR OUT_DIR"]
 * </pre>
 *
 * (defaults: {@code ../docs/benchmarks/raw} and {@code ../docs/benchmarks}, from globallock-bench).
 * Writes {@code uncontended.svg} (lock+unlock throughput of globallock and each backend's usual Java
 * library as a share of the raw floor: the median of the per-round ratios, as the bench mains
 * compute it) and {@code handoff.svg} (release to the waiter holding the lock, p50, log scale).
 */
public final class BenchCharts {
    /** The libraries of one engine's table: the floor, globallock, the peer. */
    record Engine(String key, String title, String floor, String globallock, String peer) {}

    static final List<Engine> ENGINES = List.of(
            new Engine("redis", "Redis", "raw Jedis floor", "globallock", "Redisson RLock"),
            new Engine("etcd", "etcd", "raw jetcd floor", "globallock", "jetcd lock client"),
            new Engine("zookeeper", "ZooKeeper", "raw ZooKeeper floor", "globallock", "Curator InterProcessMutex"));

    private static final String UNCONTENDED = "uncontended lock+unlock";
    private static final Pattern ROUND = Pattern.compile("(.*) \\(round (\\d+)\\)");
    private static final Pattern DURATION = Pattern.compile("([0-9.]+) (µs|ms|s)");
    private static final String GLOBALLOCK_COLOUR = "#2b6cb0";
    private static final String PEER_COLOUR = "#dd6b20";
    private static final String FLOOR_COLOUR = "#a0aec0";

    private BenchCharts() {}

    public static void main(String[] args) throws IOException {
        Path raw = Path.of(args.length > 0 ? args[0] : "../docs/benchmarks/raw");
        Path out = Path.of(args.length > 1 ? args[1] : "../docs/benchmarks");
        for (Path written : draw(raw, out)) {
            System.out.println("wrote " + written);
        }
    }

    /** Draws every chart from the raw tables in {@code raw} into {@code out}; returns the files written. */
    static List<Path> draw(Path raw, Path out) throws IOException {
        Map<Engine, Table> tables = new LinkedHashMap<>();
        for (Engine engine : ENGINES) {
            tables.put(engine, Table.read(newest(raw, engine.key())));
        }
        Files.createDirectories(out);
        Path uncontended = out.resolve("uncontended.svg");
        Files.writeString(uncontended, uncontendedChart(tables), StandardCharsets.UTF_8);
        Path handoff = out.resolve("handoff.svg");
        Files.writeString(handoff, handoffChart(tables), StandardCharsets.UTF_8);
        return List.of(uncontended, handoff);
    }

    static Path newest(Path raw, String engine) throws IOException {
        try (Stream<Path> files = Files.list(raw)) {
            return files.filter(p -> p.getFileName().toString().startsWith(engine + "-"))
                    .filter(p -> p.getFileName().toString().endsWith(".md"))
                    .max(Path::compareTo)
                    .orElseThrow(() -> new IOException("no " + engine + "-<date>.md in " + raw));
        }
    }

    /** One bench main's table: library (without its round), measurement, round, ops/s, p50 in ms. */
    record Row(String library, String measurement, int round, double opsPerSecond, double p50Millis) {}

    record Table(Path file, List<Row> rows) {
        static Table read(Path file) throws IOException {
            List<Row> rows = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.startsWith("| ") || line.startsWith("| library ") || line.startsWith("|---")) {
                    continue;
                }
                String[] cells = line.substring(1, line.lastIndexOf('|')).split("\\|", -1);
                if (cells.length < 5) {
                    continue;
                }
                String library = cells[0].strip();
                int round = 0;
                Matcher m = ROUND.matcher(library);
                if (m.matches()) {
                    library = m.group(1);
                    round = Integer.parseInt(m.group(2));
                }
                rows.add(new Row(library, cells[1].strip(), round, number(cells[2].strip()), millis(cells[3].strip())));
            }
            return new Table(file, rows);
        }

        /** The median over the rounds of {@code library}'s ops/s divided by the floor's of the same round. */
        double uncontendedShareOfFloor(String library, String floor) {
            Map<Integer, Double> floors = rows.stream()
                    .filter(r -> r.library.equals(floor) && r.measurement.equals(UNCONTENDED))
                    .collect(Collectors.toMap(Row::round, Row::opsPerSecond));
            double[] ratios = rows.stream()
                    .filter(r -> r.library.equals(library) && r.measurement.equals(UNCONTENDED))
                    .filter(r -> floors.containsKey(r.round))
                    .mapToDouble(r -> r.opsPerSecond / floors.get(r.round))
                    .sorted()
                    .toArray();
            if (ratios.length == 0) {
                throw new IllegalStateException(
                        file + " has no '" + UNCONTENDED + "' rounds of " + library + " and " + floor);
            }
            return ratios[ratios.length / 2];
        }

        /** The median over the rounds of the p50 of the file's first handoff measurement, in ms. */
        double handoffP50(String library) {
            String measurement = rows.stream()
                    .map(Row::measurement)
                    .filter(m -> m.startsWith("handoff"))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException(file + " has no handoff rows"));
            double[] p50s = rows.stream()
                    .filter(r -> r.library.equals(library) && r.measurement.equals(measurement))
                    .mapToDouble(Row::p50Millis)
                    .filter(v -> !Double.isNaN(v))
                    .sorted()
                    .toArray();
            if (p50s.length == 0) {
                throw new IllegalStateException(file + " has no '" + measurement + "' p50 of " + library);
            }
            return p50s[p50s.length / 2];
        }

        String handoffMeasurement() {
            return rows.stream()
                    .map(Row::measurement)
                    .filter(m -> m.startsWith("handoff"))
                    .findFirst()
                    .orElse("handoff");
        }
    }

    private static double number(String cell) {
        return cell.isEmpty() ? Double.NaN : Double.parseDouble(cell);
    }

    private static double millis(String cell) {
        Matcher m = DURATION.matcher(cell);
        if (!m.matches()) {
            return Double.NaN;
        }
        double value = Double.parseDouble(m.group(1));
        switch (m.group(2)) {
            case "µs":
                return value / 1000;
            case "s":
                return value * 1000;
            default:
                return value;
        }
    }

    static String uncontendedChart(Map<Engine, Table> tables) {
        int width = 720;
        int height = 360;
        int left = 70;
        int right = 20;
        int top = 60;
        int bottom = 70;
        double max = 1.2;
        int plotHeight = height - top - bottom;
        int plotWidth = width - left - right;
        Svg svg = new Svg(width, height);
        svg.text(
                width / 2.0,
                24,
                "middle",
                16,
                "bold",
                "Uncontended lock+unlock, throughput as a share of the raw floor");
        svg.text(
                width / 2.0,
                44,
                "middle",
                12,
                "normal",
                "median of the per-round ratios; one local server, 2 shared cores (docs/benchmarks.md)");
        for (int i = 0; i <= 6; i++) {
            double v = i * 0.2;
            double y = top + plotHeight - v / max * plotHeight;
            svg.line(left, y, width - right, y, "#e2e8f0", 1, false);
            svg.text(left - 8, y + 4, "end", 11, "normal", String.format(Locale.ROOT, "%.1f×", v));
        }
        double floorY = top + plotHeight - 1.0 / max * plotHeight;
        svg.line(left, floorY, width - right, floorY, "#4a5568", 1.5, true);
        svg.text(width - right - 4, floorY - 6, "end", 11, "normal", "raw floor = 1.0×");
        int groups = tables.size();
        double groupWidth = (double) plotWidth / groups;
        double barWidth = groupWidth / 4;
        int g = 0;
        for (Map.Entry<Engine, Table> entry : tables.entrySet()) {
            Engine engine = entry.getKey();
            Table table = entry.getValue();
            double x0 = left + g * groupWidth + groupWidth / 2 - barWidth - 4;
            double[] values = {
                table.uncontendedShareOfFloor(engine.globallock(), engine.floor()),
                table.uncontendedShareOfFloor(engine.peer(), engine.floor())
            };
            String[] colours = {GLOBALLOCK_COLOUR, PEER_COLOUR};
            String[] names = {"globallock", engine.peer()};
            for (int b = 0; b < 2; b++) {
                double x = x0 + b * (barWidth + 8);
                double h = Math.min(values[b], max) / max * plotHeight;
                svg.rect(x, top + plotHeight - h, barWidth, h, colours[b], names[b]);
                svg.text(
                        x + barWidth / 2,
                        top + plotHeight - h + 18,
                        "middle",
                        13,
                        "bold",
                        "#ffffff",
                        String.format(Locale.ROOT, "%.2f×", values[b]));
            }
            double cx = left + g * groupWidth + groupWidth / 2;
            svg.text(cx, top + plotHeight + 20, "middle", 13, "bold", engine.title());
            svg.text(cx, top + plotHeight + 36, "middle", 11, "normal", "vs " + engine.peer());
            g++;
        }
        legend(svg, left, height - 18, new String[] {"globallock", "the backend's usual Java library"}, new String[] {
            GLOBALLOCK_COLOUR, PEER_COLOUR
        });
        return svg.finish();
    }

    static String handoffChart(Map<Engine, Table> tables) {
        int width = 760;
        int rowHeight = 22;
        int top = 60;
        int left = 290;
        int right = 70;
        int rows = tables.size() * 3;
        int height = top + rows * rowHeight + tables.size() * 10 + 60;
        double minLog = -1; // 0.1 ms
        double maxLog = 2; // 100 ms
        int plotWidth = width - left - right;
        Svg svg = new Svg(width, height);
        svg.text(width / 2.0, 24, "middle", 16, "bold", "Handoff: release to the waiter holding the lock, p50");
        svg.text(
                width / 2.0,
                44,
                "middle",
                12,
                "normal",
                "milliseconds, log scale; median over the rounds (docs/benchmarks.md)");
        int plotBottom = height - 50;
        for (int e = -1; e <= 2; e++) {
            double x = left + (e - minLog) / (maxLog - minLog) * plotWidth;
            svg.line(x, top - 6, x, plotBottom, "#e2e8f0", 1, false);
            svg.text(x, plotBottom + 16, "middle", 11, "normal", e < 0 ? "0.1 ms" : ((int) Math.pow(10, e)) + " ms");
        }
        double y = top;
        for (Map.Entry<Engine, Table> entry : tables.entrySet()) {
            Engine engine = entry.getKey();
            Table table = entry.getValue();
            String[] libraries = {engine.floor(), engine.globallock(), engine.peer()};
            String[] colours = {FLOOR_COLOUR, GLOBALLOCK_COLOUR, PEER_COLOUR};
            String waited = table.handoffMeasurement().replace("handoff, ", "");
            for (int b = 0; b < 3; b++) {
                double value = table.handoffP50(libraries[b]);
                double w = Math.max(2, (Math.log10(value) - minLog) / (maxLog - minLog) * plotWidth);
                svg.text(
                        left - 8,
                        y + rowHeight / 2.0 + 4,
                        "end",
                        12,
                        b == 1 ? "bold" : "normal",
                        engine.title() + " · " + libraries[b]);
                svg.rect(left, y + 3, w, rowHeight - 6, colours[b], libraries[b]);
                svg.text(left + w + 6, y + rowHeight / 2.0 + 4, "start", 11, "normal", format(value));
                y += rowHeight;
            }
            svg.text(left - 8, y + 6, "end", 10, "normal", "(" + waited + ")");
            y += 10;
        }
        legend(
                svg,
                20,
                height - 14,
                new String[] {"raw floor", "globallock", "the backend's usual Java library"},
                new String[] {FLOOR_COLOUR, GLOBALLOCK_COLOUR, PEER_COLOUR});
        return svg.finish();
    }

    private static String format(double millis) {
        return millis < 1
                ? String.format(Locale.ROOT, "%.0f µs", millis * 1000)
                : String.format(Locale.ROOT, "%.2f ms", millis);
    }

    private static void legend(Svg svg, double x, double y, String[] names, String[] colours) {
        double at = x;
        for (int i = 0; i < names.length; i++) {
            svg.rect(at, y - 10, 12, 12, colours[i], names[i]);
            svg.text(at + 18, y, "start", 12, "normal", names[i]);
            at += 30 + names[i].length() * 7;
        }
    }

    /** A few SVG elements, written with fixed number formats so that a redraw is byte-for-byte the same. */
    static final class Svg {
        private final StringBuilder out = new StringBuilder();

        Svg(int width, int height) {
            out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
                    .append(width)
                    .append("\" height=\"")
                    .append(height)
                    .append("\" viewBox=\"0 0 ")
                    .append(width)
                    .append(' ')
                    .append(height)
                    .append("\" font-family=\"Helvetica, Arial, sans-serif\">\n");
            out.append("<!-- drawn by dev.globallock.bench.BenchCharts from docs/benchmarks/raw; do not edit -->\n");
            rect(0, 0, width, height, "#ffffff", null);
        }

        void rect(double x, double y, double w, double h, String fill, String title) {
            out.append(String.format(
                    Locale.ROOT,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"",
                    x,
                    y,
                    w,
                    h,
                    fill));
            if (title == null) {
                out.append("/>\n");
            } else {
                out.append("><title>").append(escape(title)).append("</title></rect>\n");
            }
        }

        void line(double x1, double y1, double x2, double y2, String stroke, double width, boolean dashed) {
            out.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"%.1f\"%s/>\n",
                    x1,
                    y1,
                    x2,
                    y2,
                    stroke,
                    width,
                    dashed ? " stroke-dasharray=\"6 4\"" : ""));
        }

        void text(double x, double y, String anchor, int size, String weight, String text) {
            text(x, y, anchor, size, weight, "#1a202c", text);
        }

        void text(double x, double y, String anchor, int size, String weight, String fill, String text) {
            out.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\" font-weight=\"%s\" fill=\"%s\">%s</text>\n",
                    x,
                    y,
                    anchor,
                    size,
                    weight,
                    fill,
                    escape(text)));
        }

        String finish() {
            return out.append("</svg>\n").toString();
        }

        private static String escape(String text) {
            return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
        }
    }
}
