package dev.weft.bench.durable;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.Arrays;

/**
 * One instance (node) of a job system in a process of its own, for the many-node runs of
 * {@link DurableComparison}: it starts the system against a database with its own connection pool, then obeys
 * commands on standard input, one per line, answering each on standard output. The libraries' log goes to
 * standard error.
 *
 * <p>Usage: {@code ContenderNode SYSTEM JDBC_URL NODE_NAME [the comparison's options]}. It prints
 * {@code READY PID} once started. Commands: {@code submit FROM TO} (submits jobs FROM to TO-1 with the system's bulk
 * API; answers {@code ANSWER submitted} once the call returned), {@code ran} (answers {@code ANSWER N}, the number
 * of handler calls in this process so far), {@code settings} (answers the system's settings, separated by
 * {@code " ; "}), {@code quit} (stops the system, answers {@code ANSWER stopped} and
 * exits). A failed command answers {@code ERROR} and the reason. End of input stops it as {@code quit} does.
 */
public final class ContenderNode {

    private ContenderNode() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: ContenderNode SYSTEM JDBC_URL NODE_NAME [options of DurableComparison]");
            System.exit(2);
        }
        String system = args[0];
        String url = args[1];
        String nodeName = args[2];
        Options o = DurableComparison.parse(Arrays.copyOfRange(args, 3, args.length));
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(url);
        cfg.setMaximumPoolSize(o.poolSize());
        cfg.setPoolName(nodeName);
        HikariDataSource ds = new HikariDataSource(cfg);
        Contender c = DurableComparison.contender(system);
        c.start(ds, o, nodeName);
        Recorder.arm(Integer.MAX_VALUE);
        System.out.println("READY " + ProcessHandle.current().pid());
        System.out.flush();
        var in = new BufferedReader(new InputStreamReader(System.in));
        String line;
        while ((line = in.readLine()) != null) {
            String[] w = line.trim().split(" ");
            String answer;
            try {
                answer = switch (w[0]) {
                    case "submit" -> {
                        c.submitMany(Integer.parseInt(w[1]), Integer.parseInt(w[2]));
                        yield "ANSWER submitted";
                    }
                    case "ran" -> "ANSWER " + Recorder.done();
                    case "settings" -> "ANSWER " + String.join(" ; ", c.settings());
                    case "quit" -> null;
                    default -> "ERROR unknown command: " + line;
                };
            } catch (Exception e) {
                e.printStackTrace(System.err);
                answer = "ERROR " + e;
            }
            if (answer == null) {
                break;
            }
            System.out.println(answer);
            System.out.flush();
        }
        c.close();
        ds.close();
        System.out.println("ANSWER stopped");
        System.out.flush();
        System.exit(0);
    }
}
