"""How far the multi-task duality gap lags the primal suboptimality.

On the problem of ``bench/multitask_compare.py`` (n = 200, p = 10000, 20 tasks),
warm-start one alpha of the 100-alpha path (alpha_max to alpha_max / 100) from
the previous alpha's solution and print, after ``e`` epochs (runs with
``max_iter = e``, which follow the same deterministic iterates), the relative
suboptimality ``(P - P*) / P*`` next to the relative duality gap ``gap / P*``
that the stopping rule sees, and where the dual point's infeasibility
``max_j ||X_j^T r|| / (n alpha) - 1`` comes from (rows inside or outside the
support). ``P*`` is a fastlasso run at tol = 1e-13.

Usage: ``python bench/multitask_certificate.py [--alpha-index 90]``.
"""

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
from multitask_compare import make_problem, objective  # noqa: E402

import fastlasso  # noqa: E402

EPOCHS = (1, 3, 5, 8, 12, 16, 20, 30, 40, 50, 60)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--alpha-index", type=int, default=90)
    k = ap.parse_args().alpha_index
    X, Y = make_problem()
    n = X.shape[0]
    alpha_max = np.sqrt(np.max(np.sum((X.T @ Y) ** 2, axis=1))) / n
    alphas = np.geomspace(alpha_max, alpha_max / 100, 100)
    a = alphas[k]
    warnings.simplefilter("ignore")
    _, c, _ = fastlasso.lasso_path(X, Y, alphas=alphas[:k], tol=1e-8, max_iter=10**5)
    W0 = c[:, :, -1]
    _, ref, _ = fastlasso.lasso_path(
        X, Y, alphas=[a], coef_init=W0, tol=1e-13, max_iter=10**6
    )
    P_star = objective(X, Y, ref[:, :, 0], a)
    print(f"alpha_max / {alpha_max / a:.1f}: P* = {P_star:.6g}, non-zero rows "
          f"{np.count_nonzero(np.abs(W0).sum(0))} (start) "
          f"{np.count_nonzero(np.abs(ref[:, :, 0]).sum(0))} (optimum)")  # fmt: skip
    print("epochs  (P-P*)/P*   gap/P*   infeasibility: in support / outside")
    for e in EPOCHS:
        _, ce, ge, it = fastlasso.lasso_path(
            X, Y, alphas=[a], coef_init=W0, tol=1e-12, max_iter=e, return_n_iter=True
        )
        W = ce[:, :, 0]
        norms = np.linalg.norm(X.T @ (Y - X @ W.T), axis=1) / (n * a) - 1.0
        supp = np.abs(W).sum(0) > 0
        sub = (objective(X, Y, W, a) - P_star) / P_star
        print(f"{it[0]:6d}  {sub:9.1e}  {ge[0] / P_star:8.1e}   "
              f"{norms[supp].max():+.1e} / {norms[~supp].max():+.1e}")  # fmt: skip


if __name__ == "__main__":
    main()
