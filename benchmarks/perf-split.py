#!/usr/bin/env python3
"""Splits a perf recording of FanOutCpuTime into CPU time per task, by thread role and by code.

Reads `perf script -F comm,time,ip,sym,dso` on stdin (see profile-fanout.sh, which records and calls this).
Arguments: the run's throughput in fan-outs per second, n (tasks per fan-out), a label, how many of the hottest
compiled methods to list per role (0 for none), and the sampling frequency perf was given (Hz).

Roles: "owner" is the thread that forks and joins (FanOutCpuTime's main thread, named java); "carriers" are the
virtual-thread scheduler's workers (ForkJoinPool-1-worker-N); "jvm" is every other thread (GC, JIT compilers,
VM thread). Code: "java" is compiled Java code (named through the JVM's perf map), "kernel" the kernel, "native"
the JVM's own code and libraries. One sample of perf's cpu-clock event at F Hz stands for 1/F s of CPU; tasks
are throughput x the recorded window x n, so a figure is CPU nanoseconds per task forked.
"""
import collections
import re
import sys

# One sample per line: comm (may hold spaces), time, address, symbol, (dso).
SAMPLE = re.compile(r'^\s*(.+?)\s+([0-9.]+):\s+([0-9a-f]+)\s+(.*)\s+\((.*)\)\s*$')


def role(comm):
    if comm == 'java':
        return 'owner'
    if comm.startswith('ForkJoinPool'):
        return 'carriers'
    return 'jvm'


def code(dso):
    if 'kernel' in dso:
        return 'kernel'
    if dso.startswith('[JIT]') or '/perf-' in dso or dso.startswith('perf-'):
        return 'java'
    return 'native'


def main():
    if len(sys.argv) != 6:
        sys.exit('usage: perf-split.py <fan-outs per second> <n> <label> <top methods> <sample Hz>')
    ops, n, label, top, hz = float(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
    counts = collections.Counter()
    methods = collections.Counter()
    first = last = None
    for line in sys.stdin:
        m = SAMPLE.match(line)
        if not m:
            continue
        comm, time, sym, dso = m.group(1).strip(), float(m.group(2)), m.group(4).strip(), m.group(5)
        first = time if first is None else min(first, time)
        last = time if last is None else max(last, time)
        r, c = role(comm), code(dso)
        counts[(r, c)] += 1
        counts[(r, 'all')] += 1
        if c == 'java':
            methods[(r, sym)] += 1
    if first is None or last <= first:
        sys.exit('perf-split.py: no samples read')
    tasks = ops * (last - first) * n
    per_task = lambda samples: samples / hz * 1e9 / tasks
    cells = []
    for r in ('owner', 'carriers', 'jvm'):
        cells.append(f"{r} {per_task(counts[(r, 'all')]):5.0f} (java {per_task(counts[(r, 'java')]):4.0f}, "
                     f"kernel {per_task(counts[(r, 'kernel')]):3.0f}, native {per_task(counts[(r, 'native')]):3.0f})")
    print(f"{label}: {ops:.1f} ops/s; CPU ns/task: " + '; '.join(cells))
    for r in ('owner', 'carriers'):
        hottest = sorted(((s, v) for (rr, s), v in methods.items() if rr == r), key=lambda x: -x[1])[:top]
        for sym, v in hottest:
            print(f"    {r:8s} {per_task(v):5.1f}  {sym[:150]}")


if __name__ == '__main__':
    main()
