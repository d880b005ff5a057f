/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.bench;

import dev.globallock.GlobalLockManager;
import dev.globallock.RateLimiter;
import dev.globallock.tck.fixture.RedisServer;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.distributed.serialization.Mapper;
import io.github.bucket4j.redis.jedis.Bucket4jJedis;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.redisson.Redisson;
import org.redisson.api.RRateLimiter;
import org.redisson.api.RateType;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;
import redis.clients.jedis.RedisClient;

/**
 * globallock's Redis rate limiter (exact sliding log and approximate two-counter window) side by
 * side with Redisson's {@code RRateLimiter} and Bucket4j's Redis back end (its Jedis proxy manager,
 * compare-and-swap based, on the project's Jedis), in one run against one local redis-server started by
 * the fixture: {@code tryAcquire()} ops/s with p50/p99, with one thread on one client and with 8
 * threads over 2 clients, under the limit (every call granted) and over it (most refused); and the
 * commands each call sends, counted with {@code MONITOR} (commands a script runs are not round
 * trips and are not counted). Bounded: {@code 2 x 2 x 4} measurements of {@code --seconds} each
 * after {@code --warmup}.
 *
 * <pre>
 * mvn -q -pl globallock-bench compile org.codehaus.mojo:exec-maven-plugin:3.5.0:java \
 *     -Dexec.mainClass=dev.globallock.bench.RateLimiterBenchmark [-Dexec.args="--seconds 3 --warmup 1"]
 * </pre>
 *
 * Writes the table to {@code target/bench/rate-limiter.md}.
 *
 * <p>Bucket4j is a token bucket, not a sliding window. Its bucket here is the closest equivalent of
 * "{@code permits} per {@code window}": capacity {@code permits}, refilled greedily at {@code permits}
 * per {@code window} (a token comes back every {@code window / permits}, as a sliding log's permits
 * come back one by one, rather than all at once at fixed boundaries as {@code refillIntervally} would,
 * which is a fixed-window counter). The bound differs: a full bucket plus one window's refill can admit
 * up to {@code 2 x permits} in one window. Its keys expire once the bucket would be full again, so an
 * idle bucket costs nothing, like the others.
 */
public final class RateLimiterBenchmark {
    private static final int THREADS = 8;
    private static final int CLIENTS = 2;
    private static final int SAMPLES_PER_THREAD = 1 << 18;
    private static final String EXACT = "globallock exact";
    private static final String APPROXIMATE = "globallock approximate";
    private static final String REDISSON = "Redisson RRateLimiter";
    private static final String BUCKET4J = "Bucket4j (Jedis)";
    private static final List<String> LIBRARIES = List.of(EXACT, APPROXIMATE, REDISSON, BUCKET4J);

    /** The limit of a scenario: far above what the run reaches, or far below it. */
    private record Scenario(String title, int permits, Duration window) {}

    private static final List<Scenario> SCENARIOS = List.of(
            new Scenario("under the limit (1,000,000 per 1 s: all granted)", 1_000_000, Duration.ofSeconds(1)),
            new Scenario("over the limit (100 per 1 s: most refused)", 100, Duration.ofSeconds(1)));

    private RateLimiterBenchmark() {}

