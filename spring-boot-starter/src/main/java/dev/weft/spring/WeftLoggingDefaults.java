package dev.weft.spring;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

import java.util.Map;

/**
 * Puts the job id (MDC {@code jobId}) and the whole task path (Weft names each task's thread after its path, such as
 * {@code jobs/resize#<id>/thumbnails}) into Spring Boot's log lines of job threads, unless the application set
 * {@code logging.pattern.correlation} itself. Lines of other threads are unchanged. The default is the lowest
 * precedence property source, so any setting of the application wins.
 */
final class WeftLoggingDefaults implements EnvironmentPostProcessor {

    static final String PROPERTY = "logging.pattern.correlation";
    /** {@code [job=<id> task=<path>] } on job threads; nothing where the MDC has no job id. */
    static final String PATTERN = "%replace([job=%X{jobId} task=%thread] ){'^\\[job= task=.*\\] $', ''}";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (!environment.containsProperty(PROPERTY)) {
            environment.getPropertySources().addLast(new MapPropertySource("weftLoggingDefaults",
                    Map.of(PROPERTY, PATTERN)));
        }
    }
}
