package dev.weft.scope;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * What a scope records of its tasks: every task in fork order, and the failed and timed-out ones in the order
 * they completed.
 */
final class TaskLog<T> {

    /*
     * Implementation notes: one monitor guards both lists. A failure is recorded in the same critical section
     * in which the task's outcome is set (recordFailure runs the settling CAS under the monitor), and join's
     * snapshot takes the monitor, so the snapshot never shows a FAILED task missing from the failures, and the
     * failure order is the order in which outcomes became visible.
     */

    private final ArrayList<TaskImpl<T>> tasks = new ArrayList<>();
    /** Made by the first failure. */
    private ArrayList<TaskImpl<T>> failures;

    synchronized void add(TaskImpl<T> task) {
        tasks.add(task);
    }

    /** Forgets a task whose fork failed; it was the owner's latest, so it is found from the end. */
    synchronized void remove(TaskImpl<T> task) {
        for (int i = tasks.size() - 1; i >= 0; i--) {
            if (tasks.get(i) == task) {
                tasks.remove(i);
                return;
            }
        }
    }

    /** Runs {@code settle}; if it settled the task, records the task as the latest failure. */
    synchronized boolean recordFailure(TaskImpl<T> task, BooleanSupplier settle) {
        if (!settle.getAsBoolean()) {
            return false;
        }
        if (failures == null) {
            failures = new ArrayList<>(2);
        }
        failures.add(task);
        return true;
    }

    /** The tasks in fork order: a copy. */
    synchronized List<TaskImpl<T>> tasks() {
        return new ArrayList<>(tasks);
    }

    /** The view handed to the join policy once every task is settled. */
    synchronized JoinedTasks<T> joined(ScopeImpl<T, ?> scope) {
        return new JoinedTasks<>(scope, Collections.unmodifiableList(new ArrayList<Task<T>>(tasks)),
                failures == null ? List.of() : List.copyOf(failures));
    }
}
