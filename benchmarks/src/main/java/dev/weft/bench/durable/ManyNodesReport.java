package dev.weft.bench.durable;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * The markdown of a many-node run: throughput per system and node count (median of the rounds, min to max), the
 * ratio Weft / db-scheduler at each node count, and where the CPU went during the measured runs.
 */
final class ManyNodesReport {

    private final Options o;
    private final Map<String, List<ManyNodes.Result>> results;
    private final Map<String, String> notRun;

    /**
     * @param results the measurements by {@link #key}
     * @param notRun  why a system did not run at a node count, by {@link #key}
     */
    ManyNodesReport(Options o, Map<String, List<ManyNodes.Result>> results, Map<String, String> notRun) {
        this.o = o;
        this.results = results;
        this.notRun = notRun;
    }

    static String key(String system, int nodes) {
        return system + " x" + nodes;
    }

    /** Jobs run by each node, "6650/6712/6638". */
    static String perNode(List<Long> ran) {
        return ran.stream().map(String::valueOf).collect(Collectors.joining("/"));
    }

    /** Node count and Weft / db-scheduler (ratio of the medians), for each node count where both ran. */
    List<String[]> ratios() {
        List<String[]> r = new ArrayList<>();
        for (int n : o.nodes()) {
            Double ratio = ratio(n);
            if (ratio != null) {
                r.add(new String[] {Integer.toString(n), String.format(Locale.ROOT, "%.3f", ratio)});
            }
        }
        return r;
    }

