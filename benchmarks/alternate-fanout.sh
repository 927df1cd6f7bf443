#!/usr/bin/env bash
# Compares builds of Weft's fan-out path against the raw StructuredTaskScope in one JVM, in 1 s slices that take
# turns (dev.weft.bench.FanOutAlternating), and prints each build's median ratio to the raw scope.
#
#   ./weft alternate 1000 HEAD~1 HEAD           n=1000, the core of two revisions, 25 rounds
#   ./weft alternate 10 --rounds 40 main        n=10, one revision, 40 rounds
#   ./weft alternate 100000                      the working tree's build only (label: current)
#   ./weft alternate 10 --histogram HEAD         also the share of fan-outs per band of time (parks show)
#
# Each revision's core is built once, in a temporary git worktree (mvn package, nothing installed), and kept in
# benchmarks/target/alternate/weft-core-<commit>.jar. The working tree itself is measured when no revision is
# given. Run it through ./weft alternate, which builds the benchmarks jar and passes the JDK 25 in WEFT_JAVA.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

usage() {
  echo "usage: ./weft alternate N [--rounds R] [--histogram] [REVISION ...]   (N, R positive integers; R defaults to 25)" >&2
  exit 2
}
[ $# -ge 1 ] || usage
n=$1
shift
rounds=25
histogram=()
revisions=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) [ $# -ge 2 ] || usage; rounds=$2; shift 2 ;;
    --histogram) histogram=(--histogram); shift ;;
    -*) usage ;;
    *) revisions+=("$1"); shift ;;
  esac
done
[[ "$n" =~ ^[1-9][0-9]*$ && "$rounds" =~ ^[1-9][0-9]*$ ]] || usage
[ -n "${WEFT_JAVA:-}" ] || { echo "alternate-fanout.sh: run it as ./weft alternate (WEFT_JAVA is not set)" >&2; exit 1; }
jar=benchmarks/target/benchmarks.jar
[ -f "$jar" ] || { echo "alternate-fanout.sh: $jar is missing; build it with ./weft build" >&2; exit 1; }

cache=benchmarks/target/alternate
mkdir -p "$cache"
builds=()
for revision in "${revisions[@]+"${revisions[@]}"}"; do
  commit=$(git rev-parse --verify --quiet "$revision^{commit}") \
    || { echo "alternate-fanout.sh: not a revision of this repository: $revision" >&2; exit 2; }
  core="$cache/weft-core-${commit:0:12}.jar"
  if [ ! -f "$core" ]; then
    work=$(mktemp -d)
    echo "alternate-fanout.sh: building the core of $revision (${commit:0:12})" >&2
    git worktree add --quiet --detach "$work/tree" "$commit"
    if (cd "$work/tree" && ./mvnw -B -ntp -q -pl core package -DskipTests >"$work/build.log" 2>&1); then
      cp "$(ls "$work"/tree/core/target/weft-core-*.jar | grep -v -e sources -e javadoc | head -n 1)" "$core"
    else
      cat "$work/build.log" >&2
      echo "alternate-fanout.sh: building the core of $revision failed" >&2
    fi
    git worktree remove --force "$work/tree"
    rm -rf "$work"
    [ -f "$core" ] || exit 1
  fi
  builds+=("$revision=$core")
done

exec "$WEFT_JAVA" --enable-preview -Xms2g -Xmx2g -cp "$jar" dev.weft.bench.FanOutAlternating "$n" "$rounds" \
  "${histogram[@]+"${histogram[@]}"}" "${builds[@]+"${builds[@]}"}"
