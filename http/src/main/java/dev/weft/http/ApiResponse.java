package dev.weft.http;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link JobApi} answers: a status, headers and either a complete body or, for server-sent events, a
 * {@link SseStream} that the server adapter pushes to its client ({@link SseStream#pushTo}).
 *
 * @param status  the HTTP status
 * @param headers response headers (Content-Type included)
 * @param body    the body; empty for a stream
 * @param stream  the event stream, or {@code null} for an ordinary response
 */
public record ApiResponse(int status, Map<String, String> headers, byte[] body, SseStream stream) {

    public ApiResponse {
        headers = Map.copyOf(Objects.requireNonNull(headers, "headers"));
        body = body == null ? new byte[0] : body;
    }

    /** A complete response. */
    public static ApiResponse of(int status, String contentType, byte[] body) {
        return new ApiResponse(status, Map.of("Content-Type", contentType), body, null);
    }

    /** A plain-text response. */
    public static ApiResponse text(int status, String text) {
        return of(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    /** A server-sent events response. */
    static ApiResponse events(SseStream stream) {
        return new ApiResponse(200, Map.of("Content-Type", "text/event-stream; charset=utf-8",
                "Cache-Control", "no-cache", "X-Accel-Buffering", "no"), null, stream);
    }

    /** This response with one more header. */
    public ApiResponse withHeader(String name, String value) {
        var h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new ApiResponse(status, h, body, stream);
    }

    /** The body as UTF-8 text. */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
