#!/usr/bin/env python3
"""Prints a Markdown table of a jcstress run from its HTML report directory: per test, the configurations run
and passed, and the samples per observed outcome summed over configurations, with the outcome's grading.

    python3 stress-tests/results-table.py stress-tests/target/jcstress-results
"""
import glob
import html
import os
import re
import sys


def parse(path):
    text = open(path, encoding="utf-8").read()
    section = text.split("<h3>Results</h3>", 1)[1]
    headers = [html.unescape(h) for h in re.findall(r"<th nowrap align='center'>(.*?)</th>", section)]
    grades_row = re.search(r"<td colspan=4></td>\s*((?:<td>.*?</td>\s*)+)</tr>", section, re.S).group(1)
    grades = re.findall(r"<td>(.*?)</td>", grades_row)
    totals = [0] * len(headers)
    configs = passed = 0
    for status, cells in re.findall(
            r"<td align='center' bgColor='[^']*'>(\w+)</td>\s*((?:<td align='right'[^>]*>[\d,]*</td>\s*)+)", section):
        configs += 1
        passed += status == "OK"
        for i, n in enumerate(re.findall(r">([\d,]*)</td>", cells)):
            totals[i] += int(n.replace(",", "") or 0)
    return headers, grades, totals, configs, passed


def main(directory):
    print("| test | configurations passed | samples | outcomes observed (samples) |")
    print("|---|---:|---:|---|")
    for path in sorted(glob.glob(os.path.join(directory, "dev.weft.stress.*.html"))):
        name = os.path.basename(path)[:-5].replace("dev.weft.stress.", "")
        headers, grades, totals, configs, passed = parse(path)
        seen = [f"`{h}` {t:,}" + ("" if g == "Acceptable" else f" ({g})")
                for h, g, t in zip(headers, grades, totals) if t > 0]
        print(f"| {name} | {passed}/{configs} | {sum(totals):,} | {'; '.join(seen)} |")


if __name__ == "__main__":
    main(sys.argv[1])
