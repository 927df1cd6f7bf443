#!/usr/bin/env bash
# Runs the same JMH selection several times in a row ("rounds"), each round one JMH run with its own JSON, and
# prints every Weft method's ratio to its baseline in each round, with the median over the rounds.
#
#   benchmarks/run-paired.sh --name NAME --rounds K [JMH regexes and options]
#   benchmarks/run-paired.sh --name fanout-paired --rounds 10 '\.FanOutBenchmark\.(weft|rawScope)$'
#
# Why: on a shared 2-core machine the throughput of the same code swings by up to 2x from one second to the next
# (measured in one JVM, alternating variants every second), so one run's ratio moves by 20 points or more between
# runs of the same code. A Weft method and its baseline run back to back within each round, so each round's ratio
# is read off one JMH run as before; the median of K such ratios moves far less than any one of them.
#
# Each round is benchmarks/run-suite.sh --name NAME/round-<k> with these round options unless the caller gives
# them: 1 fork, 2 x 2 s warmup, 3 x 2 s measurement. Results:
# benchmarks/results/NAME/round-<k>.json (and .log); the summary is printed by benchmarks/paired-table.py and
# written to benchmarks/results/NAME/summary.md. Exits non-zero if any round fails.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

die() { echo "run-paired: $*" >&2; exit 1; }

name=""
rounds=""
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --name) [ $# -ge 2 ] || die "--name needs a value"; name="$2"; shift 2 ;;
    --rounds) [ $# -ge 2 ] || die "--rounds needs a value"; rounds="$2"; shift 2 ;;
    -h|--help) sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) args+=("$1"); shift ;;
  esac
done
[ -n "$name" ] || die "--name is required (results go to benchmarks/results/NAME/)"
[[ "$name" =~ ^[A-Za-z0-9._-]+$ ]] || die "--name may hold letters, digits, '.', '_' and '-' only, was: $name"
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || die "--rounds must be a positive integer, was: ${rounds:-nothing}"

dir="$ROOT/benchmarks/results/$name"
rm -rf "$dir"
mkdir -p "$dir"
started=$(date +%s)
for k in $(seq 1 "$rounds"); do
  echo "run-paired: round $k of $rounds"
  benchmarks/run-suite.sh --name "$name/round-$k" --default -f 1 --default -wi 2 --default -w 2s --default -i 3 \
    --default -r 2s "${args[@]+"${args[@]}"}" >/dev/null || die "round $k failed; see $dir/round-$k.log"
done
echo "run-paired: $rounds rounds in $(( $(date +%s) - started ))s; results: $dir"
jsons=()
for k in $(seq 1 "$rounds"); do jsons+=("$dir/round-$k.json"); done
python3 benchmarks/paired-table.py "${jsons[@]}" | tee "$dir/summary.md"
