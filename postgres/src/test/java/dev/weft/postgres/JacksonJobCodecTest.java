package dev.weft.postgres;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JacksonJobCodecTest {

    record Resize(String image, int width, Instant at, Duration within, Optional<String> note, List<Map<String, Long>> parts) {
    }

    record Strict(int n) {
        Strict {
            if (n < 0) {
                throw new IllegalArgumentException("n must not be negative");
            }
        }
    }

    private final JacksonJobCodec codec = new JacksonJobCodec();

    @Test
    void recordsWithTimesOptionalsAndCollectionsRoundTrip() {
        var r = new Resize("a.png", 100, Instant.parse("2026-01-02T03:04:05.123456Z"), Duration.ofMillis(1500),
                Optional.of("n"), List.of(Map.of("x", 1L)));

        String json = codec.encode(r);

        assertThat(json).contains("\"at\":\"2026-01-02T03:04:05.123456Z\"").contains("\"within\":\"PT1.5S\"");
        assertThat(codec.decode(json, Resize.class)).isEqualTo(r);
        assertThat(codec.decode(codec.encode("plain"), String.class)).isEqualTo("plain");
        assertThat(codec.decode(codec.encode(42), Integer.class)).isEqualTo(42);
    }

    @Test
    void nullIsNullBothWaysAndUnknownPropertiesAreIgnored() {
        assertThat(codec.encode(null)).isNull();
        assertThat(codec.decode(null, Resize.class)).isNull();
        assertThat(codec.decode("{\"n\":3,\"removedField\":true}", Strict.class)).isEqualTo(new Strict(3));
    }

    @Test
    void failuresNameTheClassAndTheReason() {
        assertThatThrownBy(() -> codec.encode(new Object())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot encode a java.lang.Object as JSON");
        assertThatThrownBy(() -> codec.decode("{\"n\":\"x\"}", Strict.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot decode JSON as a " + Strict.class.getName());
        assertThatThrownBy(() -> codec.decode("{\"n\":-1}", Strict.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(Strict.class.getName()).hasMessageContaining("n must not be negative");
        assertThatThrownBy(() -> codec.decode("not json", Strict.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(Strict.class.getName());
    }

    @Test
    void manyVirtualThreadsEncodeAndDecodeAtOnceWithTheSharedBuffers() throws Exception {
        int threads = 4 * JacksonJobCodec.RECYCLED_BUFFERS; // more than the pool keeps: some allocate, some drop
        var start = new CountDownLatch(1);
        var results = new ArrayList<Future<Resize>>();
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < threads; i++) {
                var r = new Resize("img-" + i + "-" + "x".repeat(i * 37), i, Instant.ofEpochSecond(i),
                        Duration.ofMillis(i), Optional.of("n" + i), List.of(Map.of("k" + i, (long) i)));
                results.add(executor.submit(() -> {
                    start.await();
                    Resize back = r;
                    for (int round = 0; round < 20; round++) {
                        back = codec.decode(codec.encode(back), Resize.class);
                    }
                    return back;
                }));
            }
            start.countDown();
            for (int i = 0; i < threads; i++) {
                assertThat(results.get(i).get().width()).isEqualTo(i);
                assertThat(results.get(i).get().image()).isEqualTo("img-" + i + "-" + "x".repeat(i * 37));
            }
        }
    }
}
