package dev.weft.internal;

import dev.weft.testing.Waits;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class AppendLogTest {

    @Test
    void keepsClaimOrderAcrossChunksOfEverySize() {
        var log = new AppendLog<Integer>();
        assertThat(log.isEmpty()).isTrue();
        int n = 100_000; // chunks 0..12 (16, 32, ... 65536 slots)
        for (int i = 0; i < n; i++) {
            long claim = log.claim(false);
            assertThat(AppendLog.indexOf(claim)).isEqualTo(i);
            log.set(AppendLog.indexOf(claim), i);
        }
        assertThat(log.isEmpty()).isFalse();
        assertThat(log.snapshot()).containsExactlyElementsOf(IntStream.range(0, n).boxed().toList());
    }

    @Test
    void drawsNumbersOnlyForClaimsThatAskAndKeepsThemInStepWithTheOrder() {
        var log = new AppendLog<String>();
        List<Integer> drawn = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            boolean draw = i % 3 == 0;
            long claim = log.claim(draw);
            if (draw) {
                drawn.add(AppendLog.numberOf(claim));
            }
            log.set(AppendLog.indexOf(claim), "e" + i);
        }
        assertThat(drawn).containsExactlyElementsOf(IntStream.range(0, 14).boxed().toList());
        assertThat(log.snapshot()).hasSize(40).startsWith("e0", "e1").endsWith("e39");
    }

    @Test
    void aClaimedSlotNotYetSetIsLeftOutAndLaterSetInItsPlace() {
        var log = new AppendLog<String>();
        long first = log.claim(false);
        long second = log.claim(false);
        log.set(AppendLog.indexOf(second), "second");
        assertThat(log.snapshot()).containsExactly("second");
        log.set(AppendLog.indexOf(first), "first");
        assertThat(log.snapshot()).containsExactly("first", "second");
    }

    @Test
    void concurrentAddersLoseNothingAndEachKeepsItsOwnOrder() throws InterruptedException {
        var log = new AppendLog<long[]>();
        int perThread = 20_000;
        Waits.runTogether(2, () -> {
            long me = Thread.currentThread().threadId();
            for (int i = 0; i < perThread; i++) {
                log.set(AppendLog.indexOf(log.claim(true)), new long[] {me, i});
            }
        });
        List<long[]> all = log.snapshot();
        assertThat(all).hasSize(2 * perThread);
        var next = new java.util.HashMap<Long, Long>();
        for (long[] e : all) {
            long expected = next.getOrDefault(e[0], 0L);
            assertThat(e[1]).as("adder %d's elements in its own order", e[0]).isEqualTo(expected);
            next.put(e[0], expected + 1);
        }
        assertThat(next.values()).containsOnly((long) perThread);
    }
}
