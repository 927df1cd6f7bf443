#!/usr/bin/env bash
# Runs Weft's JMH suite with JSON results, and checks that every selected benchmark produced one.
#
#   benchmarks/run-suite.sh                        full suite, class defaults (about 30 minutes on 2 cores)
#   benchmarks/run-suite.sh '\.FanOutBenchmark'   one class; any JMH regexes and options go through
#   benchmarks/run-suite.sh --smoke                CI: every benchmark once, briefly (1 fork, 1 x 1 s warmup,
#                                                  1 x 1 s measurement, JMH -to 60s, whole run limited to
#                                                  SMOKE_TIMEOUT seconds, default 900); figures mean nothing
#   benchmarks/run-suite.sh --name NAME ...        results in benchmarks/results/NAME.json (and NAME.log); NAME may
#                                                  name a subfolder (run-paired.sh uses NAME/round-K)
#   benchmarks/run-suite.sh --default OPT VALUE ...  passes JMH option OPT VALUE unless the caller gives OPT too
#                                                  (JMH refuses an option given twice); repeatable
#
# Results go to benchmarks/results/<name>.json (default name: suite-<timestamp>, or smoke with --smoke), the
# console output to <name>.log next to it. Every run uses -foe true (JMH exits 0 on a failed benchmark without
# it). The script exits non-zero if JMH failed, reported a failure, or the JSON is missing, empty, or holds fewer
# entries than the benchmark x parameter combinations that `-lp` lists for the same arguments. While another JMH
# run holds JMH's lock (/tmp/jmh.lock), it waits for it (up to JMH_LOCK_WAIT seconds, default 3600).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

die() { echo "run-suite: $*" >&2; exit 1; }

smoke=false
name=""
args=()
defaults=()
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) smoke=true; shift ;;
    --name) [ $# -ge 2 ] || die "--name needs a value"; name="$2"; shift 2 ;;
    --default) [ $# -ge 3 ] || die "--default needs an option and a value"; defaults+=("$2" "$3"); shift 3 ;;
    -h|--help) sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) args+=("$1"); shift ;;
  esac
done

# Adds "option value" to args unless the caller gave that option (JMH refuses an option given twice).
default_option() {
  local a
  for a in "${args[@]+"${args[@]}"}"; do [ "$a" != "$1" ] || return 0; done
  args=("$1" "$2" "${args[@]+"${args[@]}"}")
}

if $smoke; then
  # -to: a benchmark still running 60 s after its iteration ended is interrupted and fails, instead of hanging CI.
  defaults+=(-f 1 -wi 1 -i 1 -w 1s -r 1s -to 60s)
  name="${name:-smoke}"
else
  name="${name:-suite-$(date +%Y%m%d-%H%M%S)}"
fi
for ((i = 0; i < ${#defaults[@]}; i += 2)); do
  default_option "${defaults[i]}" "${defaults[i + 1]}"
done

results_dir="$ROOT/benchmarks/results"
json="$results_dir/$name.json"
log="$results_dir/$name.log"
mkdir -p "$(dirname "$json")"
rm -f "$json" "$log"

# 1. What should run: builds the jar, then lists the selected benchmarks with their parameter values.
listing=$(./weft bench -lp "${args[@]+"${args[@]}"}" 2>/dev/null) || die "listing the benchmarks failed: ./weft bench -lp ${args[*]-}"
expected=$(printf '%s\n' "$listing" | awk '
  /^Benchmarks:/ { listing = 1; next }
  !listing { next }
  /^[^ ]/ { if (bench != "") total += combos; bench = $0; combos = 1; next }
  /^  param / { values = $0; sub(/^[^{]*\{/, "", values); sub(/\}[[:space:]]*$/, "", values);
                combos *= split(values, parts, ", "); next }
  END { if (bench != "") total += combos; print total + 0 }')
[ "$expected" -gt 0 ] || die "no benchmark matches: ${args[*]-}"

# 2. Run them.
started=$(date +%s)
echo "run-suite: $expected benchmark runs (benchmark x params); log: $log"
set +e
runner=()
if $smoke; then
  # JMH's -to did not end a hung benchmark in practice (an owner parked in Weft's cap wait, 2026-05); so the smoke
  # also has a wall-clock limit. timeout's TERM ends the JMH host, and its forked VM exits when the host is gone.
  runner=(timeout -k 30s "${SMOKE_TIMEOUT:-900}s")
fi
# JMH refuses to start while another JMH run on the machine holds /tmp/jmh.lock (two runs at once would measure
# each other): wait for it, up to JMH_LOCK_WAIT seconds (default 3600), instead of failing.
lock_deadline=$(( started + ${JMH_LOCK_WAIT:-3600} ))
while true; do
  "${runner[@]+"${runner[@]}"}" ./weft bench "${args[@]+"${args[@]}"}" -foe true -rf json -rff "$json" 2>&1 | tee "$log"
  jmh_status=${PIPESTATUS[0]}
  if [ "$jmh_status" -ne 0 ] && grep -q 'Unable to acquire the JMH lock' "$log" \
      && [ "$(date +%s)" -lt "$lock_deadline" ]; then
    echo "run-suite: another JMH run holds /tmp/jmh.lock; trying again in 10 s" >&2
    sleep 10
    continue
  fi
  break
done
[ "$jmh_status" -ne 124 ] || echo "run-suite: smoke run killed after ${SMOKE_TIMEOUT:-900}s (SMOKE_TIMEOUT)" | tee -a "$log" >&2
set -e
elapsed=$(( $(date +%s) - started ))

# 3. Check: exit status, failures in the log, JSON present with one entry per benchmark x params.
failed=()
[ "$jmh_status" -eq 0 ] || failed+=("JMH exited with status $jmh_status")
if grep -q '<failure>' "$log"; then failed+=("JMH reported a failure (see <failure> in $log)"); fi
actual=0
if [ ! -s "$json" ]; then
  failed+=("no JSON results at $json")
else
  if command -v jq >/dev/null 2>&1; then
    actual=$(jq '[.[] | select(.primaryMetric.score | type == "number")] | length' "$json") \
      || failed+=("$json is not valid JSON")
  else
    actual=$(grep -c '"benchmark" *:' "$json" || true)
  fi
  [ "${actual:-0}" -eq "$expected" ] || failed+=("$json holds ${actual:-0} results, expected $expected")
fi

# 4. Keep the JSON small: one result per line, no per-iteration samples (benchmarks/compact-results.py).
if [ -s "$json" ] && command -v python3 >/dev/null 2>&1; then
  python3 "$ROOT/benchmarks/compact-results.py" "$json" || failed+=("could not compact $json")
fi

echo
echo "run-suite: ${elapsed}s; results: $json (${actual:-0}/$expected runs); log: $log"
if [ ${#failed[@]} -gt 0 ]; then
  printf 'run-suite: FAILED: %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "run-suite: OK"
