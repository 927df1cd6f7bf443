package dev.weft.demo;

import dev.weft.http.HttpConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

/**
 * Drives the demo dashboard in Debian's headless chromium through chromedriver (W3C WebDriver over
 * java.net.http): starts a job and watches its bar move, cancels one and sees it turn CANCELLED.
 *
 * <p>Needs {@code /usr/bin/chromium} and {@code /usr/bin/chromedriver} ({@code .ci/install-browser}). Without them
 * the test is skipped, unless {@code WEFT_BROWSER_TESTS=required}, which makes it fail instead (CI sets it).
 */
class DashboardBrowserTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private DemoServer demo;
    private WebDriver browser;

    @BeforeEach
    void startDemoAndBrowser() throws Exception {
        if (!Files.isExecutable(WebDriver.CHROMIUM) || !Files.isExecutable(WebDriver.CHROMEDRIVER)) {
            String why = "browser test needs " + WebDriver.CHROMIUM + " and " + WebDriver.CHROMEDRIVER
                    + " (run .ci/install-browser: apt-get install -y chromium chromium-driver)";
            if ("required".equals(System.getenv("WEFT_BROWSER_TESTS"))) {
                fail(why + "; WEFT_BROWSER_TESTS=required");
            }
            abort(why);
        }
        demo = DemoServer.start(HttpConfig.builder().port(0).build());
        browser = WebDriver.start();
        browser.navigate(demo.uri() + "/");
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            if (demo != null) {
                demo.close();
            }
        }
    }

    @Test
    void startedJobsBarMovesAndACancelledJobTurnsCancelled() throws Exception {
        // given the live page
        browser.find("#conn.live", WAIT);

        // when a pipeline is started from its button
        browser.click(browser.find("button[data-sample='pipeline']", WAIT));
        browser.find("tr[data-name='pipeline']", WAIT);

        // then its progress bar moves, fed by server-sent events
        double first = barValue("pipeline", 0.0);
        double later = barValue("pipeline", first);
        assertThat(later).isGreaterThan(first);

        // when a crawl is started and its cancel button clicked
        browser.click(browser.find("button[data-sample='crawl']", WAIT));
        browser.find("tr[data-name='crawl']", WAIT);
        browser.click(browser.find("tr[data-name='crawl'] button.cancel", WAIT));

        // then its row turns CANCELLED, with the reason shown
        try {
            browser.find("tr[data-name='crawl'][data-state='CANCELLED']", WAIT);
        } catch (AssertionError e) {
            throw new AssertionError("crawl never showed CANCELLED; jobs table: "
                    + browser.script("return document.querySelector('#jobs').innerText").asText()
                    + "; server says: " + demo.runtime().list(dev.weft.jobs.JobQuery.all()).jobs(), e);
        }
        String outcome = browser.script(
                "return document.querySelector(\"tr[data-name='crawl'] .outcome\").textContent").asText();
        assertThat(outcome).contains("cancelled from the dashboard");
    }

    /** Waits until the named job's bar shows more than {@code above}, and returns it. */
    private double barValue(String name, double above) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            double v = browser.script("const b = document.querySelector(\"tr[data-name='" + name
                    + "'] progress.bar\"); return b ? b.value : -1;").asDouble();
            if (v > above) {
                return v;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + "'s bar stayed at " + v + " (wanted more than " + above + ")");
            }
            Thread.sleep(100);
        }
    }
}
