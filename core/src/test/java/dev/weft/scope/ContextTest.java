package dev.weft.scope;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class ContextTest {

    private static final ScopedValue<String> USER = ScopedValue.newInstance();

    @AfterEach
    void clearMdc() {
        MDC.clear();
    }

    @Test
    void scopedValueBindingsFlowIntoTasks() throws Exception {
        var seen = ScopedValue.where(USER, "alice").call(() -> {
            try (var scope = Scope.named("ctx").open(Join.<String>allSuccessful())) {
                scope.fork(() -> USER.orElse("unbound"));
                return scope.join();
            }
        });
        assertThat(seen).containsExactly("alice");
    }

    @Test
    void scopedValueBindingsFlowIntoTasksOfNestedScopes() throws Exception {
        var seen = ScopedValue.where(USER, "bob").call(() -> {
            try (var scope = Scope.named("ctx").open(Join.<String>allSuccessful())) {
                scope.fork(() -> {
                    try (var inner = Scope.named("in").open(Join.<String>allSuccessful())) {
                        inner.fork(() -> USER.orElse("unbound"));
                        return inner.join().getFirst();
                    }
                });
                return scope.join();
            }
        });
        assertThat(seen).containsExactly("bob");
    }

    @Test
    void mdcOfTheForkingThreadIsCopiedIntoEachTask() throws Exception {
        MDC.put("request", "r-17");
        try (var scope = Scope.named("ctx").open(Join.<String>allSuccessful())) {
            scope.fork(() -> MDC.get("request"));
            scope.fork(() -> MDC.get("request"));
            assertThat(scope.join()).containsExactly("r-17", "r-17");
        }
    }

    @Test
    void mdcIsCopiedIntoATaskWithItsOwnTimeoutToo() throws Exception {
        MDC.put("request", "r-19");
        try (var scope = Scope.named("ctx").open(Join.<String>allSuccessful())) {
            scope.fork("timed", Duration.ofMinutes(5),
                    () -> MDC.get("request") + " " + CurrentTask.remaining().orElseThrow().isPositive());
            scope.fork("untimed", null, () -> MDC.get("request") + " " + CurrentTask.remaining().isPresent());
            assertThat(scope.join()).containsExactly("r-19 true", "r-19 false");
        }
    }

    @Test
    void mdcOfAForkingTaskIsCopiedIntoTheTaskItForks() throws Exception {
        try (var scope = Scope.named("ctx").open(Join.<String>allSuccessful())) {
            scope.fork(() -> {
                MDC.put("page", "p1");
                scope.fork(() -> MDC.get("page"));
                return "root";
            });
            assertThat(scope.join()).containsExactly("root", "p1");
        }
    }

    @Test
    void mdcIsClearedInTheTaskThreadOnceTheBodyReturned() throws Exception {
        MDC.put("request", "r-18");
        var afterBody = new AtomicReference<Map<String, String>>(Map.of("unset", "yes"));
        Join<String, String> policy = new Join<>() {
            @Override
            public boolean onComplete(Task<? extends String> task) {
                afterBody.set(MDC.getCopyOfContextMap()); // runs in the task's thread, after the body
                return false;
            }

            @Override
            public String result(JoinState<String> state) {
                return state.tasks().getFirst().get();
            }
        };
        try (var scope = Scope.named("ctx").open(policy)) {
            scope.fork(() -> {
                MDC.put("extra", "x");
                return MDC.get("request");
            });
            assertThat(scope.join()).isEqualTo("r-18");
        }
        assertThat(afterBody.get() == null || afterBody.get().isEmpty()).isTrue();
        assertThat(MDC.get("extra")).isNull(); // the task's entries do not leak back to the owner
        assertThat(MDC.get("request")).isEqualTo("r-18");
    }

    @Test
    void everyTaskThreadIsNamedAfterTheScopePathAndTaskName() throws Exception {
        try (var scope = Scope.named("quote").open(Join.<String>allSuccessful())) {
            scope.fork("vendorA", () -> Thread.currentThread().getName());
            scope.fork("vendorB", () -> Thread.currentThread().getName());
            assertThat(scope.join()).containsExactly("quote/vendorA", "quote/vendorB");
        }
    }

    @Test
    void threadsOfNestedScopeTasksCarryTheFullPath() throws Exception {
        try (var scope = Scope.named("checkout").open(Join.<String>allSuccessful())) {
            scope.fork("price", () -> {
                try (var pricing = Scope.named("pricing").open(Join.<String>allSuccessful())) {
                    pricing.fork("vendorA", () -> Thread.currentThread().getName());
                    return pricing.join().getFirst();
                }
            });
            assertThat(scope.join()).containsExactly("checkout/price/pricing/vendorA");
        }
    }

    @Test
    void aTaskForkedByATaskIsNamedAtForkAndItsThreadCarriesThatPath() throws Exception {
        try (var scope = Scope.named("spawn").open(Join.<String>allSuccessful())) {
            scope.fork(() -> {
                Task<String> spawned = scope.fork(() -> Thread.currentThread().getName());
                return spawned.name() + " " + spawned.path(); // read at once, whether or not it has started
            });
            assertThat(scope.join()).containsExactly("task-2 spawn/task-2", "spawn/task-2");
        }
    }

    @Test
    void unnamedTasksAreNamedTaskNInForkOrder() throws Exception {
        try (var scope = Scope.named("auto").open(Join.<String>allSuccessful())) {
            scope.fork(() -> CurrentTask.path().orElseThrow());
            scope.fork(() -> Thread.currentThread().getName());
            assertThat(scope.join()).containsExactly("auto/task-1", "auto/task-2");
        }
    }

    @Test
    void unnamedTasksOfALargeScopeAreAllNamedRight() throws Exception {
        int n = 1_100;
        List<String> names = threadNamesOfUnnamedTasks("many", n);
        assertThat(names).hasSize(n);
        for (int i = 0; i < n; i++) {
            assertThat(names.get(i)).isEqualTo("many/task-" + (i + 1));
        }
    }

    private static List<String> threadNamesOfUnnamedTasks(String scopeName, int n) throws InterruptedException {
        try (var scope = Scope.named(scopeName).open(Join.<String>allSuccessful())) {
            for (int i = 0; i < n; i++) {
                scope.fork(() -> Thread.currentThread().getName());
            }
            return scope.join();
        }
    }
}
