"""Time-to-suboptimality benchmark: fastlasso vs scikit-learn, skglm and celer.

Run from the repository root::

    python bench/run.py            # full run, writes bench/results/
    python bench/run.py --quick    # smoke test, writes nothing by default

Every solver runs in the same run, in its own worker process (``worker.py``),
one at a time, with all BLAS / OpenMP / Numba thread pools pinned to 1 thread.
For every task (problem and alpha, or problem and 100-alpha path) each solver
is run over a sweep of its own ``tol`` (1e-2, 1e-3, ...); each setting is
timed ``--repeats`` times (median; a fit longer than ``--single-above``
seconds is timed once) and its output (coef, intercept) is judged by the one
numpy objective in ``problems.objective``. The optimum P* is the lowest
objective seen for the task (reference fits of fastlasso and scikit-learn at
``tol=1e-12`` included); the duality gap of the best point certifies it. The
time to a target is the smallest median time whose relative suboptimality
(P - P*) / P* is <= the target (1e-4, 1e-6, 1e-8): measured, never
interpolated. For a path the suboptimality is the worst over its alphas. A
solver's sweep stops at the first tol that reaches the tightest target, or
once a fit takes longer than ``--max-fit-seconds`` (the fit is killed; targets
not reached by then are reported as "> cap").

Each time is also given as a multiple of one ``X.T @ r`` product on the same
problem (numpy / scipy, measured in the runner: median of many repeats), the
cost of reading X once. For paths this is per alpha.

Cold start is measured separately, in fresh subprocesses running
``Lasso(alpha=0.1).fit(X, y)`` on a 100 x 1000 problem, with an empty and with
a warm Numba cache.
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
import importlib.util  # noqa: E402
import json  # noqa: E402
import multiprocessing  # noqa: E402
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

from problems import (  # noqa: E402
    DATASETS,
    PROBLEMS,
    alpha_max,
    default_data_dir,
    duality_gap,
    objective,
    path_alphas,
)
from solvers import ALL_SOLVERS, REQUIRED  # noqa: E402

DEFAULT_TOLS = "1e-2,1e-3,1e-4,1e-5,1e-6,1e-7,1e-8,1e-9,1e-10,1e-11,1e-12"
TARGETS = (1e-4, 1e-6, 1e-8)
REFERENCE_SOLVERS = ("fastlasso", "sklearn")  # paths: fastlasso only

COLD_START_SCRIPT = r"""
import json, sys, time
t0 = time.perf_counter()
import numpy as np
if sys.argv[1] == "fastlasso":
    from fastlasso import Lasso
elif sys.argv[1] == "sklearn":
    from sklearn.linear_model import Lasso
elif sys.argv[1] == "skglm":
    from skglm import Lasso
