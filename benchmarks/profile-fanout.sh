#!/usr/bin/env bash
# Where a fan-out's CPU time goes, per task: the owner (the thread that forks and joins), the scheduler's carrier
# threads and the JVM's own threads, each split into compiled Java code, the kernel and native code, and the
# hottest compiled methods of the owner and the carriers. Samples FanOutCpuTime (benchmarks.jar) with Linux perf.
#
#   ./weft profile weft 1000                 # weft at n=1000, 3 rounds of 4 s after a 4 s warm-up
#   ./weft profile rawScope 1000 --top 12    # the baseline, with its 12 hottest methods per role
#
# Variants are FanOutCpuTime's: weft, rawScope, weftCapped, semaphoreRawScope. Needs perf (Debian: linux-perf)
# and a kernel that lets this user sample its own processes (kernel.perf_event_paranoid <= 2); it samples the
# software event cpu-clock, so it also works where hardware counters are not available (VMs, containers).
# Run it through ./weft profile, which builds the benchmarks jar and passes the JDK 25 in WEFT_JAVA.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  echo "usage: ./weft profile <weft|rawScope|weftCapped|semaphoreRawScope> <n> [--top K] [--seconds S]" >&2
  exit 2
}
[ $# -ge 2 ] || usage
variant=$1 n=$2
shift 2
top=8 seconds=4
while [ $# -gt 0 ]; do
  case "$1" in
    --top) [ $# -ge 2 ] || usage; top=$2; shift 2 ;;
    --seconds) [ $# -ge 2 ] || usage; seconds=$2; shift 2 ;;
    *) usage ;;
  esac
done
case "$variant" in weft|rawScope|weftCapped|semaphoreRawScope) ;; *) usage ;; esac
[[ "$n" =~ ^[1-9][0-9]*$ && "$top" =~ ^[0-9]+$ && "$seconds" =~ ^[1-9][0-9]*$ ]] || usage
command -v perf > /dev/null || { echo "profile-fanout.sh: perf is not installed (Debian: apt-get install linux-perf)" >&2; exit 1; }
[ -n "${WEFT_JAVA:-}" ] || { echo "profile-fanout.sh: run it as ./weft profile (WEFT_JAVA is not set)" >&2; exit 1; }
jar=benchmarks/target/benchmarks.jar
[ -f "$jar" ] || { echo "profile-fanout.sh: $jar is missing; build it with ./weft build" >&2; exit 1; }

hz=997
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# -D skips the JVM's start and FanOutCpuTime's 4 s warm-up; the perf map names the JIT-compiled methods
# (stderr is kept aside: without a logging provider on the class path, SLF4J warns on every start)
if ! perf record -q -D 4500 -F "$hz" -e cpu-clock -o "$work/perf.data" -- \
    "$WEFT_JAVA" --enable-preview -Xms2g -Xmx2g -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit \
    -cp "$jar" dev.weft.bench.FanOutCpuTime "$n" "$seconds" "$variant" > "$work/out.txt" 2> "$work/err.txt"; then
  cat "$work/out.txt" "$work/err.txt" >&2
  echo "profile-fanout.sh: the recording failed (is perf allowed here? kernel.perf_event_paranoid must be <= 2)" >&2
  exit 1
fi
cat "$work/out.txt"
ops=$(sed -n 's/.*: \([0-9.]*\) ops\/s.*/\1/p' "$work/out.txt" | awk '{s += $1} END {if (NR) printf "%.3f", s / NR}')
[ -n "$ops" ] || { echo "profile-fanout.sh: FanOutCpuTime printed no throughput" >&2; exit 1; }
perf script -i "$work/perf.data" -F comm,time,ip,sym,dso 2> /dev/null \
  | python3 benchmarks/perf-split.py "$ops" "$n" "$variant n=$n" "$top" "$hz"
