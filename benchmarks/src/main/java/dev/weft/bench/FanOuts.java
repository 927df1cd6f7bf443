package dev.weft.bench;

import dev.weft.scope.Join;
import dev.weft.scope.Scope;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;
import java.util.concurrent.StructuredTaskScope;
import java.util.concurrent.StructuredTaskScope.Configuration;
import java.util.concurrent.StructuredTaskScope.Joiner;
import java.util.concurrent.StructuredTaskScope.Subtask;
import java.util.function.Function;

/**
 * The fan-out that several benchmarks time, written once: fork {@code n} copies of a task, join, and return the
 * sum of their values (so that every task must have run and been read, and JMH consumes the result).
 */
final class FanOuts {

    private FanOuts() {
    }

    /** In a Weft scope from {@code builder} with {@code Join.allSuccessful()}. */
    static long weft(Scope.Builder builder, int n, Callable<Integer> task) throws InterruptedException {
        try (Scope<Integer, List<Integer>> scope = builder.open(Join.allSuccessful())) {
            for (int i = 0; i < n; i++) {
                scope.fork(task);
            }
            long sum = 0;
            for (int v : scope.join()) {
                sum += v;
            }
            return sum;
        }
    }

    /**
     * In the JDK's {@code StructuredTaskScope.open()} (await all successful), with {@code Subtask.get()} on each;
     * {@code beforeFork} runs before every fork (a semaphore gate, or nothing).
     */
    @SuppressWarnings("unchecked")
    static long rawScope(int n, Callable<Integer> task, BeforeFork beforeFork) throws InterruptedException {
        Subtask<Integer>[] subtasks = new Subtask[n];
        try (var scope = StructuredTaskScope.open()) {
            for (int i = 0; i < n; i++) {
                beforeFork.run();
                subtasks[i] = scope.fork(task);
            }
            scope.join();
        }
        long sum = 0;
        for (Subtask<Integer> s : subtasks) {
            sum += s.get();
        }
        return sum;
    }

    /**
     * {@link #rawScope} under a cap: a {@code Semaphore(cap)} made for this fan-out, acquired by the owner before
     * each fork and released by the task when it ends.
     */
    static long semaphoreRawScope(int n, int cap, Callable<Integer> task) throws InterruptedException {
        Semaphore permits = new Semaphore(cap);
        Callable<Integer> gated = () -> {
            try {
                return task.call();
            } finally {
                permits.release();
            }
        };
        return rawScope(n, gated, permits::acquire);
    }

    /**
     * {@code n} {@link BoundTask}s named {@code name/task-N} around {@code task}, in a JDK scope named {@code name}
     * ({@code Joiner.awaitAllSuccessfulOrThrow()}) whose threads start with that name, configured further by
     * {@code config} (a timeout, or nothing); {@code Subtask.get()} on each.
     */
    @SuppressWarnings("unchecked")
    static long rawScopeNamedBound(String name, int n, Callable<Integer> task,
            Function<Configuration, Configuration> config) throws InterruptedException {
        Subtask<Integer>[] subtasks = new Subtask[n];
        Thread.Builder.OfVirtual threads = Thread.ofVirtual().name(name); // owner-confined, never renamed
        try (var scope = StructuredTaskScope.open(Joiner.<Integer>awaitAllSuccessfulOrThrow(),
                c -> config.apply(c).withName(name).withThreadFactory(threads::unstarted))) {
            for (int i = 0; i < n; i++) {
                subtasks[i] = scope.fork(new BoundTask(name, i + 1, task));
            }
            scope.join();
        }
        long sum = 0;
        for (Subtask<Integer> s : subtasks) {
            sum += s.get();
        }
        return sum;
    }

    /** The binding a {@link BoundTask} runs in, standing for what Weft's {@code CurrentTask} reads. */
    private static final ScopedValue<BoundTask> CURRENT = ScopedValue.newInstance();

    /**
     * A task that does for its thread what Weft's task does, around any body: it renames the thread to
     * {@code prefix/task-N} as it starts (the name is built per task), and runs the body with a per-task binding
     * of itself. The raw scope with these tasks is the floor of any scope that keeps those two guarantees.
     */
    static final class BoundTask implements Callable<Integer> {
        private final String prefix;
        /** The task's number, 1 and up. Immutable. */
        private final int number;
        private final Callable<Integer> body;

        BoundTask(String prefix, int number, Callable<Integer> body) {
            this.prefix = prefix;
            this.number = number;
            this.body = body;
        }

        @Override
        public Integer call() throws Exception {
            Thread.currentThread().setName(prefix + "/task-" + number);
            return ScopedValue.where(CURRENT, this).call((ScopedValue.CallableOp<Integer, Exception>) body::call);
        }
    }

    /** Runs in the owner before each fork of {@link #rawScope}. */
    @FunctionalInterface
    interface BeforeFork {
        BeforeFork NOTHING = () -> { };

        void run() throws InterruptedException;
    }
}
