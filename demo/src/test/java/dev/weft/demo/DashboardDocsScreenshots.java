package dev.weft.demo;

import dev.weft.http.HttpConfig;
import dev.weft.jobs.JobHandle;
import dev.weft.jobs.JobSpec;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Dimension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Takes the screenshots of docs/dashboard.md from the demo with its sample jobs running. Not a test: it runs only
 * when asked, with the directory to write to:
 * {@code ./mvnw -pl demo -am verify -Dtest=DashboardDocsScreenshots -Dsurefire.failIfNoSpecifiedTests=false
 * -Dweft.docsScreenshots=$PWD/docs/images}.
 */
class DashboardDocsScreenshots {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void takeTheDocsScreenshots() throws Exception {
        String dir = System.getProperty("weft.docsScreenshots");
        assumeTrue(dir != null && !dir.isBlank(), "set -Dweft.docsScreenshots=DIR to take the docs' screenshots");
        Path out = Path.of(dir);
        Files.createDirectories(out);
        try (var demo = DemoServer.start(HttpConfig.builder().port(0).exposeStackTraces(true).build());
             var browser = Browser.start("docs")) {
            var runtime = demo.runtime();
            List<JobHandle<?>> quick = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                int n = i;
                quick.add(runtime.submit(JobSpec.named("invoice-" + (1000 + i)).key("order-" + (7000 + i))
                        .group("billing").body(Integer.class, ctx -> n)));
            }
            for (JobHandle<?> h : quick) {
                h.awaitCompletion(WAIT);
            }
            runtime.submit(SampleJobs.ALL.get("fail-fast").get()).awaitCompletion(WAIT);
            runtime.submit(SampleJobs.ALL.get("timeout").get()).awaitCompletion(WAIT);
            var retry = runtime.submit(SampleJobs.ALL.get("retry").get());
            var crawl = runtime.submit(SampleJobs.ALL.get("crawl").get());
            runtime.submit(SampleJobs.ALL.get("pipeline").get());
            runtime.submit(SampleJobs.ALL.get("pipeline").get());
            var queued = runtime.submit(JobSpec.named("nightly-export").group("reports").body(ctx -> {
                Thread.sleep(100);
                return null;
            }));

            browser.navigate(demo.uri() + "/");
            browser.find("#conn.live", WAIT);
            browser.await("return document.querySelectorAll('#running .run').length >= 3", WAIT, "running jobs");
            Thread.sleep(1500); // let the bars move and the rates settle (a screenshot, not an ordering)
            copy(browser.screenshot("overview"), out, "dashboard-overview.png");

            browser.navigate(demo.uri() + "/#/jobs/" + crawl.id());
            browser.await("const t = document.getElementById('tree'); return t !== null && Number(t.dataset.tasks) > 5",
                    WAIT, "the crawl's tree");
            Thread.sleep(1200);
            copy(browser.screenshot("detail-tree"), out, "dashboard-job-detail.png");

            browser.navigate(demo.uri() + "/#/jobs?state=FAILED");
            browser.find("#jobs tr.job[data-state='FAILED']", WAIT);
            copy(browser.screenshot("failed-list"), out, "dashboard-jobs-failed.png");

            String failed = (String) browser.script("return document.querySelector('#jobs tr.job').dataset.id");
            browser.navigate(demo.uri() + "/#/jobs/" + failed);
            browser.find("#job[data-state='FAILED'] #job-outcome details.stack", WAIT);
            browser.script("document.querySelector('#job-outcome details.stack').open = true;");
            copy(browser.screenshot("failed-detail"), out, "dashboard-job-failed.png");

            // the nodes view is taken by ClusterDemoTest: three nodes, one of them killed

            browser.navigate(demo.uri() + "/");
            browser.driver().manage().window().setSize(new Dimension(390, 844));
            browser.find("#conn.live", WAIT);
            Thread.sleep(800);
            copy(browser.screenshot("overview-390"), out, "dashboard-overview-390.png");
            crawl.cancel("enough for the screenshots");
            retry.awaitCompletion(WAIT);
            queued.awaitCompletion(WAIT);
        }
    }

    private static void copy(Path shot, Path dir, String name) throws Exception {
        Files.copy(shot, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }
}
