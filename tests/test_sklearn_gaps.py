"""Gaps to scikit-learn 1.9.1 closed for issue 13.

- path functions reject a negative (or NaN) alpha, as the estimators do.

Reference values come from scikit-learn or from scipy, never from fastlasso.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

from fastlasso import enet_path, lasso_path

# --------------------------------------------------------------------------------------
# 1. negative alphas in the path functions


def _small_problem(seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(20, 4)
    return X, X @ rng.randn(4) + 0.1 * rng.randn(20)


@pytest.mark.parametrize("path", [lasso_path, enet_path])
@pytest.mark.parametrize(
    "alphas, match",
    [
        ([1.0, -0.5, 0.1], r"alphas must be >= 0; alphas\[1\] = -0.5 is negative"),
        ([-2.0], r"alphas must be >= 0; alphas\[0\] = -2.0 is negative"),
        (np.array([0.1, -1e-12]), r"alphas\[1\] = -1e-12 is negative"),
        ([0.3, np.nan], r"alphas must be >= 0; alphas\[1\] = nan is not a number"),
    ],
)
@pytest.mark.parametrize("sparse_X", [False, True], ids=["dense", "csc"])
def test_path_rejects_negative_alphas(path, alphas, match, sparse_X):
    X, y = _small_problem()
    Xin = sp.csc_matrix(X) if sparse_X else X
    with pytest.raises(ValueError, match=match):
        path(Xin, y, alphas=alphas)


def test_path_accepts_zero_and_positive_alphas():
    import sklearn.linear_model as skl

    X, y = _small_problem(1)
    alphas = [0.5, 0.05, 0.0]
    a, coefs, _ = lasso_path(X, y, alphas=alphas, tol=1e-12, max_iter=100_000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", (ConvergenceWarning, UserWarning))
        _, ref, _ = skl.lasso_path(X, y, alphas=alphas, tol=1e-12, max_iter=100_000)
    np.testing.assert_array_equal(a, [0.5, 0.05, 0.0])
    np.testing.assert_allclose(coefs, ref, rtol=1e-7, atol=1e-9)
