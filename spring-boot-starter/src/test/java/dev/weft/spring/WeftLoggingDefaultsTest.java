package dev.weft.spring;

import dev.weft.jobs.JobRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/** Boot's log lines of job threads name the job and the task path; other lines are unchanged. */
@ExtendWith(OutputCaptureExtension.class)
class WeftLoggingDefaultsTest {

    @SpringBootApplication
    static class NoWebApp {
    }

    @Test
    void aJobsLogLineShowsItsJobIdAndTaskPath(CapturedOutput output) throws Exception {
        try (var app = new SpringApplicationBuilder(NoWebApp.class).web(WebApplicationType.NONE)
                .properties("weft.name=logs", "spring.main.banner-mode=off").run()) {
            JobRuntime runtime = app.getBean(JobRuntime.class);
            var job = runtime.submit("noisy", ctx -> {
                org.slf4j.LoggerFactory.getLogger("app.Noisy").info("working");
                return 1;
            });
            job.await();

            String line = output.getOut().lines().filter(l -> l.contains("working")).findFirst().orElseThrow();
            assertThat(line).contains("[job=" + job.id() + " task=noisy#" + job.id() + "/main]");
            String other = output.getOut().lines().filter(l -> l.contains("Started ")).findFirst()
                    .orElseThrow();
            assertThat(other).doesNotContain("[job=");
        }
    }
}
