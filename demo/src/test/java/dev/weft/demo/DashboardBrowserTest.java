package dev.weft.demo;

import dev.weft.http.HttpConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Drives the demo dashboard in Debian's headless chromium through Selenium and Debian's chromedriver: starts a job
 * and watches its bar move, cancels one and sees it turn CANCELLED.
 *
 * <p>Needs {@code /usr/bin/chromium} and {@code /usr/bin/chromedriver} ({@code .ci/install-browser}). Without them
 * the test is skipped, unless {@code WEFT_BROWSER_TESTS=required}, which makes it fail instead (CI sets it).
 */
class DashboardBrowserTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private DemoServer demo;
    private Browser browser;

    @BeforeEach
    void startDemoAndBrowser(org.junit.jupiter.api.TestInfo test) throws Exception {
        Browser.requireInstalled();
        demo = DemoServer.start(HttpConfig.builder().port(0).build());
        browser = Browser.start("dashboard-" + test.getTestMethod().orElseThrow().getName());
        browser.navigate(demo.uri() + "/");
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (browser != null) {
                browser.screenshot("end");
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
        browser.click("button[data-sample='pipeline']", WAIT);
        browser.find("tr[data-name='pipeline']", WAIT);

        // then its progress bar moves, fed by server-sent events
        double first = barValue("pipeline", 0.0);
        double later = barValue("pipeline", first);
        assertThat(later).isGreaterThan(first);

        // when a crawl is started and its cancel button clicked
        browser.click("button[data-sample='crawl']", WAIT);
        browser.find("tr[data-name='crawl']", WAIT);
        browser.click("tr[data-name='crawl'] button.cancel", WAIT);

        // then its row turns CANCELLED, with the reason shown
        try {
            browser.find("tr[data-name='crawl'][data-state='CANCELLED']", WAIT);
        } catch (AssertionError e) {
            throw new AssertionError("crawl never showed CANCELLED; jobs table: "
                    + browser.text()
                    + "; server says: " + demo.runtime().list(dev.weft.jobs.JobQuery.all()).jobs(), e);
        }
        String outcome = (String) browser.script(
                "return document.querySelector(\"tr[data-name='crawl'] .outcome\").textContent");
        assertThat(outcome).contains("cancelled from the dashboard");
    }

    /** Waits until the named job's bar shows more than {@code above}, and returns it. */
    private double barValue(String name, double above) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            double v = ((Number) browser.script("const b = document.querySelector(\"tr[data-name='" + name
                    + "'] progress.bar\"); return b ? b.value : -1;")).doubleValue();
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
