package dev.weft.postgres;

import dev.weft.progress.ProgressSnapshot;
import dev.weft.progress.ProgressState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobRowsTest {

    private static ProgressSnapshot snapshot(String name, String step, OptionalDouble rate, Optional<Duration> eta,
                                             ProgressState state, Instant takenAt) {
        boolean complete = state == ProgressState.SUCCEEDED;
        return new ProgressSnapshot(name, complete ? 7 : 3, 7, complete ? 1.0 : 0.25, step, "msg \"q\" é",
                rate, eta, complete, state, takenAt);
    }

    @Test
    void progressIsStoredInItsFixedShape() {
        var p = new ProgressSnapshot("job#1", 3, 7, 0.25, null, "m", OptionalDouble.of(2.5),
                Optional.of(Duration.ofSeconds(90)), false, ProgressState.RUNNING,
                Instant.parse("2026-12-07T12:00:00.123456Z"));

        assertThat(JobRows.progressJson(p)).isEqualTo("{\"name\":\"job#1\",\"done\":3,\"total\":7,\"fraction\":0.25,"
                + "\"step\":null,\"message\":\"m\",\"rate\":2.5,\"eta\":\"PT1M30S\",\"complete\":false,"
                + "\"state\":\"RUNNING\",\"takenAt\":\"2026-12-07T12:00:00.123456Z\"}");
        assertThat(JobRows.progressJson(null)).isNull();
    }

    @Test
    void progressRoundTrips() {
        for (var p : List.of(
                snapshot("a", "step", OptionalDouble.of(1.5), Optional.of(Duration.ofMillis(1500)),
                        ProgressState.RUNNING, Instant.parse("2026-01-02T03:04:05Z")),
                snapshot("b#" + "x".repeat(300), null, OptionalDouble.empty(), Optional.empty(),
                        ProgressState.SUCCEEDED, Instant.parse("2026-01-02T03:04:05.100Z")),
                snapshot("c", "s", OptionalDouble.of(0), Optional.empty(), ProgressState.FAILED,
                        Instant.parse("1970-01-01T00:00:00.000000001Z")),
                snapshot("d", "s", OptionalDouble.empty(), Optional.empty(), ProgressState.TIMED_OUT,
                        Instant.MAX),
                snapshot("e", "s", OptionalDouble.empty(), Optional.empty(), ProgressState.CANCELLED,
                        Instant.MIN))) {
            assertThat(JobRows.progress(JobRows.progressJson(p))).isEqualTo(p);
        }
        assertThat(JobRows.progress(null)).isNull();
    }

    @Test
    void progressIsStoredAsJsonbCanHoldIt() {
        var p = snapshot("n\0x", "s\0", OptionalDouble.of(Double.POSITIVE_INFINITY), Optional.empty(),
                ProgressState.RUNNING, Instant.parse("2026-01-02T03:04:05Z"));

        var read = JobRows.progress(JobRows.progressJson(p));

        assertThat(read.name()).isEqualTo("n\uFFFDx");
        assertThat(read.step()).isEqualTo("s\uFFFD");
        assertThat(read.rate()).isEmpty();
    }

    @Test
    void progressIsReadAsPostgresqlReturnsJsonb() {
        // jsonb orders keys by length and spaces its output; a field the code does not know is skipped
        String jsonb = "{\"eta\": \"PT2S\", \"done\": 3, \"name\": \"j\", \"rate\": null, \"step\": \"s\", "
                + "\"later\": {\"a\": [1, {\"b\": 2}]}, \"state\": \"RUNNING\", \"total\": 7, \"message\": null, "
                + "\"takenAt\": \"2026-12-07T12:00:00.5Z\", \"complete\": false, \"fraction\": 0.25}";

        assertThat(JobRows.progress(jsonb)).isEqualTo(new ProgressSnapshot("j", 3, 7, 0.25, "s", null,
                OptionalDouble.empty(), Optional.of(Duration.ofSeconds(2)), false, ProgressState.RUNNING,
                Instant.parse("2026-12-07T12:00:00.5Z")));
    }

    @Test
    void unreadableProgressFailsNamingTheColumn() {
        assertThatThrownBy(() -> JobRows.progress("{\"name\": ")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("unreadable JSON column in the jobs table");
        assertThatThrownBy(() -> JobRows.progress("[1]")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("unreadable JSON column in the jobs table");
    }

    @Test
    void instantReadsWhatInstantToStringWrites() {
        var random = new Random(23);
        for (int i = 0; i < 100_000; i++) {
            long seconds = switch (i % 3) {
                case 0 -> random.nextLong(-62_167_219_200L, 253_402_300_800L); // years 0 to 9999
                case 1 -> random.nextLong(Instant.MIN.getEpochSecond(), Instant.MAX.getEpochSecond());
                default -> 1_700_000_000L + random.nextInt(1_000_000_000);
            };
            int nanos = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1000;
                default -> random.nextInt(1_000_000_000);
            };
            Instant t = Instant.ofEpochSecond(seconds, nanos);
            assertThat(JobRows.instant(t.toString())).as(t.toString()).isEqualTo(t);
        }
    }

    @Test
    void instantReadsOtherShapesAsInstantParseDoes() {
        for (String text : List.of("2026-01-02T03:04:05.1Z", "2026-01-02T03:04:05.1234Z", "2026-01-02t03:04:05z",
                "+10000-01-01T00:00:00Z", "-0001-12-31T23:59:59Z", "2016-12-31T23:59:60Z", "2024-02-29T00:00:00Z",
                "2026-01-02T03:04:05+01:00", "2026-01-02T03:04:05.123456789Z", "2026-01-02T03:04:05.Z",
                "2026-01-02T24:00:00Z")) {
            assertThat(JobRows.instant(text)).as(text).isEqualTo(Instant.parse(text));
        }
        for (String text : List.of("2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z",
                "2026-04-31T00:00:00Z", "2026-01-02T03:60:05Z", "2026-01-02T03:04:05.1234567890Z",
                "2026-01-0xT03:04:05Z", "2026-01-02T03:04:05.12x4Z", "", "now")) {
            assertThatThrownBy(() -> Instant.parse(text)).as(text).isInstanceOf(DateTimeParseException.class);
            assertThatThrownBy(() -> JobRows.instant(text)).as(text).isInstanceOf(DateTimeParseException.class);
        }
    }
}
