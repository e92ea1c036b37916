"""Cold start of fastlasso next to scikit-learn, celer and skglm.

Every number comes from a fresh Python process (this script run in its worker
mode, ``--worker SOLVER CASE``), which times with ``time.perf_counter``:

- ``import``: ``import <package>`` plus the import of its ``Lasso`` (numpy and
  scipy are imported before the clock starts),
- ``first fit``: the first ``Lasso(alpha=0.1).fit(X, y)`` after the import
  (Numba compilation or cache loading happens here),
- ``second fit``: a second ``Lasso(alpha=0.1).fit(X, y)`` in the same process,

and prints them as one JSON line on stdout; its stderr (compile notices,
warnings) is captured separately and never parsed for numbers. The problem is
a dense 100 x 1000 Gaussian X (seed 0), y = sum of the first 5 columns + noise,
as float64 (``dense``), the same matrix as scipy CSC (``sparse``), or as
float32 (``float32``).

fastlasso ships its kernels precompiled (``fastlasso/_compiled``, used where
the CPU, Numba and Python fit, see ``fastlasso._kernel_cache``): ``empty`` and
``warm`` rows use them; the ``jit`` row is an empty cache with them turned off
(``FASTLASSO_SHIPPED_CACHE=0``), i.e. Numba compiles, as on a machine they do
not fit.

Numba cache: each fastlasso / skglm measurement with an ``empty`` cache runs
with its own fresh ``NUMBA_CACHE_DIR`` (a ``tempfile.mkdtemp``, removed
afterwards), so it is a first fit on a fresh machine; the ``warm`` measurement
is the next process with the same ``NUMBA_CACHE_DIR``, after that first process
filled it. scikit-learn and celer have no Numba cache (``n/a``); a first,
untimed process per solver and case warms the OS file cache for them.

Also timed (wall clock, in the parent): ``fastlasso select`` end to end with
an empty cache, with the cache the previous ``select`` left, and with the
cache ``fastlasso warmup`` filled; and ``fastlasso warmup`` with an empty
cache (its last output line is shown); ``select`` and ``warmup`` again with an
empty cache and the shipped kernels off (``jit``).

    python bench/cold_start.py                  # everything
    python bench/cold_start.py --quick          # fastlasso dense, sklearn dense
    python bench/cold_start.py --solvers sklearn,celer --cases dense --skip-cli
    python bench/cold_start.py --repeat 3 --out cold_start.json
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SOLVERS = ("fastlasso", "sklearn", "celer", "skglm")
CASES = ("dense", "sparse", "float32")
ALPHA = 0.1
N_SAMPLES, N_FEATURES, N_INFORMATIVE = 100, 1000, 5

#: solver -> (package imported first, module holding its Lasso, uses Numba cache)
_IMPORTS = {
    "fastlasso": ("fastlasso", "fastlasso", True),
    "sklearn": ("sklearn", "sklearn.linear_model", False),
    "celer": ("celer", "celer", False),
    "skglm": ("skglm", "skglm", True),
}

#: bars from the issue
WARM_BAR = 0.1  # s: warm-cache first fit
FRESH_BAR = 10.0  # s: first dense fit on a fresh machine


# ---------------------------------------------------------------- worker side


def _worker(solver: str, case: str) -> int:
    """Runs in the fresh child process; prints one JSON line."""
    import importlib

    out = {"solver": solver, "case": case, "pid": os.getpid()}
    t0 = time.perf_counter()
    import numpy as np
    import scipy.sparse as sp

    out["base_import_s"] = time.perf_counter() - t0

    rng = np.random.default_rng(0)
    X = rng.standard_normal((N_SAMPLES, N_FEATURES))
    y = X[:, :N_INFORMATIVE].sum(axis=1) + 0.1 * rng.standard_normal(N_SAMPLES)
    if case == "sparse":
        X = sp.csc_matrix(X)
    elif case == "float32":
        X, y = X.astype(np.float32), y.astype(np.float32)
    elif case != "dense":
        raise SystemExit(f"unknown case {case!r}")

    package, module, _ = _IMPORTS[solver]
    t0 = time.perf_counter()
    pkg = importlib.import_module(package)
    Lasso = importlib.import_module(module).Lasso
    out["import_s"] = time.perf_counter() - t0
    out["version"] = getattr(pkg, "__version__", "?")

    t0 = time.perf_counter()
    first = Lasso(alpha=ALPHA).fit(X, y)
    out["first_fit_s"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    second = Lasso(alpha=ALPHA).fit(X, y)
    out["second_fit_s"] = time.perf_counter() - t0

    coef = np.asarray(first.coef_, dtype=np.float64).ravel()
    out["nnz"] = int(np.count_nonzero(coef))
    out["coef_l1"] = float(np.abs(coef).sum())
    out["same_twice"] = bool(np.allclose(coef, np.ravel(second.coef_)))
    print(json.dumps(out), flush=True)
    return 0


# ---------------------------------------------------------------- parent side


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _env(cache_dir: str | None, shipped: bool = True) -> dict:
    env = dict(os.environ)
    env.pop("NUMBA_CACHE_DIR", None)
    # fastlasso's shipped (precompiled) kernels, on by default; off = JIT
    env["FASTLASSO_SHIPPED_CACHE"] = "1" if shipped else "0"
    if cache_dir is not None:
        env["NUMBA_CACHE_DIR"] = cache_dir
    return env


@contextlib.contextmanager
def _fresh_cache(prefix: str):
    """A new, empty directory for ``NUMBA_CACHE_DIR``, removed afterwards."""
    cache = tempfile.mkdtemp(prefix=prefix)
    try:
        yield cache
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def _tail(text: str, n: int = 15) -> str:
    lines = text.strip().splitlines()
    return "\n".join(lines[-n:])


def _run_worker(
    solver: str, case: str, cache_dir: str, timeout: float, shipped: bool = True
) -> dict:
    """One fresh process; the child's numbers plus the parent's wall time."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", solver, case]
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd,
            env=_env(cache_dir, shipped),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    wall = time.perf_counter() - start
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        return {
            "error": f"exit status {proc.returncode}",
            "stderr_tail": _tail(proc.stderr),
            "process_s": wall,
        }
    result = json.loads(lines[-1])
    result["process_s"] = wall
    result["compile_notices"] = sum(
        "compiling the" in ln for ln in proc.stderr.splitlines()
    )
    result["stderr_lines"] = len(proc.stderr.splitlines())
    return result


