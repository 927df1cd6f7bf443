package dev.weft.demo;

import dev.weft.http.HttpConfig;
import dev.weft.http.JobApi;
import dev.weft.http.WeftHttpServer;
import dev.weft.jobs.JobHandle;
import dev.weft.jobs.JobRuntime;
import dev.weft.jobs.JobSpec;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Manual load check (docs/http.md, "Load check"): serves the API on loopback while 1,000 jobs run, then runs
 * {@code wrk} against {@code GET /api/jobs/{id}} and prints what it reports. Bounded: the jobs last at most
 * {@code 2 * duration + 60 s} and are cancelled when the check ends.
 *
 * <pre>
 *   java --enable-preview -cp demo/target/weft-demo.jar dev.weft.demo.LoadCheck [jobs=1000] [seconds=20] [connections=64]
 * </pre>
 */
public final class LoadCheck {

    private LoadCheck() {
    }

    public static void main(String[] args) throws Exception {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int connections = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        int ticks = (2 * seconds + 60) * 10;
        try (JobRuntime runtime = JobRuntime.builder().name("load").maxRunning(jobs).maxQueued(jobs)
                .shutdownGrace(Duration.ZERO).build();
             WeftHttpServer server = WeftHttpServer.start(JobApi.builder(runtime)
                     .config(HttpConfig.builder().port(0).build()).build())) {
            List<JobHandle<Integer>> handles = new ArrayList<>();
            for (int i = 0; i < jobs; i++) {
                handles.add(runtime.submit(JobSpec.named("load").body(ctx -> {
                    ctx.progress().setTotal(ticks);
                    for (int t = 0; t < ticks; t++) {
                        Thread.sleep(100);
                        ctx.progress().advance();
                    }
                    return ticks;
                })));
            }
            Thread.sleep(1_000);
            String id = handles.get(jobs / 2).id();
            String url = server.uri() + "/api/jobs/" + id;
            System.out.printf("jobs: %d submitted, running now: %s%n", jobs, runtime.counts());
            String[] cmd = {"wrk", "-t2", "-c" + connections, "-d" + seconds + "s", "--latency", url};
            System.out.println("running: " + String.join(" ", cmd));
            if (!onPath("wrk")) {
                System.out.println("wrk is not installed (apt-get install -y wrk); run the command above yourself");
                return;
            }
            Process wrk = new ProcessBuilder(cmd).inheritIO().start();
            int rc = wrk.waitFor();
            System.out.printf("wrk exit code %d; jobs still running: %d%n", rc,
                    runtime.counts().get(dev.weft.jobs.JobState.RUNNING));
        }
    }

    private static boolean onPath(String exe) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (new File(dir, exe).canExecute()) {
                return true;
            }
        }
        return false;
    }
}
