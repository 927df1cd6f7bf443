package dev.weft.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Requests written byte for byte to a loopback socket, for what java.net.http refuses to send (malformed
 * targets, a foreign Host, hundreds of headers).
 */
final class RawHttp {

    private RawHttp() {
    }

    /** A response as read off the socket. */
    record Response(int status, String head, String body, boolean reset) {
        String header(String name) {
            for (String line : head.split("\r\n")) {
                int c = line.indexOf(':');
                if (c > 0 && line.substring(0, c).equalsIgnoreCase(name)) {
                    return line.substring(c + 1).trim();
                }
            }
            return null;
        }
    }

    /** Sends {@code request} and reads until the server closes the connection (at most {@code wait}). */
    static Response send(int port, String request, Duration wait) throws IOException {
        return send(port, request.getBytes(StandardCharsets.ISO_8859_1), wait);
    }

    static Response send(int port, byte[] request, Duration wait) throws IOException {
        try (var socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
            socket.setSoTimeout((int) wait.toMillis());
            OutputStream out = socket.getOutputStream();
            boolean reset = false;
            try {
                out.write(request);
                out.flush();
            } catch (IOException e) {
                reset = true; // the server may answer and close before it has read everything
            }
            return read(socket.getInputStream(), reset);
        }
    }

    static Response read(InputStream in, boolean resetWhileWriting) throws IOException {
        var bytes = new ByteArrayOutputStream();
        boolean reset = resetWhileWriting;
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                bytes.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException e) {
            reset = true;
        }
        String text = bytes.toString(StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/1.1 ") || end < 0) {
            return new Response(-1, text, "", reset);
        }
        return new Response(Integer.parseInt(text.substring(9, 12)), text.substring(0, end), text.substring(end + 4),
                reset);
    }
}