    public static void main(String[] args) throws Exception {
        int seconds = 3;
        int warmupSeconds = 1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--warmup" -> warmupSeconds = Integer.parseInt(args[++i]);
                default ->
                    throw new IllegalArgumentException(
                            "unknown argument '" + args[i] + "': use --seconds N, --warmup N");
            }
        }
        Duration measure = Duration.ofSeconds(seconds);
        Duration warmup = Duration.ofSeconds(warmupSeconds);
        StringBuilder out = new StringBuilder();
        try (RedisServer server = RedisServer.start();
                RedisClient admin = RedisClient.create(server.host(), server.port())) {
            List<GlobalLockManager> managers = new ArrayList<>();
            List<RedissonClient> redissons = new ArrayList<>();
            List<RedisClient> jedises = new ArrayList<>();
            List<ProxyManager<String>> buckets = new ArrayList<>();
            try {
                for (int i = 0; i < CLIENTS; i++) {
                    managers.add(GlobalLockManager.create(
                            Map.of("engine", "redis", "redis", Map.of("nodes", List.of(server.uri())))));
                    Config config = new Config();
                    config.useSingleServer().setAddress(server.uri());
                    redissons.add(Redisson.create(config));
                    RedisClient jedis = RedisClient.create(server.host(), server.port());
                    jedises.add(jedis);
                    buckets.add(Bucket4jJedis.casBasedBuilder(jedis)
                            .keyMapper(Mapper.STRING)
                            .expirationAfterWrite(
                                    ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ZERO))
                            .build());
                }
                Clients clients = new Clients(managers, redissons, buckets);
                String version = admin.info("server")
                        .lines()
                        .filter(l -> l.startsWith("redis_version:"))
                        .findFirst()
                        .orElse("redis_version:?");
                out.append(
                                "### rate limiter: globallock (redis engine) vs Redisson RRateLimiter vs Bucket4j (Jedis)\n\n")
                        .append(LocalDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_LOCAL_DATE_TIME))
                        .append(" UTC, ")
                        .append(version.replace(':', ' '))
                        .append(", JDK ")
                        .append(Runtime.version())
                        .append(", ")
                        .append(Runtime.getRuntime().availableProcessors())
                        .append(" cores; ")
                        .append(seconds)
                        .append(" s per figure after ")
                        .append(warmupSeconds)
                        .append(" s of warm-up; 8 threads = 4 on each of 2 clients\n\n");

                out.append("| scenario | threads | library | tryAcquire ops/s | p50 | p99 | granted | script calls per"
                        + " tryAcquire |\n");
                out.append("|---|---:|---|---:|---:|---:|---:|---:|\n");
                int run = 0;
                for (Scenario scenario : SCENARIOS) {
                    for (int threads : new int[] {1, THREADS}) {
                        // the order rotates, so no library always runs on the warmest or coldest machine
                        for (int k = 0; k < LIBRARIES.size(); k++) {
                            String library = LIBRARIES.get((k + run) % LIBRARIES.size());
                            String name = "bench-" + run + "-" + k + "-" + UUID.randomUUID();
                            List<BooleanSupplier> callers = callers(library, name, scenario, threads, clients);
                            // globallock and Redisson send nothing but script calls; Bucket4j sends GETs too
                            LongSupplier scriptCalls = library.equals(BUCKET4J) ? null : () -> scriptCalls(admin);
                            Result result = measure(callers, warmup, measure, scriptCalls);
                            String row = String.format(
                                    Locale.ROOT,
                                    "| %s | %d | %s | %.0f | %s | %s | %s | %s |",
                                    scenario.title(),
                                    threads,
                                    library,
                                    result.opsPerSecond(),
                                    micros(result.p50Micros()),
                                    micros(result.p99Micros()),
                                    share(result.granted(), result.calls()),
                                    Double.isNaN(result.scriptCallsPerCall())
                                            ? "—"
                                            : String.format(Locale.ROOT, "%.4f", result.scriptCallsPerCall()));
                            System.out.println(row);
                            out.append(row).append('\n');
                        }
                        run++;
                    }
                }

                out.append(
                        "\n| library | commands sent per tryAcquire: 100 granted | 100 refused | all 200 | which |\n");
                out.append("|---|---:|---:|---:|---|\n");
                for (String library : LIBRARIES) {
                    String name = "counted-" + UUID.randomUUID();
                    // 101 permits: the untimed first call and the 100 counted next are granted, the 100 after refused
                    BooleanSupplier call = callers(
                                    library, name, new Scenario("counted", 101, Duration.ofMinutes(10)), 1, clients)
                            .get(0);
                    Counted granted = commandsPerCall(server, call, 100, true);
                    Counted refused = commandsPerCall(server, call, 100, false);
                    String row = String.format(
                            Locale.ROOT,
                            "| %s | %.2f | %.2f | %.2f | granted: %s; refused: %s |",
                            library,
                            granted.perCall(),
                            refused.perCall(),
                            (granted.perCall() + refused.perCall()) / 2,
                            granted.names(),
                            refused.names());
                    System.out.println(row);
                    out.append(row).append('\n');
                }
            } finally {
                for (GlobalLockManager manager : managers) {
                    manager.close();
                }
                for (RedissonClient redisson : redissons) {
                    redisson.shutdown();
                }
                for (RedisClient jedis : jedises) {
                    jedis.close();
                }
            }
        }
        Path file = Path.of("target", "bench", "rate-limiter.md");
        Files.createDirectories(file.getParent());
        Files.writeString(file, out.toString());
        System.out.println("\n" + out);
        System.out.println("written to " + file.toAbsolutePath());
    }

    /** Each library's client objects, one per simulated process. */
    private record Clients(
            List<GlobalLockManager> managers, List<RedissonClient> redissons, List<ProxyManager<String>> buckets) {}

    /** One caller per thread, spread over the clients, all on one limiter. */
    private static List<BooleanSupplier> callers(
            String library, String name, Scenario scenario, int threads, Clients clients) {
        List<GlobalLockManager> managers = clients.managers();
        List<RedissonClient> redissons = clients.redissons();
        List<BooleanSupplier> callers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int client = t % CLIENTS;
            switch (library) {
                case EXACT, APPROXIMATE -> {
                    RateLimiter limiter = managers.get(client)
                            .rateLimiter(
                                    name,
                                    scenario.permits(),
                                    scenario.window(),
                                    library.equals(EXACT)
                                            ? RateLimiter.Algorithm.EXACT
                                            : RateLimiter.Algorithm.APPROXIMATE);
                    callers.add(limiter::tryAcquire);
                }
                case REDISSON -> {
                    RRateLimiter limiter = redissons.get(client).getRateLimiter(name);
                    limiter.trySetRate(RateType.OVERALL, scenario.permits(), scenario.window());
                    callers.add(limiter::tryAcquire);
                }
                case BUCKET4J -> {
                    // token bucket: capacity = permits, greedy refill of permits per window (see the class comment)
                    BucketConfiguration configuration = BucketConfiguration.builder()
                            .addLimit(Bandwidth.builder()
                                    .capacity(scenario.permits())
                                    .refillGreedy(scenario.permits(), scenario.window())
                                    .build())
                            .build();
                    BucketProxy bucket = clients.buckets().get(client).builder().build(name, () -> configuration);
                    callers.add(() -> bucket.tryConsume(1));
                }
                default -> throw new IllegalArgumentException(library);
            }
        }
        return callers;
    }

    private record Result(
            double opsPerSecond,
            double p50Micros,
            double p99Micros,
            long calls,
            long granted,
            double scriptCallsPerCall) {}

    /** EVALSHA and EVAL calls the server ran so far, from {@code INFO commandstats}. */
    private static long scriptCalls(RedisClient admin) {
        long calls = 0;
        for (String line : admin.info("commandstats").split("\r?\n")) {
            if (line.startsWith("cmdstat_evalsha:") || line.startsWith("cmdstat_eval:")) {
                String count = line.substring(line.indexOf("calls=") + 6);
                calls += Long.parseLong(count.substring(0, count.indexOf(',')));
            }
        }
        return calls;
    }

    private static Result measure(
            List<BooleanSupplier> callers, Duration warmup, Duration measure, LongSupplier scriptCalls)
            throws Exception {
        run(callers, warmup, ignored -> null);
        long scriptsBefore = scriptCalls == null ? 0 : scriptCalls.getAsLong();
        List<int[]> samples = new ArrayList<>();
        List<long[]> perThread = run(callers, measure, t -> {
            int[] mine = new int[SAMPLES_PER_THREAD];
            synchronized (samples) {
                samples.add(mine);
            }
            return mine;
        });
        long scripts = scriptCalls == null ? -1 : scriptCalls.getAsLong() - scriptsBefore;
        long calls = 0;
        long granted = 0;
        for (long[] c : perThread) {
            calls += c[0];
            granted += c[1];
        }
        int total = 0;
        for (int i = 0; i < samples.size(); i++) {
            total += (int) Math.min(perThread.get(i)[0], SAMPLES_PER_THREAD);
        }
        int[] all = new int[total];
        int at = 0;
        for (int i = 0; i < samples.size(); i++) {
            int n = (int) Math.min(perThread.get(i)[0], SAMPLES_PER_THREAD);
            System.arraycopy(samples.get(i), 0, all, at, n);
            at += n;
        }
        Arrays.sort(all);
        double p50 = all.length == 0 ? 0 : all[(int) (all.length * 0.50)] / 10.0;
        double p99 = all.length == 0 ? 0 : all[Math.min(all.length - 1, (int) (all.length * 0.99))] / 10.0;
        return new Result(
                calls / (measure.toNanos() / 1e9),
                p50,
                p99,
                calls,
                granted,
                scripts < 0 ? Double.NaN : scripts / (double) Math.max(1, calls));
    }

    /**
     * Runs every caller on its own thread for {@code duration}; each returns {calls, granted}.
     * Latencies go to the thread's array from {@code sampleArray} (in tenths of a microsecond), if any.
     */
    private static List<long[]> run(
            List<BooleanSupplier> callers, Duration duration, Function<Integer, int[]> sampleArray) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(callers.size());
        try {
            CompletableFuture<Void> start = new CompletableFuture<>();
            List<Future<long[]>> running = new ArrayList<>();
            long[] end = new long[1];
            for (int t = 0; t < callers.size(); t++) {
                BooleanSupplier caller = callers.get(t);
                int[] samples = sampleArray.apply(t);
                running.add(threads.submit(() -> {
                    start.join();
                    long calls = 0;
                    long granted = 0;
                    long stop = end[0];
                    while (true) {
                        long before = System.nanoTime();
                        if (before - stop >= 0) {
                            break;
                        }
                        if (caller.getAsBoolean()) {
                            granted++;
                        }
                        if (samples != null && calls < samples.length) {
                            samples[(int) calls] =
                                    (int) Math.min(Integer.MAX_VALUE, (System.nanoTime() - before) / 100);
                        }
                        calls++;
                    }
                    return new long[] {calls, granted};
                }));
            }
            end[0] = System.nanoTime() + duration.toNanos();
            start.complete(null);
            List<long[]> results = new ArrayList<>();
            for (Future<long[]> thread : running) {
                results.add(thread.get(duration.toMillis() + 60_000, TimeUnit.MILLISECONDS));
            }
            return results;
        } finally {
            threads.shutdownNow();
        }
    }

    /** Commands sent per call, and how many of each name. */
    private record Counted(double perCall, String names) {}

    /**
     * The commands clients sent while {@code call} ran {@code calls} times (after one untimed call that
     * loads the script), each answering {@code expected}, from {@code MONITOR}: its lines show a client's
     * commands with the client's address and the commands a script runs as {@code [0 lua]}; only the
     * former are round trips.
     */
    private static Counted commandsPerCall(RedisServer server, BooleanSupplier call, int calls, boolean expected)
            throws IOException {
        call.getAsBoolean();
        String marker = "bench-end-" + UUID.randomUUID();
        try (Socket monitor = new Socket(server.host(), server.port());
                Socket control = new Socket(server.host(), server.port())) {
            monitor.setSoTimeout(30_000);
            OutputStream monitorOut = monitor.getOutputStream();
            BufferedReader lines =
                    new BufferedReader(new InputStreamReader(monitor.getInputStream(), StandardCharsets.UTF_8));
            monitorOut.write("MONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
            monitorOut.flush();
            String ok = lines.readLine();
            if (!"+OK".equals(ok)) {
                throw new IOException("MONITOR answered " + ok);
            }
            for (int i = 0; i < calls; i++) {
                if (call.getAsBoolean() != expected) {
                    throw new IllegalStateException("call " + i + " was not " + (expected ? "granted" : "refused"));
                }
            }
            OutputStream controlOut = control.getOutputStream();
            controlOut.write(("ECHO " + marker + "\r\n").getBytes(StandardCharsets.US_ASCII));
            controlOut.flush();
            long sent = 0;
            Map<String, Integer> byName = new TreeMap<>();
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.contains(marker)) {
                    break;
                }
                if (line.startsWith("+") && !line.contains(" lua] ")) {
                    sent++;
                    int name = line.indexOf("] \"");
                    if (name >= 0) {
                        byName.merge(line.substring(name + 3, line.indexOf('"', name + 3)), 1, Integer::sum);
                    }
                }
            }
            StringBuilder names = new StringBuilder();
            byName.forEach((name, n) -> names.append(names.length() == 0 ? "" : ", ")
                    .append(name)
                    .append(" ×")
                    .append(n));
            return new Counted(sent / (double) calls, names.toString());
        }
    }

    /** A percentage, with the digits a small share needs (a limiter answering refusals locally grants few calls). */
    private static String share(long part, long whole) {
        double percent = 100.0 * part / Math.max(1, whole);
        return String.format(Locale.ROOT, percent >= 0.1 ? "%.1f%%" : "%.4f%%", percent)
                + (percent < 0.1 ? " (" + part + ")" : "");
    }

    private static String micros(double value) {
        return value >= 1000
                ? String.format(Locale.ROOT, "%.2f ms", value / 1000)
                : String.format(Locale.ROOT, "%.0f µs", value);
    }
}