    private Double ratio(int n) {
        Double weft = median(key("weft", n), ManyNodes.Result::jobsPerSecond);
        Double dbs = median(key("db-scheduler", n), ManyNodes.Result::jobsPerSecond);
        return weft == null || dbs == null ? null : weft / dbs;
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("Each node is a JVM of its own (`java ").append(String.join(" ", NodeProcess.JVM_FLAGS))
                .append("`, `ContenderNode`) with its own HikariCP pool of at most ").append(o.poolSize())
                .append(" connections; all of them, PostgreSQL and this program share the machine's ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores.\n\n");
        md.append("| Nodes |");
        for (String system : o.systems()) {
            md.append(' ').append(system).append(" (jobs/s) |");
        }
        boolean paired = o.systems().contains("weft") && o.systems().contains("db-scheduler");
        if (paired) {
            md.append(" Weft / db-scheduler | per round |");
        }
        md.append("\n|---:|").append("---:|".repeat(o.systems().size())).append(paired ? "---:|---|" : "")
                .append('\n');
        for (int n : o.nodes()) {
            md.append("| ").append(n).append(" |");
            for (String system : o.systems()) {
                String k = key(system, n);
                List<ManyNodes.Result> rs = results.getOrDefault(k, List.of());
                md.append(' ');
                if (rs.isEmpty()) {
                    md.append(notRun.containsKey(k) ? (notRun.get(k).startsWith("failed") ? "failed" : "not run")
                            : "no figure");
                } else {
                    md.append("**").append(fmt(median(k, ManyNodes.Result::jobsPerSecond), 0)).append("**");
                    if (rs.size() > 1) {
                        md.append(" (").append(fmt(min(rs), 0)).append("-").append(fmt(max(rs), 0)).append(')');
                    }
                }
                md.append(" |");
            }
            if (paired) {
                Double r = ratio(n);
                md.append(' ').append(r == null ? "n/a" : fmt(r, 2) + "x").append(" | ").append(perRound(n))
                        .append(" |");
            }
            md.append('\n');
        }
        md.append("\nThroughput: the median of ").append(o.rounds()).append(" round").append(o.rounds() == 1 ? "" : "s")
                .append(" (min-max in brackets; in each round every node count runs every system, the systems' ")
                .append("order rotated each round, each run on a fresh database with fresh node processes). A run: ")
                .append("the nodes start one after the other; each submits an equal share of ")
                .append(o.warmupJobs()).append(" warmup jobs, run to completion; then each submits an equal share ")
                .append("of ").append(o.jobs()).append(" trivial jobs with the system's bulk API, all nodes at once, ")
                .append("timed from just before the submit commands until this program's query of the store finds ")
                .append("no unfinished job. Weft / db-scheduler: the ratio of the medians; per round: the ratio of ")
                .append("that round's pair.\n\n");
        if (paired) {
            md.append("Goal of issue 24 (Weft's throughput at least db-scheduler's with the same number of nodes, ")
                    .append("in the same run):");
            for (int n : o.nodes()) {
                Double r = ratio(n);
                md.append(' ').append(n).append(" node").append(n == 1 ? "" : "s").append(": ")
                        .append(r == null ? "not measured" : (r >= 1.0 ? "met" : "NOT met") + " (" + fmt(r, 2) + ")")
                        .append(n == o.nodes().getLast() ? "." : ";");
            }
            md.append("\n\n");
        }
        md.append("### Where the CPU went (medians over the rounds, cores busy on average during the measured run)\n\n");
        md.append("| System | Nodes | PostgreSQL | the nodes | this program | other work on the machine | machine busy "
                + "(of ").append(Runtime.getRuntime().availableProcessors()).append(") | jobs run per node (last round) |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---|\n");
        for (int n : o.nodes()) {
            for (String system : o.systems()) {
                String k = key(system, n);
                List<ManyNodes.Result> rs = results.getOrDefault(k, List.of());
                if (rs.isEmpty()) {
                    continue;
                }
                md.append("| ").append(system).append(" | ").append(n)
                        .append(" | ").append(fmt(median(k, r -> r.cpu().postgres()), 2))
                        .append(" | ").append(fmt(median(k, r -> r.cpu().nodes()), 2))
                        .append(" | ").append(fmt(median(k, r -> r.cpu().parent()), 2))
                        .append(" | ").append(fmt(median(k, r -> r.cpu().others()), 2))
                        .append(" | ").append(fmt(median(k, r -> r.cpu().machineBusy()), 2))
                        .append(" | ").append(perNode(rs.getLast().ranPerNode())).append(" |\n");
            }
        }
        md.append("\nCPU from /proc: PostgreSQL is the server's processes (its backends, the WAL writer, the ")
                .append("checkpointer ...), the nodes are the node JVMs, this program polls the nodes' handler ")
                .append("counts and the store; other work is the machine's busy time that none of them account ")
                .append("for (other builds on the shared machine). When the machine busy column reaches the ")
                .append("number of cores, the machine is the limit: more nodes then add contention for the same ")
                .append("cores, not capacity.\n\n");
        if (!notRun.isEmpty()) {
            md.append("Not run:\n");
            notRun.forEach((k, why) -> md.append("- ").append(k).append(": ").append(why.replace("\n", " "))
                    .append('\n'));
            md.append('\n');
        }
        md.append("## Settings (per node)\n\n");
        for (String system : o.systems()) {
            List<ManyNodes.Result> any = results.entrySet().stream().filter(e -> e.getKey().startsWith(system + " x"))
                    .flatMap(e -> e.getValue().stream()).toList();
            md.append("- **").append(system).append("**: ")
                    .append(any.isEmpty() ? "(no run)" : String.join("; ", any.getFirst().settings())).append('\n');
        }
        md.append('\n');
        return md.toString();
    }

    private String perRound(int n) {
        List<ManyNodes.Result> weft = results.getOrDefault(key("weft", n), List.of());
        List<ManyNodes.Result> dbs = results.getOrDefault(key("db-scheduler", n), List.of());
        List<String> r = new ArrayList<>();
        for (int i = 0; i < Math.min(weft.size(), dbs.size()); i++) {
            r.add(fmt(weft.get(i).jobsPerSecond() / dbs.get(i).jobsPerSecond(), 2));
        }
        return String.join(", ", r);
    }

    private Double median(String key, ToDoubleFunction<ManyNodes.Result> f) {
        List<ManyNodes.Result> rs = results.getOrDefault(key, List.of());
        if (rs.isEmpty()) {
            return null;
        }
        List<Double> v = new ArrayList<>(rs.stream().map(f::applyAsDouble).toList());
        Collections.sort(v);
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    private static double min(List<ManyNodes.Result> rs) {
        return rs.stream().mapToDouble(ManyNodes.Result::jobsPerSecond).min().orElse(Double.NaN);
    }

    private static double max(List<ManyNodes.Result> rs) {
        return rs.stream().mapToDouble(ManyNodes.Result::jobsPerSecond).max().orElse(Double.NaN);
    }

    private static String fmt(Double v, int decimals) {
        return v == null || v.isNaN() ? "" : String.format(Locale.ROOT, "%,." + decimals + "f", v);
    }
}
