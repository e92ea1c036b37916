"""Ridge path vs looping scikit-learn's Ridge, and FISTA vs CD, in one process.

Usage (from the repository root)::

    PYTHONPATH=. python bench/ridge_compare.py [--repeat 3]

Part 1: ``fastlasso.ridge_path`` over 100 alphas (geometric, 1e-3..1e3 times
``||Z||_2^2``) against a Python loop of ``sklearn.linear_model.Ridge(alpha).fit``
(its default solver, 'auto' = cholesky for dense X), on leukemia and riboflavin
(raw, as shipped in /work/shared/data). Both fit an intercept. Reported: wall
time (best of ``--repeat``) and the largest coefficient difference relative to
max |coef| over the path.

Part 2: ``solver='fista'`` vs ``solver='cd'`` (fastlasso's default CD, working
sets + Anderson) at the same ``tol`` (same duality-gap certificate) on a few
problems: time and iterations (CD: epochs; FISTA: iterations of two passes).
Kernels are compiled before timing.
"""

import argparse
import os
import time
from functools import partial

import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn import linear_model as skl

import fastlasso
from fastlasso import ElasticNet, Lasso, Ridge, ridge_path

DATA = os.environ.get("FASTLASSO_DATA", "/work/shared/data")


def load(name):
    if name in ("news20", "we8there"):
        X = sp.load_npz(os.path.join(DATA, f"{name}_X.npz")).tocsc()
        y = np.load(os.path.join(DATA, f"{name}_y.npy"))
        return X, y
    d = np.load(os.path.join(DATA, f"{name}.npz"))
    return np.asfortranarray(d["X"]), d["y"]


def best_of(fn, repeat):
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def part1(repeat):
    rows = []
    for name in ("leukemia", "riboflavin"):
        X, y = load(name)
        Xc = X - X.mean(axis=0)
        top = np.linalg.norm(Xc, 2) ** 2
        alphas = top * np.geomspace(1e3, 1e-3, 100)

        def ours(X=X, y=y, alphas=alphas):
            return ridge_path(X, y, alphas)

        def theirs(X=X, y=y, alphas=alphas):
            return np.stack([skl.Ridge(alpha=a).fit(X, y).coef_ for a in alphas], 1)

        t_ours, c_ours = best_of(ours, repeat)
        t_sk, c_sk = best_of(theirs, repeat)
        err = np.abs(c_ours - c_sk).max() / np.abs(c_sk).max()
        rows.append((name, X.shape, t_sk, t_ours, t_sk / t_ours, err))
    print(f"\n## ridge_path, 100 alphas, fit_intercept=True (best of {repeat})\n")
    print(
        "| data | n x p | sklearn loop (s) | fastlasso ridge_path (s) | speed-up "
        "| max rel. coef diff |"
    )
    print("|---|---|---|---|---|---|")
    for name, shape, t_sk, t_o, su, err in rows:
        print(
            f"| {name} | {shape[0]} x {shape[1]} | {t_sk:.3f} | {t_o:.4f} "
            f"| {su:.0f}x | {err:.1e} |"
        )


def _fit(Est, solver, kw, X, y):
    return Est(solver=solver, **kw).fit(X, y)


def part2(repeat):
    problems = []
    for name in ("leukemia", "riboflavin"):
        X, y = load(name)
        Xc = X - X.mean(axis=0)
        amax = np.abs(Xc.T @ (y - y.mean())).max() / len(y)
        problems.append((f"{name} Lasso a=amax/10", X, y, Lasso, dict(alpha=amax / 10)))
        problems.append(
            (
                f"{name} ENet(0.5) a=amax/10",
                X,
                y,
                ElasticNet,
                dict(alpha=amax / 5, l1_ratio=0.5),
            )
        )
    X, y = load("we8there")
    amax = np.abs(X.T @ (y - y.mean())).max() / len(y)  # = |Z^T y_c|_inf / n
    problems.append(
        ("we8there (sparse) Lasso a=amax/20", X, y, Lasso, dict(alpha=amax / 20))
    )
    X, y = load("cadata")
    X = np.asfortranarray((X - X.mean(0)) / X.std(0))
    problems.append(("cadata (std) Ridge a=1", X, y, Ridge, dict(alpha=1.0)))
    rng = np.random.RandomState(0)
    Xs = np.asfortranarray(rng.randn(2000, 500))
    ys = Xs[:, :20] @ rng.randn(20) + rng.randn(2000)
    problems.append(
        ("synthetic 2000x500 iid Ridge a=10", Xs, ys, Ridge, dict(alpha=10.0))
    )
    problems.append(
        ("synthetic 2000x500 iid Lasso a=0.05", Xs, ys, Lasso, dict(alpha=0.05))
    )

    # compile both solvers on every layout/dtype used below
    for Est in (Lasso, Ridge):
        for Xw in (Xs[:50, :20], sp.csc_matrix(Xs[:50, :20])):
            for solver in ("cd", "fista"):
                Est(solver=solver).fit(Xw, ys[:50])

    print(f"\n## FISTA vs CD at the same certificate (best of {repeat})\n")
    print(
        "| problem | tol | CD (s) | CD epochs | FISTA (s) | FISTA iters "
        "| FISTA/CD time | max rel. coef diff |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for label, X, y, Est, kw in problems:
        for tol in (1e-4, 1e-8):
            extra = dict(tol=tol, max_iter=200_000)
            t_cd, m_cd = best_of(
                partial(_fit, Est, "cd", {**kw, **extra}, X, y), repeat
            )
            t_fi, m_fi = best_of(
                partial(_fit, Est, "fista", {**kw, **extra}, X, y), repeat
            )
            err = np.abs(m_cd.coef_ - m_fi.coef_).max() / max(
                np.abs(m_cd.coef_).max(), 1e-300
            )
            print(
                f"| {label} | {tol:.0e} | {t_cd:.4f} | {np.ravel(m_cd.n_iter_)[0]} "
                f"| {t_fi:.4f} | {np.ravel(m_fi.n_iter_)[0]} | {t_fi / t_cd:.2f} "
                f"| {err:.1e} |"
            )


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--part", choices=["1", "2", "all"], default="all")
    args = ap.parse_args()
    print(
        f"fastlasso {fastlasso.__version__}, scikit-learn {sklearn.__version__}, "
        f"numpy {np.__version__}, {os.cpu_count()} CPUs, "
        f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}"
    )
    if args.part in ("1", "all"):
        part1(args.repeat)
    if args.part in ("2", "all"):
        part2(args.repeat)


if __name__ == "__main__":
    main()
