package dev.weft.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;

/**
 * How the jobs API is served. Immutable; build with {@link #builder()}.
 *
 * <pre>{@code
 * HttpConfig config = HttpConfig.builder().port(8080).bearerToken(System.getenv("WEFT_TOKEN")).build();
 * }</pre>
 *
 * @param bindAddress         the address to listen on (default 127.0.0.1)
 * @param port                the port, 0 for an ephemeral one (default 8080)
 * @param bearerToken         the token POST requests must carry as {@code Authorization: Bearer ...}, or null
 *                            for none (allowed only on a loopback address)
 * @param exposeStackTraces   whether job errors carry their stack traces to clients (default false)
 * @param heartbeat           how often an idle event stream gets a comment line (default 15 s)
 * @param maxEventStreams     how many event streams may be open at once; more get 503 (default 256)
 * @param clientBufferEvents  how many events may wait for one slow client before it is disconnected (default 1024)
 * @param replayEvents        how many recent events are kept for {@code Last-Event-ID} resumption (default 10,000)
 */
public record HttpConfig(InetAddress bindAddress, int port, String bearerToken, boolean exposeStackTraces,
                         Duration heartbeat, int maxEventStreams, int clientBufferEvents, int replayEvents) {

    public HttpConfig {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(heartbeat, "heartbeat");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, was " + port);
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

        public HttpConfig build() {
            return new HttpConfig(bindAddress, port, bearerToken, exposeStackTraces, heartbeat, maxEventStreams,
                    clientBufferEvents, replayEvents);
        }
    }
}
