package dev.weft.jobs;

import dev.weft.time.ManualTimeSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static dev.weft.jobs.JobWaits.finished;
import static org.assertj.core.api.Assertions.assertThat;

class JobIdsTest {

    @Test
    void idsAreUuidVersion7StringsThatSortInSubmissionOrder() throws Exception {
        long before = System.currentTimeMillis();
        List<String> ids = new ArrayList<>();
        try (var rt = JobRuntime.builder().build()) {
            for (int i = 0; i < 5_000; i++) {
                ids.add(rt.submit("job", ctx -> 1).id());
            }
            finished(rt.handle(ids.getLast()).orElseThrow());
        }
        long after = System.currentTimeMillis();
        for (String id : ids) {
            UUID uuid = UUID.fromString(id);
            assertThat(uuid.toString()).isEqualTo(id);
            assertThat(uuid.version()).isEqualTo(7);
            assertThat(uuid.variant()).isEqualTo(2);
        }
        long firstMillis = UUID.fromString(ids.getFirst()).getMostSignificantBits() >>> 16;
        assertThat(firstMillis).isBetween(before, after);
        assertThat(ids).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void aRestartedRuntimeNeverReusesAnId() throws Exception {
        var seen = new HashSet<String>();
        for (int restart = 0; restart < 3; restart++) {
            // the same manual clock each time: ids must not depend on the runtime's time source or a counter
            try (var rt = JobRuntime.builder().timeSource(new ManualTimeSource()).build()) {
                for (int i = 0; i < 100; i++) {
                    assertThat(seen.add(rt.submit("job", ctx -> 1).id())).isTrue();
                }
            }
        }
    }

    @Test
    void idsKeepRisingWhenTheWallClockStandsStillOrStepsBack() {
        var millis = new AtomicLong(1_800_000_000_000L);
        var ids = new JobIds(millis::get);
        List<String> made = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) { // more than the 4,096 a millisecond holds
            made.add(ids.next());
        }
        millis.addAndGet(-60_000); // the clock steps back a minute
        for (int i = 0; i < 100; i++) {
            made.add(ids.next());
        }
        assertThat(made).isSorted().doesNotHaveDuplicates();
        assertThat(made).allSatisfy(id -> assertThat(UUID.fromString(id).version()).isEqualTo(7));
    }

    @Test
    void twoGeneratorsOnOneClockNeverCollide() {
        var a = new JobIds(() -> 1_800_000_000_000L);
        var b = new JobIds(() -> 1_800_000_000_000L);
        var seen = new HashSet<String>();
        for (int i = 0; i < 10_000; i++) {
            assertThat(seen.add(a.next())).isTrue();
            assertThat(seen.add(b.next())).isTrue();
        }
    }
}
