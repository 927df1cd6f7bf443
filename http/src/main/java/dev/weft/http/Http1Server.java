package dev.weft.http;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A small HTTP/1.1 server for {@link JobApi}: one virtual thread per connection, persistent connections, bounded
 * request heads and bodies, a deadline for the head, and event streams that end as soon as their client goes.
 */
final class Http1Server implements AutoCloseable {

    /*
     * Implementation notes.
     *
     * Why not the JDK's HttpServer: it answers a malformed request target with its own HTML page, resets the
     * connection on too many or too large headers, has no per-server deadline for reading a request's head, and
     * hides the socket, so an idle event stream cannot see its client leave until it next writes. See
     * docs/decisions/0009-own-http1-server.md.
     *
     * One accept thread; one thread per connection that reads a request, lets JobApi answer it and writes the
     * answer, as often as the client keeps the connection. Every refusal before JobApi (bad syntax, limits,
     * deadline) is JobApi's JSON error with status 400, 408, 411, 413, 414, 431 or 505, after which the
     * connection is closed with a short linger (output shut, input drained for a bounded time and size) so that
     * the client reads the answer instead of a reset.
     *
     * Deadlines: the head must be complete within headerTimeout of its first byte (a trickling client cannot
     * hold a connection); each read's socket timeout is set to what is left. An idle persistent connection is
     * closed after IDLE; a body must arrive within IDLE.
     *
     * Event streams are pushed with chunked encoding on the connection's thread (SseStream.pushTo); the sink's
     * disconnect closes the socket, which wakes a blocked write. A second thread blocks reading the socket, and
     * when the client closes (or resets) the connection it closes the SseStream, which frees the stream's slot at
     * once and disconnects the sink. Both threads end with the connection.
     *
     * Closing: the listener closes first; then every stream being pushed is finished (it sends what is queued
     * and ends normally) and close() waits, at most STREAM_END_GRACE, until each has written its last chunk
     * (`streaming` holds a stream from before pushTo until that chunk is flushed); only then are the sockets
     * closed. So a stream that the server ends is a complete chunked response, not a cut connection.
     */

    private static final Logger log = LoggerFactory.getLogger(Http1Server.class);

    static final int MAX_REQUEST_LINE = 8 * 1024;
    static final int MAX_HEAD = 64 * 1024;
    static final int MAX_HEADERS = 100;
    static final int MAX_BODY = 64 * 1024;
    static final Duration IDLE = Duration.ofSeconds(60);
    /** After an error answer: how long and how much of the rest of the request is read and dropped. */
    private static final long LINGER_MILLIS = 2_000;
    private static final long LINGER_BYTES = 4L << 20;
    private static final byte[] CRLF = {'\r', '\n'};

    private final JobApi api;
    private final ServerSocket listener;
    private final long headerTimeoutNanos;
    private final ExecutorService threads;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    /** Streams from before pushTo until their last chunk is flushed; guarded by streamLock for the wait. */
    private final Set<SseStream> streaming = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.locks.ReentrantLock streamLock = new java.util.concurrent.locks.ReentrantLock();
    private final java.util.concurrent.locks.Condition streamEnded = streamLock.newCondition();
    private static final Duration STREAM_END_GRACE = Duration.ofSeconds(2);
    private volatile boolean closed;

