package dev.weft.http;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.Objects;

/**
 * The response helpers of a {@link JobApi}, handed to every application route ({@link JobApi.Handler}): JSON
 * written like the API's own (ISO-8601 times and durations, Weft's records as they are) and errors in the API's
 * shape, {@code {"error": "...", "status": N, "path": "..."}}. Every response a route returns gets the API's
 * security headers.
 *
 * <pre>{@code
 * JobApi.builder(runtime)
 *       .route("GET", "/api/quote", (req, res) -> req.param("item").isEmpty()
 *               ? res.error(400, "give an item: /api/quote?item=book", req)
 *               : res.json(200, quotes(req.param("item").get())))
 *       .build();
 * }</pre>
 *
 * <p>Thread safety: immutable; use from any thread.
 */
public final class Responses {

    private final JobApi api;

    Responses(JobApi api) {
        this.api = api;
    }

    /** {@code value} as JSON with {@code status}. */
    public ApiResponse json(int status, Object value) {
        return api.json(status, value);
    }

    /** An error in the API's shape, naming the request's path; long messages are shortened. */
    public ApiResponse error(int status, String message, ApiRequest request) {
        return api.error(status, Objects.requireNonNull(message, "message"), request.path());
    }

    /** 204 No Content. */
    public ApiResponse noContent() {
        return new ApiResponse(204, java.util.Map.of(), null, null);
    }

    /** The mapper the API writes JSON with, to read request bodies alike. */
    public ObjectMapper mapper() {
        return api.mapper();
    }
}
