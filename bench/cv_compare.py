"""Time LassoCV (5 folds, 100 alphas) on leukemia and riboflavin: fastlasso vs
scikit-learn and the peers' CV estimators (celer, skglm).

Same run, same machine, one estimator at a time. Every library gets

* the same data: leukemia (72 x 7129, raw expression values, y = +1 for AML,
  -1 for ALL, as ``fastlasso.datasets.load_leukemia``) and riboflavin (71 x 4088,
  y as distributed), both from the shared data directory, float64 Fortran-ordered;
* the same 5 contiguous folds: one ``KFold(5)`` (no shuffling) object passed as
  ``cv``;
* the same 100 alphas: fastlasso's ``alphas_`` from ``LassoCV(alphas=100)`` (the
  ``alpha_max * geomspace(1, 1e-3, 100)`` grid of scikit-learn), computed once per
  dataset and passed to every estimator as an explicit array;
* ``fit_intercept=True``, ``n_jobs=1``, and OMP/MKL/OPENBLAS/NUMBA_NUM_THREADS=1
  (set before numpy is imported, inherited by the workers);
* each library's default ``tol`` (row "default"), then ``tol=1e-8`` for all
  (row "1e-8"). The meaning of ``tol`` differs between libraries (scikit-learn,
  fastlasso and celer scale a duality-gap bound by ``||y||^2 / n``; skglm's
  ``AndersonCD`` bounds the violation of the optimality conditions), so equal
  ``tol`` is not equal accuracy: the table shows the chosen ``alpha_``, the CV
  MSE and the largest difference of the CV-MSE curve from scikit-learn's at
  ``tol=1e-8`` so accuracy can be judged alongside time.

Peers:

* celer 0.7.4: ``celer.LassoCV`` (scikit-learn's ``LinearModelCV.fit`` with
  celer's path solver), given the same ``cv`` object and ``alphas``. Its
  ``__init__`` does not work with scikit-learn 1.9 (it passes the removed
  ``n_alphas``: TypeError), so it is used through a subclass that only replaces
  ``__init__`` (``celer_lasso_cv``); fitting code and defaults are celer's.
* skglm 0.5 has no ``LassoCV``; its CV estimator is
  ``skglm.GeneralizedLinearEstimatorCV`` (used here with ``Quadratic()``, ``L1``
  and ``AndersonCD(fit_intercept=True, warm_start=True)``). It accepts only an
  integer ``cv`` and builds ``KFold(cv, shuffle=True, random_state=...)`` itself,
  re-created at every alpha (with ``random_state=None`` the folds even change
  from one alpha to the next). To give it the same contiguous folds as everyone
  else, this script replaces ``skglm.cv.KFold`` (in this process only) with a
  factory returning ``KFold(5)`` without shuffling. ``warm_start=True`` is not
  skglm's default but makes its CV loop warm-start each fold from the previous
  alpha, as every other library does (without it every one of the 500 fits
  starts from zero).

Each (library, dataset, tol) runs in its own worker process (so a run that is
too long can be stopped): one untimed warm-up fit of the same estimator on the
same data and folds with the first 3 alphas of the grid (Numba compilation or
cache loading), then ``--repeat`` (>= 3) timed ``fit(X, y)`` calls (wall time,
including input validation and the final refit on all data); the table gives
the median. A worker that exceeds ``--max-seconds`` is killed; its time is then
reported as ``> t s`` (t = how long the unfinished fit had run) or as the median
of the fits completed by then (marked ``n=k``).

    python bench/cv_compare.py [--data-dir DIR] [--repeat 3] [--max-seconds 60]
        [--libs fastlasso,sklearn,celer,skglm] [--out bench/results/cv_compare.md]
"""

import os

for _var in (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "NUMBA_NUM_THREADS",
):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from datetime import datetime, timezone  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from problems import default_data_dir  # noqa: E402

LIBS = ("fastlasso", "sklearn", "celer", "skglm")
DATASETS = ("leukemia", "riboflavin")
TOLS = (("default", None), ("1e-8", 1e-8))
N_FOLDS = 5
N_ALPHAS = 100

