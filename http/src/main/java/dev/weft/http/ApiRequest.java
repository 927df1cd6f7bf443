package dev.weft.http;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One HTTP request as {@link JobApi} sees it, independent of the server that received it.
 *
 * @param method  the method, upper case ({@code GET}, {@code POST})
 * @param path    the decoded path, without the query ({@code /api/jobs/j-1})
 * @param query   the decoded query parameters; a name given twice has two values
 * @param headers the headers, names lower-cased
 * @param body    the body bytes (empty when none)
 * @param mount   the path under which the server mounts the API, without a trailing slash ({@code ""} at the
 *                root, {@code /weft} for a servlet mapped at {@code /weft/*}); {@link #path} is relative to it.
 *                Links that the API answers with (a new job's {@code Location}) start with it.
 */
public record ApiRequest(String method, String path, Map<String, List<String>> query,
                         Map<String, List<String>> headers, byte[] body, String mount) {

    public ApiRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        mount = mount == null ? "" : mount;
        if (!mount.isEmpty() && (!mount.startsWith("/") || mount.endsWith("/"))) {
            throw new IllegalArgumentException("mount must be empty or start with '/' and not end with one, such as"
                    + " /weft; was '" + mount + "'");
        }
        method = method.toUpperCase(Locale.ROOT);
        query = query == null ? Map.of() : Map.copyOf(query);
        var lower = new TreeMap<String, List<String>>();
        if (headers != null) {
            headers.forEach((k, v) -> lower.merge(k.toLowerCase(Locale.ROOT), List.copyOf(v),
                    (a, b) -> java.util.stream.Stream.concat(a.stream(), b.stream()).toList()));
        }
        headers = Map.copyOf(lower);
        body = body == null ? new byte[0] : body;
    }

    /** A request to an API mounted at the server's root. */
    public ApiRequest(String method, String path, Map<String, List<String>> query, Map<String, List<String>> headers,
                      byte[] body) {
        this(method, path, query, headers, body, "");
    }

    /** A request without headers or body, for tests and embedding. */
    public static ApiRequest of(String method, String pathAndQuery) {
        int q = pathAndQuery.indexOf('?');
        String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
        return new ApiRequest(method, path, q < 0 ? Map.of() : QueryString.parse(pathAndQuery.substring(q + 1)),
                Map.of(), null);
    }

    /** The first value of header {@code name} (any case). */
    public Optional<String> header(String name) {
        List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.getFirst());
    }

    /** The first value of query parameter {@code name}. */
    public Optional<String> param(String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.getFirst());
    }

    /** Every value of query parameter {@code name}. */
    public List<String> params(String name) {
        return query.getOrDefault(name, List.of());
    }

    /** The body as UTF-8 text. */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
