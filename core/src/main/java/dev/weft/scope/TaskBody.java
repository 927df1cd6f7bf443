package dev.weft.scope;

/**
 * A task's body that is handed its own scope, so that it can fork more tasks into it with the scope's types:
 *
 * <pre>{@code
 * scope.fork("crawl", (Scope<Page, ?> pages) -> {
 *     for (String link : links(root)) {
 *         pages.fork(link, () -> fetch(link));      // typed: no cast
 *     }
 *     return fetch(root);
 * });
 * }</pre>
 *
 * @param <T> the scope's task result type
 * @param <V> what this task returns
 */
@FunctionalInterface
public interface TaskBody<T, V extends T> {

    /**
     * Runs the task.
     *
     * @param scope the scope the task runs in; the task may fork into it while the scope runs
     */
    V call(Scope<T, ?> scope) throws Exception;
}