else:
    from celer import Lasso
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
        help="smoke test: leukemia at alpha_max/10 only, 1 repeat, 1 cold-start "
        "process per setting; writes no files unless --out-dir is given",
    )
    parser.add_argument(
        "--problems",
        default=",".join(PROBLEMS),
        help="comma-separated subset of: %(default)s",
    )
    parser.add_argument(
        "--solvers",
        default=",".join(ALL_SOLVERS),
        help="comma-separated solvers; skglm/celer are skipped when not "
        "importable (pip install -e '.[bench]') (default: %(default)s)",
    )
    parser.add_argument("--repeats", type=int, default=3, help="timed fits per tol")
    parser.add_argument(
        "--single-above",
        type=float,
        default=1.0,
        help="a fit slower than this many seconds is timed once, not repeated",
    )
    parser.add_argument("--tols", default=DEFAULT_TOLS, help="tol sweep, loose first")
    parser.add_argument(
        "--max-iter", type=int, default=100_000, help="max_iter of every sweep fit"
    )
    parser.add_argument("--ref-tol", type=float, default=1e-12)
    parser.add_argument("--ref-max-iter", type=int, default=1_000_000)
    parser.add_argument(
        "--ref-seconds",
        type=float,
        default=30.0,
        help="time limit of each reference fit (default: %(default)s)",
    )
    parser.add_argument(
        "--max-fit-seconds",
        type=float,
        default=8.0,
        help="cap: a single fit running longer is killed and the "
        "solver's sweep on that task stops (default: %(default)s)",
    )
    parser.add_argument(
        "--max-path-seconds",
        type=float,
        default=20.0,
        help="the same cap for one whole path (default: %(default)s)",
    )
    parser.add_argument(
        "--warmup-seconds",
        type=float,
        default=300.0,
        help="time limit of the untimed warm-up fit (includes JIT compilation)",
    )
    parser.add_argument(
        "--full-sweep",
        action="store_true",
        help="keep sweeping tol after the tightest target is reached",
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
    args.solvers = [s.strip() for s in args.solvers.split(",") if s.strip()]
    unknown = set(args.solvers) - set(ALL_SOLVERS)
    if unknown:
        parser.error(
            f"unknown solvers {sorted(unknown)}; choose from {list(ALL_SOLVERS)}"
        )
    args.divisors = None
    if args.quick:
        args.problems, args.divisors = ["leukemia"], (10,)
        args.repeats, args.cold_repeats = 1, 1
    if args.out_dir is None and not args.quick:
        args.out_dir = BENCH / "results"
    if args.data_dir is None:
        args.data_dir = default_data_dir()
    return args


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class Capped(Exception):
    """A request to a worker ran longer than its time limit."""


class Worker:
    """One solver in its own process; see ``worker.py``."""

    def __init__(self, name, data_dir):
        self.name, self.data_dir = name, str(data_dir)
        self.proc = self.conn = None
        self.version = "?"
        self.dataset = None

    def start(self):
        import worker

        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(
            target=worker.serve, args=(child, self.name, self.data_dir), daemon=True
        )
        self.proc.start()
        child.close()
        self.dataset = None
        self.version = self._receive(300)

    def stop(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.join()
            self.conn.close()
        self.proc = self.conn = None

    def _receive(self, timeout):
        if not self.conn.poll(timeout):
            self.stop()
            raise Capped(f"{self.name}: no answer within {timeout:g} s")
        status, payload = self.conn.recv()
        if status != "ok":
            self.stop()
            raise RuntimeError(f"{self.name} worker failed:\n{payload}")
        return payload

    def call(self, request, timeout):
        if self.proc is None:
            self.start()
        self.conn.send(request)
        return self._receive(timeout)

    def load(self, dataset):
        if self.proc is None or self.dataset != dataset:
            self.call(("load", dataset), 300)
            self.dataset = dataset


def xtr_cost(X, min_seconds=0.3, min_repeats=20, max_repeats=2000):
    """Median time of one ``X.T @ r`` (numpy / scipy), r a dense n-vector."""
    r = np.random.default_rng(0).standard_normal(X.shape[0])
    for _ in range(3):
        X.T @ r
    times, start = [], time.perf_counter()
    while len(times) < max_repeats and (
        len(times) < min_repeats or time.perf_counter() - start < min_seconds
    ):
        t0 = time.perf_counter()
        X.T @ r
        times.append(time.perf_counter() - t0)
    return statistics.median(times), len(times)


class Task:
    """One problem at one alpha, or one problem along its path."""

    def __init__(self, problem, X, y, divisor=None):
        self.problem, self.divisor = problem, divisor
        self.l1_ratio = problem.l1_ratio
        if problem.path:
            self.alphas = path_alphas(X, y, problem)
            self.label = f"path ({problem.n_alphas} alphas, eps {problem.eps:g})"
        else:
            a = alpha_max(X, y, problem.l1_ratio) / divisor
            self.alphas = np.array([a])
            self.label = f"alpha_max/{divisor}"
        self.best = np.full(self.alphas.size, np.inf)  # lowest P seen per alpha
        self.lower = np.full(self.alphas.size, -np.inf)  # highest dual value

    def request(self, tol, max_iter):
        if self.problem.path:
            return ("path", self.alphas, self.l1_ratio, tol, max_iter)
        return ("fit", self.alphas[0], self.l1_ratio, tol, max_iter)

    def warmup_request(self):
        if self.problem.path:
            return ("path", self.alphas[:3], self.l1_ratio, 1e-2, 100)
        a = self.alphas[0] * self.divisor / 2
        return ("fit", a, self.l1_ratio, 1e-2, 100)

    def judge(self, X, y, result):
        """Objective per alpha (and update the best point and certificate)."""
        if self.problem.path:
            coefs, intercepts = result
            coefs = np.asarray(coefs, dtype=np.float64).reshape(X.shape[1], -1)
        else:
            coef, intercept, _ = result
            coefs = np.asarray(coef, dtype=np.float64).reshape(-1, 1)
            intercepts = [intercept]
        values = np.empty(self.alphas.size)
        for k, alpha in enumerate(self.alphas):
            values[k] = objective(
                X, y, coefs[:, k], intercepts[k], alpha, self.l1_ratio
            )
            if values[k] < self.best[k] * (1 + 1e-6):  # certify near-best points
                p_opt_b, dual = duality_gap(X, y, coefs[:, k], alpha, self.l1_ratio)
                self.lower[k] = max(self.lower[k], dual)
                self.best[k] = min(self.best[k], values[k], p_opt_b)
        return values, int(np.count_nonzero(coefs[:, -1]))

    def certified(self, values):
        """Worst upper bound on the relative suboptimality (via the dual)."""
        return float(np.max((values - self.lower) / self.best))

    def subopt(self, values):
        """Worst relative suboptimality over the alphas, against the best seen."""
        return float(np.max((values - self.best) / self.best))


def run_task(task, workers, X, y, cost, args):
    """Reference fits, then every solver's tol sweep; returns the sweep rows."""
    name = task.problem.name
    cap = args.max_path_seconds if task.problem.path else args.max_fit_seconds
    log(f"  {name} {task.label}")
    # Untimed warm-up of each solver on this task (JIT compile / cache load):
    # the same entry point and data at an easy setting (alpha_max / 2, or the
    # first 3 alphas of the path), with time for compilation.
    for w in workers.values():
        try:
            w.load(task.problem.dataset)
            w.call(task.warmup_request(), args.warmup_seconds)
        except Capped:
            log(f"    {w.name}: warm-up took longer than {args.warmup_seconds:g} s")
    references = REFERENCE_SOLVERS[:1] if task.problem.path else REFERENCE_SOLVERS
    for solver in references:
        if solver not in workers:
            continue
        w = workers[solver]
        try:
            w.load(task.problem.dataset)
            elapsed, result = w.call(
                task.request(args.ref_tol, args.ref_max_iter), args.ref_seconds
            )
            values, _ = task.judge(X, y, result)
            log(
                f"    reference {solver}: max P = {values.max():.15g} ({elapsed:.1f} s)"
            )
        except Capped:
            log(f"    reference {solver}: slower than {args.ref_seconds:g} s, not used")
    rows = []
    for w in workers.values():
        try:
            w.load(task.problem.dataset)
        except Capped:
            continue
        for tol in args.tols:
            times, result, capped = [], None, False
            for _ in range(args.repeats):
                try:
                    elapsed, result = w.call(task.request(tol, args.max_iter), cap)
                except Capped:
                    capped = True
                    break
                times.append(elapsed)
                if elapsed > args.single_above:
                    break
            row = dict(
                problem=name,
                kind=task.problem.kind,
                alpha=task.label,
                n_samples=X.shape[0],
                n_features=X.shape[1],
                solver=w.name,
                version=w.version,
                tol=tol,
                repeats=len(times),
                capped=capped and not times,
            )
            if not times:
                rows.append(row)
                log(f"    {w.name:9s} tol={tol:.0e}  > cap ({cap:g} s)")
                break
            values, nnz = task.judge(X, y, result)
            median = statistics.median(times)
            row.update(
                time_median=median,
                time_min=min(times),
                xtr_equiv=median / cost / task.alphas.size,
                n_iter=result[2] if not task.problem.path else "",
                n_nonzero=nnz,
                _values=values,
            )
            rows.append(row)
            sub = task.subopt(values)
            log(
                f"    {w.name:9s} tol={tol:.0e}  {median:8.4f} s  "
                f"subopt={sub:.2e}  nnz={nnz}"
            )
            # Stop once certified (against the best dual point seen) to reach
            # the tightest target; the reported number uses the final P*.
            if task.certified(values) <= min(TARGETS) and not args.full_sweep:
                break
            if capped:  # a later repeat hit the cap
                break
    # Final scoring against the best point seen in the whole task.
    for row in rows:
        values = row.pop("_values", None)
        if values is not None:
            row["subopt"] = task.subopt(values)
    gap = float(np.max((task.best - task.lower) / task.best))
    for row in rows:
        row["p_star"] = float(task.best.min()) if task.alphas.size == 1 else ""
        row["p_star_rel_gap"] = gap
    log(f"    P* certified to relative {gap:.1e} (duality gap of the best point)")
    if gap > min(TARGETS) / 10:
        log(
            f"    WARNING: P* certificate {gap:.1e} is loose for the "
            f"{min(TARGETS):g} target"
        )
    return rows


def summarize(rows, task, cost, args):
    """Per solver: the time to each target, or why there is none."""
    out = dict(
        problem=task.problem.name,
        kind=task.problem.kind,
        alpha=task.label,
        n_samples=rows[0]["n_samples"] if rows else "",
        n_features=rows[0]["n_features"] if rows else "",
        n_alphas=task.alphas.size,
        xtr_seconds=cost,
        cap=args.max_path_seconds if task.problem.path else args.max_fit_seconds,
        p_star_rel_gap=rows[0]["p_star_rel_gap"] if rows else "",
    )
    solvers = list(dict.fromkeys(r["solver"] for r in rows))
    for s in solvers:
        mine = [r for r in rows if r["solver"] == s]
        capped = any(r["capped"] for r in mine) or any(
            r.get("time_median", 0) > out["cap"] for r in mine
        )
        for target in TARGETS:
            hits = [r for r in mine if "subopt" in r and r["subopt"] <= target]
            best = min(hits, key=lambda r: r["time_median"]) if hits else None
            key = f"{s}@{target:g}"
            if best is not None:
                out[f"time_{key}"] = best["time_median"]
                out[f"tol_{key}"] = best["tol"]
                out[f"equiv_{key}"] = best["xtr_equiv"]
            else:
                out[f"time_{key}"] = "> cap" if capped else "not reached"
    return out


def run_benchmark(workers, args):
    sweep_rows, summary = [], []
    loaded = None
    for name in args.problems:
        problem = PROBLEMS[name]
        if loaded is None or loaded[0] != problem.dataset:
            loaded = None
            start = time.perf_counter()
            X, y = DATASETS[problem.dataset].load(args.data_dir)
            cost, n_rep = xtr_cost(X)
            loaded = (problem.dataset, X, y, cost)
            log(
                f"{problem.dataset}: {DATASETS[problem.dataset].description}; "
                f"loaded in {time.perf_counter() - start:.1f} s; "
                f"X.T @ r = {cost * 1e3:.3f} ms (median of {n_rep})"
            )
        _, X, y, cost = loaded
        divisors = [None] if problem.path else (args.divisors or problem.divisors)
        for divisor in divisors:
            task = Task(problem, X, y, divisor)
            rows = run_task(task, workers, X, y, cost, args)
            sweep_rows += rows
            summary.append(summarize(rows, task, cost, args))
    return sweep_rows, summary


def run_cold_start(solver_names, args):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT)] + [p for p in [env.get("PYTHONPATH")] if p]
    )

    def once(lib, cache_dir):
        env.pop("NUMBA_CACHE_DIR", None)
        if cache_dir is not None:
            env["NUMBA_CACHE_DIR"] = cache_dir
        elif "NUMBA_CACHE_DIR" in os.environ:
            env["NUMBA_CACHE_DIR"] = os.environ["NUMBA_CACHE_DIR"]
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
        # The warm cache: a temporary one filled by a first process, or with
        # --quick the default Numba cache (usually warm already).
        warm = None if args.quick else os.path.join(tmp, "warm")
        settings = [("fastlasso", "warm")] + [
            (s, "warm") for s in solver_names if s != "fastlasso"
        ]
        if not args.quick:
            settings.insert(0, ("fastlasso", "empty"))
        else:
            settings = settings[:2]
        for lib in dict.fromkeys(s for s, _ in settings):  # fill the warm cache
            once(lib, warm)
        for lib, cache in settings:
            runs = [
                once(lib, tempfile.mkdtemp(dir=tmp) if cache == "empty" else warm)
                for _ in range(args.cold_repeats)
            ]
            label = cache if lib == "fastlasso" else "n/a"
            row = dict(solver=lib, numba_cache=label, repeats=len(runs))
            for key in ("wall", "import", "fit"):
                row[key] = statistics.median(r[key] for r in runs)
            rows.append(row)
            log(
                f"  {lib:9s} cache={label:5s} wall={row['wall']:.2f} s "
                f"import={row['import']:.2f} s fit={row['fit']:.3f} s"
            )
    return rows


