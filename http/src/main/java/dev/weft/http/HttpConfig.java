package dev.weft.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * How the jobs API is served. Immutable; build with {@link #builder()}.
 *
 * <pre>{@code
 * HttpConfig config = HttpConfig.builder().port(8080).bearerToken(System.getenv("WEFT_TOKEN")).build();
 * }</pre>
 *
 * @param bindAddress         the address to listen on (default 127.0.0.1)
 * @param port                the port, 0 for an ephemeral one (default 8080)
 * @param bearerToken         the token every API request must carry, as {@code Authorization: Bearer ...} or as
 *                            the session cookie that {@code POST /api/login} sets; null for none (allowed only
 *                            on a loopback address)
 * @param exposeStackTraces   whether job errors carry their stack traces to clients (default false)
 * @param heartbeat           how often an idle event stream gets a comment line (default 15 s)
 * @param maxEventStreams     how many event streams may be open at once; more get 503 (default 256)
 * @param clientBufferEvents  how many events may wait for one slow client before it is disconnected (default 1024)
 * @param replayEvents        how many recent events are kept for {@code Last-Event-ID} resumption (default 10,000)
 * @param allowedHosts        host names (without port) a request's {@code Host} header may name; empty (the
 *                            default) allows, on a loopback bind, {@code localhost} and loopback addresses only
 *                            (against DNS rebinding) and, on any other bind, every host (the token guards it)
 * @param allowedOrigins      origins ({@code https://jobs.example.com}) besides the server's own whose pages may
 *                            send state-changing requests; for a page served through a reverse proxy that
 *                            rewrites {@code Host}
 * @param headerTimeout       how long a client may take to send a request's line and headers before the
 *                            connection is closed with 408 (default 10 s; {@link WeftHttpServer} only)
 */
public record HttpConfig(InetAddress bindAddress, int port, String bearerToken, boolean exposeStackTraces,
                         Duration heartbeat, int maxEventStreams, int clientBufferEvents, int replayEvents,
                         Set<String> allowedHosts, Set<String> allowedOrigins, Duration headerTimeout) {

    public HttpConfig {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(heartbeat, "heartbeat");
        Objects.requireNonNull(headerTimeout, "headerTimeout");
        if (headerTimeout.isNegative() || headerTimeout.isZero()) {
            throw new IllegalArgumentException("headerTimeout must be positive, was " + headerTimeout);
        }
        allowedHosts = allowedHosts == null ? Set.of() : lowerCase(allowedHosts, "allowedHosts");
        allowedOrigins = allowedOrigins == null ? Set.of() : lowerCase(allowedOrigins, "allowedOrigins");
        for (String o : allowedOrigins) {
            if (!o.matches("https?://[^/?#\\s]+")) {
                throw new IllegalArgumentException("an allowed origin is a scheme, a host and an optional port, such"
                        + " as https://jobs.example.com or http://localhost:3000, without a path; was: " + o);
            }
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535 (0: any free port), was " + port);
        }
        if (heartbeat.isNegative() || heartbeat.isZero()) {
            throw new IllegalArgumentException("heartbeat must be positive, was " + heartbeat);
        }
        if (maxEventStreams < 1 || clientBufferEvents < 1 || replayEvents < 1) {
            throw new IllegalArgumentException("maxEventStreams, clientBufferEvents and replayEvents must be >= 1");
        }
        if (bearerToken != null && bearerToken.isBlank()) {
            throw new IllegalArgumentException("bearerToken must not be blank; pass null for none");
        }
    }

    private static Set<String> lowerCase(Set<String> values, String what) {
        var out = new java.util.LinkedHashSet<String>();
        for (String v : values) {
            if (v == null || v.isBlank()) {
                throw new IllegalArgumentException(what + " must not contain null or blank entries, was " + values);
            }
            out.add(v.trim().toLowerCase(java.util.Locale.ROOT));
        }
        return java.util.Collections.unmodifiableSet(out);
    }

    /** Every component, with the bearer token masked, so that logging a configuration never leaks it. */
    @Override
    public String toString() {
        return "HttpConfig[bindAddress=" + bindAddress + ", port=" + port
                + ", bearerToken=" + (bearerToken == null ? "none" : "****") + ", exposeStackTraces=" + exposeStackTraces
                + ", heartbeat=" + heartbeat + ", maxEventStreams=" + maxEventStreams
                + ", clientBufferEvents=" + clientBufferEvents + ", replayEvents=" + replayEvents
                + ", allowedHosts=" + allowedHosts + ", allowedOrigins=" + allowedOrigins
                + ", headerTimeout=" + headerTimeout + "]";
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The defaults: 127.0.0.1:8080, no token, no stack traces. */
    public static HttpConfig defaults() {
        return builder().build();
    }

    /** Configures an {@link HttpConfig}; not thread-safe. */
    public static final class Builder {
        private InetAddress bindAddress = InetAddress.getLoopbackAddress();
        private int port = 8080;
        private String bearerToken;
        private boolean exposeStackTraces;
        private Duration heartbeat = Duration.ofSeconds(15);
        private int maxEventStreams = 256;
        private int clientBufferEvents = 1024;
        private int replayEvents = 10_000;
        private Set<String> allowedHosts = Set.of();
        private Set<String> allowedOrigins = Set.of();
        private Duration headerTimeout = Duration.ofSeconds(10);

        Builder() {
        }

        /** Listen on {@code host} (a name or literal address). */
        public Builder bind(String host) {
            try {
                this.bindAddress = InetAddress.getByName(host);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("cannot resolve bind address " + host, e);
            }
            return this;
        }

        public Builder bind(InetAddress address) {
            this.bindAddress = address;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder bearerToken(String token) {
            this.bearerToken = token;
            return this;
        }

        public Builder exposeStackTraces(boolean expose) {
            this.exposeStackTraces = expose;
            return this;
        }

        public Builder heartbeat(Duration every) {
            this.heartbeat = every;
            return this;
        }

        public Builder maxEventStreams(int max) {
            this.maxEventStreams = max;
            return this;
        }

        public Builder clientBufferEvents(int max) {
            this.clientBufferEvents = max;
            return this;
        }

        public Builder replayEvents(int max) {
            this.replayEvents = max;
            return this;
        }

        /** Host names (without port) requests may be addressed to, such as {@code jobs.example.com}. */
        public Builder allowedHosts(String... hosts) {
            this.allowedHosts = new java.util.LinkedHashSet<>(java.util.Arrays.asList(hosts));
            return this;
        }

        /** Origins besides the server's own allowed to send state-changing requests ({@code https://host[:port]}). */
        public Builder allowedOrigins(String... origins) {
            this.allowedOrigins = new java.util.LinkedHashSet<>(java.util.Arrays.asList(origins));
            return this;
        }

        /** How long a client may take to send a request's line and headers (default 10 s). */
        public Builder headerTimeout(Duration timeout) {
            this.headerTimeout = timeout;
            return this;
        }

        public HttpConfig build() {
            return new HttpConfig(bindAddress, port, bearerToken, exposeStackTraces, heartbeat, maxEventStreams,
                    clientBufferEvents, replayEvents, allowedHosts, allowedOrigins, headerTimeout);
        }
    }
}
