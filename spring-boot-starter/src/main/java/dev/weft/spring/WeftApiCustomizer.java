package dev.weft.spring;

import dev.weft.http.JobApi;

/**
 * A bean that adds to the jobs API the starter builds: application routes next to Weft's, static resources.
 *
 * <pre>{@code
 * @Bean
 * WeftApiCustomizer quote() {
 *     return api -> api.route("GET", "/api/quote", (req, res) -> res.json(200, quotes.best()));
 * }
 * }</pre>
 */
@FunctionalInterface
public interface WeftApiCustomizer {

    /** Adds to {@code api} before it is built. */
    void customize(JobApi.Builder api);
}
