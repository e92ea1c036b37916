"""Markdown table of a pytest-benchmark JSON file of the suite.

Usage::

    python -m pytest bench/ --benchmark-only --benchmark-json=suite.json
    python bench/suite_table.py suite.json > table.md

One row per case and solver, fastest first within a case: median and best
time of the timed rounds, their number, time in ``X.T @ r`` units (median),
the ``tol`` found by the calibration, ``n_iter_`` and the suboptimality of the
timed output against the golden P*.
"""

import argparse
import json
import sys


def _fmt_time(seconds):
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} us"
    if seconds < 1:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds:.3g} s"


def table(doc):
    lines = [
        "| case | solver | median | best | rounds | X.T @ r units | tol | n_iter "
        "| suboptimality | vs fastest |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    groups = {}
    for b in doc["benchmarks"]:
        groups.setdefault(b["group"], []).append(b)
    for group in sorted(groups):
        rows = sorted(groups[group], key=lambda b: b["stats"]["median"])
        fastest = rows[0]["stats"]["median"]
        for b in rows:
            e, st = b["extra_info"], b["stats"]
            setting = ", ".join(f"{k}={v:g}" for k, v in e["setting"].items())
            n_iter = e["n_iter"] if e["n_iter"] not in (-1, None) else ""
            lines.append(
                f"| {group} | {e['solver']} {e['solver_version']} | "
                f"{_fmt_time(st['median'])} | {_fmt_time(st['min'])} | "
                f"{st['rounds']} | {e['time_xtr_units']:.3g} | {setting} | {n_iter} | "
                f"{e['subopt']:.1e} | {st['median'] / fastest:.2f}x |"
            )
    machine = doc.get("machine_info", {})
    commit = doc.get("commit_info", {})
    lines.append("")
    lines.append(
        f"{doc.get('datetime', '')[:16]} UTC, commit {commit.get('id', '?')[:7]}"
        f"{'-dirty' if commit.get('dirty') else ''}, "
        f"{machine.get('cpu', {}).get('count', '?')} CPUs, one thread; Python "
        f"{machine.get('python_version', '?')}"
    )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("json_file")
    args = parser.parse_args(argv)
    with open(args.json_file) as f:
        print(table(json.load(f)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
