"""Ridge, RidgeCV and ridge_path against scikit-learn 1.9.1.

Tolerances: the direct solvers ('cholesky', 'svd', and 'auto', which picks them
here) agree with scikit-learn to rtol 1e-7 in float64 (both are exact up to
rounding; the systems are well conditioned); 'cd' / 'fista' run with tol=1e-12
(duality gap <= 1e-12 y_c^T W y_c) and agree to rtol 1e-5. float32 input: rtol
2e-3 (scikit-learn's float32 solvers and ours round differently).
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn.linear_model as skl
from sklearn.model_selection import KFold
from sklearn.utils.estimator_checks import parametrize_with_checks

from fastlasso import Ridge, RidgeCV, ridge_path

SOLVERS = ["auto", "cholesky", "svd", "cd", "fista"]


def _problem(n, p, n_targets=1, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p) * 2.0 + 1.0
    X[X < 0.8] = 0.0  # sparse-ish, non-centred columns
    coef = rng.randn(p, n_targets)
    Y = X @ coef + rng.randn(n, n_targets) + 3.0
    sw = rng.uniform(0.2, 3.0, n)
    return X, (Y[:, 0] if n_targets == 1 else Y), sw


def _close(a, b, rtol, what=""):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    scale = max(np.abs(b).max(), 1e-12)
    err = np.abs(a - b).max() / scale
    assert err <= rtol, f"{what}: relative error {err:.3e} > {rtol:.1e}"


@pytest.mark.parametrize("shape", [(40, 12), (25, 60)], ids=["n>p", "n<p"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("n_targets", [1, 3])
@pytest.mark.parametrize("sparse_X", [False, True], ids=["dense", "csr"])
def test_ridge_matches_sklearn(shape, fit_intercept, weighted, n_targets, sparse_X):
    X, y, sw = _problem(*shape, n_targets=n_targets)
    sw = sw if weighted else None
    alpha = 2.5 if n_targets == 1 else np.array([0.5, 2.5, 40.0])
    ref = skl.Ridge(alpha=alpha, fit_intercept=fit_intercept, solver="svd")
    ref.fit(X, y, sample_weight=sw)
    Xin = sp.csr_matrix(X) if sparse_X else X
    for solver in SOLVERS:
        m = Ridge(
            alpha=alpha,
            fit_intercept=fit_intercept,
            solver=solver,
            tol=1e-12,
            max_iter=100_000,
        ).fit(Xin, y, sample_weight=sw)
        rtol = 1e-5 if solver in ("cd", "fista") else 1e-7
        assert m.coef_.shape == ref.coef_.shape
        _close(m.coef_, ref.coef_, rtol, f"coef {solver}")
        _close(m.intercept_, ref.intercept_, rtol, f"intercept {solver}")
        assert np.shape(m.intercept_) == np.shape(ref.intercept_)
        assert m.solver_ == (solver if solver != "auto" else "cholesky")
        if solver in ("cd", "fista"):
            assert np.all(m.n_iter_ >= 1)
        else:
            assert m.n_iter_ is None


def test_ridge_float32_and_sparse_not_densified(monkeypatch):
    X, y, sw = _problem(30, 80)
    ref = skl.Ridge(alpha=1.0).fit(X, y, sample_weight=sw)
    Xs = sp.csc_matrix(X.astype(np.float32))

    def boom(*a, **k):
        raise AssertionError("sparse X was densified")

    monkeypatch.setattr(type(Xs), "toarray", boom, raising=False)
    monkeypatch.setattr(type(Xs), "todense", boom, raising=False)
    for solver in ("cd", "fista"):  # the direct ones densify only Gram matrices
        m = Ridge(alpha=1.0, solver=solver, tol=1e-8, max_iter=100_000)
        m.fit(Xs, y, sample_weight=sw)
        assert m.coef_.dtype == np.float32
        _close(m.coef_, ref.coef_, 2e-3, solver)
    monkeypatch.undo()
    m = Ridge(alpha=1.0, solver="svd").fit(Xs, y, sample_weight=sw)
    assert m.coef_.dtype == np.float32
    _close(m.coef_, ref.coef_, 2e-3, "svd f32")


def test_ridge_positive_matches_sklearn_lbfgs():
    X, y, _ = _problem(40, 12)
    ref = skl.Ridge(alpha=3.0, positive=True, solver="lbfgs", tol=1e-10).fit(X, y)
    m = Ridge(alpha=3.0, positive=True, tol=1e-12, max_iter=100_000).fit(X, y)
    assert m.solver_ == "fista"
    assert np.all(m.coef_ >= 0) and np.any(m.coef_ == 0)
    _close(m.coef_, ref.coef_, 1e-4, "positive")
    with pytest.raises(ValueError, match="does not support positive"):
        Ridge(positive=True, solver="cholesky").fit(X, y)
    # CD certifies a sign-constrained ridge too (conjugate of l2/2 w^2 + 1{w >= 0})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ConvergenceWarning: the gap certifies
        m_cd = Ridge(
            alpha=3.0, positive=True, solver="cd", tol=1e-12, max_iter=100_000
        ).fit(X, y)
    _close(m_cd.coef_, ref.coef_, 1e-4, "positive cd")
    _close(m_cd.coef_, m.coef_, 1e-6, "positive cd vs fista")


def test_ridge_errors():
    X, y, _ = _problem(20, 5, n_targets=2)
    with pytest.raises(ValueError, match="Number of targets and number of penalties"):
        Ridge(alpha=[1.0, 2.0, 3.0]).fit(X, y)
    with pytest.raises(ValueError):  # scikit-learn's solvers that are not here
        Ridge(solver="sag").fit(X, y)


@pytest.mark.parametrize("sparse_X", [False, True], ids=["dense", "csc"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_ridge_path_equals_looping_sklearn(sparse_X, fit_intercept):
    X, y, sw = _problem(30, 70, n_targets=2)
    alphas = np.geomspace(1e3, 1e-3, 15)
    Xin = sp.csc_matrix(X) if sparse_X else X
    # CD on a ridge with a tiny alpha is slow (ill-conditioned): larger alphas there
    for solver, rtol, sel in (
        ("auto", 1e-6, slice(None)),
        ("cholesky", 1e-7, slice(None)),
        ("cd", 1e-4, slice(0, 8)),
    ):
        coefs, intercepts = ridge_path(
            Xin,
            y,
            alphas[sel],
            sample_weight=sw,
            fit_intercept=fit_intercept,
            solver=solver,
            tol=1e-11,
            max_iter=200_000,
            return_intercept=True,
        )
        m = len(alphas[sel])
        assert coefs.shape == (2, 70, m) and intercepts.shape == (2, m)
        for a, alpha in enumerate(alphas[sel]):
            ref = skl.Ridge(alpha=alpha, fit_intercept=fit_intercept, solver="svd")
            ref.fit(X, y, sample_weight=sw)
            _close(coefs[:, :, a], ref.coef_, rtol, f"{solver} alpha={alpha:.3g}")
            _close(intercepts[:, a], np.atleast_1d(ref.intercept_), rtol, solver)
    # 1-D y, alphas in any order
    c1 = ridge_path(X, y[:, 0], alphas[::-1])
    assert c1.shape == (70, 15)
    _close(c1[:, ::-1], ridge_path(X, y[:, 0], alphas), 1e-10, "order")


@pytest.mark.parametrize("shape", [(40, 12), (25, 60)], ids=["n>p", "n<p"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("n_targets", [1, 3])
@pytest.mark.parametrize("sparse_X", [False, True], ids=["dense", "csr"])
def test_ridgecv_gcv_matches_sklearn(
    shape, fit_intercept, weighted, n_targets, sparse_X
):
    X, y, sw = _problem(*shape, n_targets=n_targets, seed=1)
    sw = sw if weighted else None
    alphas = np.geomspace(1e-2, 1e3, 12)
    kw = dict(alphas=alphas, fit_intercept=fit_intercept, store_cv_results=True)
    Xin = sp.csr_matrix(X) if sparse_X else X
    for extra in ({}, {"alpha_per_target": True}, {"scoring": "r2"}):
        ref = skl.RidgeCV(**kw, **extra).fit(X, y, sample_weight=sw)
        m = RidgeCV(**kw, **extra).fit(Xin, y, sample_weight=sw)
        np.testing.assert_array_equal(m.alpha_, ref.alpha_)
        np.testing.assert_allclose(m.best_score_, ref.best_score_, rtol=1e-7)
        assert m.cv_results_.shape == ref.cv_results_.shape
        np.testing.assert_allclose(
            m.cv_results_, ref.cv_results_, rtol=1e-6, atol=1e-9 * np.abs(y).max()
        )
        _close(m.coef_, ref.coef_, 1e-7, "coef")
        _close(m.intercept_, ref.intercept_, 1e-7, "intercept")


@pytest.mark.parametrize("sparse_X", [False, True], ids=["dense", "csr"])
def test_ridgecv_kfold_matches_sklearn(sparse_X):
    X, y, sw = _problem(40, 15, seed=2)
    alphas = np.geomspace(1e-2, 1e3, 8)
    cv = KFold(5, shuffle=True, random_state=0)
    ref = skl.RidgeCV(alphas=alphas, cv=cv).fit(X, y, sample_weight=sw)
    Xin = sp.csr_matrix(X) if sparse_X else X
    m = RidgeCV(alphas=alphas, cv=cv).fit(Xin, y, sample_weight=sw)
    assert m.alpha_ == ref.alpha_
    np.testing.assert_allclose(m.best_score_, ref.best_score_, rtol=1e-6)
    _close(m.coef_, ref.coef_, 1e-6, "coef")
    with pytest.raises(ValueError, match="store_cv_results"):
        RidgeCV(cv=3, store_cv_results=True).fit(X, y)


# Expected failures, each with its reason.
EXPECTED_FAILED_CHECKS = {
    "Ridge": {
        "check_non_transformer_estimators_n_iter": (
            "n_iter_ is None for the direct solvers ('auto' picks 'cholesky'), as in "
            "scikit-learn, which lists the same expected failure for its Ridge."
        ),
    },
}


@parametrize_with_checks(
    [Ridge(), Ridge(solver="cd"), Ridge(solver="fista"), RidgeCV(), RidgeCV(cv=3)],
    expected_failed_checks=lambda est: (
        EXPECTED_FAILED_CHECKS.get(type(est).__name__, {})
        if getattr(est, "solver", "auto") in ("auto", "cholesky", "svd")
        else {}
    ),
)
def test_sklearn_compatible_ridge(estimator, check):
    check(estimator)
