package dev.weft.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version of Weft on the class path or module path, as the build stamped it. */
public final class WeftVersion {

    private static final String VERSION = read();

    private WeftVersion() {
    }

    /** The version (for example {@code 0.1.0-SNAPSHOT}), or {@code unknown} if the build did not stamp one. */
    public static String get() {
        return VERSION;
    }

    private static String read() {
        try (InputStream in = WeftVersion.class.getResourceAsStream("weft.properties")) {
            if (in == null) {
                return "unknown";
            }
            var p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "unknown");
            return v.startsWith("${") ? "unknown" : v;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
