"""Gaps to scikit-learn 1.9.1 closed for issue 13.

- path functions reject a negative (or NaN) alpha, as the estimators do;
- ``Ridge`` at its default settings is exact (to rounding) wherever the optimum
  is unique, also with ``positive=True``;
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

from fastlasso import ElasticNetCV, LassoCV, Ridge, enet_path, lasso_path
from fastlasso._cv_select import first_min as _first_min
from fastlasso.linear_model._cv import _fold_size

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


# --------------------------------------------------------------------------------------
# 2. Ridge at default settings: exact wherever the optimum is unique


def _ridge_problem(n, p, seed):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p) * 2.0 + 1.0
    X[X < 0.5] = 0.0  # sparse-ish, non-centred columns
    y = X @ rng.randn(p) + rng.randn(n) + 2.0
    return X, y, rng.uniform(0.2, 3.0, n)


def _ridge_reference(X, y, alpha, sw, fit_intercept, positive):
    """Ridge solution from scipy: the problem as one least-squares system
    ``[W^1/2 Z; sqrt(alpha) I] w = [W^1/2 y_c; 0]`` solved by ``lstsq``, or by
    ``nnls`` (Lawson-Hanson active set, exact at its end) with positive=True."""
    from scipy.linalg import lstsq
    from scipy.optimize import nnls

    n, p = X.shape
    sw = np.ones(n) if sw is None else sw
    if fit_intercept:
        x_off, y_off = sw @ X / sw.sum(), sw @ y / sw.sum()
    else:
        x_off, y_off = np.zeros(p), 0.0
    s = np.sqrt(sw)
    A = np.vstack([(X - x_off) * s[:, None], np.sqrt(alpha) * np.eye(p)])
    b = np.concatenate([(y - y_off) * s, np.zeros(p)])
    coef = nnls(A, b, maxiter=50 * p)[0] if positive else lstsq(A, b)[0]
    return coef, y_off - x_off @ coef


def _rel(a, b, scale):
    return np.abs(np.asarray(a) - np.asarray(b)).max() / scale


@pytest.mark.parametrize("shape", [(60, 10), (40, 12), (25, 60)], ids=str)
@pytest.mark.parametrize("alpha", [0.3, 10.0])
@pytest.mark.parametrize("positive", [False, True], ids=["free", "positive"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["icpt", "no_icpt"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("sparse_X", [False, True], ids=["dense", "csr"])
def test_ridge_defaults_are_exact(
    shape, alpha, positive, fit_intercept, weighted, sparse_X
):
    """fastlasso.Ridge at its defaults vs scipy's exact solution (1e-9) and vs
    scikit-learn (1e-6, relative to max|coef|). scikit-learn's positive solver
    (L-BFGS-B) stops at its own ``tol`` (1e-4 by default, about 5e-3 off the
    optimum here, up to 8e-2 with n < p), so it runs with tol=1e-13, which is
    within 1e-6 of the optimum on all these problems but one (n < p)."""
    import sklearn.linear_model as skl

    X, y, sw = _ridge_problem(*shape, seed=sum(shape))
    sw = sw if weighted else None
    m = Ridge(alpha=alpha, fit_intercept=fit_intercept, positive=positive)
    m.fit(sp.csr_matrix(X) if sparse_X else X, y, sample_weight=sw)
    coef, intercept = _ridge_reference(X, y, alpha, sw, fit_intercept, positive)
    scale = np.abs(coef).max()
    assert _rel(m.coef_, coef, scale) <= 1e-9
    assert _rel(m.intercept_, intercept, max(scale, abs(intercept))) <= 1e-9
    if positive:
        assert np.all(m.coef_ >= 0) and np.any(m.coef_ == 0)
        ref = skl.Ridge(
            alpha=alpha,
            fit_intercept=fit_intercept,
            positive=True,
            tol=1e-13,
            max_iter=100_000,
        )
    else:
        ref = skl.Ridge(alpha=alpha, fit_intercept=fit_intercept)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ref.fit(X, y, sample_weight=sw)
    # L-BFGS-B can stop short of 1e-6 even at tol=1e-13 (ill-conditioned n < p):
    # then fastlasso must be no farther from scikit-learn than scikit-learn is
    # from the exact solution.
    rtol = max(1e-6, 1.01 * _rel(ref.coef_, coef, scale) + 1e-9)
    assert _rel(m.coef_, ref.coef_, scale) <= rtol
    assert _rel(m.intercept_, ref.intercept_, max(scale, abs(intercept))) <= rtol
    if not positive:
        assert rtol == 1e-6


def test_ridge_positive_issue_problem_and_solvers():
    """The 60 x 10 problem of the issue: every solver that takes positive=True
    returns the exact minimiser, whatever ``tol`` or ``max_iter`` (and then
    warns of no convergence problem); ``n_iter_`` still counts the iterative
    solver's iterations."""
    rng = np.random.RandomState(0)
    X = rng.randn(60, 10)
    y = X @ rng.randn(10) + rng.randn(60)
    coef, intercept = _ridge_reference(X, y, 1.0, None, True, True)
    for kw in [
        {},
        {"solver": "cd"},
        {"solver": "fista", "tol": 1e-2},
        {"solver": "cd", "max_iter": 1},
    ]:
        with warnings.catch_warnings():
            warnings.simplefilter("error", ConvergenceWarning)
            m = Ridge(alpha=1.0, positive=True, **kw).fit(X, y)
        assert m.solver_ == kw.get("solver", "fista")
        assert np.all(m.n_iter_ >= 1)
        assert _rel(m.coef_, coef, np.abs(coef).max()) <= 1e-12
        assert m.intercept_ == pytest.approx(intercept, rel=1e-12)


