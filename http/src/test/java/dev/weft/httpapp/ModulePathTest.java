package dev.weft.httpapp;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * weft-http's module descriptor works at run time, not only at compile time: {@link ModularApp} runs in a JVM of
 * its own with weft-http, weft-core, Jackson and slf4j-api on the module path (the tests themselves run on the
 * class path), so that Jackson, a named module, serializes core's records through what core exports, and the
 * static resources are found from a named module.
 */
class ModulePathTest {

    /** Class path entries that go on the module path: the modules weft-http reads, and weft-http itself. */
    private static boolean isModule(String entry) {
        String name = Path.of(entry).getFileName().toString();
        return entry.endsWith(Path.of("http", "target", "classes").toString())
                || entry.endsWith(Path.of("core", "target", "classes").toString())
                || name.startsWith("weft-core-") || name.startsWith("jackson-") || name.startsWith("slf4j-api-");
    }

    @Test
    void anApplicationServesJobsWithWeftHttpAsANamedModule() throws Exception {
        List<String> classPath = Arrays.asList(System.getProperty("java.class.path").split(File.pathSeparator));
        String modulePath = classPath.stream().filter(ModulePathTest::isModule)
                .collect(Collectors.joining(File.pathSeparator));
        String appPath = classPath.stream().filter(e -> !isModule(e)).collect(Collectors.joining(File.pathSeparator));
        assertThat(modulePath).contains("jackson-databind").contains("slf4j-api");

        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-preview",
                "--module-path", modulePath, "--add-modules", "dev.weft.http",
                "-cp", appPath, ModularApp.class.getName()));
        Process app = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output;
        try (var in = app.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(app.waitFor(60, TimeUnit.SECONDS)).as(output).isTrue();

        assertThat(app.exitValue()).as(output).isZero();
        List<String> lines = output.lines().filter(l -> l.matches("\\d{3} .*")).toList();
        assertThat(lines).as(output).hasSize(2);
        assertThat(lines.get(0)).startsWith("200 ").contains("\"name\":\"modular\"")
                .contains("\"state\":\"SUCCEEDED\"").contains("\"result\":\"served\"");
        assertThat(lines.get(1)).startsWith("200 ").contains("Served by JobApi's static resources.");
    }
}