def environment(versions):
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
    libs = ", ".join(f"{k} {v}" for k, v in versions.items())
    return (
        f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, commit {commit or '?'}, "
        f"{cpu}, {os.cpu_count()} cores, 1 thread; Python "
        f"{platform.python_version()}, numpy {np.__version__}, scipy "
        f"{scipy.__version__}, numba {numba.__version__}; {libs}"
    )


def _cell(e, solver, target):
    t = e.get(f"time_{solver}@{target:g}")
    if t is None:
        return "n/a"
    if isinstance(t, str):
        return f"> {e['cap']:g} s" if t == "> cap" else t
    eq = e[f"equiv_{solver}@{target:g}"]
    unit = "/alpha" if e["n_alphas"] > 1 else ""
    return f"{t:.3g} s [{eq:.3g}{unit}]"


def _ratio(e, others, target):
    """How many times faster fastlasso is than the fastest of ``others``."""
    mine = e.get(f"time_fastlasso@{target:g}")
    theirs = [e.get(f"time_{o}@{target:g}") for o in others]
    theirs = [t for t in theirs if t is not None]
    if not theirs or mine is None:
        return "n/a"
    numeric = [t for t in theirs if not isinstance(t, str)]
    if isinstance(mine, str):
        return "fastlasso " + mine if numeric else "none reached"
    if not numeric:  # every other solver capped or never reached the target
        return f"> {e['cap'] / mine:.0f}x"
    return f"{min(numeric) / mine:.2f}x"


