"""Gaps to scikit-learn 1.9.1 closed for issue 13.

- path functions reject a negative (or NaN) alpha, as the estimators do;
- ``LassoCV`` / ``ElasticNetCV`` pass scikit-learn's sample-weight equivalence
  checks (integer weights == repeated rows), with the instances scikit-learn's
  own test suite uses (``max_iter=5, cv=3``) and with the defaults.

Reference values come from scikit-learn or from scipy, never from fastlasso.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import (
    check_sample_weight_equivalence_on_dense_data,
    check_sample_weight_equivalence_on_sparse_data,
)

from fastlasso import ElasticNetCV, LassoCV, enet_path, lasso_path
from fastlasso.linear_model._cv import _first_min, _fold_size

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


# --------------------------------------------------------------------------------------
# 3. sample-weight equivalence of the CV estimators


CV_INSTANCES = [
    LassoCV(max_iter=5, cv=3),  # as scikit-learn's test suite builds them
    ElasticNetCV(max_iter=5, cv=3),
    LassoCV(),
    ElasticNetCV(l1_ratio=[0.2, 0.9]),
    LassoCV(max_iter=5, cv=3, precompute=False),
    ElasticNetCV(max_iter=5, cv=3, positive=True),
]


@pytest.mark.parametrize("estimator", CV_INSTANCES, ids=repr)
@pytest.mark.parametrize(
    "check",
    [
        check_sample_weight_equivalence_on_dense_data,
        check_sample_weight_equivalence_on_sparse_data,
    ],
    ids=["dense", "sparse"],
)
def test_cv_sample_weight_equivalence_checks(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter=5
        check(type(estimator).__name__, estimator)


def test_fold_size_counts_integer_weights_as_repeats():
    sw = np.array([3.0, 0.0, 1.0, 2.0, 0.5, 0.0, 4.0])
    train = np.array([0, 1, 2, 3, 4, 5])
    # rows of weight 3, 1, 2 count 6 times; the 0.5 once; zeros never
    assert _fold_size(train, sw) == 7.0
    assert _fold_size(train, None) == 6
    repeats = np.repeat(np.arange(4), [3, 0, 1, 2])
    assert _fold_size(train[:4], sw) == len(repeats)


def test_first_min_treats_rounding_level_differences_as_ties():
    curve = np.array([3.0, 1.0 + 1e-14, 1.0, 1.0 - 1e-15, 2.0])
    assert _first_min(curve) == 1  # the largest alpha of the flat stretch
    assert _first_min(np.array([2.0, 1.0, 1.0, 3.0])) == 1  # exact ties: first
    # a real difference (1e-9 relative) is not a tie
    assert _first_min(np.array([1.0 + 1e-9, 1.0, 2.0])) == 1
    assert _first_min(np.array([1.0 + 1e-9, 2.0, 1.0])) == 2
    # NaN: np.argmin's choice, as before
    curve = np.array([2.0, np.nan, 1.0])
    assert _first_min(curve) == int(np.argmin(curve))
