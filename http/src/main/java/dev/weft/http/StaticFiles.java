package dev.weft.http;

import java.io.IOException;
import java.io.InputStream;

/**
 * The files {@link JobApi} serves outside {@code /api/}: an application's own (under a resource root, found by
 * the class loader that loaded Weft), then Weft's dashboard (in this module).
 */
final class StaticFiles {

    /*
     * Implementation notes: a path is looked up under the application's root first, so an application can
     * replace any dashboard file or add its own (extension.js); paths with "..", "//" or a backslash are refused
     * before any lookup. Files are read on each request (no cache): they are small, and Cache-Control: no-cache
     * makes browsers revalidate anyway.
     */

    /** Where the dashboard's files are, as an absolute resource path in this module. */
    private static final String DASHBOARD = "/dev/weft/http/dashboard";

    /** A file's bytes and content type. */
    record File(byte[] bytes, String contentType) {
    }

    private final String root;
    private final boolean dashboard;

    /** Files under {@code root} (null: none), then the dashboard's if {@code dashboard}. */
    StaticFiles(String root, boolean dashboard) {
        this.root = root;
        this.dashboard = dashboard;
    }

    /** Whether any file can be served. */
    boolean serves() {
        return root != null || dashboard;
    }

    /** Whether {@code path} may be looked up at all. */
    static boolean acceptable(String path) {
        return !path.contains("..") && !path.contains("//") && !path.contains("\\");
    }

    /** The file at {@code path} ({@code /} is index.html), or null when there is none. */
    File find(String path) throws IOException {
        String p = path.equals("/") ? "/index.html" : path;
        byte[] bytes = null;
        if (root != null) {
            // The class loader, not this class: in a named module, Class.getResourceAsStream looks in that module only.
            try (InputStream in = StaticFiles.class.getClassLoader().getResourceAsStream((root + p).substring(1))) {
                bytes = in == null ? null : in.readAllBytes();
            }
        }
        if (bytes == null && dashboard) {
            // The dashboard lives in this module: Class.getResourceAsStream reads it on the class and module path.
            try (InputStream in = StaticFiles.class.getResourceAsStream(DASHBOARD + p)) {
                bytes = in == null ? null : in.readAllBytes();
            }
        }
        return bytes == null ? null : new File(bytes, contentType(p));
    }

    private static String contentType(String p) {
        if (p.endsWith(".html")) {
            return "text/html; charset=utf-8";
        } else if (p.endsWith(".js")) {
            return "text/javascript; charset=utf-8";
        } else if (p.endsWith(".css")) {
            return "text/css; charset=utf-8";
        } else if (p.endsWith(".svg")) {
            return "image/svg+xml";
        } else if (p.endsWith(".png")) {
            return "image/png";
        }
        return "application/octet-stream";
    }
}