SKGLM_NO_LASSOCV = (
    "skglm 0.5 has no `LassoCV`; its CV estimator is "
    "`GeneralizedLinearEstimatorCV(Quadratic(), L1(alpha), AndersonCD(...))`, "
    "timed here with the same folds (its internal shuffled `KFold` replaced by "
    "`KFold(5)`) and `warm_start=True`"
)


# --------------------------------------------------------------------------- data
def load_dataset(name, data_dir):
    with np.load(Path(data_dir) / f"{name}.npz") as d:
        X, y = d["X"], d["y"]
    if name == "leukemia":
        y = np.where(y == 1, 1.0, -1.0)  # AML = +1, ALL = -1 (fastlasso.datasets)
    return np.asfortranarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)


def make_cv():
    from sklearn.model_selection import KFold

    return KFold(N_FOLDS)  # contiguous folds, no shuffling


# ------------------------------------------------------------------------- worker
def make_estimator(lib, alphas, tol):
    """The library's CV estimator with the common settings (tol None = default)."""
    cv = make_cv()
    tol_kw = {} if tol is None else {"tol": tol}
    if lib == "fastlasso":
        from fastlasso import LassoCV

        return LassoCV(alphas=alphas, cv=cv, fit_intercept=True, n_jobs=1, **tol_kw)
    if lib == "sklearn":
        from sklearn.linear_model import LassoCV

        return LassoCV(alphas=alphas, cv=cv, fit_intercept=True, n_jobs=1, **tol_kw)
    if lib == "celer":
        return celer_lasso_cv()(
            alphas=alphas, cv=cv, fit_intercept=True, n_jobs=1, **tol_kw
        )
    if lib == "skglm":
        import skglm.cv
        from skglm import GeneralizedLinearEstimatorCV
        from skglm.datafits import Quadratic
        from skglm.penalties import L1
        from skglm.solvers import AndersonCD
        from sklearn.model_selection import KFold

        def same_folds(n_splits, shuffle=False, random_state=None):
            return KFold(n_splits)  # the common contiguous folds

        skglm.cv.KFold = same_folds
        solver = AndersonCD(fit_intercept=True, warm_start=True, **tol_kw)
        return GeneralizedLinearEstimatorCV(
            Quadratic(), L1(alpha=1.0), solver, alphas=alphas, cv=N_FOLDS, n_jobs=1
        )
    raise ValueError(lib)


def celer_lasso_cv():
    """``celer.LassoCV`` with an ``__init__`` that scikit-learn 1.9 accepts.

    celer 0.7.4's ``LassoCV.__init__`` passes ``n_alphas`` to scikit-learn's
    ``LinearModelCV.__init__``, which scikit-learn 1.9 no longer has (TypeError).
    This subclass only replaces ``__init__`` (same parameters and defaults as
    celer's, minus ``n_alphas``, plus ``copy_X``); ``fit`` is scikit-learn's
    ``LinearModelCV.fit`` and the solver is celer's ``path`` (``celer_path``).
    """
    from celer import LassoCV
    from sklearn.linear_model._coordinate_descent import LinearModelCV

    class CelerLassoCV(LassoCV):
        def __init__(
            self,
            eps=1e-3,
            alphas=100,
            fit_intercept=True,
            max_iter=100,
            tol=1e-4,
            cv=None,
            verbose=0,
            max_epochs=50000,
            p0=10,
            prune=True,
            precompute="auto",
            positive=False,
            n_jobs=None,
            copy_X=True,
        ):
            LinearModelCV.__init__(
                self,
                eps=eps,
                alphas=alphas,
                fit_intercept=fit_intercept,
                precompute=precompute,
                max_iter=max_iter,
                tol=tol,
                copy_X=copy_X,
                cv=cv,
                verbose=verbose,
                n_jobs=n_jobs,
                positive=positive,
            )
            self.max_epochs = max_epochs
            self.p0 = p0
            self.prune = prune

    return CelerLassoCV


def cv_curve(lib, est):
    """(alphas in grid order, mean CV MSE per alpha) of a fitted estimator."""
    if lib == "skglm":
        return np.asarray(est.alphas_), -np.asarray(est.scores_path_).mean(axis=-1)
    return np.asarray(est.alphas_), np.asarray(est.mse_path_).mean(axis=1)


def lib_version(lib):
    mod = {"sklearn": "sklearn"}.get(lib, lib)
    return __import__(mod).__version__


