#!/usr/bin/env bash
# The paired rounds that judge the scope goals of issue 21, in one command, with fixed options so that runs on
# different builds of the core compare:
#   - RequestScopeBenchmark, weft against rawScope, every variant (16): goal >= 0.95x;
#   - FanOutBenchmark (platform-thread owner), weft against rawScope at n = 10, 1000, 100000: goal >= 0.9x.
#
#   benchmarks/run-scope-goals.sh --name NAME [--rounds K] [JMH options]
#   benchmarks/run-scope-goals.sh --name scope-goals-before            5 rounds (about 20 minutes on 2 cores)
#
# Each round is one JMH run of both selections (benchmarks/run-paired.sh), 1 fork, 2 x 1 s warmup and
# 3 x 1 s measurement per benchmark unless JMH options given here override them. Results:
# benchmarks/results/NAME/round-<k>.json (and .log), NAME/summary.md (the median ratio per variant over the rounds,
# with min, max, each round and the goal's verdict) and NAME/machine.txt (commit, JDK, cores, load before and
# after). Ratios are "higher is better for Weft" (baseline time / Weft time for RequestScopeBenchmark, Weft
# throughput / baseline throughput for FanOutBenchmark).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

die() { echo "run-scope-goals: $*" >&2; exit 1; }

name=""
rounds=5
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --name) [ $# -ge 2 ] || die "--name needs a value"; name="$2"; shift 2 ;;
    --rounds) [ $# -ge 2 ] || die "--rounds needs a value"; rounds="$2"; shift 2 ;;
    -h|--help) sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) args+=("$1"); shift ;;
  esac
done
[ -n "$name" ] || die "--name is required (results go to benchmarks/results/NAME/)"

# Round options, unless the caller gives the same option (JMH refuses an option given twice).
defaults=(-f 1 -wi 2 -w 1s -i 3 -r 1s)
options=()
for ((i = 0; i < ${#defaults[@]}; i += 2)); do
  given=false
  for a in "${args[@]+"${args[@]}"}"; do [ "$a" != "${defaults[i]}" ] || given=true; done
  $given || options+=("${defaults[i]}" "${defaults[i + 1]}")
done

machine() {
  echo "$1: $(date -u +%Y-%m-%dT%H:%M:%SZ), load average $(cut -d' ' -f1-3 /proc/loadavg), nproc $(nproc)"
}
# What is measured: the commit at the start, and the tree of core/ (the same for every commit that left it alone).
commit="$(git rev-parse HEAD), core/ tree $(git rev-parse HEAD:core)$(git diff --quiet HEAD -- core 2>/dev/null \
  || echo ' (core/ has uncommitted changes)')"
before=$(machine before)
benchmarks/run-paired.sh --name "$name" --rounds "$rounds" "${options[@]}" "${args[@]+"${args[@]}"}" \
  '\.RequestScopeBenchmark\.(weft|rawScope)$' '\.FanOutBenchmark\.(weft|rawScope)$' > /dev/null
after=$(machine after)

dir="benchmarks/results/$name"
jsons=()
for k in $(seq 1 "$rounds"); do jsons+=("$dir/round-$k.json"); done
python3 benchmarks/paired-table.py --goal RequestScopeBenchmark=0.95 --goal FanOutBenchmark=0.9 "${jsons[@]}" \
  > "$dir/summary.md"
{
  echo "command: benchmarks/run-scope-goals.sh --name $name --rounds $rounds ${args[*]-}"
  echo "JMH options per round: ${options[*]} ${args[*]-}"
  echo "commit: $commit"
  echo "JDK: $(grep -m1 -o '# VM version: .*' "$dir/round-1.log" | sed 's/# VM version: //')"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
  echo "$before"
  echo "$after"
} > "$dir/machine.txt"
cat "$dir/machine.txt"
echo
cat "$dir/summary.md"
