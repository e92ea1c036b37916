"""Penalty factors and box constraints: exact solutions, honest certificates.

The problem (scikit-learn's scaling, ``n`` samples)::

    1/(2n) ||y - Xw - b||^2 + alpha sum_j pf_j (l1_ratio |w_j| + (1 - l1_ratio)/2 w_j^2)
    subject to lower_j <= w_j <= upper_j

Every solution is checked against its optimality (KKT) conditions computed here in
numpy, against an independent solver (scipy's L-BFGS-B on the split form
w = u - v, u, v >= 0), and its reported duality gap is checked to bound its true
suboptimality. Penalty factors are also checked against scikit-learn on rescaled
columns (a Lasso with factors pf is a Lasso on X / pf).
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import minimize
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Lasso as SkLasso
from sklearn.linear_model import LassoCV as SkLassoCV

from fastlasso import ElasticNet, ElasticNetCV, Lasso, LassoCV, enet_path, lasso_path


def _problem(n=40, p=30, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p) + 0.3 * rng.randn(n, 1)  # correlated columns
    w = np.zeros(p)
    w[:6] = rng.randn(6) * 2
    y = X @ w + 0.5 * rng.randn(n) + 1.0
    return X, y


def _parts(X, y, sw, fit_intercept):
    n = X.shape[0]
    sw = np.ones(n) if sw is None else sw * n / sw.sum()
    if fit_intercept:
        mu = sw @ X / sw.sum()
        Z, yc = X - mu, y - sw @ y / sw.sum()
    else:
        Z, yc = X, y
    return Z, yc, sw


def _objective(w, X, y, alpha, l1_ratio, pf, sw=None, fit_intercept=True):
    """scikit-learn-scaled objective (intercept profiled out)."""
    Z, yc, sw = _parts(X, y, sw, fit_intercept)
    r = yc - Z @ w
    n = X.shape[0]
    pen = alpha * np.sum(pf * (l1_ratio * np.abs(w) + 0.5 * (1 - l1_ratio) * w * w))
    return 0.5 * np.sum(sw * r * r) / n + pen


def _kkt_violation(w, X, y, alpha, l1_ratio, pf, lo, hi, sw=None):
    """Distance from 0 to the subdifferential of the objective plus the normal cone
    of the box at ``w``, per feature (scaled objective, intercept profiled out)."""
    Z, yc, sw = _parts(X, y, sw, True)
    n = X.shape[0]
    grad = -(Z.T @ (sw * (yc - Z @ w))) / n + alpha * (1 - l1_ratio) * pf * w
    t = alpha * l1_ratio * pf
    # subdifferential of t|w| at w: [a, b]
    a = np.where(w > 0, t, np.where(w < 0, -t, -t))
    b = np.where(w > 0, t, np.where(w < 0, -t, t))
    # normal cone of the box: (-inf, 0] at lo, [0, inf) at hi
    a = np.where(w <= lo, -np.inf, a)
    b = np.where(w >= hi, np.inf, b)
    # distance from -grad to [a, b]
    return np.maximum(0.0, np.maximum(a + grad, -grad - b))


def _reference(X, y, alpha, l1_ratio, pf, lo, hi):
    """Independent solution: L-BFGS-B on w = u - v, 0 <= u <= hi, 0 <= v <= -lo."""
    Z, yc, _ = _parts(X, y, None, True)
    n, p = X.shape
    l1 = alpha * l1_ratio * pf
    l2 = alpha * (1 - l1_ratio) * pf

    def f(uv):
        w = uv[:p] - uv[p:]
        r = yc - Z @ w
        val = 0.5 * r @ r / n + l1 @ (uv[:p] + uv[p:]) + 0.5 * np.sum(l2 * w * w)
        gw = -(Z.T @ r) / n + l2 * w
        return val, np.concatenate([gw + l1, -gw + l1])

    bounds = [(0, h if np.isfinite(h) else None) for h in hi] + [
        (0, -v if np.isfinite(v) else None) for v in lo
    ]
    res = minimize(
        f,
        np.zeros(2 * p),
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options=dict(maxiter=50_000, ftol=1e-16, gtol=1e-13, maxcor=50),
    )
    return res.x[:p] - res.x[p:]


def _box_case(p, case, rng):
    """Penalty factors and bounds of a test case (unpenalized features 1 and 7)."""
    pf = rng.uniform(0.3, 2.0, p)
    lo = np.full(p, -np.inf)
    hi = np.full(p, np.inf)
    if case in ("unpenalized", "mixed"):
        pf[[1, 7]] = 0.0
    if case in ("box", "mixed"):
        lo[:8] = 0.0
        hi[8:16] = 0.2
        lo[16:] = -0.15
        hi[2] = 0.5
    return pf, lo, hi


CASES = ["factors", "unpenalized", "box", "mixed"]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.0])
def test_exact_against_kkt_and_independent_solver(case, l1_ratio, layout):
    """Dense and sparse, CD: KKT holds, the objective equals L-BFGS-B's within the
    certificate, the bounds hold exactly."""
    X, y = _problem()
    p = X.shape[1]
    pf, lo, hi = _box_case(p, case, np.random.RandomState(1))
    alpha = 0.08
    Xl = sp.csc_matrix(X) if layout == "csc" else X
    est = ElasticNet(
        alpha=alpha,
        l1_ratio=l1_ratio,
        tol=1e-12,
        max_iter=100_000,
        penalty_factor=pf,
        lower_bounds=lo,
        upper_bounds=hi,
    ).fit(Xl, y)
    w = est.coef_
    assert np.all(w >= lo) and np.all(w <= hi)
    scale = np.abs(X.T @ (y - y.mean())).max() / len(y)
    assert _kkt_violation(w, X, y, alpha, l1_ratio, pf, lo, hi).max() <= 1e-6 * scale
    w_ref = _reference(X, y, alpha, l1_ratio, pf, lo, hi)
    f_ours = _objective(w, X, y, alpha, l1_ratio, pf)
    f_ref = _objective(w_ref, X, y, alpha, l1_ratio, pf)
    # the gap bounds our suboptimality, so it bounds our excess over any point
    assert f_ours - f_ref <= est.dual_gap_ + 1e-12 * abs(f_ref)
    assert est.dual_gap_ >= -1e-12 * abs(f_ref)
    np.testing.assert_allclose(w, w_ref, atol=1e-4 * np.abs(w_ref).max())
    if case == "unpenalized":
        assert w[1] != 0.0 and w[7] != 0.0  # never penalized: in the model
    # the intercept is the one of the centred problem
    np.testing.assert_allclose(est.intercept_, y.mean() - X.mean(axis=0) @ w)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_dense_sparse_cd_fista_working_sets_agree(case, l1_ratio):
    X, y = _problem(seed=2)
    pf, lo, hi = _box_case(X.shape[1], case, np.random.RandomState(3))
    kw = dict(
        alpha=0.05,
        l1_ratio=l1_ratio,
        tol=1e-12,
        max_iter=200_000,
        penalty_factor=pf,
        lower_bounds=lo,
        upper_bounds=hi,
    )
    ref = ElasticNet(**kw).fit(X, y).coef_
    tol = 1e-6 * np.abs(ref).max()
    for Xl in (X, sp.csc_matrix(X)):
        for solver in ("cd", "fista"):
            est = ElasticNet(solver=solver, **kw).fit(Xl, y)
            np.testing.assert_allclose(est.coef_, ref, atol=tol)
    # working sets, screening and Anderson switched off: same answer
    from fastlasso._path import Design, make_penalty, solve_path

    pen = make_penalty(X.shape[1], X.dtype, pf, lo, hi)
    design = Design(np.asfortranarray(X), None, X.mean(axis=0))
    n = X.shape[0]
    for ws in (True, False):
        for screen in (True, False):
            coefs, gaps, _ = solve_path(
                design,
                y - y.mean(),
                [0.05],
                l1_ratio,
                tol=1e-12,
                max_iter=200_000,
                working_set=ws,
                screen=screen,
                anderson=ws,
                pen=pen,
                n_samples=n,
            )
            np.testing.assert_allclose(coefs[:, 0], ref, atol=tol)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("layout_", ["dense", "csc"])
def test_lasso_factors_equal_sklearn_on_rescaled_columns(fit_intercept, layout_):
    """Lasso with factors pf == scikit-learn's Lasso on X / pf, coefficients / pf."""
    X, y = _problem(60, 40, seed=4)
    rng = np.random.RandomState(5)
    pf = rng.uniform(0.2, 3.0, X.shape[1])
    sw = rng.uniform(0.5, 2.0, X.shape[0])
    Xl = sp.csc_matrix(X) if layout_ == "csc" else X
    Xs = sp.csc_matrix(X / pf) if layout_ == "csc" else X / pf
    ours = Lasso(
        alpha=0.05, tol=1e-12, max_iter=100_000, penalty_factor=pf,
        fit_intercept=fit_intercept,
    ).fit(Xl, y, sample_weight=sw)  # fmt: skip
    sk = SkLasso(
        alpha=0.05, tol=1e-12, max_iter=100_000, fit_intercept=fit_intercept
    ).fit(Xs, y, sample_weight=sw)
    np.testing.assert_allclose(ours.coef_, sk.coef_ / pf, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(ours.intercept_, sk.intercept_, rtol=1e-6, atol=1e-9)


def test_all_ones_factors_and_infinite_bounds_are_the_plain_problem(layout):
    X, y = _problem(seed=6)
    Xl = sp.csc_matrix(X) if layout == "csc" else X
    p = X.shape[1]
    for l1_ratio in (1.0, 0.3, 0.0):
        plain = ElasticNet(alpha=0.1, l1_ratio=l1_ratio, tol=1e-12).fit(Xl, y)
        gen = ElasticNet(
            alpha=0.1,
            l1_ratio=l1_ratio,
            tol=1e-12,
            penalty_factor=np.ones(p),
            lower_bounds=-np.inf,
            upper_bounds=np.inf,
        ).fit(Xl, y)
        np.testing.assert_allclose(gen.coef_, plain.coef_, rtol=1e-7, atol=1e-10)
        # same certificate formula: gaps of the same size
        assert gen.dual_gap_ <= 1e-12 * np.sum((y - y.mean()) ** 2) / len(y)


def test_positive_is_lower_bound_zero():
    X, y = _problem(seed=7)
    a = Lasso(alpha=0.05, positive=True, tol=1e-12).fit(X, y)
    b = Lasso(alpha=0.05, lower_bounds=0.0, tol=1e-12).fit(X, y)
    c = Lasso(alpha=0.05, positive=True, lower_bounds=-1.0, tol=1e-12).fit(X, y)
    np.testing.assert_allclose(b.coef_, a.coef_, rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(c.coef_, a.coef_, rtol=1e-7, atol=1e-10)


def test_gap_is_an_honest_certificate_before_convergence():
    """Stopped early (max_iter), the reported gap still bounds the suboptimality."""
    X, y = _problem(seed=8)
    pf, lo, hi = _box_case(X.shape[1], "mixed", np.random.RandomState(9))
    kw = dict(penalty_factor=pf, lower_bounds=lo, upper_bounds=hi)
    w_ref = _reference(X, y, 0.02, 0.7, pf, lo, hi)
    f_ref = _objective(w_ref, X, y, 0.02, 0.7, pf)
    for solver in ("cd", "fista"):
        for max_iter in (1, 2, 5):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                est = ElasticNet(
                    alpha=0.02, l1_ratio=0.7, tol=1e-14, max_iter=max_iter,
                    solver=solver, **kw,
                ).fit(X, y)  # fmt: skip
            f = _objective(est.coef_, X, y, 0.02, 0.7, pf)
            assert f - f_ref <= est.dual_gap_ * (1 + 1e-9) + 1e-13


def test_float32_respects_bounds():
    X, y = _problem(seed=10)
    X32 = X.astype(np.float32)
    hi = np.full(X.shape[1], 0.1)  # not a float32 number
    lo = np.full(X.shape[1], -0.1)
    est = Lasso(alpha=0.01, upper_bounds=hi, lower_bounds=lo, tol=1e-8).fit(X32, y)
    assert est.coef_.dtype == np.float32
    assert np.all(est.coef_ <= 0.1) and np.all(est.coef_ >= -0.1)
    assert np.any(np.abs(est.coef_) > 0.09)  # the bounds are active


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_path_with_factors_and_bounds(l1_ratio):
    X, y = _problem(seed=11)
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    pf, lo, hi = _box_case(X.shape[1], "mixed", np.random.RandomState(12))
    alphas, coefs, gaps = enet_path(
        Xc, yc, l1_ratio=l1_ratio, alphas=20, tol=1e-10, penalty_factor=pf,
        lower_bounds=lo, upper_bounds=hi,
    )  # fmt: skip
    assert gaps.max() <= 1e-10 * yc @ yc / len(y)
    for k, alpha in enumerate(alphas):
        w = coefs[:, k]
        v = _kkt_violation(w, Xc, yc, alpha, l1_ratio, pf, lo, hi)
        assert v.max() <= 1e-5 * np.abs(Xc.T @ yc).max() / len(y)
    # alpha_max of the grid: every penalized coefficient is zero there
    assert np.all(coefs[pf > 0, 0] == 0.0)
    assert np.any(coefs[pf > 0, 1] != 0.0)


def test_lasso_path_factors_equal_sklearn_rescaled():
    X, y = _problem(seed=13)
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    pf = np.random.RandomState(14).uniform(0.5, 2.0, X.shape[1])
    a1, c1, _ = lasso_path(Xc, yc, alphas=15, tol=1e-12, penalty_factor=pf)
    from sklearn.linear_model import lasso_path as sk_lasso_path

    a2, c2, _ = sk_lasso_path(Xc / pf, yc, alphas=15, tol=1e-12)
    np.testing.assert_allclose(a1, a2, rtol=1e-12)
    np.testing.assert_allclose(c1, c2 / pf[:, None], rtol=1e-6, atol=1e-9)


def test_lassocv_with_factors_equals_sklearn_on_rescaled_columns():
    X, y = _problem(60, 40, seed=15)
    pf = np.random.RandomState(16).uniform(0.5, 2.0, X.shape[1])
    ours = LassoCV(cv=5, alphas=30, tol=1e-10, penalty_factor=pf).fit(X, y)
    sk = SkLassoCV(cv=5, alphas=30, tol=1e-10).fit(X / pf, y)
    np.testing.assert_allclose(ours.alphas_, sk.alphas_, rtol=1e-12)
    np.testing.assert_allclose(ours.mse_path_, sk.mse_path_, rtol=1e-5)
    assert ours.alpha_ == sk.alpha_
    np.testing.assert_allclose(ours.coef_, sk.coef_ / pf, rtol=1e-5, atol=1e-8)


def test_elasticnetcv_with_unpenalized_and_bounds():
    X, y = _problem(60, 30, seed=17)
    pf, lo, hi = _box_case(X.shape[1], "mixed", np.random.RandomState(18))
    cv = ElasticNetCV(
        l1_ratio=[0.5, 1.0], cv=4, alphas=15, tol=1e-10, penalty_factor=pf,
        lower_bounds=lo, upper_bounds=hi,
    ).fit(X, y)  # fmt: skip
    w = cv.coef_
    assert np.all(w >= lo) and np.all(w <= hi)
    v = _kkt_violation(w, X, y, cv.alpha_, cv.l1_ratio_, pf, lo, hi)
    assert v.max() <= 1e-5 * np.abs(X.T @ (y - y.mean())).max() / len(y)
    assert cv.mse_path_.shape == (2, 15, 4)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(penalty_factor=np.ones(3)), "penalty_factor must be a scalar or"),
        (dict(penalty_factor=-np.ones(30)), "penalty_factor must be finite and >= 0"),
        (dict(penalty_factor=np.full(30, np.inf)), "penalty_factor must be finite"),
        (dict(penalty_factor=np.full(30, np.nan)), "penalty_factor contains NaN"),
        (dict(lower_bounds=0.5), "lower_bounds must be <= 0"),
        (dict(upper_bounds=-0.5), "upper_bounds must be >= 0"),
        (dict(upper_bounds=np.zeros((2, 15))), "upper_bounds must be a scalar"),
        (dict(penalty_factor=["a"] * 30), "must be numeric"),
    ],
)
def test_bad_factors_and_bounds(kwargs, match):
    X, y = _problem()
    with pytest.raises(ValueError, match=match):
        Lasso(alpha=0.1, **kwargs).fit(X, y)


