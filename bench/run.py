"""Time-to-suboptimality benchmark: fastlasso vs scikit-learn (and skglm, celer).

Run from the repository root::

    python bench/run.py            # full run, writes bench/results/
    python bench/run.py --quick    # smoke test, writes nothing by default

For every problem and alpha, a reference optimum P* is computed once (the
lower objective of fastlasso and scikit-learn at tol=1e-12). Then each solver
is run over a sweep of its own ``tol`` (1e-2, 1e-3, ...); each setting is
timed ``--repeats`` times (median) and its output (coef, intercept) judged by
the one numpy objective in ``problems.objective``. The reported number is the
smallest median time whose relative suboptimality (P - P*) / P* is <= the
target (1e-6): measured, never interpolated. The sweep of a solver stops at
the first tol that reaches the target (``--full-sweep`` to go on).

Cold start is measured separately, in fresh subprocesses running
``Lasso(alpha=0.1).fit(X, y)`` on a 100 x 1000 problem, with an empty and with
a warm Numba cache. All BLAS / OpenMP / Numba thread pools are pinned to 1
thread before numpy is imported.
"""

import os

_THREAD_VARS = (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "NUMBA_NUM_THREADS",
)
for _var in _THREAD_VARS:
    os.environ[_var] = "1"

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import datetime, timezone  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
# Benchmark the working tree's fastlasso, also when it is not installed.
sys.path[:0] = [str(BENCH), str(ROOT)]

from problems import PROBLEMS, alpha_max, default_data_dir, objective  # noqa: E402
from solvers import available_solvers  # noqa: E402

DEFAULT_TOLS = "1e-2,1e-3,1e-4,1e-5,1e-6,1e-7,1e-8,1e-9,1e-10"
REFERENCE_SOLVERS = ("fastlasso", "sklearn")

