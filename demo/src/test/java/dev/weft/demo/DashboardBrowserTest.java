package dev.weft.demo;

import dev.weft.http.HttpConfig;
import dev.weft.jobs.JobHandle;
import dev.weft.jobs.JobQuery;
import dev.weft.jobs.JobSpec;
import dev.weft.jobs.JobState;
import dev.weft.scope.Join;
import dev.weft.scope.Scope;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard in Debian's headless chromium, driven by Selenium through Debian's chromedriver: overview counts,
 * job detail (linked and reloaded), the live task tree, cancel and retry, search and pagination over 10,000 jobs,
 * and the event stream coming back after a server restart. Each test saves screenshots under
 * {@code target/screenshots/}.
 *
 * <p>Needs {@code /usr/bin/chromium} and {@code /usr/bin/chromedriver} ({@code .ci/install-browser}). Without them
 * the tests are skipped, unless {@code WEFT_BROWSER_TESTS=required}, which makes them fail instead (CI sets it).
 */
class DashboardBrowserTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private DemoServer demo;
    private Browser browser;
    private final List<CountDownLatch> gates = new ArrayList<>();

    @BeforeEach
    void startBrowser(TestInfo test) throws Exception {
        Browser.requireInstalled();
        browser = Browser.start("dashboard-" + test.getTestMethod().orElseThrow().getName());
    }

    @AfterEach
    void stop() {
        gates.forEach(CountDownLatch::countDown);
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

    private void startDemo() throws Exception {
        demo = DemoServer.start(HttpConfig.builder().port(0).build());
    }

    private CountDownLatch gate() {
        var gate = new CountDownLatch(1);
        gates.add(gate);
        return gate;
    }

    private JobHandle<String> gatedJob(String name, CountDownLatch gate) {
        return demo.runtime().submit(JobSpec.named(name).body(String.class, ctx -> {
            ctx.progress().setTotal(10);
            ctx.progress().advance(3);
            ctx.progress().step("waiting for the test");
            gate.await();
            return name + " done";
        }));
    }

    private String count(String state) {
        return String.valueOf(browser.script("const c = document.querySelector(\".count[data-state='" + state
                + "']\"); return c ? c.dataset.count : null;"));
    }

    private void awaitCount(String state, int n) {
        browser.await("const c = document.querySelector(\".count[data-state='" + state + "']\");"
                + " return c !== null && c.dataset.count === '" + n + "'", WAIT, state + " count " + n);
    }

    @Test
    void overviewCountsMoveAsJobsStartAndEnd() throws Exception {
        startDemo();
        browser.navigate(demo.uri() + "/");
        browser.find("#conn.live", WAIT);
        awaitCount("RUNNING", 0);

        var gate = gate();
        var first = gatedJob("first", gate);
        var second = gatedJob("second", gate);
        awaitCount("RUNNING", 2);
        browser.find(".run[data-name='first'] progress.bar", WAIT);
        browser.screenshot("two-running");
        assertFitsNarrowScreen();

        gate.countDown();
        first.await();
        second.await();

        awaitCount("SUCCEEDED", 2);
        awaitCount("RUNNING", 0);
        browser.await("return document.querySelector('#running .empty') !== null", WAIT, "no job running");
        browser.await("return document.querySelectorAll('#recent tr.job[data-state=SUCCEEDED]').length === 2", WAIT,
                "recent jobs succeeded");
        assertThat(count("FAILED")).isEqualTo("0");
    }

    /** At 390 px wide (a phone) nothing makes the page scroll sideways; back to 1280 px afterwards. */
    private void assertFitsNarrowScreen() {
        var wide = browser.driver().manage().window().getSize();
        browser.driver().manage().window().setSize(new org.openqa.selenium.Dimension(390, 844));
        try {
            browser.await("return document.documentElement.scrollWidth <= window.innerWidth", WAIT,
                    "the page fitting 390 px (scrollWidth " + browser.script("return document.documentElement.scrollWidth")
                            + ")");
            browser.screenshot("390px");
        } finally {
            browser.driver().manage().window().setSize(wide);
        }
    }

    @Test
    void aJobsDetailOpensFromTheListAndSurvivesAReloadMidJob() throws Exception {
        startDemo();
        browser.navigate(demo.uri() + "/#/jobs");
        browser.find("#conn.live", WAIT);
        browser.click("button[data-sample='pipeline']", WAIT);

        browser.click("#jobs tr.job[data-name='pipeline'] a.name", WAIT);
        browser.find("#job[data-state='RUNNING']", WAIT);
        String id = demo.runtime().list(JobQuery.all().name("pipeline")).jobs().getFirst().id();
        assertThat(browser.driver().getCurrentUrl()).endsWith("#/jobs/" + id);
        browser.await("const b = document.querySelector('#job-progress progress.bar'); return b !== null && b.value > 0",
                WAIT, "the pipeline's bar moving");
        browser.screenshot("detail-running");

        browser.driver().navigate().refresh();

        browser.find("#job[data-id='" + id + "'][data-state='RUNNING']", WAIT);
        browser.await("const b = document.querySelector('#job-progress progress.bar'); return b !== null && b.value > 0",
                WAIT, "the bar after the reload");
        browser.await("return document.querySelectorAll('#logs tr.lv-INFO').length > 0", WAIT, "the job's log lines");
        browser.find("#job[data-state='SUCCEEDED']", WAIT);
        browser.await("return document.querySelector('#job-outcome pre.result').textContent.includes('batches')",
                WAIT, "the result");
        browser.screenshot("detail-succeeded");
    }

    @Test
    void theTaskTreeGainsAndLosesTasksAsTheJobForksAndTheyEnd() throws Exception {
        startDemo();
        var first = List.of(gate(), gate(), gate());
        var more = gate();
        var rest = gate();
        var forkedMore = new CountDownLatch(1);
        var job = demo.runtime().submit(JobSpec.named("tree").body(Integer.class, ctx -> {
            try (var scope = Scope.named("workers").open(Join.<Integer>allSuccessful())) {
                for (int i = 0; i < 3; i++) {
                    CountDownLatch g = first.get(i);
                    scope.fork("w-" + i, () -> {
                        g.await();
                        return 1;
                    });
                }
                more.await();
                for (int i = 3; i < 8; i++) {
                    scope.fork("w-" + i, () -> {
                        rest.await();
                        return 1;
                    });
                }
                forkedMore.countDown();
                scope.join();
            }
            return 8;
        }));
        browser.navigate(demo.uri() + "/#/jobs/" + job.id());
        // the job's body is a task too ("main"), so three workers make four running tasks
        awaitTree(4);
        browser.find("#tree li.task[data-task='w-2']", WAIT);

        first.get(0).countDown();
        first.get(1).countDown();
        awaitTree(2);
        assertThat(browser.driver().findElements(org.openqa.selenium.By.cssSelector("#tree li.task[data-task='w-0']")))
                .isEmpty();

        more.countDown();
        forkedMore.await();
        awaitTree(7);
        browser.find("#tree li.task[data-task='w-7']", WAIT);
        browser.screenshot("tree-seven-running");
        assertFitsNarrowScreen();

        first.get(2).countDown();
        rest.countDown();
        assertThat(job.await()).isEqualTo(8);
        browser.find("#job[data-state='SUCCEEDED']", WAIT);
        awaitTree(0);
    }

    private void awaitTree(int running) {
        browser.await("const t = document.getElementById('tree'); return t !== null && t.dataset.tasks === '"
                + running + "'", WAIT, running + " running tasks in the tree");
    }

    @Test
    void aJobIsCancelledWithAReasonAndRetriedFromItsPage() throws Exception {
        startDemo();
        var gate = gate();
        var job = gatedJob("to-cancel", gate);
        browser.navigate(demo.uri() + "/#/jobs/" + job.id());
        browser.find("#job[data-state='RUNNING']", WAIT);
        browser.script("window.confirm = () => true;");

        browser.find("#cancel-reason", WAIT).sendKeys("wrong input file");
        browser.click("#cancel", WAIT);

        browser.find("#job[data-state='CANCELLED']", WAIT);
        browser.await("return document.querySelector('#job-outcome .reason').textContent.includes('wrong input file')",
                WAIT, "the cancel reason");
        assertThat(demo.runtime().get(job.id()).cancellationReason().detail()).isEqualTo("wrong input file");
        browser.screenshot("cancelled");

        browser.click("#retry", WAIT);

        // the same job runs again: the page stays on it, shows the new run, and the cancelled run as an earlier one
        browser.find("#job[data-state='RUNNING'][data-id='" + job.id() + "']", WAIT);
        assertThat(browser.script("return location.hash")).isEqualTo("#/jobs/" + job.id());
        browser.await("const e = document.querySelector('#timeline .t-run-ended.t-earlier-run .earlier');"
                + " return e !== null && e.textContent.includes('wrong input file')", WAIT, "the cancelled run");
        assertThat((String) browser.script("return document.querySelector('#timeline .t-running').textContent"))
                .contains("attempt 2 of 2 running");
        assertThat(browser.script("return document.getElementById('job-outcome').hidden")).isEqualTo(true);
        browser.screenshot("retried-running");

        gate.countDown(); // the new run goes through
        browser.find("#job[data-state='SUCCEEDED']", WAIT);
        assertThat(browser.script("return location.hash")).isEqualTo("#/jobs/" + job.id());
        var record = demo.runtime().get(job.id());
        assertThat(record.result()).isEqualTo("to-cancel done");
        assertThat(record.attempt()).isEqualTo(2);
        assertThat(record.earlierRuns()).singleElement()
                .satisfies(r -> assertThat(r.state()).isEqualTo(JobState.CANCELLED));
        browser.find("#timeline .t-run-ended.t-earlier-run", WAIT);
        assertThat((String) browser.script("return document.getElementById('job-outcome').textContent"))
                .contains("to-cancel done").doesNotContain("wrong input file");
    }

    @Test
    void aWaitingJobSaysQueuedAndARetrysEarlierErrorIsNotShownAsItsOutcome() throws Exception {
        startDemo();
        var gate = gate();
        var secondAttempt = new CountDownLatch(1);
        var flaky = demo.runtime().submit(JobSpec.named("flaky").retry(dev.weft.scope.Retry.attempts(2))
                .body(String.class, ctx -> {
                    if (ctx.attempt() == 1) {
                        throw new java.io.IOException("upstream down");
                    }
                    secondAttempt.countDown();
                    gate.await();
                    return "ok";
                }));
        secondAttempt.await();
        var broken = demo.runtime().submit(JobSpec.named("broken").body(String.class, ctx -> {
            throw new java.io.IOException("disk full");
        }));
        assertThat(broken.awaitCompletion(WAIT)).isTrue();
        var failedRun = broken.record();
        assertThat(failedRun.state()).isEqualTo(JobState.FAILED);
        for (int i = 0; i < 15; i++) { // with flaky, the demo's 16 slots are taken ...
            gatedJob("filler-" + i, gate);
        }
        var waiting = gatedJob("waiting", gate); // ... so this one waits
        assertThat(demo.runtime().get(waiting.id()).state()).isEqualTo(JobState.QUEUED);

        browser.navigate(demo.uri() + "/#/jobs");
        browser.find("#jobs tr.job[data-name='waiting'][data-state='QUEUED']", WAIT);
        assertThat(browser.script("return document.querySelector(\"#jobs tr.job[data-name='waiting'] .c-progress\")"
                + ".textContent")).isEqualTo("queued");
        browser.find("#jobs tr.job[data-name='flaky'][data-state='RUNNING'] .outcome .muted", WAIT);
        assertThat((String) browser.script("return document.querySelector(\"#jobs tr.job[data-name='flaky'] .outcome\")"
                + ".textContent")).contains("attempt 1 failed, retrying");
        assertThat(browser.script("return document.querySelector(\"#jobs tr.job[data-name='flaky'] .outcome .bad\")"))
                .isNull();
        browser.screenshot("queued-and-retrying");

        browser.navigate(demo.uri() + "/#/jobs/" + flaky.id());
        browser.find("#job[data-state='RUNNING'] #timeline .earlier", WAIT);
        assertThat(browser.script("return document.getElementById('job-outcome').hidden")).isEqualTo(true);
        browser.screenshot("retrying-detail");

        // a job that failed, retried while every slot is taken (so its new run waits): its error is an earlier
        // run's, in grey, not the outcome
        demo.runtime().retry(broken.id());
        browser.navigate(demo.uri() + "/#/jobs");
        browser.find("#jobs tr.job[data-name='broken'][data-state='QUEUED'] .outcome .muted", WAIT);
        assertThat((String) browser.script("return document.querySelector(\"#jobs tr.job[data-name='broken'] .outcome\")"
                + ".textContent")).contains("retried after attempt 1 ended FAILED");
        assertThat(browser.script("return document.querySelector(\"#jobs tr.job[data-name='broken'] .outcome .bad\")"))
                .isNull();
        browser.navigate(demo.uri() + "/#/jobs/" + broken.id());
        browser.find("#job[data-state='QUEUED'] #timeline .t-waiting", WAIT);
        assertThat((String) browser.script("return document.querySelector('#timeline .t-earlier-run .earlier')"
                + ".textContent")).contains("disk full");
        assertThat(browser.script("return document.getElementById('job-outcome').hidden")).isEqualTo(true);
        assertThat(broken.record()).as("the handle from before the retry keeps its run").isEqualTo(failedRun);
        browser.screenshot("retried-queued-detail");
    }

    @Test
    void searchAndPaginationWorkOverTenThousandJobs() throws Exception {
        startDemo();
        List<JobSpec<Integer>> specs = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            int n = i;
            specs.add(JobSpec.named("bulk-" + i).key("k-" + i).group(i % 2 == 0 ? "even" : "odd")
                    .body(Integer.class, ctx -> n));
        }
        for (JobHandle<Integer> h : demo.runtime().submitAll(specs)) {
            h.awaitCompletion(WAIT);
        }
        browser.navigate(demo.uri() + "/#/jobs");
        browser.find("#conn.live", WAIT);

        awaitPageInfo("1–50 of 10,000");
        assertThat(rows()).isEqualTo(50);
        String firstOnPage1 = firstRowName();
        assertThat(firstOnPage1).isEqualTo("bulk-9999");
        browser.click("#pager .next", WAIT);
        awaitPageInfo("51–100 of 10,000");
        assertThat(firstRowName()).isEqualTo("bulk-9949");
        browser.screenshot("page-2");
        assertFitsNarrowScreen();

        browser.find("#search", WAIT).sendKeys("bulk-1234");
        awaitPageInfo("1–1 of 1");
        assertThat(firstRowName()).isEqualTo("bulk-1234");

        browser.navigate(demo.uri() + "/#/jobs?group=odd&q=k-99");
        awaitPageInfo("1–50 of 56");   // k-99, k-99x (5 odd), k-99xx (50 odd)
        browser.screenshot("search");
        Object listMs = browser.script("return document.body.dataset.listMs");
        System.out.println("dashboard: a filtered page over 10,000 jobs answered in " + listMs + " ms (in the browser)");
    }

    private void awaitPageInfo(String text) {
        browser.await("return document.getElementById('page-info').textContent === '" + text + "'", WAIT,
                "page info '" + text + "'");
    }

    private long rows() {
        return (Long) browser.script("return document.querySelectorAll('#jobs tbody tr.job').length");
    }

    private String firstRowName() {
        return (String) browser.script("return document.querySelector('#jobs tbody tr.job').dataset.name");
    }

    @Test
    void aHungServerIsShownAsNotAnsweringUntilItAnswersAgain() throws Exception {
        demo = DemoServer.start(HttpConfig.builder().port(0).heartbeat(Duration.ofSeconds(3)).build());
        try (var proxy = new FreezingProxy(demo.uri().getPort())) {
            browser.navigate("http://127.0.0.1:" + proxy.port() + "/");
            browser.find("#conn.live", WAIT);

            proxy.freeze(); // the stream stays open, but nothing arrives and the probes get no answer

            browser.find("#conn.down", WAIT);
            assertThat(browser.script("return document.getElementById('conn').textContent"))
                    .isEqualTo("server not answering");
            assertThat(browser.script("return document.body.classList.contains('stale')")).isEqualTo(true);
            browser.screenshot("hung");

            proxy.thaw();
            browser.find("#conn.live", WAIT);
        }
    }

    @Test
    void theEventStreamComesBackAfterTheServerRestartsAndStaleRowsAreRefetched() throws Exception {
        int port;
        try (var s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        demo = DemoServer.start(HttpConfig.builder().port(port).build());
        var gate = gate();
        gatedJob("before-restart", gate);
        browser.navigate(demo.uri() + "/");
        browser.find("#conn.live", WAIT);
        browser.find(".run[data-name='before-restart']", WAIT);

        demo.close(); // its runtime cancels the job (SHUTDOWN) and the stream ends
        demo = null;
        browser.await("return !document.getElementById('conn').classList.contains('live')", WAIT,
                "the badge leaving 'live'");
        browser.screenshot("server-gone");

        demo = DemoServer.start(HttpConfig.builder().port(port).build());
        gatedJob("after-restart", gate);

        browser.find("#conn.live", Duration.ofSeconds(60));
        browser.find(".run[data-name='after-restart']", WAIT);
        browser.await("return document.querySelector(\".run[data-name='before-restart']\") === null", WAIT,
                "the old job's row gone");
        browser.await("return document.querySelector(\"#recent tr.job[data-name='before-restart']\") === null", WAIT,
                "the old job gone from the recent jobs");
        assertThat(demo.runtime().list(JobQuery.all().states(JobState.RUNNING)).total()).isEqualTo(1);
    }
}