def test_all_unpenalized_needs_explicit_alphas():
    X, y = _problem()
    with pytest.raises(ValueError, match="at least one penalized feature"):
        LassoCV(penalty_factor=np.zeros(X.shape[1])).fit(X, y)
    # with explicit alphas: least squares on all features (n > p here)
    pf = np.zeros(X.shape[1])
    est = Lasso(alpha=0.1, penalty_factor=pf, tol=1e-12).fit(X, y)
    Z = X - X.mean(axis=0)
    w_ls = np.linalg.lstsq(Z, y - y.mean(), rcond=None)[0]
    # the objective is least squares; the certificate bounds the excess
    f, f_ls = (_objective(w, X, y, 0.1, 1.0, pf) for w in (est.coef_, w_ls))
    assert f - f_ls <= est.dual_gap_ + 1e-13 * f_ls
    np.testing.assert_allclose(est.coef_, w_ls, rtol=1e-4, atol=1e-6)


def test_user_arrays_not_modified():
    X, y = _problem()
    pf = np.ones(X.shape[1])
    pf[0] = 0
    lo = np.full(X.shape[1], -1.0)
    copies = [a.copy() for a in (X, y, pf, lo)]
    Lasso(alpha=0.1, penalty_factor=pf, lower_bounds=lo, positive=True).fit(X, y)
    for a, c in zip((X, y, pf, lo), copies, strict=True):
        np.testing.assert_array_equal(a, c)
