package dev.weft.demo;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.Layout;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import dev.weft.jobs.JobRuntime;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** The demo's console pattern (its logback.xml) names the job and the task path on a job's lines. */
class DemoLogPatternTest {

    @Test
    void aJobsLogLineShowsItsJobIdAndTaskPathAndOtherLinesAnEmptyJob() throws Exception {
        var demoConfig = new LoggerContext();
        Layout<ILoggingEvent> demoPattern = consoleLayoutOf(demoConfig, "/logback.xml");
        List<String> lines = new CopyOnWriteArrayList<>();
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        AppenderBase<ILoggingEvent> capture = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                lines.add(demoPattern.doLayout(event)); // on the logging thread, as the console would
            }
        };
        capture.setContext(context);
        capture.start();
        Logger logger = context.getLogger("dev.weft.demo.pattern");
        logger.setLevel(Level.INFO);
        logger.setAdditive(false);
        logger.addAppender(capture);
        try (JobRuntime runtime = JobRuntime.builder().name("demo").shutdownGrace(Duration.ZERO).build()) {
            var job = runtime.submit("noisy", ctx -> {
                logger.info("inside");
                return 1;
            });
            job.await();
            logger.info("outside");

            assertThat(lines).hasSize(2);
            assertThat(lines.get(0)).contains("[job=" + job.id() + " task=noisy#" + job.id() + "/main]")
                    .contains("inside");
            assertThat(lines.get(1)).contains("[job= task=" + Thread.currentThread().getName() + "]")
                    .contains("outside");
        } finally {
            logger.detachAppender(capture);
            capture.stop();
            demoConfig.stop();
        }
    }

    /** The layout of the console appender STDOUT that {@code resource} configures in {@code own}. */
    @SuppressWarnings("unchecked")
    private static Layout<ILoggingEvent> consoleLayoutOf(LoggerContext own, String resource) throws Exception {
        var configurator = new JoranConfigurator();
        configurator.setContext(own);
        configurator.doConfigure(DemoServer.class.getResource(resource));
        var console = (OutputStreamAppender<ILoggingEvent>) own.getLogger(Logger.ROOT_LOGGER_NAME)
                .getAppender("STDOUT");
        assertThat(console).as("appender STDOUT in " + resource).isNotNull();
        Layout<ILoggingEvent> layout = ((LayoutWrappingEncoder<ILoggingEvent>) console.getEncoder()).getLayout();
        return layout;
    }
}
