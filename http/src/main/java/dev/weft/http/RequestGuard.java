package dev.weft.http;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Decides whether a request may reach the API: the Host it is addressed to (DNS rebinding), where a
 * state-changing request comes from (cross-site request forgery), and who sends it (the bearer token or the
 * session cookie that {@code POST /api/login} sets).
 */
final class RequestGuard {

    /*
     * Implementation notes.
     *
     * Host: a browser sends the host name of the page's URL. On a loopback bind with no allowed hosts
     * configured, only "localhost" and loopback literals are accepted, so a page on evil.example whose name was
     * re-pointed at 127.0.0.1 (DNS rebinding) is refused before it reads anything. A request without Host (a
     * test harness, HTTP/1.0) cannot come from a browser and is accepted.
     *
     * Cross-site requests: every method other than GET and HEAD must carry Content-Type: application/json. A
     * cross-origin page cannot send that without a CORS preflight, which this server never approves (it sends
     * no Access-Control-* headers), and a form or a no-cors fetch cannot send it at all. Independently, a
     * browser's Origin header (sent with every cross-origin request and every POST) must name this server (its
     * host and port as the Host header gives them) or an allowed origin, and Sec-Fetch-Site must not be
     * cross-site. Either check alone stops a form POST; both are kept because each covers a case the other
     * misses (old browsers without Origin on same-site POSTs; a non-JSON API a future route might add).
     *
     * Session cookies carry no state on the server: "expiry.mac", where mac is HMAC-SHA256 of the expiry under
     * a key derived from the token. Changing the token invalidates every cookie. Comparison is constant-time.
     */

    static final String COOKIE = "weft_session";
    static final Duration SESSION = Duration.ofHours(12);
    private static final Pattern LOOPBACK_V4 = Pattern.compile("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");

    private final HttpConfig config;
    private final byte[] token;
    private final SecretKeySpec sessionKey;

    RequestGuard(HttpConfig config) {
        this.config = config;
        this.token = config.bearerToken() == null ? null : config.bearerToken().getBytes(StandardCharsets.UTF_8);
        this.sessionKey = token == null ? null : new SecretKeySpec(sha256("weft-session-key:", token), "HmacSHA256");
    }

    /** A refusal: status and message. */
    record Refusal(int status, String message) {
    }

    /** Null when the request's Host may be served. */
    Refusal checkHost(ApiRequest req) {
        String host = req.header("Host").orElse(null);
        if (host == null) {
            return null;
        }
        String name = hostName(host);
        boolean ok;
        if (!config.allowedHosts().isEmpty()) {
            ok = config.allowedHosts().contains(name) || config.allowedHosts().contains("*");
        } else if (config.bindAddress().isLoopbackAddress()) {
            ok = name.equals("localhost") || LOOPBACK_V4.matcher(name).matches() || name.equals("[::1]");
        } else {
            ok = true;
        }
        return ok ? null : new Refusal(403, "requests addressed to host '" + host + "' are not served here: "
                + (config.allowedHosts().isEmpty() ? "on a loopback address only localhost and loopback addresses are"
                + " (configure HttpConfig.allowedHosts to add names)" : "allowed hosts are " + config.allowedHosts()));
    }

    /** Null when a state-changing request comes from this server's own pages (or a non-browser client). */
    Refusal checkOrigin(ApiRequest req) {
        String origin = req.header("Origin").orElse(null);
        boolean allowedOrigin = origin != null && config.allowedOrigins().contains(origin.toLowerCase(Locale.ROOT));
        if (origin != null && !allowedOrigin) {
            String host = req.header("Host").orElse("").toLowerCase(Locale.ROOT);
            if (!host.equals(authority(origin))) {
                return new Refusal(403, "cross-origin request refused: Origin " + origin + " is not this server ("
                        + (host.isEmpty() ? "no Host" : host) + "); add it to HttpConfig.allowedOrigins if its pages"
                        + " may change jobs");
            }
        }
        String site = req.header("Sec-Fetch-Site").orElse("");
        if (site.equalsIgnoreCase("cross-site") && !allowedOrigin) {
            return new Refusal(403, "cross-site request refused (Sec-Fetch-Site: cross-site)");
        }
        String type = req.header("Content-Type").orElse("");
        int semi = type.indexOf(';');
        String mediaType = (semi < 0 ? type : type.substring(0, semi)).trim();
        if (!mediaType.equalsIgnoreCase("application/json")) {
            return new Refusal(415, "a " + req.method() + " request must be sent with Content-Type: application/json"
                    + " (was " + (type.isEmpty() ? "none" : "'" + type + "'") + "); this keeps other sites' pages"
                    + " from sending it");
        }
        return null;
    }