def _median(runs: list[dict], key: str):
    vals = [r[key] for r in runs if key in r]
    return statistics.median(vals) if vals else None


def _row(solver, case, cache, runs) -> dict:
    ok = [r for r in runs if "error" not in r]
    row = {"solver": solver, "case": case, "cache": cache, "runs": runs}
    row["n_ok"] = len(ok)
    for key in ("import_s", "first_fit_s", "second_fit_s", "process_s"):
        row[key] = _median(ok, key)
    errors = [r for r in runs if "error" in r]
    if errors:
        row["error"] = errors[0]["error"]
        row["stderr_tail"] = errors[0].get("stderr_tail", "")
    return row


def _fmt_row(row) -> str:
    r = (
        f"  {row['solver']:9s} {row['case']:7s} cache={row['cache']:5s} "
        f"import={_s(row['import_s'])} first={_s(row['first_fit_s'])} "
        f"second={_s(row['second_fit_s'])} process={_s(row['process_s'])}"
    )
    if row.get("error"):
        r += f"  FAILED: {row['error']}"
    return r


def measure_fits(solvers, cases, repeat, timeout) -> list[dict]:
    rows = []
    for solver in solvers:
        numba_cache = _IMPORTS[solver][2]
        for case in cases:
            if numba_cache:
                empty, warm = [], []
                for _ in range(repeat):
                    with _fresh_cache(f"cold-{solver}-{case}-") as cache:
                        # 1st process: empty cache (and it fills it),
                        # 2nd process, same NUMBA_CACHE_DIR: warm cache.
                        empty.append(_run_worker(solver, case, cache, timeout))
                        warm.append(_run_worker(solver, case, cache, timeout))
                new = [_row(solver, case, "empty", empty)]
                new.append(_row(solver, case, "warm", warm))
                if solver == "fastlasso":
                    # empty cache without the shipped kernels: Numba compiles
                    # (a machine the shipped cache does not fit)
                    jit = []
                    for _ in range(repeat):
                        with _fresh_cache(f"cold-jit-{case}-") as cache:
                            jit.append(_run_worker(solver, case, cache, timeout, False))
                    new.append(_row(solver, case, "jit", jit))
            else:
                with _fresh_cache(f"cold-{solver}-{case}-") as cache:
                    _run_worker(solver, case, cache, timeout)  # OS file cache
                    runs = [
                        _run_worker(solver, case, cache, timeout) for _ in range(repeat)
                    ]
                new = [_row(solver, case, "n/a", runs)]
            for row in new:
                _log(_fmt_row(row))
            rows += new
    return rows


