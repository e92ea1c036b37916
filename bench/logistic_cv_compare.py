"""LogisticRegressionCV on leukemia: fastlasso vs scikit-learn, same folds, same grid.

Issue 12's bar: an L1 ``LogisticRegressionCV`` on leukemia (5 folds, 100 Cs) at
least 10x scikit-learn's, with the same ``C_``. Run from the repository root::

    python bench/logistic_cv_compare.py            # ~5-15 min on 2 cores
    python bench/logistic_cv_compare.py --quick    # 20 Cs, scikit-learn saga skipped
    python bench/logistic_cv_compare.py --standardize --saga-max-iter 100 300

Every estimator gets the same arguments: ``Cs`` (an int: scikit-learn's
``logspace(-4, 4, Cs)``), ``cv=StratifiedKFold(5)`` (unshuffled, so the folds are
identical), ``l1_ratios=[1.0]``, ``scoring="neg_log_loss"`` (a continuous score,
so ``C_`` is not decided by ties of accuracy), ``n_jobs=1``, one BLAS thread.
scikit-learn is timed with ``solver="liblinear"`` (which penalises the intercept:
another objective, so its ``C_`` may legitimately differ) and ``solver="saga"``
(scikit-learn's objective, fastlasso's) at its default ``tol`` / ``max_iter`` and
at ``max_iter`` raised until its ``C_`` stops changing (``--saga-max-iter``).
Reported: median wall time of ``--repeats`` fits (1 for fits over 20 s), ``C_``,
the grid index of ``C_``, the best mean CV score and the number of
ConvergenceWarnings of the last fit.
"""

from __future__ import annotations

import argparse
import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def _leukemia(standardize=False):
    from fastlasso.datasets import load_leukemia

    data = load_leukemia()
    X, y = data.data, data.target
    if standardize:
        X = (X - X.mean(axis=0)) / X.std(axis=0)
    return np.asfortranarray(X, dtype=np.float64), (np.asarray(y) > 0).astype(int)


def _estimator(lib, Cs, solver, max_iter):
    from sklearn.model_selection import StratifiedKFold

    if lib == "fastlasso":
        from fastlasso import LogisticRegressionCV
    else:
        from sklearn.linear_model import LogisticRegressionCV
    return LogisticRegressionCV(
        Cs=Cs,
        l1_ratios=[1.0],
        cv=StratifiedKFold(5),
        scoring="neg_log_loss",
        solver=solver,
        max_iter=max_iter,
        n_jobs=1,
        use_legacy_attributes=False,
    )


def _run(lib, X, y, Cs, solver, max_iter, repeats):
    times, n_warn = [], 0
    for _ in range(repeats):
        est = _estimator(lib, Cs, solver, max_iter)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            t0 = time.perf_counter()
            est.fit(X, y)
            times.append(time.perf_counter() - t0)
        n_warn = sum("converge" in str(w.message).lower() for w in caught)
        if times[-1] > 20:
            break
    C = float(np.ravel(est.C_)[0])
    k = int(np.argmin(np.abs(np.asarray(est.Cs_) - C)))
    scores = est.scores_[1] if isinstance(est.scores_, dict) else est.scores_
    scores = np.asarray(scores)
    best = float(np.max(scores.reshape(5, -1).mean(axis=0)))
    return statistics.median(times), C, k, best, n_warn


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--Cs", type=int, default=100)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--saga-max-iter", type=int, nargs="*", default=[100, 1000])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--standardize", action="store_true", help="centre and scale X")
    args = ap.parse_args(argv)
    if args.quick:
        args.Cs, args.saga_max_iter, args.repeats = 20, [], 1
    X, y = _leukemia(args.standardize)
    runs = [("fastlasso", "saga", 100), ("sklearn", "liblinear", 100)]
    runs += [("sklearn", "saga", m) for m in args.saga_max_iter]
    _run("fastlasso", X, y, 5, "saga", 100, 1)  # compile / load kernels, untimed
    rows = []
    for lib, solver, max_iter in runs:
        res = _run(lib, X, y, args.Cs, solver, max_iter, args.repeats)
        rows.append((lib, solver, max_iter, *res))
        print(
            f"  {lib} {solver} max_iter={max_iter}: {res[0]:.3f} s, C_={res[1]:.4g}",
            file=sys.stderr,
            flush=True,
        )
    t_fl = rows[0][3]
    kind = "standardized" if args.standardize else "raw"
    print(
        f"**LogisticRegressionCV, leukemia {X.shape[0]} x {X.shape[1]} ({kind}), "
        f"L1, {args.Cs} Cs, StratifiedKFold(5), neg_log_loss, n_jobs=1, 1 thread**\n"
    )
    print(
        "| library | solver | max_iter | time (median) | C_ | grid index | best mean "
        "score | conv. warnings | fastlasso speed-up |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for lib, solver, max_iter, t, C, k, best, n_warn in rows:
        print(
            f"| {lib} | {solver} | {max_iter} | {t:.3g} s | {C:.4g} | {k} | "
            f"{best:.5f} | {n_warn} | {t / t_fl:.1f}x |"
        )
    import sklearn

    import fastlasso

    print(
        f"\nEnvironment: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs, load average "
        f"{os.getloadavg()[0]:.1f}; fastlasso {fastlasso.__version__}, "
        f"scikit-learn {sklearn.__version__}."
    )


if __name__ == "__main__":
    main()