def test_ridge_positive_multi_target_and_path():
    from fastlasso import ridge_path

    X, y, sw = _ridge_problem(50, 15, seed=7)
    Y = np.column_stack([y, -y + 3.0 * X[:, 0]])
    alphas = np.array([0.5, 20.0])
    m = Ridge(alpha=alphas, positive=True).fit(X, Y, sample_weight=sw)
    path = ridge_path(X, y, alphas=[50.0, 0.05, 2.0], positive=True, sample_weight=sw)
    for k in range(2):
        coef, _ = _ridge_reference(X, Y[:, k], alphas[k], sw, True, True)
        assert _rel(m.coef_[k], coef, np.abs(coef).max()) <= 1e-9
    for a, alpha in enumerate([50.0, 0.05, 2.0]):
        coef, _ = _ridge_reference(X, y, alpha, sw, True, True)
        assert _rel(path[:, a], coef, np.abs(coef).max()) <= 1e-9


def test_ridge_positive_float32():
    X, y, _ = _ridge_problem(60, 10, seed=3)
    m = Ridge(alpha=1.0, positive=True).fit(X.astype(np.float32), y)
    coef, _ = _ridge_reference(
        X.astype(np.float32).astype(float), y, 1.0, None, True, True
    )
    assert m.coef_.dtype == np.float32
    assert _rel(m.coef_, coef, np.abs(coef).max()) <= 1e-6


@pytest.mark.parametrize("sparse_x", [False, True])
def test_nonfinite_iterates_raise_scikit_learn_error(sparse_x):
    """Data at the float64 maximum overflow to NaN inside the solver: scikit-learn's
    ValueError, not a crash (the working-set selection once wrote out of bounds
    on NaN scores: scikit-learn's test_enet_nonfinite_params segfaulted)."""
    from scipy import sparse as sp

    from fastlasso import ElasticNet

    rng = np.random.RandomState(0)
    X = np.finfo(np.float64).max * rng.uniform(size=(10, 2))
    y = rng.randint(0, 2, size=10)
    Xl = sp.csc_matrix(X) if sparse_x else X
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="non-finite parameter values"):
            ElasticNet(alpha=0.1).fit(Xl, y)
