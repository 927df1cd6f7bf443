#!/usr/bin/env bash
# The durable-jobs comparison of issue 23: Weft against db-scheduler and JobRunr on one PostgreSQL, in one run.
#
#   benchmarks/run-durable-comparison.sh [--jobs N] [--name NAME] [more options of DurableComparison]
#   benchmarks/run-durable-comparison.sh --name pg-2026-12-07       the defaults: 20,000 jobs per system
#   benchmarks/run-durable-comparison.sh --name NAME --rounds 3     the median of 3 throughput rounds per system
#   benchmarks/run-durable-comparison.sh --help                      every option
#   benchmarks/run-durable-comparison.sh --name NAME --nodes 1,2,3 --systems db-scheduler,weft --rounds 3 \
#       --weft-max-running 1024     many nodes: each system run by 1, 2 and 3 nodes on one database, each node
#                                   a JVM of its own (throughput only; about 12 minutes on 2 cores)
#
# Builds the benchmarks jar (with weft-core and weft-postgres), then runs dev.weft.bench.durable.DurableComparison
# on a JDK 25. The program starts its own PostgreSQL (the machine's PostgreSQL binaries, fsync on, as the postgres
# user when run as root) and runs pgbench simple-update on it; then, for each system, a throughput run and a
# submit-to-start latency run, each on a fresh database; then pgbench again. A system that cannot run on this tree
# is skipped with the reason. Results: benchmarks/results/durable-NAME.md (the table, also printed) and
# durable-NAME.json (one JSON object per measurement). About 8 minutes on 2 cores with one round, 12 with three
# (JobRunr's latency run alone takes up to 180 s plus warmup: it polls every 5 s). Needs PostgreSQL server
# binaries with pgbench (apt-get install -y postgresql).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

die() { echo "run-durable-comparison: $*" >&2; exit 1; }

java_feature_version() {
  local v
  v=$("$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}') || true
  echo "${v%%.*}"
}
find_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    local v; v=$(java_feature_version "$JAVA_HOME/bin/java")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then echo "$JAVA_HOME"; return; fi
  fi
  local candidate
  for candidate in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25* /usr/lib/jvm/*; do
    [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    local v; v=$(java_feature_version "$candidate/bin/java")
    if [ "$v" = "25" ]; then echo "$candidate"; return; fi
  done
  return 1
}

for a in "$@"; do
  case "$a" in -h|--help) sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; echo; skip_build=true ;; esac
done

JAVA_HOME=$(find_jdk) || die "no JDK 25 found (JAVA_HOME unset or older, nothing under /usr/lib/jvm); install one,
e.g. the Temurin 25 JDK (package temurin-25-jdk from Adoptium's apt repository), or point JAVA_HOME at it"
export JAVA_HOME
JAVA="$JAVA_HOME/bin/java"

jar=benchmarks/target/benchmarks.jar
if [ "${skip_build:-false}" != true ]; then
  echo "run-durable-comparison: building $jar (JDK: $JAVA_HOME) ..." >&2
  ./mvnw -B -ntp -q -DskipTests package -pl benchmarks -am
fi
[ -f "$jar" ] || die "$jar is missing (the build failed?)"

commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo '+uncommitted changes')"
exec "$JAVA" --enable-preview -Xmx1g ${WEFT_BENCH_JVM_ARGS:-} -Dweft.commit="$commit" -cp "$jar" dev.weft.bench.durable.DurableComparison "$@"
