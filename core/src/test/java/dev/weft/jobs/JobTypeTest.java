package dev.weft.jobs;

import dev.weft.scope.Retry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Typed jobs on the in-memory store: registration, submit, the type's retry policy, and bad input. */
class JobTypeTest {

    record Greeting(String who) {
    }

    private static final JobType<Greeting, String> GREET =
            JobType.of("greet", Greeting.class, String.class, (ctx, g) -> "hello " + g.who());

    @Test
    void aRegisteredTypeRunsInMemoryAndReturnsItsResult() throws Exception {
        try (var rt = JobRuntime.builder().register(GREET).build()) {
            JobHandle<String> h = rt.submit(GREET, new Greeting("ada"));
            assertThat(h.await(Duration.ofSeconds(30))).isEqualTo("hello ada");
            assertThat(h.record().name()).isEqualTo("greet");
        }
    }

    @Test
    void anUnregisteredTypeIsRefusedAtSubmitNamingTheTypeAndWhatIsRegistered() {
        var other = JobType.of("other", String.class, Void.class, (ctx, s) -> null);
        try (var rt = JobRuntime.builder().register(GREET).build()) {
            assertThatThrownBy(() -> rt.submit(other, "x"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("\"other\" is not registered")
                    .hasMessageContaining("register(type)")
                    .hasMessageContaining("greet");
            assertThat(rt.list(JobQuery.all()).total()).isZero();
        }
    }

    @Test
    void aTypeRegisteredTwiceWithOtherClassesIsRefused() {
        var clash = JobType.of("greet", String.class, String.class, (ctx, s) -> s);
        assertThatThrownBy(() -> JobRuntime.builder().register(GREET, clash))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("registered twice")
                .hasMessageContaining("one payload and result class");
        var sameShape = JobType.of("greet", Greeting.class, String.class, (ctx, g) -> "hi");
        assertThatThrownBy(() -> JobRuntime.builder().register(GREET, sameShape))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("two different JobType objects");
        JobRuntime.builder().register(GREET, GREET); // the same object twice is harmless
    }

    @Test
    void aSubmitWithASameNamedTypeOfOtherClassesIsRefused() {
        var impostor = JobType.of("greet", String.class, String.class, (ctx, s) -> s);
        try (var rt = JobRuntime.builder().register(GREET).build()) {
            assertThatThrownBy(() -> rt.submit(impostor, "x"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is registered as");
        }
    }

    @Test
    void theTypesRetryPolicyAppliesWhenTheSpecHasNone() throws Exception {
        var calls = new AtomicInteger();
        var flaky = JobType.of("flaky", Void.class, Integer.class, (ctx, p) -> {
            if (calls.incrementAndGet() < 3) {
                throw new IllegalStateException("not yet");
            }
            return ctx.attempt();
        }).withRetry(Retry.attempts(3).backoff(Duration.ofMillis(1), 1.0, Duration.ofMillis(1)));
        try (var rt = JobRuntime.builder().register(flaky).build()) {
            assertThat(rt.submit(flaky, null).await(Duration.ofSeconds(30))).isEqualTo(3);
        }
    }

    @Test
    void badTypeNamesAreRefusedWithTheRule() {
        for (String bad : new String[]{"", " ", "a/b", "x".repeat(201), "tab\there"}) {
            assertThatThrownBy(() -> JobType.of(bad, Void.class, Void.class, (ctx, p) -> null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("1 to 200 characters");
        }
    }

    @Test
    void aKeyedTypedSpecDedupesLikeAnyKeyedSpec() throws Exception {
        var release = new java.util.concurrent.CountDownLatch(1);
        var slow = JobType.of("slow", String.class, String.class, (ctx, s) -> {
            release.await();
            return s;
        });
        try (var rt = JobRuntime.builder().register(slow).build()) {
            var a = rt.submit(JobSpec.named("slow").key("k").run(slow, "first"));
            var b = rt.submit(JobSpec.named("slow").key("k").run(slow, "second"));
            assertThat(b.id()).isEqualTo(a.id());
            release.countDown();
            assertThat(b.await(Duration.ofSeconds(30))).isEqualTo("first");
        }
    }

    @Test
    void submitAllSubmitsEverySpecInOrderAndRefusesAnUnregisteredTypeBeforeSubmittingAny() throws Exception {
        try (var rt = JobRuntime.builder().register(GREET).build()) {
            var handles = rt.submitAll(java.util.List.of(JobSpec.of(GREET, new Greeting("a")),
                    JobSpec.of(GREET, new Greeting("b"))));
            assertThat(handles.get(0).await(Duration.ofSeconds(30))).isEqualTo("hello a");
            assertThat(handles.get(1).await(Duration.ofSeconds(30))).isEqualTo("hello b");
            var other = JobType.of("other", Greeting.class, String.class, (ctx, g) -> "x");
            assertThatThrownBy(() -> rt.submitAll(java.util.List.of(JobSpec.of(GREET, new Greeting("c")),
                    JobSpec.of(other, new Greeting("d"))))).isInstanceOf(IllegalArgumentException.class);
            assertThat(rt.list(JobQuery.all()).total()).isEqualTo(2);
        }
    }
}
