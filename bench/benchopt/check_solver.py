"""Run the fastlasso benchopt solver through the installed ``benchopt``.

Usage (from the repository root)::

    python bench/benchopt/check_solver.py            # both benchmarks
    python bench/benchopt/check_solver.py --only lasso

For each local benchmark (``lasso/``, ``logreg_l1/``: objective and simulated
dataset in benchopt's format) the script copies it into a temporary directory
with ``fastlasso.py`` in its ``solvers/`` folder, then

1. runs ``benchopt test`` on it (benchopt's own checks of the objective,
   dataset and solver classes, the stopping criterion and a solver run),
   without the two install tests, which need conda (not available here), and
   with ``-p no:benchmark`` (pytest-benchmark's ``benchmark`` fixture shadows
   benchopt's);
2. runs ``benchopt run`` (tolerance sampling, ``--max-runs``) and checks on the
   saved results that the last point of every curve is within relative
   suboptimality 1e-6 of P* from :func:`fastlasso.reference_solution` on the
   same data.

Exit status 0 when everything passes.
"""

import argparse
import glob
import importlib.util
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
# this folder holds the solver file fastlasso.py: not the fastlasso package
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
BENCHMARKS = ("lasso", "logreg_l1")
DESELECT = "not dataset_install and not (solver_install and not install_api)"


def _load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _p_star(bench, row, data):
    """P* in the benchmark's scaling for one objective configuration."""
    import fastlasso

    X, y = data["X"], data["y"]
    if bench == "lasso":
        fit_intercept = bool(row["p_obj_fit_intercept"])
        yc = y - y.mean() if fit_intercept else y
        lmbd = float(row["p_obj_reg"]) * float(np.max(np.abs(X.T @ yc)))
        n = X.shape[0]
        ref = fastlasso.reference_solution(X, y, lmbd / n, fit_intercept=fit_intercept)
        return n * ref.objective, ref.rel_gap
    lmbd = float(row["p_obj_reg"]) * float(np.max(np.abs(X.T @ y))) / 2.0
    ref = fastlasso.reference_solution(
        X, y, model="logistic", C=1.0 / lmbd, fit_intercept=False
    )
    return lmbd * ref.objective, ref.rel_gap


def check(bench, max_runs, tmp, say):
    work = Path(tmp) / bench
    shutil.copytree(HERE / bench, work)
    (work / "solvers").mkdir(exist_ok=True)
    shutil.copy(HERE / "fastlasso.py", work / "solvers" / "fastlasso.py")
    ok = True
    # benchopt joins the pytest arguments into a shell line: quote the -k one
    cmd = [
        "benchopt", "test", str(work), "-p", "no:benchmark", "-q",
        "-k", f"'{DESELECT}'",
    ]  # fmt: skip
    say(" ".join(cmd))
    res = subprocess.run(cmd, capture_output=True, text=True)
    tail = [line for line in res.stdout.splitlines() if line.strip()][-3:]
    say(f"benchopt test {bench}: exit {res.returncode}: " + " / ".join(tail))
    ok &= res.returncode == 0
    cmd = [
        "benchopt", "run", str(work), "-s", "fastlasso", "-d", "simulated",
        "-n", str(max_runs), "-r", "1", "--timeout", "120",
        "--no-plot", "--no-html",
    ]  # fmt: skip
    say(" ".join(cmd))
    res = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp)
    if res.returncode != 0:
        say(f"benchopt run {bench} failed:\n{res.stdout[-2000:]}{res.stderr[-2000:]}")
        return False
    import pandas as pd

    df = pd.read_parquet(sorted(glob.glob(str(work / "outputs" / "*.parquet")))[-1])
    dataset = _load(work / "datasets" / "simulated.py", f"{bench}_simulated")
    for objective, runs in df.groupby("objective_name"):
        runs = runs.sort_values("stop_val", ascending=False)
        params = {
            c[len("p_dataset_") :]: runs.iloc[0][c]
            for c in runs.columns
            if c.startswith("p_dataset_")
        }
        params = {k: (int(v) if float(v).is_integer() else float(v))
                  for k, v in params.items()}  # fmt: skip
        data = dataset.Dataset.get_instance(**params).get_data()
        p_star, ref_gap = _p_star(bench, runs.iloc[0], data)
        last = runs.iloc[-1]
        subopt = (float(last["objective_value"]) - p_star) / p_star
        good = subopt <= 1e-6
        ok &= good
        say(
            f"  {objective}: {len(runs)} points, tol {runs['stop_val'].iloc[1]:.2g}"
            f" .. {last['stop_val']:.2g}, last time {last['time'] * 1e3:.2f} ms, "
            f"suboptimality {subopt:.1e} (P* {p_star:.10g}, ref. rel gap "
            f"{ref_gap:.0e}) {'ok' if good else 'NOT REACHED'}"
        )
    return ok


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=BENCHMARKS)
    parser.add_argument("--max-runs", type=int, default=40)
    args = parser.parse_args(argv)
    import benchopt

    def say(msg):
        print(msg, flush=True)

    say(f"benchopt {benchopt.__version__}")
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for bench in (args.only,) if args.only else BENCHMARKS:
            ok &= check(bench, args.max_runs, tmp, say)
    say("all checks passed" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