def _cli_command() -> list[str]:
    exe = Path(sys.executable).parent / (
        "fastlasso.exe" if os.name == "nt" else "fastlasso"
    )
    if exe.exists():
        return [str(exe)]
    return [sys.executable, "-m", "fastlasso"]


def _run_cli(
    args: list[str], cache_dir: str, timeout: float, shipped: bool = True
) -> dict:
    cmd = _cli_command() + args
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd,
            env=_env(cache_dir, shipped),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"command": " ".join(cmd), "error": f"timed out after {timeout:.0f} s"}
    wall = time.perf_counter() - start
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    out = {
        "command": " ".join(["fastlasso", *args]),
        "argv": cmd,
        "wall_s": wall,
        "returncode": proc.returncode,
        "last_line": lines[-1] if lines else "",
        "ready_line": next((ln for ln in lines if " ready in " in ln), ""),
        "stdout_lines": len(lines),
        "compile_notices": sum(
            "compiling the" in ln for ln in proc.stderr.splitlines()
        ),
    }
    if proc.returncode != 0:
        out["error"] = f"exit status {proc.returncode}"
        out["stderr_tail"] = _tail(proc.stderr)
    return out


def measure_cli(repeat, timeout) -> list[dict]:
    rows = []

    def add(args, cache, runs):
        ok = [r for r in runs if "error" not in r]
        row = {
            "command": "fastlasso " + " ".join(args),
            "cache": cache,
            "runs": runs,
            "wall_s": _median(ok, "wall_s"),
            "last_line": (ok or runs)[-1].get("last_line", ""),
            "ready_line": (ok or runs)[-1].get("ready_line", ""),
        }
        if len(ok) < len(runs):
            bad = next(r for r in runs if "error" in r)
            row["error"] = bad["error"]
            row["stderr_tail"] = bad.get("stderr_tail", "")
        msg = f"  {row['command']:18s} cache={cache:13s} wall={_s(row['wall_s'])}"
        if row.get("error"):
            msg += f"  FAILED: {row['error']}"
        _log(msg)
        rows.append(row)

    sel_empty, sel_warm, warm_empty, sel_after = [], [], [], []
    sel_jit, warm_jit = [], []
    for _ in range(repeat):
        for args, runs in ((["select"], sel_jit), (["warmup"], warm_jit)):
            with _fresh_cache("cold-jit-") as cache:
                runs.append(_run_cli(args, cache, timeout, shipped=False))
        with _fresh_cache("cold-select-") as cache:
            sel_empty.append(_run_cli(["select"], cache, timeout))
            sel_warm.append(_run_cli(["select"], cache, timeout))
        with _fresh_cache("cold-warmup-") as cache:
            warm_empty.append(_run_cli(["warmup"], cache, timeout))
            sel_after.append(_run_cli(["select"], cache, timeout))
    add(["select"], "empty", sel_empty)
    add(["select"], "warm", sel_warm)
    add(["warmup"], "empty", warm_empty)
    add(["select"], "after warmup", sel_after)
    add(["select"], "jit", sel_jit)
    add(["warmup"], "jit", warm_jit)
    return rows


# ------------------------------------------------------------------- output


