package dev.weft.bench.durable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where the machine's CPU goes during a measurement, from Linux's {@code /proc}: the PostgreSQL server (the
 * postmaster and every process it started, with the CPU of its children that already exited), the node
 * processes, this process, and the whole machine (which includes everything else running on it). A
 * {@link #snapshot} before and after gives each one's CPU seconds; divided by the elapsed time, the cores it
 * kept busy. Off Linux every figure is NaN.
 */
final class CpuMeter {

    /** Clock ticks per second of {@code /proc}'s times (USER_HZ, 100 on Linux's usual builds). */
    private static final double TICKS_PER_SECOND = 100.0;

    private final long postmasterPid;

    /** CPU seconds so far of each part, and the machine's busy and total CPU seconds. */
    record Snapshot(long nanoTime, double postgres, double nodes, double parent, double machineBusy,
                    double machineTotal) {

        /** Cores kept busy by each part between {@code before} and this snapshot. */
        Usage since(Snapshot before) {
            double s = (nanoTime - before.nanoTime) / 1e9;
            return new Usage((postgres - before.postgres) / s, (nodes - before.nodes) / s,
                    (parent - before.parent) / s, (machineBusy - before.machineBusy) / s,
                    (machineTotal - before.machineTotal) / s);
        }
    }

    /**
     * Cores in use, on average over an interval: PostgreSQL's, the nodes', the parent's, the whole machine's busy
     * ones, and the machine's cores in all (busy and idle: about nproc).
     */
    record Usage(double postgres, double nodes, double parent, double machineBusy, double machineCores) {

        /** The machine's busy cores that none of the measured processes account for: other work on the machine. */
        double others() {
            return machineBusy - postgres - nodes - parent;
        }
    }

    /** @param postmasterPid the PostgreSQL server's main process, or -1 if unknown */
    CpuMeter(long postmasterPid) {
        this.postmasterPid = postmasterPid;
    }

    /** The parent process of {@code pid} (the postmaster for a backend's pid), or -1. */
    static long parentOf(long pid) {
        long[] f = stat(pid);
        return f == null ? -1 : f[1];
    }

    Snapshot snapshot(List<Long> nodePids) {
        long now = System.nanoTime();
        double nodes = 0;
        for (long pid : nodePids) {
            nodes += ownSeconds(pid);
        }
        double postgres = Double.NaN;
        if (postmasterPid > 0) {
            long[] pm = stat(postmasterPid);
            if (pm != null) {
                postgres = (pm[2] + pm[3] + pm[4] + pm[5]) / TICKS_PER_SECOND;
                try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
                    for (Path p : (Iterable<Path>) procs::iterator) {
                        String n = p.getFileName().toString();
                        if (!n.chars().allMatch(Character::isDigit)) {
                            continue;
                        }
                        long[] f = stat(Long.parseLong(n));
                        if (f != null && f[1] == postmasterPid) {
                            postgres += (f[2] + f[3]) / TICKS_PER_SECOND;
                        }
                    }
                } catch (IOException e) {
                    postgres = Double.NaN;
                }
            }
        }
        double busy = Double.NaN;
        double total = Double.NaN;
        try {
            String[] cpu = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
            // cpu user nice system idle iowait irq softirq steal ...
            long idle = Long.parseLong(cpu[4]) + Long.parseLong(cpu[5]);
            long work = Long.parseLong(cpu[1]) + Long.parseLong(cpu[2]) + Long.parseLong(cpu[3])
                    + Long.parseLong(cpu[6]) + Long.parseLong(cpu[7]) + (cpu.length > 8 ? Long.parseLong(cpu[8]) : 0);
            busy = work / TICKS_PER_SECOND;
            total = (work + idle) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return new Snapshot(now, postgres, nodes, ownSeconds(ProcessHandle.current().pid()), busy, total);
    }

    private static double ownSeconds(long pid) {
        long[] f = stat(pid);
        return f == null ? Double.NaN : (f[2] + f[3]) / TICKS_PER_SECOND;
    }

    /** pid, ppid, utime, stime, cutime, cstime from /proc/PID/stat, or null. */
    private static long[] stat(long pid) {
        try {
            String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            // after "pid (comm) ": state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14)
            return new long[] {pid, Long.parseLong(f[1]), Long.parseLong(f[11]), Long.parseLong(f[12]),
                    Long.parseLong(f[13]), Long.parseLong(f[14])};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