COLD_START_SCRIPT = r"""
import json, sys, time
t0 = time.perf_counter()
import numpy as np
if sys.argv[1] == "fastlasso":
    from fastlasso import Lasso
else:
    from sklearn.linear_model import Lasso
t1 = time.perf_counter()
rng = np.random.default_rng(0)
X = rng.standard_normal((100, 1000))
y = X[:, :5].sum(axis=1) + rng.standard_normal(100)
t2 = time.perf_counter()
model = Lasso(alpha=0.1).fit(X, y)
t3 = time.perf_counter()
nnz = int((model.coef_ != 0).sum())
print(json.dumps({"import": t1 - t0, "fit": t3 - t2, "nnz": nnz}))
"""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke test: leukemia at alpha_max/10 only, 1 repeat, tol down to "
        "1e-8, 1 cold-start repeat; writes no files unless --out-dir is given",
    )
    parser.add_argument(
        "--problems",
        default=",".join(PROBLEMS),
        help="comma-separated subset of: %(default)s",
    )
    parser.add_argument(
        "--solvers",
        default="fastlasso,sklearn,skglm,celer",
        help="comma-separated solvers; skglm/celer are skipped when not "
        "importable (pip install -e '.[bench]') (default: %(default)s)",
    )
    parser.add_argument("--repeats", type=int, default=3, help="timed fits per tol")
    parser.add_argument("--target", type=float, default=1e-6, help="rel. subopt.")
    parser.add_argument("--tols", default=DEFAULT_TOLS, help="tol sweep, loose first")
    parser.add_argument(
        "--max-iter", type=int, default=100_000, help="max_iter of every sweep fit"
    )
    parser.add_argument("--ref-tol", type=float, default=1e-12)
    parser.add_argument("--ref-max-iter", type=int, default=1_000_000)
    parser.add_argument(
        "--max-fit-seconds",
        type=float,
        default=30.0,
        help="stop a solver's sweep once one fit takes longer than this",
    )
    parser.add_argument(
        "--full-sweep",
        action="store_true",
        help="keep sweeping tol after the target is reached",
    )
    parser.add_argument("--cold-repeats", type=int, default=3)
    parser.add_argument("--no-cold-start", action="store_true")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="shared datasets directory (default: $FASTLASSO_DATA or "
        "<repo>/../shared/data)",
    )
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=None,
        help="where to write the CSVs and latest.md (default: bench/results, "
        "or nothing with --quick)",
    )
    args = parser.parse_args(argv)
    args.tols = [float(t) for t in args.tols.split(",")]
    args.problems = [p.strip() for p in args.problems.split(",") if p.strip()]
    unknown = set(args.problems) - set(PROBLEMS)
    if unknown:
        parser.error(
            f"unknown problems {sorted(unknown)}; choose from {list(PROBLEMS)}"
        )
    args.divisors = None
    if args.quick:
        args.problems, args.divisors = ["leukemia"], (10,)
        args.repeats, args.cold_repeats = 1, 1
        args.tols = [t for t in args.tols if t >= 1e-8]
    if args.out_dir is None and not args.quick:
        args.out_dir = BENCH / "results"
    if args.data_dir is None:
        args.data_dir = default_data_dir()
    return args


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def timed_fit(solver, X, y, alpha, tol, max_iter, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        coef, intercept, n_iter = solver.fit(X, y, alpha, tol, max_iter)
        times.append(time.perf_counter() - start)
    return times, coef, intercept, n_iter


def reference_optimum(solvers, X, y, alpha, args):
    """P* = the lowest objective of the reference solvers at a tiny tol."""
    values = {}
    for solver in solvers:
        if solver.name not in REFERENCE_SOLVERS:
            continue
        start = time.perf_counter()
        coef, intercept, n_iter = solver.fit(
            X, y, alpha, args.ref_tol, args.ref_max_iter
        )
        values[solver.name] = objective(X, y, coef, intercept, alpha)
        log(
            f"    reference {solver.name}: P = {values[solver.name]:.15g} "
            f"({n_iter} iter, {time.perf_counter() - start:.1f} s)"
        )
    return min(values.values()), values


def sweep(solver, X, y, alpha, p_star, args, base_row):
    rows = []
    for tol in args.tols:
        times, coef, intercept, n_iter = timed_fit(
            solver, X, y, alpha, tol, args.max_iter, args.repeats
        )
        value = objective(X, y, coef, intercept, alpha)
        row = dict(
            base_row,
            solver=solver.name,
            version=solver.version,
            tol=tol,
            repeats=len(times),
            time_median=statistics.median(times),
            time_min=min(times),
            objective=value,
            subopt=(value - p_star) / p_star,
            n_iter=n_iter,
            n_nonzero=int(np.count_nonzero(coef)),
        )
        rows.append(row)
        log(
            f"    {solver.name:9s} tol={tol:.0e}  {row['time_median']:8.4f} s  "
            f"subopt={row['subopt']:.2e}  iter={n_iter}"
        )
        if row["subopt"] <= args.target and not args.full_sweep:
            break
        if row["time_median"] > args.max_fit_seconds:
            log(f"    {solver.name}: fit slower than {args.max_fit_seconds} s, stop")
            break
    return rows


def time_to_target(rows, target):
    """The fastest measured row that reaches the target, or None."""
    hits = [r for r in rows if r["subopt"] <= target]
    return min(hits, key=lambda r: r["time_median"]) if hits else None


def run_suboptimality(solvers, args):
    sweep_rows, summary = [], []
    for name in args.problems:
        problem = PROBLEMS[name]
        start = time.perf_counter()
        X, y = problem.load(args.data_dir)
        a_max = alpha_max(X, y)
        log(
            f"{name}: {problem.description}; loaded in "
            f"{time.perf_counter() - start:.1f} s; alpha_max = {a_max:.6g}"
        )
        # Untimed warm-up fit of every solver (JIT compile / cache load).
        for solver in solvers:
            solver.fit(X, y, a_max / 2, 1e-2, 100)
        for divisor in args.divisors or problem.divisors:
            alpha = a_max / divisor
            log(f"  alpha = alpha_max / {divisor}")
            p_star, refs = reference_optimum(solvers, X, y, alpha, args)
            base = dict(
                problem=name,
                n_samples=X.shape[0],
                n_features=X.shape[1],
                alpha_divisor=divisor,
                alpha=alpha,
                p_star=p_star,
            )
            entry = dict(base, times={}, tols={})
            for solver in solvers:
                rows = sweep(solver, X, y, alpha, p_star, args, base)
                sweep_rows += rows
                best = time_to_target(rows, args.target)
                entry["times"][solver.name] = best and best["time_median"]
                entry["tols"][solver.name] = best and best["tol"]
            summary.append(entry)
        del X, y
    return sweep_rows, summary


def run_cold_start(args):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT)] + [p for p in [env.get("PYTHONPATH")] if p]
    )

    def once(lib, cache_dir):
        env["NUMBA_CACHE_DIR"] = cache_dir
        start = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", COLD_START_SCRIPT, lib],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - start
        if out.returncode != 0:
            raise RuntimeError(f"cold-start run of {lib} failed:\n{out.stderr}")
        inner = json.loads(out.stdout.strip().splitlines()[-1])
        return dict(wall=wall, **inner)

    rows = []
    with tempfile.TemporaryDirectory(prefix="fastlasso-bench-") as tmp:
        settings = [
            ("fastlasso", "empty", lambda i: tempfile.mkdtemp(dir=tmp)),
            ("fastlasso", "warm", lambda i: os.path.join(tmp, "warm")),
            ("sklearn", "n/a", lambda i: os.path.join(tmp, "warm")),
        ]
        once("fastlasso", os.path.join(tmp, "warm"))  # fill the warm cache
        once("sklearn", os.path.join(tmp, "warm"))  # same OS file-cache state
        for lib, cache, cache_dir in settings:
            runs = [once(lib, cache_dir(i)) for i in range(args.cold_repeats)]
            row = dict(solver=lib, numba_cache=cache, repeats=len(runs))
            for key in ("wall", "import", "fit"):
                row[key] = statistics.median(r[key] for r in runs)
            rows.append(row)
            log(
                f"  {lib:9s} cache={cache:5s} wall={row['wall']:.2f} s "
                f"import={row['import']:.2f} s fit={row['fit']:.3f} s"
            )
    return rows


