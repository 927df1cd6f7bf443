#!/usr/bin/env python3
"""Rewrites JMH JSON result files in place, compact: one benchmark result per line, without the per-iteration
raw samples (rawData, rawDataHistogram). Every figure the docs and the table scripts read stays: score, error,
confidence, percentiles, unit, params, VM options and secondary metrics' scores.

    python3 benchmarks/compact-results.py FILE.json [FILE.json ...]

run-suite.sh calls it on every result it writes, so committed results stay small; git keeps nothing less.
"""
import json
import sys

RAW = ("rawData", "rawDataHistogram")


def strip(metric):
    return {k: v for k, v in metric.items() if k not in RAW}


def compact(path):
    with open(path) as f:
        results = json.load(f)
    for r in results:
        r["primaryMetric"] = strip(r["primaryMetric"])
        r["secondaryMetrics"] = {k: strip(v) for k, v in (r.get("secondaryMetrics") or {}).items()}
    with open(path, "w") as f:
        f.write("[\n")
        f.write(",\n".join(json.dumps(r, ensure_ascii=False, sort_keys=False) for r in results))
        f.write("\n]\n")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for p in sys.argv[1:]:
        compact(p)
