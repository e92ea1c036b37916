"""Time LassoCV (5 folds, 100 alphas) on leukemia and riboflavin: fastlasso vs sklearn.

Both run in this process on the same data with the same folds (``KFold(5)``, the
default ``cv``) and default ``tol``; fastlasso is warmed up first (one small fit per
data layout, so Numba compilation or cache loading is not timed). Each timing is the
best of ``--repeat`` runs. The table also says whether both chose the same
``alpha_`` and the largest relative difference of ``mse_path_``.

    python bench/cv_compare.py [--data-dir DIR] [--repeat 3] [--n-jobs 1]
"""

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from problems import default_data_dir, load_leukemia, load_riboflavin  # noqa: E402


def best_time(make, X, y, repeat):
    best, model = np.inf, None
    for _ in range(repeat):
        est = make()
        t0 = time.perf_counter()
        est.fit(X, y)
        best = min(best, time.perf_counter() - t0)
        model = est
    return best, model


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--n-jobs", type=int, default=1)
    args = parser.parse_args(argv)
    data_dir = Path(args.data_dir) if args.data_dir else default_data_dir()

    import sklearn
    import sklearn.linear_model as sk

    import fastlasso
    from fastlasso import LassoCV

    warnings.simplefilter("ignore")  # ConvergenceWarnings of both libraries
    rng = np.random.RandomState(0)
    LassoCV(alphas=5, cv=2).fit(np.asfortranarray(rng.randn(20, 30)), rng.randn(20))

    kw = dict(alphas=100, cv=5, n_jobs=args.n_jobs)
    rows = []
    for name, load in [("leukemia", load_leukemia), ("riboflavin", load_riboflavin)]:
        X, y = load(data_dir)
        X = np.asfortranarray(X)
        t_fl, fl = best_time(lambda: LassoCV(**kw), X, y, args.repeat)
        t_sk, skm = best_time(lambda: sk.LassoCV(**kw), X, y, args.repeat)
        rel = np.max(np.abs(fl.mse_path_ - skm.mse_path_) / skm.mse_path_)
        rows.append(
            (name, X.shape, t_fl, t_sk, t_sk / t_fl, fl.alpha_ == skm.alpha_, rel)
        )

    print(
        f"LassoCV, 5 folds x 100 alphas, tol=1e-4, n_jobs={args.n_jobs}; "
        f"fastlasso {fastlasso.__version__}, scikit-learn {sklearn.__version__}, "
        f"{os.cpu_count()} CPUs; best of {args.repeat}"
    )
    print(
        f"{'data':<11} {'n x p':>11} {'fastlasso s':>12} {'sklearn s':>10} "
        f"{'speed-up':>9} {'same alpha_':>12} {'max rel mse diff':>17}"
    )
    for name, shape, t_fl, t_sk, speedup, same, rel in rows:
        print(
            f"{name:<11} {f'{shape[0]}x{shape[1]}':>11} {t_fl:>12.3f} {t_sk:>10.3f} "
            f"{speedup:>8.1f}x {str(same):>12} {rel:>17.1e}"
        )


if __name__ == "__main__":
    main()