def worker(args):
    def emit(**kw):
        print(json.dumps(kw), flush=True)

    with np.load(args.worker_data) as d:
        X, y, alphas = np.asfortranarray(d["X"]), d["y"], d["alphas"]
    tol = None if args.worker_tol == "default" else float(args.worker_tol)
    lib = args.worker_lib
    warnings.simplefilter("ignore")

    warm = make_estimator(lib, alphas[:3], tol)
    t0 = time.perf_counter()
    warm.fit(X, y)
    emit(event="warm", seconds=time.perf_counter() - t0, version=lib_version(lib))

    for _ in range(args.repeat):
        est = make_estimator(lib, alphas, tol)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            t0 = time.perf_counter()
            est.fit(X, y)
            seconds = time.perf_counter() - t0
        n_conv = sum("onvergence" in type(w.message).__name__ for w in caught)
        grid, mse = cv_curve(lib, est)
        assert np.allclose(grid, alphas, rtol=1e-12, atol=0), "grid changed"
        i = int(np.argmin(np.abs(grid - est.alpha_)))
        emit(
            event="fit",
            seconds=seconds,
            alpha=float(est.alpha_),
            alpha_index=i,
            mse_at_alpha=float(mse[i]),
            mse_curve=mse.tolist(),
            n_convergence_warnings=n_conv,
        )


# ------------------------------------------------------------------------- parent
def run_worker(lib, data_file, tol_name, repeat, max_seconds):
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker-lib",
        lib,
        "--worker-data",
        str(data_file),
        "--worker-tol",
        tol_name,
        "--repeat",
        str(repeat),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    events, t_last = [], [time.perf_counter()]

    def reader():
        for line in proc.stdout:
            if line.startswith("{"):
                events.append(json.loads(line))
                t_last[0] = time.perf_counter()

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    try:
        proc.wait(timeout=max_seconds)
        killed = False
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        killed = True
    thread.join(timeout=5)
    running = time.perf_counter() - t_last[0]
    failed = not killed and proc.returncode != 0
    return events, killed or failed, running, failed


def fmt_s(t):
    return f"{t:.3g} s"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--max-seconds", type=float, default=60.0)
    parser.add_argument("--libs", default=",".join(LIBS))
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--tols", default="default,1e-8")
    parser.add_argument("--out", default=str(HERE / "results" / "cv_compare.md"))
    parser.add_argument("--worker-lib", help=argparse.SUPPRESS)
    parser.add_argument("--worker-data", help=argparse.SUPPRESS)
    parser.add_argument("--worker-tol", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker_lib:
        return worker(args)
    if args.repeat < 3:
        parser.error("--repeat must be at least 3 (the table gives a median)")

    data_dir = Path(args.data_dir) if args.data_dir else default_data_dir()
    libs = [lib for lib in args.libs.split(",") if lib]
    tols = [(n, t) for n, t in TOLS if n in args.tols.split(",")]
    t_start = time.perf_counter()

    from fastlasso import LassoCV

    tmp = Path(tempfile.mkdtemp(prefix="cv_compare_"))
    rows, versions = [], {}
    for name in args.datasets.split(","):
        X, y = load_dataset(name, data_dir)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            alphas = LassoCV(alphas=N_ALPHAS, cv=make_cv(), n_jobs=1).fit(X, y).alphas_
        alphas = np.array(alphas, dtype=np.float64)
        data_file = tmp / f"{name}.npz"
        np.savez(data_file, X=X, y=y, alphas=alphas)
        for tol_name, _ in tols:
            results = {}
            for lib in libs:
                events, killed, running, failed = run_worker(
                    lib, data_file, tol_name, args.repeat, args.max_seconds
                )
                fits = [e for e in events if e["event"] == "fit"]
                for e in events:
                    if e["event"] == "warm":
                        versions[lib] = e["version"]
                results[lib] = dict(
                    fits=fits, killed=killed, running=running, failed=failed
                )
                msg = "FAILED" if failed else "killed" if killed else "done"
                print(
                    f"  {name} tol={tol_name} {lib}: {len(fits)} fits, {msg}",
                    file=sys.stderr,
                    flush=True,
                )
            rows.append((name, X.shape, tol_name, results))

    lines = render(rows, libs, versions, args, t_start)
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text)
        print(f"written to {args.out}", file=sys.stderr)


