#!/usr/bin/env python3
"""Prints a Markdown table of a JMH JSON result file, with each Weft result's ratio to its baseline.

    python3 benchmarks/results-table.py benchmarks/results/<name>.json

The baseline of a method is the JDK primitive named in BASELINES for its class (for ProgressBenchmark, the
LongAdder group of the same shape and thread count; for JobsBenchmark, the executor method of the same measurement).
The ratio is expressed so that > 1 always means "Weft is better": throughput / baseline throughput, or
baseline time / time.
"""
import json
import sys

BASELINES = {
    "RequestScopeBenchmark": "rawScope",
    "FanOutBenchmark": "rawScope",
    "BlockingFanOutBenchmark": "rawScope",
    "NestedTreeBenchmark": "rawScope",
    "CancellationLatencyBenchmark": "rawScope",
    "ConcurrencyCapBenchmark": "semaphoreRawScope",
}


def baseline_of(cls, method):
    if cls == "ProgressBenchmark":
        name, suffix = method.rsplit("_", 1)
        return ("longAdderPerItem_" if name.endswith("PerItem") else "longAdder_") + suffix
    if cls == "JobsBenchmark":
        return method.replace("jobs", "executor", 1) if method.startswith("jobs") else None
    return BASELINES.get(cls)


def key(r):
    cls, method = r["benchmark"].rsplit(".", 2)[-2:]
    params = ",".join(f"{k}={v}" for k, v in sorted((r.get("params") or {}).items()))
    return cls, method, params


def main(path):
    runs = json.load(open(path))
    by_key = {key(r): r for r in runs}
    print("| benchmark | params | mode | score | error | unit | B/op | vs baseline |")
    print("|---|---|---|---:|---:|---|---:|---:|")
    for r in runs:
        cls, method, params = key(r)
        m = r["primaryMetric"]
        score, err, unit = m["score"], m["scoreError"], m["scoreUnit"]
        alloc = (r.get("secondaryMetrics") or {}).get("·gc.alloc.rate.norm") or \
                (r.get("secondaryMetrics") or {}).get("gc.alloc.rate.norm")
        bop = f"{alloc['score']:,.0f}" if alloc else ""
        extra = ""
        if r["mode"] == "sample" and m.get("scorePercentiles"):
            p = m["scorePercentiles"]
            extra = f" (p50 {p['50.0']:.3g}, p99 {p['99.0']:.3g})"
        ratio = ""
        base_method = baseline_of(cls, method)
        if base_method and base_method != method:
            b = by_key.get((cls, base_method, params))
            if b:
                bs = b["primaryMetric"]["score"]
                higher_is_better = r["mode"] == "thrpt"
                value = score / bs if higher_is_better else bs / score
                ratio = f"{value:.2f}x {base_method}"
        err_s = f"± {err:,.3g}" if isinstance(err, (int, float)) and err == err else ""  # "NaN" for one iteration
        print(f"| {cls}.{method} | {params} | {r['mode']} | {score:,.3f}{extra} | {err_s} | {unit} | {bop} | {ratio} |")


if __name__ == "__main__":
    main(sys.argv[1])