    Http1Server(JobApi api, ServerSocket listener) {
        this.api = api;
        this.listener = listener;
        this.headerTimeoutNanos = saturatedNanos(api.config().headerTimeout());
        this.threads = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("weft-http-", 0).factory());
    }

    void start() {
        threads.execute(this::acceptLoop);
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("accepting a connection failed", e);
                }
                continue;
            }
            connections.add(socket);
            try {
                threads.execute(() -> serve(socket));
            } catch (RejectedExecutionException e) {
                closeQuietly(socket);
                connections.remove(socket);
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            var in = new Input(socket);
            var out = new BufferedOutputStream(socket.getOutputStream(), 8192);
            while (!closed && exchange(socket, in, out)) {
                // next request on the same connection
            }
        } catch (IOException e) {
            // the client went away or the server is closing
        } finally {
            connections.remove(socket);
        }
    }

    /** A request refused before it reaches the API. */
    private static final class Refused extends Exception {
        final int status;

        Refused(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    /** Reads and answers one request; false when the connection is to be closed. */
    private boolean exchange(Socket socket, Input in, OutputStream out) throws IOException {
        if (!in.awaitData(System.nanoTime() + IDLE.toNanos())) {
            return false; // closed by the client, or idle too long
        }
        long headDeadline = System.nanoTime() + headerTimeoutNanos;
        if (headDeadline < System.nanoTime()) {
            headDeadline = Long.MAX_VALUE;
        }
        String path = "";
        try {
            String line = in.readLine(MAX_REQUEST_LINE, headDeadline, 414, "request line");
            String[] parts = line.split(" ", -1);
            if (parts.length != 3 || !parts[0].matches("[A-Z]{1,20}")) {
                throw new Refused(400, "malformed request line; expected 'METHOD /path HTTP/1.1'");
            }
            String method = parts[0];
            String target = parts[1];
            String version = parts[2];
            if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) {
                throw new Refused(505, "HTTP version " + JobApi.abbreviate(version, 20) + " is not supported; use"
                        + " HTTP/1.1");
            }
            int q = target.indexOf('?');
            String rawPath = q < 0 ? target : target.substring(0, q);
            path = rawPath;
            String rawQuery = q < 0 ? null : target.substring(q + 1);
            path = decodePath(rawPath);
            Map<String, List<String>> headers = readHeaders(in, headDeadline);
            boolean http11 = version.equals("HTTP/1.1");
            List<String> hosts = headers.getOrDefault("host", List.of());
            if (http11 && hosts.size() != 1) {
                throw new Refused(400, "an HTTP/1.1 request needs exactly one Host header, had " + hosts.size());
            }
            if (headers.containsKey("transfer-encoding")) {
                throw new Refused(411, "request bodies must be sent with Content-Length, not Transfer-Encoding");
            }
            int length = contentLength(headers);
            Map<String, List<String>> query = QueryString.parse(rawQuery);
            if (length > 0 && headers.getOrDefault("expect", List.of()).stream()
                    .anyMatch(v -> v.equalsIgnoreCase("100-continue"))) {
                out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
            byte[] body = in.readBody(length, System.nanoTime() + IDLE.toNanos());
            boolean keepAlive = http11 && headers.getOrDefault("connection", List.of()).stream()
                    .noneMatch(v -> v.toLowerCase(Locale.ROOT).contains("close"));
            ApiResponse resp = api.handle(new ApiRequest(method, path, query, headers, body));
            if (resp.stream() != null) {
                stream(socket, out, resp);
                return false;
            }
            write(out, resp, method.equals("HEAD"), keepAlive);
            return keepAlive;
        } catch (Refused r) {
            refuse(socket, out, r.status, r.getMessage(), path);
            return false;
        } catch (BadRequest e) {
            refuse(socket, out, 400, e.getMessage(), path);
            return false;
        } catch (SocketTimeoutException e) {
            refuse(socket, out, 408, "the request was not received in time (its line and headers must arrive within "
                    + api.config().headerTimeout() + ", its body within " + IDLE + ")", path);
            return false;
        }
    }

    private Map<String, List<String>> readHeaders(Input in, long deadline) throws IOException, Refused {
        var headers = new LinkedHashMap<String, List<String>>();
        int bytes = 0;
        int count = 0;
        while (true) {
            String line = in.readLine(MAX_HEAD - bytes, deadline, 431, "request headers");
            bytes += line.length() + 2;
            if (line.isEmpty()) {
                return headers;
            }
            if (++count > MAX_HEADERS) {
                throw new Refused(431, "more than " + MAX_HEADERS + " request headers");
            }
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                throw new Refused(400, "folded header lines are not allowed");
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || !line.substring(0, colon).matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
                throw new Refused(400, "malformed header line; expected 'Name: value'");
            }
            String name = line.substring(0, colon).toLowerCase(Locale.ROOT);
            headers.computeIfAbsent(name, k -> new ArrayList<>()).add(line.substring(colon + 1).strip());
        }
    }

    private static int contentLength(Map<String, List<String>> headers) throws Refused {
        List<String> values = headers.getOrDefault("content-length", List.of());
        if (values.isEmpty()) {
            return 0;
        }
        String v = values.getFirst();
        if (values.stream().anyMatch(x -> !x.equals(v)) || !v.matches("\\d{1,18}")) {
            throw new Refused(400, "Content-Length must be one non-negative number");
        }
        long n = Long.parseLong(v);
        if (n > MAX_BODY) {
            throw new Refused(413, "request body larger than " + MAX_BODY + " bytes");
        }
        return (int) n;
    }

    /** Percent-decodes a path as UTF-8; 400 for a malformed escape, a backslash, or a character not allowed. */
    private static String decodePath(String raw) throws Refused {
        if (raw.isEmpty() || raw.charAt(0) != '/') {
            throw new Refused(400, "the request target must be a path starting with '/'");
        }
        var bytes = ByteBuffer.allocate(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '\\') {
                throw new Refused(400, "a path must not contain a backslash");
            }
            if (c <= 0x20 || c >= 0x7f) {
                throw new Refused(400, "a path must be ASCII without spaces or control characters; percent-encode"
                        + " anything else");
            }
            if (c == '%') {
                int hi = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
                int lo = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 2), 16) : -1;
                if (hi < 0 || lo < 0) {
                    throw new Refused(400, "malformed percent-encoding in the path: '%' must be followed by two hex"
                            + " digits");
                }
                bytes.put((byte) (hi << 4 | lo));
                i += 2;
            } else {
                bytes.put((byte) c);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes.flip()).toString();
        } catch (CharacterCodingException e) {
            throw new Refused(400, "the path's percent-encoded bytes are not UTF-8");
        }
    }

    /** Answers a refused request with JobApi's JSON error, then closes the connection gently. */
    private void refuse(Socket socket, OutputStream out, int status, String message, String path) {
        try {
            write(out, api.error(status, message, path), false, false);
            socket.shutdownOutput();
            // read and drop what the client is still sending, so that closing does not reset the connection
            // before the client has read the answer
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LINGER_MILLIS);
            InputStream raw = socket.getInputStream();
            byte[] sink = new byte[16 * 1024];
            long dropped = 0;
            while (dropped < LINGER_BYTES) {
                long left = TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime());
                if (left <= 0) {
                    break;
                }
                socket.setSoTimeout((int) left);
                int n = raw.read(sink);
                if (n < 0) {
                    break;
                }
                dropped += n;
            }
        } catch (IOException e) {
            // the client is gone; nothing more to tell it
        }
    }

    private static void write(OutputStream out, ApiResponse resp, boolean head, boolean keepAlive)
            throws IOException {
        boolean noBody = resp.status() == 204 || resp.status() == 304;
        var h = new StringBuilder(256);
        statusLine(h, resp.status());
        headers(h, resp.headers());
        if (!noBody) {
            h.append("Content-Length: ").append(resp.body().length).append("\r\n");
        }
        if (!keepAlive) {
            h.append("Connection: close\r\n");
        }
        h.append("\r\n");
        out.write(h.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (!head && !noBody) {
            out.write(resp.body());
        }
        out.flush();
    }

    private void stream(Socket socket, OutputStream out, ApiResponse resp) throws IOException {
        SseStream stream = resp.stream();
        streaming.add(stream);
        try (stream) {
            var h = new StringBuilder(256);
            statusLine(h, resp.status());
            headers(h, resp.headers());
            h.append("Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
            out.write(h.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            socket.setSoTimeout(0);
            InputStream raw = socket.getInputStream();
            threads.execute(() -> watchForClose(raw, stream));
            boolean ended = stream.pushTo(new SseSink() {
                @Override
                public void send(String frame) throws IOException {
                    byte[] b = frame.getBytes(StandardCharsets.UTF_8);
                    out.write(Integer.toHexString(b.length).getBytes(StandardCharsets.US_ASCII));
                    out.write(CRLF);
                    out.write(b);
                    out.write(CRLF);
                    out.flush();
                }

                @Override
                public void disconnect() {
                    closeQuietly(socket); // wakes a blocked write; the connection is over either way
                }
            });
            if (ended) {
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        } catch (IOException | RejectedExecutionException e) {
            // the client went away, fell too far behind, or the server is closing: the stream is over
        } finally {
            streamLock.lock();
            try {
                streaming.remove(stream);
                streamEnded.signalAll();
            } finally {
                streamLock.unlock();
            }
        }
    }

    /** Blocks reading the client's side of an event stream; when it closes, ends the stream at once. */
    private static void watchForClose(InputStream raw, SseStream stream) {
        byte[] sink = new byte[512];
        try {
            while (raw.read(sink) >= 0) {
                // a client of an event stream has nothing more to say; drop it
            }
        } catch (IOException e) {
            // reset by the client, or closed by the writer
        } finally {
            stream.close();
        }
    }

    private static final DateTimeFormatter DATE = DateTimeFormatter.RFC_1123_DATE_TIME;

    private static void statusLine(StringBuilder h, int status) {
        h.append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
        h.append("Date: ").append(DATE.format(ZonedDateTime.now(ZoneOffset.UTC))).append("\r\n");
    }

    private static void headers(StringBuilder h, Map<String, String> headers) {
        for (Map.Entry<String, String> e : headers.entrySet()) {
            String name = e.getKey();
            if (name.equalsIgnoreCase("Content-Length") || name.equalsIgnoreCase("Connection")
                    || name.equalsIgnoreCase("Transfer-Encoding")) {
                continue;
            }
            h.append(name).append(": ").append(e.getValue().replace('\r', ' ').replace('\n', ' ')).append("\r\n");
        }
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 201 -> "Created";
            case 204 -> "No Content";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 411 -> "Length Required";
            case 413 -> "Content Too Large";
            case 414 -> "URI Too Long";
            case 415 -> "Unsupported Media Type";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            case 505 -> "HTTP Version Not Supported";
            default -> "Status";
        };
    }

    /** Stops accepting, closes every connection and waits (up to 5 s) for every thread. Idempotent. */
    @Override
    public void close() {
        closed = true;
        closeQuietly(listener);
        awaitStreamsEnded();
        for (Socket s : connections) {
            closeQuietly(s);
        }
        threads.shutdownNow();
        try {
            if (!threads.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("some HTTP connection threads did not end within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Finishes every stream being pushed and waits (at most STREAM_END_GRACE) until each wrote its last chunk. */
    private void awaitStreamsEnded() {
        streaming.forEach(SseStream::finish);
        long deadline = System.nanoTime() + STREAM_END_GRACE.toNanos();
        streamLock.lock();
        try {
            while (!streaming.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    log.warn("{} event streams had not written their last chunk {} after close; cutting them",
                            streaming.size(), STREAM_END_GRACE);
                    return;
                }
                streamEnded.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            streamLock.unlock();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing anyway
        }
    }

    /** The connection's input, read through one buffer, with a deadline on every read. */
    private static final class Input {
        private final Socket socket;
        private final InputStream raw;
        private final byte[] buf = new byte[8192];
        private int pos;
        private int lim;

        Input(Socket socket) throws IOException {
            this.socket = socket;
            this.raw = socket.getInputStream();
        }

        /** Whether a byte arrived before {@code deadline}; false on end of stream or an idle timeout. */
        boolean awaitData(long deadline) throws IOException {
            if (pos < lim) {
                return true;
            }
            try {
                return fill(deadline);
            } catch (SocketTimeoutException e) {
                return false;
            }
        }

        private boolean fill(long deadline) throws IOException {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                throw new SocketTimeoutException("deadline passed");
            }
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
            int n = raw.read(buf);
            if (n < 0) {
                return false;
            }
            pos = 0;
            lim = n;
            return true;
        }

        /**
         * A line ending in LF (CR before it dropped), ISO-8859-1; refused with {@code tooLong} when longer than
         * {@code max}.
         */
        String readLine(int max, long deadline, int tooLong, String what) throws IOException, Refused {
            var line = new StringBuilder(64);
            while (true) {
                if (pos == lim && !fill(deadline)) {
                    throw new IOException("connection closed in the middle of a request");
                }
                char c = (char) (buf[pos++] & 0xff);
                if (c == '\n') {
                    int end = line.length();
                    if (end > 0 && line.charAt(end - 1) == '\r') {
                        line.setLength(end - 1);
                    }
                    return line.toString();
                }
                if (line.length() >= max) {
                    throw new Refused(tooLong, what + " longer than the " + (tooLong == 414 ? MAX_REQUEST_LINE
                            : MAX_HEAD) + " bytes allowed");
                }
                line.append(c);
            }
        }

        byte[] readBody(int length, long deadline) throws IOException {
            byte[] body = new byte[length];
            int got = 0;
            while (got < length) {
                if (pos == lim && !fill(deadline)) {
                    throw new IOException("connection closed in the middle of a request body");
                }
                int n = Math.min(length - got, lim - pos);
                System.arraycopy(buf, pos, body, got, n);
                pos += n;
                got += n;
            }
            return body;
        }
    }
}