def _fmt_time(t, tol):
    return "not reached" if t is None else f"{t:.3f} s (tol {tol:.0e})"


def environment(solvers):
    import numba
    import scipy

    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        commit = ""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    libs = ", ".join(f"{s.name} {s.version}" for s in solvers)
    return (
        f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, commit {commit or '?'}, "
        f"{cpu}, {os.cpu_count()} cores, 1 thread; Python "
        f"{platform.python_version()}, numpy {np.__version__}, scipy "
        f"{scipy.__version__}, numba {numba.__version__}; {libs}"
    )


def markdown(summary, cold, skipped, args, names, env_line):
    lines = [
        f"Time to reach relative suboptimality {args.target:g} (median of "
        f"{args.repeats} runs; smaller is better):",
        "",
        "| problem | n x p | alpha | "
        + " | ".join(names)
        + " | fastlasso speed-up vs sklearn |",
        "|---|---|---|" + "---|" * len(names) + "---|",
    ]
    for e in summary:
        cells = [_fmt_time(e["times"][n], e["tols"][n]) for n in names]
        fl, sk = e["times"].get("fastlasso"), e["times"].get("sklearn")
        speed = f"{sk / fl:.2f}x" if fl and sk else "n/a"
        lines.append(
            f"| {e['problem']} | {e['n_samples']} x {e['n_features']} | "
            f"alpha_max/{e['alpha_divisor']} | " + " | ".join(cells) + f" | {speed} |"
        )
    if skipped:
        lines += ["", "Skipped: " + "; ".join(f"{k}: {v}" for k, v in skipped.items())]
    if cold:
        lines += [
            "",
            "Cold start: fresh `python -c` process, import + `Lasso(alpha=0.1)"
            ".fit(X, y)` on a 100 x 1000 problem (median of "
            f"{args.cold_repeats} processes):",
            "",
            "| solver | Numba cache | process wall time | import | first fit |",
            "|---|---|---|---|---|",
        ]
        for r in cold:
            lines.append(
                f"| {r['solver']} | {r['numba_cache']} | {r['wall']:.2f} s | "
                f"{r['import']:.2f} s | {r['fit']:.3f} s |"
            )
    lines += ["", f"Environment: {env_line}."]
    return "\n".join(lines) + "\n"


def write_csv(path, rows):
    if not rows:
        return
    fields = list(dict.fromkeys(k for row in rows for k in row))
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def main(argv=None):
    args = parse_args(argv)
    wanted = [s.strip() for s in args.solvers.split(",") if s.strip()]
    solvers, skipped = available_solvers(wanted)
    for name, reason in skipped.items():
        log(f"skipping {name}: {reason}")
    if not {"fastlasso", "sklearn"} <= {s.name for s in solvers}:
        raise SystemExit("bench: fastlasso and sklearn are both required")
    env_line = environment(solvers)  # the commit being measured, before any run
    start = time.perf_counter()
    sweep_rows, summary = run_suboptimality(solvers, args)
    cold = []
    if not args.no_cold_start:
        log("cold start")
        cold = run_cold_start(args)
    table = markdown(summary, cold, skipped, args, [s.name for s in solvers], env_line)
    print(table)
    if args.out_dir is not None:
        args.out_dir.mkdir(parents=True, exist_ok=True)
        write_csv(args.out_dir / "suboptimality.csv", sweep_rows)
        summary_rows = [
            {k: v for k, v in e.items() if k not in ("times", "tols")}
            | {f"time_{n}": t for n, t in e["times"].items()}
            | {f"tol_{n}": t for n, t in e["tols"].items()}
            for e in summary
        ]
        write_csv(args.out_dir / "summary.csv", summary_rows)
        write_csv(args.out_dir / "cold_start.csv", cold)
        (args.out_dir / "latest.md").write_text(table)
        log(f"results written to {args.out_dir}")
    log(f"total benchmark time {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