def markdown(summary, cold, skipped, args, names, env_line):
    peers = [n for n in names if n != "fastlasso"]
    header = (
        "| problem | n x p | alpha | "
        + " | ".join(names)
        + " | fastlasso vs sklearn | fastlasso vs fastest peer |"
    )
    rule = "|---|---|---|" + "---|" * len(names) + "---|---|"
    singles = [e for e in summary if e["n_alphas"] == 1]
    paths = [e for e in summary if e["n_alphas"] > 1]
    lines = []
    for target in TARGETS:
        if not singles:
            break
        lines += [
            f"**Single fits, relative suboptimality {target:g}**: median time "
            f"[in `X.T @ r`-equivalents]; ratios > 1 mean fastlasso is faster.",
            "",
            header,
            rule,
        ]
        for e in singles:
            kind = "" if e["kind"] == "lasso" else f" ({e['kind']})"
            cells = [_cell(e, n, target) for n in names]
            lines.append(
                f"| {e['problem']}{kind} | {e['n_samples']} x {e['n_features']} | "
                f"{e['alpha']} | " + " | ".join(cells) + " | "
                f"{_ratio(e, ['sklearn'], target)} | "
                f"{_ratio(e, peers, target)} |"
            )
        lines.append("")
    if paths:
        lines += [
            "**Paths** (whole path; every alpha within the target): median time "
            "[`X.T @ r`-equivalents per alpha].",
            "",
            header.replace("| alpha |", "| target |"),
            rule,
        ]
        for e in paths:
            for target in TARGETS:
                cells = [_cell(e, n, target) for n in names]
                lines.append(
                    f"| {e['problem']} | {e['n_samples']} x {e['n_features']} | "
                    f"{target:g} | " + " | ".join(cells) + " | "
                    f"{_ratio(e, ['sklearn'], target)} | "
                    f"{_ratio(e, peers, target)} |"
                )
        lines.append("")
    lines.append(
        "`> N s`: at some tol the fit (path) ran into the cap, `--max-fit-seconds` "
        "(`--max-path-seconds`), before reaching the target; the run stopped there."
        " `not reached`: no tol of the sweep reached the target."
    )
    if skipped:
        lines += ["", "Skipped: " + "; ".join(f"{k}: {v}" for k, v in skipped.items())]
    if cold:
        lines += [
            "",
            "**Cold start**: fresh `python -c` process, import + `Lasso(alpha=0.1)"
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
    start = time.perf_counter()
    workers, skipped = {}, {}
    for name in ALL_SOLVERS:
        if name not in args.solvers:
            continue
        if importlib.util.find_spec(ALL_SOLVERS[name].module.partition(".")[0]) is None:
            if name in REQUIRED:
                raise SystemExit(f"bench: {name} is required but not importable")
            skipped[name] = "not importable (pip install -e '.[bench]')"
            log(f"skipping {name}: {skipped[name]}")
            continue
        w = Worker(name, args.data_dir)
        try:
            w.start()
        except RuntimeError as exc:
            if name in REQUIRED:
                raise
            skipped[name] = f"failed to start ({str(exc).strip().splitlines()[-1]})"
            log(f"skipping {name}: {skipped[name]}")
            continue
        workers[name] = w
    versions = {n: w.version for n, w in workers.items()}
    env_line = environment(versions)  # the commit being measured, before any run
    try:
        sweep_rows, summary = run_benchmark(workers, args)
    finally:
        for w in workers.values():
            w.stop()
    cold = []
    if not args.no_cold_start:
        log("cold start")
        cold = run_cold_start(list(workers), args)
    names = list(workers)
    table = markdown(summary, cold, skipped, args, names, env_line)
    elapsed = time.perf_counter() - start
    print(table)
    if args.out_dir is not None:
        args.out_dir.mkdir(parents=True, exist_ok=True)
        write_csv(args.out_dir / "suboptimality.csv", sweep_rows)
        write_csv(args.out_dir / "summary.csv", summary)
        write_csv(args.out_dir / "cold_start.csv", cold)
        (args.out_dir / "latest.md").write_text(
            table + f"\nRun time: {elapsed:.0f} s in total.\n"
        )
        log(f"results written to {args.out_dir}")
    log(f"total benchmark time {elapsed:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
