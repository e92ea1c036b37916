"""Choosing alpha (and l1_ratio) from cross-validated MSE curves, and the
per-path seeds of a CV fit.

One rule for every CV estimator (in memory, multi-task, dask): the minimum of
the mean curve over the folds, ties resolved to the largest alpha, the best
l1_ratio by that minimum, and glmnet's one-standard-error alpha on the chosen
curve. No estimator imports here, so any of them can use it.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["TIE_RTOL", "first_min", "path_seeds", "select_alpha"]

#: Relative tolerance of a tie between two points of a CV curve. Neighbouring
#: alphas near the top of the path (or past saturation) give the same
#: coefficients (up to rounding), so the curve has flat stretches whose values
#: differ only in the last bits; which of them is "smallest" then depends on the
#: summation order, e.g. on whether a sample of weight 2 is stored once or twice.
TIE_RTOL = 1e-12


def first_min(curve):
    """Index of the largest alpha (first entry) whose MSE ties with the minimum.

    Exact ties resolve as ``np.argmin`` (and scikit-learn) do, to the first
    entry; values within ``TIE_RTOL`` of the minimum count as ties too. A NaN
    minimum (``np.argmin``'s choice) is returned as is.
    """
    i = int(np.argmin(curve))
    low = curve[i]
    if not np.isfinite(low):
        return i
    return int(np.flatnonzero(curve <= low + TIE_RTOL * abs(low))[0])


def select_alpha(est, mse_paths, alphas, l1_ratios):
    """Set ``est``'s ``mse_path_``, ``mse_se_``, ``alpha_min_``, ``alpha_1se_``,
    ``alpha_`` (by ``est.alpha_rule``), ``l1_ratio_`` and ``alphas_``.

    Parameters
    ----------
    mse_paths : array of shape (n_l1_ratio, n_folds, n_alphas)
    alphas : sequence of n_l1_ratio grids (decreasing)
    l1_ratios : sequence of n_l1_ratio floats

    Returns
    -------
    k_best : int
        Index of the chosen l1_ratio.
    """
    mse_paths = np.asarray(mse_paths)
    n_l1, n_folds, _ = mse_paths.shape
    mean_mse = np.mean(mse_paths, axis=1)
    if n_folds > 1:
        mse_se = np.std(mse_paths, axis=1, ddof=1) / np.sqrt(n_folds)
    else:
        mse_se = np.zeros_like(mean_mse)
    est.mse_path_ = np.squeeze(np.moveaxis(mse_paths, 2, 1))
    best_mse = np.inf
    k_best, i_best_k = 0, first_min(mean_mse[0])  # all-NaN curves: the first
    best_alpha = alphas[0][i_best_k]
    for k in range(n_l1):
        i = first_min(mean_mse[k])
        margin = TIE_RTOL * abs(best_mse) if np.isfinite(best_mse) else 0.0
        if mean_mse[k, i] < best_mse - margin:
            best_mse, k_best, best_alpha, i_best_k = mean_mse[k, i], k, alphas[k][i], i
    # one-standard-error rule (glmnet's lambda.1se) on the chosen l1_ratio's curve
    threshold = mean_mse[k_best, i_best_k] + mse_se[k_best, i_best_k]
    est.alpha_min_ = best_alpha
    est.alpha_1se_ = np.max(np.asarray(alphas[k_best])[mean_mse[k_best] <= threshold])
    est.alpha_ = est.alpha_1se_ if est.alpha_rule == "1se" else best_alpha
    est.l1_ratio_ = l1_ratios[k_best]
    est.mse_se_ = mse_se[0] if n_l1 == 1 else mse_se
    grids = np.asarray(alphas)
    several = isinstance(est.alphas, Integral) and n_l1 > 1
    est.alphas_ = grids if several else grids[0]
    return k_best


def path_seeds(selection, random_state, n_tasks):
    """One seed per (l1_ratio, fold) path: scikit-learn seeds every fold's path
    with the same integer ``random_state``; otherwise ``n_tasks`` draws from it.
    Cyclic descent uses none (zeros), which leaves the global RNG alone."""
    if selection != "random":
        return [0] * n_tasks
    if isinstance(random_state, Integral):
        return [int(random_state)] * n_tasks
    rs = check_random_state(random_state)
    return [int(v) for v in rs.randint(0, 2**31 - 1, size=n_tasks)]
