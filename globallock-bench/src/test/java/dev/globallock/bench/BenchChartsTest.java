/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The charts in docs/benchmarks/ are what {@link BenchCharts} draws from docs/benchmarks/raw/, and
 * the raw files give the figures docs/benchmarks.md and the README publish.
 */
class BenchChartsTest {
    private static final Path DOCS = Path.of("..", "docs", "benchmarks");

    @Test
    void theCommittedChartsAreDrawnFromTheRawFiles(@TempDir Path out) throws IOException {
        List<Path> drawn = BenchCharts.draw(DOCS.resolve("raw"), out);
        assertThat(drawn).hasSize(2);
        for (Path chart : drawn) {
            Path committed = DOCS.resolve(chart.getFileName());
            assertThat(Files.readString(committed, StandardCharsets.UTF_8))
                    .as(
                            "%s is stale: redraw it with BenchCharts (docs/benchmarks.md, 'Redrawing the charts')",
                            committed)
                    .isEqualTo(Files.readString(chart, StandardCharsets.UTF_8));
        }
    }

    @Test
    void theRawFilesGiveThePublishedFigures() throws IOException {
        BenchCharts.Table redis = table("redis");
        BenchCharts.Table etcd = table("etcd");
        BenchCharts.Table zookeeper = table("zookeeper");
        assertThat(redis.uncontendedShareOfFloor("globallock", "raw Jedis floor"))
                .isCloseTo(0.98, within(0.005));
        assertThat(etcd.uncontendedShareOfFloor("globallock", "raw jetcd floor"))
                .isCloseTo(0.96, within(0.005));
        assertThat(zookeeper.uncontendedShareOfFloor("globallock", "raw ZooKeeper floor"))
                .isCloseTo(0.95, within(0.005));
        assertThat(zookeeper.uncontendedShareOfFloor("Curator InterProcessMutex", "raw ZooKeeper floor"))
                .isCloseTo(0.79, within(0.005));
        assertThat(redis.handoffP50("globallock")).isEqualTo(0.626);
        assertThat(zookeeper.handoffP50("globallock")).isEqualTo(1.31);
        assertThat(zookeeper.handoffP50("raw ZooKeeper floor")).isEqualTo(1.37);
        assertThat(etcd.handoffP50("jetcd lock client")).isEqualTo(88.1);
    }

    private static BenchCharts.Table table(String engine) throws IOException {
        return BenchCharts.Table.read(BenchCharts.newest(DOCS.resolve("raw"), engine));
    }
}
