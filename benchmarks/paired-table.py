#!/usr/bin/env python3
"""Prints, for JMH JSON results of several rounds of the same selection, each Weft method's ratio to its baseline
in every round and the median ratio over the rounds, as a Markdown table.

    python3 benchmarks/paired-table.py [--goal CLASS=RATIO]... benchmarks/results/<name>/round-<k>.json...

Baselines and the direction of the ratio (> 1 means "Weft is better") are those of results-table.py. A ratio is
taken only between a method and its baseline from the same round (the same JMH run). Rounds are listed in the
order given. The last two columns are the median scores of the Weft method and of its baseline over the rounds.
With --goal CLASS=RATIO (repeatable), each method of CLASS gets a "goal" column: "met" when its
median ratio is at least RATIO, else "missed".
"""
import importlib.util
import json
import os
import statistics
import sys

_spec = importlib.util.spec_from_file_location(
    "results_table", os.path.join(os.path.dirname(os.path.abspath(__file__)), "results-table.py"))
results_table = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(results_table)


def ratios_of_round(path):
    """{(class, method, params, baseline): (ratio, score, baseline score, unit)} for one round's JSON."""
    runs = json.load(open(path))
    by_key = {results_table.key(r): r for r in runs}
    out = {}
    for r in runs:
        cls, method, params = results_table.key(r)
        base_method = results_table.baseline_of(cls, method)
        if not base_method or base_method == method:
            continue
        b = by_key.get((cls, base_method, params))
        if not b:
            continue
        score, bs = r["primaryMetric"]["score"], b["primaryMetric"]["score"]
        ratio = score / bs if r["mode"] == "thrpt" else bs / score
        out[(cls, method, params, base_method)] = (ratio, score, bs, r["primaryMetric"]["scoreUnit"])
    return out


def main(args):
    goals = {}
    paths = []
    it = iter(args)
    for a in it:
        if a == "--goal":
            spec = next(it, "")
            cls, _, ratio = spec.partition("=")
            try:
                goals[cls] = float(ratio)
            except ValueError:
                sys.exit(f"paired-table.py: --goal needs CLASS=RATIO, e.g. RequestScopeBenchmark=0.95, was: {spec!r}")
        else:
            paths.append(a)
    if not paths:
        sys.exit("usage: paired-table.py [--goal CLASS=RATIO]... <round JSON>... (the rounds of one run-paired.sh run)")
    rounds = [ratios_of_round(p) for p in paths]
    keys = []
    for r in rounds:
        keys += [k for k in r if k not in keys]
    print(f"Rounds: {len(paths)} ({', '.join(os.path.basename(p) for p in paths)})")
    print()
    goal_header, goal_rule = (" goal |", "---|") if goals else ("", "")
    print(f"| benchmark | params | vs | median | min | max | each round | Weft, median | baseline, median |"
          f"{goal_header}")
    print(f"|---|---|---|---:|---:|---:|---|---:|---:|{goal_rule}")
    for k in keys:
        entries = [r[k] for r in rounds if k in r]
        values = [e[0] for e in entries]
        unit = entries[0][3]
        scores = (f" {statistics.median(e[1] for e in entries):.4g} {unit} |"
                  f" {statistics.median(e[2] for e in entries):.4g} {unit} |")
        cls, method, params, base = k
        each = " ".join(f"{v:.2f}" for v in values)
        median = statistics.median(values)
        verdict = ""
        if goals:
            goal = goals.get(cls)
            verdict = " |" if goal is None else (f" met (>= {goal:.2f}x) |" if median >= goal
                                                  else f" missed (< {goal:.2f}x) |")
        print(f"| {cls}.{method} | {params} | {base} | {median:.2f}x | {min(values):.2f}x"
              f" | {max(values):.2f}x | {each} |{scores}{verdict}")


if __name__ == "__main__":
    main(sys.argv[1:])