    /** Whether a token is configured. */
    boolean tokenRequired() {
        return token != null;
    }

    /** Null when no token is configured, or the request carries it (header) or a valid session cookie. */
    Refusal checkCredentials(ApiRequest req) {
        if (token == null) {
            return null;
        }
        String auth = req.header("Authorization").orElse(null);
        if (auth != null) {
            if (!auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return new Refusal(401, "Authorization must be 'Bearer <token>'");
            }
            return tokenMatches(auth.substring(7).trim()) ? null : new Refusal(403, "wrong bearer token");
        }
        String cookie = cookie(req, COOKIE);
        if (cookie != null) {
            return sessionValid(cookie, System.currentTimeMillis()) ? null
                    : new Refusal(401, "the session has expired or the token changed; log in again");
        }
        return new Refusal(401, "this server needs a token: send Authorization: Bearer <token>, or log in with"
                + " POST /api/login {\"token\": \"...\"} for a session cookie");
    }

    boolean tokenMatches(String given) {
        return token != null && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), token);
    }

    /** A new session cookie value, valid for {@link #SESSION}. */
    String newSession(long nowMillis) {
        long expires = nowMillis + SESSION.toMillis();
        return expires + "." + mac(expires);
    }

    boolean sessionValid(String value, long nowMillis) {
        int dot = value.indexOf('.');
        if (dot <= 0 || dot > 19) {
            return false;
        }
        long expires;
        try {
            expires = Long.parseLong(value.substring(0, dot));
        } catch (NumberFormatException e) {
            return false;
        }
        boolean macOk = MessageDigest.isEqual(value.substring(dot + 1).getBytes(StandardCharsets.US_ASCII),
                mac(expires).getBytes(StandardCharsets.US_ASCII));
        return macOk && expires > nowMillis;
    }

    private String mac(long expires) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(sessionKey);
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(m.doFinal(Long.toString(expires).getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private static byte[] sha256(String prefix, byte[] data) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(prefix.getBytes(StandardCharsets.US_ASCII));
            return d.digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /** The value of cookie {@code name}, or null. */
    static String cookie(ApiRequest req, String name) {
        for (String header : req.headers().getOrDefault("cookie", java.util.List.of())) {
            for (String part : header.split(";")) {
                int eq = part.indexOf('=');
                if (eq > 0 && part.substring(0, eq).trim().equals(name)) {
                    return part.substring(eq + 1).trim();
                }
            }
        }
        return null;
    }

    /** {@code host[:port]} of an origin, lower case, with the scheme's default port left out. */
    private static String authority(String origin) {
        try {
            URI u = new URI(origin);
            if (u.getHost() == null || u.getScheme() == null) {
                return "";
            }
            int port = u.getPort();
            boolean dflt = port == -1 || (port == 80 && u.getScheme().equalsIgnoreCase("http"))
                    || (port == 443 && u.getScheme().equalsIgnoreCase("https"));
            return (u.getHost() + (dflt ? "" : ":" + port)).toLowerCase(Locale.ROOT);
        } catch (URISyntaxException e) {
            return "";
        }
    }

    /** The host name of a Host header value, lower case, without the port ({@code [::1]} kept bracketed). */
    private static String hostName(String host) {
        String h = host.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? h : h.substring(0, end + 1);
        }
        int colon = h.lastIndexOf(':');
        return colon < 0 ? h : h.substring(0, colon);
    }
}
