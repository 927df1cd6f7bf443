package dev.weft.jobs;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.NOPLoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** Without an SLF4J provider Weft says so once on stderr, since SLF4J would drop its failure logs. */
class LoggingCheckTest {

    @Test
    void aMissingProviderIsReportedOnceOnStderr() {
        var err = new ByteArrayOutputStream();
        var out = new PrintStream(err, true, StandardCharsets.UTF_8);
        var once = new AtomicBoolean();

        boolean first = LoggingCheck.warnIfNoProvider(new NOPLoggerFactory(), out, once);
        boolean second = LoggingCheck.warnIfNoProvider(new NOPLoggerFactory(), out, once);

        assertThat(first).isTrue();
        assertThat(second).isFalse();
        assertThat(err.toString(StandardCharsets.UTF_8).lines().toList()).containsExactly(LoggingCheck.MESSAGE);
    }

    @Test
    void aBoundProviderIsNotReported() {
        var err = new ByteArrayOutputStream();

        boolean warned = LoggingCheck.warnIfNoProvider(LoggerFactory.getILoggerFactory(),
                new PrintStream(err, true, StandardCharsets.UTF_8), new AtomicBoolean());

        assertThat(warned).isFalse(); // the tests have logback
        assertThat(err.size()).isZero();
    }

    /** Started in a JVM whose class path has Weft and slf4j-api only. */
    static final class TwoRuntimesWithoutProvider {
        public static void main(String[] args) {
            for (int i = 0; i < 2; i++) {
                try (JobRuntime runtime = JobRuntime.builder().build()) {
                    runtime.submit("one", ctx -> 1);
                }
            }
        }
    }

    @Test
    void startingRuntimesWithoutAProviderSaysSoOnceOnStderr() throws Exception {
        String classPath = String.join(File.pathSeparator, List.of(
                location(JobRuntime.class), location(LoggerFactory.class), location(LoggingCheckTest.class)));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "--enable-preview", "-cp", classPath,
                TwoRuntimesWithoutProvider.class.getName()).redirectErrorStream(false).start();
        p.getOutputStream().close();
        String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(p.exitValue()).as(stderr).isZero();
        assertThat(stderr.lines().filter(l -> l.equals(LoggingCheck.MESSAGE)).count()).as(stderr).isEqualTo(1);
    }

    private static String location(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