def render(rows, libs, versions, args, t_start):
    def summary(res):
        fits = res["fits"]
        if res["failed"]:
            return None, "failed (error in the worker, see its stderr)"
        if not fits:
            return None, f"> {res['running']:.0f} s (killed)"
        t = float(np.median([f["seconds"] for f in fits]))
        note = f" (n={len(fits)})" if len(fits) < args.repeat else ""
        return t, fmt_s(t) + note

    # scikit-learn's CV-MSE curve at tol=1e-8 as the reference for accuracy
    ref = {}
    for name, _, tol_name, results in rows:
        fits = results.get("sklearn", {}).get("fits")
        if tol_name == "1e-8" and fits:
            ref[name] = np.array(fits[-1]["mse_curve"])

    head = "| data | n x p | tol | library | time (median) | alpha_ (grid index) |"
    head += " CV MSE at alpha_ | max rel. diff of CV-MSE curve vs sklearn tol=1e-8 |"
    head += " fastlasso speed-up |"
    lines = [
        "**LassoCV, 5 contiguous folds (`KFold(5)`), the same 100 alphas, "
        "`fit_intercept=True`, n_jobs=1, 1 thread**: median wall time of "
        f"{args.repeat} `fit(X, y)` calls after one untimed warm-up; "
        "speed-up > 1 means fastlasso is faster.",
        "",
        head,
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, shape, tol_name, results in rows:
        t_fl = summary(results["fastlasso"])[0] if "fastlasso" in results else None
        for lib in libs:
            res = results[lib]
            t, t_str = summary(res)
            if res["fits"]:
                f = res["fits"][-1]
                alpha = f"{f['alpha']:.4g} ({f['alpha_index']})"
                mse = f"{f['mse_at_alpha']:.5g}"
                if name in ref:
                    curve = np.array(f["mse_curve"])
                    diff = f"{np.max(np.abs(curve - ref[name]) / ref[name]):.1e}"
                else:
                    diff = "n/a"
                if f["n_convergence_warnings"]:
                    mse += f" ({f['n_convergence_warnings']} conv. warnings)"
            else:
                alpha = mse = diff = "n/a"
            if lib == "fastlasso":
                speed = "1"
            elif t_fl is None:
                speed = "n/a"
            elif t is None and res["failed"]:
                speed = "n/a"
            elif t is None:
                speed = f"> {res['running'] / t_fl:.0f}x"
            else:
                speed = f"{t / t_fl:.1f}x"
            tol_str = tol_name if tol_name != "default" else "default (1e-4)"
            lines.append(
                f"| {name} | {shape[0]} x {shape[1]} | {tol_str} | {lib} | {t_str} "
                f"| {alpha} | {mse} | {diff} | {speed} |"
            )
    lines += [
        "",
        "skglm: " + SKGLM_NO_LASSOCV + ". celer: `celer.LassoCV`, through a "
        "subclass that only replaces its `__init__` (which raises TypeError "
        "under scikit-learn 1.9). "
        "Every library's default `tol` is 1e-4, but the libraries define `tol` "
        "differently (see `bench/cv_compare.py`); the CV-MSE curve column shows how "
        "far each fit's curve is from scikit-learn's at `tol=1e-8`. "
        "`conv. warnings`: ConvergenceWarnings raised in the last timed fit "
        "(each library's default `max_iter`).",
        "",
        f"Environment: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, "
        f"commit {git_commit()}, {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs, 1 thread; Python {platform.python_version()}, "
        f"numpy {np.__version__}; "
        + ", ".join(f"{lib} {versions.get(lib, '?')}" for lib in libs)
        + f". Run time {time.perf_counter() - t_start:.0f} s.",
    ]
    return lines


def git_commit():
    try:
        out = subprocess.run(
            ["git", "-C", str(HERE), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        )
        dirty = subprocess.run(
            ["git", "-C", str(HERE.parent), "status", "--porcelain", "--", "."],
            capture_output=True,
            text=True,
        ).stdout.split("\n")
        files = sorted({ln[3:].split("/")[0] for ln in dirty if ln.strip()})
        note = f" + uncommitted changes in {', '.join(files)}" if files else ""
        return out.stdout.strip() + note
    except Exception:
        return "?"


if __name__ == "__main__":
    main()