def _s(value, digits=3) -> str:
    if value is None:
        return "n/a"
    return f"{value:.{digits}f}" if value < 10 else f"{value:.1f}"


def markdown(fit_rows, cli_rows, skipped, repeat) -> str:
    out = []
    if fit_rows:
        agg = f"median of {repeat} processes" if repeat > 1 else "one process"
        out.append(
            f"**Cold start**, Lasso(alpha={ALPHA}) on {N_SAMPLES} x {N_FEATURES} "
            f"(fresh process each, {agg}; times inside the process, "
            "`process s` = wall time of the whole process seen by the parent):"
        )
        out.append("")
        out.append(
            "| solver | case | cache | import s | first fit s | second fit s "
            "| process s |"
        )
        out.append("|---|---|---|---|---|---|---|")
        for r in fit_rows:
            if r.get("error") and not r["n_ok"]:
                cells = ["failed: " + r["error"]] + [""] * 3
            else:
                cells = [
                    _s(r["import_s"]),
                    _s(r["first_fit_s"]),
                    _s(r["second_fit_s"]),
                    _s(r["process_s"], 2),
                ]
            out.append(
                f"| {r['solver']} | {r['case']} | {r['cache']} | "
                + " | ".join(cells)
                + " |"
            )
    if cli_rows:
        out.append("")
        out.append("**CLI**, wall clock of the whole command:")
        out.append("")
        out.append("| command | cache | wall s | note |")
        out.append("|---|---|---|---|")
        for r in cli_rows:
            if r.get("error"):
                note = "failed: " + r["error"]
            elif r["command"].strip() == "fastlasso warmup":
                note = "last line: `" + r["last_line"] + "`"
                if r["ready_line"] and r["ready_line"] != r["last_line"]:
                    note = "`" + r["ready_line"] + "`; " + note
            else:
                note = ""
            out.append(
                f"| `{r['command'].strip()}` | {r['cache']} | {_s(r['wall_s'], 2)} "
                f"| {note} |"
            )
    checks = _bar_checks(fit_rows)
    if checks:
        out.append("")
        out += checks
    for name, why in skipped:
        out.append("")
        out.append(f"skipped {name}: {why}")
    return "\n".join(out)


def _bar_checks(fit_rows) -> list[str]:
    lines = []
    for r in fit_rows:
        if r["solver"] != "fastlasso" or r["first_fit_s"] is None:
            continue
        if r["cache"] == "warm":
            ok = r["first_fit_s"] <= WARM_BAR
            lines.append(
                f"- bar, warm-cache first fit <= {WARM_BAR} s over import "
                f"({r['case']}): {r['first_fit_s']:.3f} s, "
                + ("met" if ok else "NOT met")
            )
        elif r["cache"] == "empty" and r["case"] == "dense":
            ok = r["first_fit_s"] <= FRESH_BAR
            lines.append(
                f"- bar, first dense fit on a fresh machine <= {FRESH_BAR:g} s: "
                f"{r['first_fit_s']:.1f} s, " + ("met" if ok else "NOT met")
            )
        elif r["cache"] == "jit" and r["case"] == "dense":
            ok = r["first_fit_s"] <= FRESH_BAR
            lines.append(
                f"- same, shipped kernels off (Numba compiles): "
                f"{r['first_fit_s']:.1f} s, " + ("met" if ok else "NOT met")
            )
    return lines


