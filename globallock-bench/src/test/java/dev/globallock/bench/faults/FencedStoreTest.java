/*
 * Copyright 2026 the globallock authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package dev.globallock.bench.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.globallock.bench.faults.History.Write;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The fault suite's store rejects a write whose token is lower than the highest accepted one")
class FencedStoreTest {

    @Test
    @DisplayName("tokens 5, 7, 7, 6: accepted, accepted, accepted, rejected; every attempt recorded in order")
    void fencesLowerTokens() throws IOException {
        try (FencedStore store = FencedStore.start();
                Socket socket = new Socket(InetAddress.getLoopbackAddress(), store.port())) {
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = socket.getOutputStream();
            assertThat(request(in, out, "HELLO 1 42 " + System.nanoTime())).isEqualTo("OK");
            assertThat(request(in, out, "WRITE 1 5 begin true 0")).isEqualTo("ACCEPTED");
            assertThat(request(in, out, "WRITE 2 7 begin true 0")).isEqualTo("ACCEPTED");
            assertThat(request(in, out, "WRITE 2 7 end true 0")).isEqualTo("ACCEPTED");
            assertThat(request(in, out, "WRITE 1 6 end false 0")).isEqualTo("REJECTED 7");

            List<Write> writes = store.history(0, 0, 0, List.of()).writes();
            assertThat(writes).extracting(Write::token).containsExactly(5L, 7L, 7L, 6L);
            assertThat(writes).extracting(Write::accepted).containsExactly(true, true, true, false);
            assertThat(writes).extracting(Write::order).containsExactly(1L, 2L, 3L, 4L);
            assertThat(writes.get(3).believedHeld()).isFalse();
            assertThat(writes).allSatisfy(w -> assertThat(w.end()).isGreaterThanOrEqualTo(w.start()));
            assertThat(store.protocolErrors()).isEmpty();
        }
    }

    @Test
    @DisplayName("unfenced (a check of the checker), it accepts a lower token too")
    void unfencedAcceptsEverything() throws IOException {
        try (FencedStore store = FencedStore.start(false);
                Socket socket = new Socket(InetAddress.getLoopbackAddress(), store.port())) {
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = socket.getOutputStream();
            assertThat(request(in, out, "HELLO 1 42 " + System.nanoTime())).isEqualTo("OK");
            assertThat(request(in, out, "WRITE 2 7 begin true 0")).isEqualTo("ACCEPTED");
            assertThat(request(in, out, "WRITE 1 6 end true 0")).isEqualTo("ACCEPTED");
        }
    }

    private static String request(BufferedReader in, OutputStream out, String line) throws IOException {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        return in.readLine();
    }
}