def environment(fit_rows) -> dict:
    def git(*args):
        try:
            return subprocess.run(
                ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
            ).stdout.strip()
        except OSError:
            return ""

    versions = {}
    for r in fit_rows:
        for run in r["runs"]:
            if "version" in run:
                versions[r["solver"]] = run["version"]
    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "versions": versions,
        "FASTLASSO_NUMBA_CACHE": os.environ.get("FASTLASSO_NUMBA_CACHE"),
        "time_utc": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def _csv(text: str, allowed) -> list[str]:
    items = [t.strip() for t in text.split(",") if t.strip()]
    bad = [t for t in items if t not in allowed]
    if bad or not items:
        raise argparse.ArgumentTypeError(
            f"choose from {', '.join(allowed)} (comma-separated); got {text!r}"
        )
    return list(dict.fromkeys(items))


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--cases",
        type=lambda t: _csv(t, CASES),
        default=list(CASES),
        help="comma-separated subset of dense,sparse,float32 (default: all)",
    )
    parser.add_argument(
        "--solvers",
        type=lambda t: _csv(t, SOLVERS),
        default=list(SOLVERS),
        help="comma-separated subset of fastlasso,sklearn,celer,skglm "
        "(default: all; peers that are not importable are skipped)",
    )
    parser.add_argument(
        "--skip-cli",
        action="store_true",
        help="do not time 'fastlasso select' and 'fastlasso warmup'",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="only fastlasso dense and sklearn dense, no CLI "
        "(overrides --cases, --solvers, --skip-cli)",
    )
    parser.add_argument(
        "--repeat",
        type=_positive_int,
        default=1,
        metavar="N",
        help="processes per measurement, median reported (default: 1; an "
        "empty-cache fastlasso process costs tens of seconds)",
    )
    parser.add_argument("--out", metavar="FILE.json", help="write results as JSON")
    parser.add_argument(
        "--timeout",
        type=float,
        default=900.0,
        metavar="S",
        help="kill a child process after S seconds (default: %(default)s)",
    )
    parser.add_argument(
        "--worker", nargs=2, metavar=("SOLVER", "CASE"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)

    if args.worker:
        return _worker(*args.worker)

    if args.quick:
        args.solvers, args.cases = ["fastlasso", "sklearn"], ["dense"]
        args.skip_cli = True

    skipped, solvers = [], []
    for name in args.solvers:
        if importlib.util.find_spec(_IMPORTS[name][0]) is None:
            skipped.append((name, "not importable"))
            _log(f"skipping {name}: not importable")
        else:
            solvers.append(name)
    if os.environ.get("FASTLASSO_NUMBA_CACHE", "1").strip().lower() in {
        "0",
        "false",
        "no",
        "off",
    }:
        _log("note: FASTLASSO_NUMBA_CACHE disables the cache; 'warm' = 'empty'")

    start = time.perf_counter()
    _log(f"fits: solvers {','.join(solvers)}; cases {','.join(args.cases)}")
    fit_rows = measure_fits(solvers, args.cases, args.repeat, args.timeout)
    cli_rows = []
    if not args.skip_cli and "fastlasso" in args.solvers:
        _log(f"CLI: {' '.join(_cli_command())} select / warmup")
        cli_rows = measure_cli(args.repeat, args.timeout)
    total = time.perf_counter() - start

    env = environment(fit_rows)
    print(markdown(fit_rows, cli_rows, skipped, args.repeat))
    vers = ", ".join(f"{k} {v}" for k, v in env["versions"].items())
    print()
    print(
        f"Environment: {env['time_utc']}, commit {env['commit']}"
        + (" + uncommitted changes" if env["dirty"] else "")
        + f", {env['machine']}, {env['cpus']} CPUs, default threads; "
        f"Python {env['python']}; {vers}. Run time {total:.0f} s."
    )
    failures = [r for r in fit_rows + cli_rows if r.get("error")]
    for r in failures:
        name = r.get("command") or f"{r['solver']} {r['case']} cache={r['cache']}"
        _log(f"\nFAILED {name}: {r['error']}\n{r.get('stderr_tail', '')}")
    if args.out:
        Path(args.out).write_text(
            json.dumps(
                {
                    "problem": {
                        "n_samples": N_SAMPLES,
                        "n_features": N_FEATURES,
                        "alpha": ALPHA,
                        "y": f"sum of the first {N_INFORMATIVE} columns + "
                        "0.1 * N(0, 1) noise, seed 0",
                    },
                    "repeat": args.repeat,
                    "fits": fit_rows,
                    "cli": cli_rows,
                    "skipped": [{"solver": n, "why": w} for n, w in skipped],
                    "environment": env,
                    "run_time_s": total,
                },
                indent=2,
            )
            + "\n"
        )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
