"""Optimality certificates for every returned solution (fastlasso only).

For the weighted, centred problem (see _helpers.kkt_violation / duality_gap):

* KKT: with lam = alpha * l1_ratio, every feature's violation of
  ``c_j = lam sign(w_j)`` (w_j != 0) or ``|c_j| <= lam`` (w_j = 0) must be
  <= KKT_RTOL * lam:  float64 @ tol=1e-10: 1e-5;  float32 @ tol=1e-5: 2e-2.
  (scikit-learn itself reaches < 1e-8 and < 1e-2 respectively on these problems.)
* Duality gap recomputed independently in float64 numpy (on the dtype-rounded data)
  must be <= tol * ||sqrt(sw) y_c||^2 / n (scikit-learn's stopping rule, scaled by
  1/n) up to a rounding slack, and ``dual_gap_`` must match it:
  slack = 1e-12 * raw (float64) / 2e-5 * raw (float32), with
  raw = scale + ||sqrt(sw) y||^2 / n (uncentred: sparse solvers centre implicitly and
  cancel terms of that size), scale = ||sqrt(sw) y_c||^2 / n.
"""

import numpy as np
import pytest
import scipy.sparse as sp
from _helpers import (
    alpha_max,
    duality_gap,
    kkt_violation,
    load_dense_dataset,
    make_problem,
    make_sparse_problem,
    make_weights,
    to_layout,
)

from fastlasso import ElasticNet, Lasso, enet_path

PROBLEMS = {
    "n<p": make_problem(40, 60, seed=20),
    "n>p": make_problem(120, 30, seed=21),
    "sparse": make_sparse_problem(80, 50, seed=22),
}
TOL = {np.float64: 1e-10, np.float32: 1e-5}
KKT_RTOL = {np.float64: 1e-5, np.float32: 2e-2}
GAP_SLACK = {np.float64: 1e-12, np.float32: 2e-5}


def check_certificates(
    X, y, coef, alpha, l1_ratio, sw, fit_intercept, positive, dtype, reported_gap=None
):
    X_ = (X.toarray() if sp.issparse(X) else np.asarray(X)).astype(np.float64)
    y_ = np.asarray(y).astype(dtype).astype(np.float64)
    viol = kkt_violation(X_, y_, coef, alpha, l1_ratio, sw, fit_intercept, positive)
    lam = alpha * l1_ratio
    assert viol.max() <= KKT_RTOL[dtype] * lam, (
        f"KKT violation {viol.max():.3e} > {KKT_RTOL[dtype]:.0e} * lam "
        f"(lam={lam:.3e}) at features {np.flatnonzero(viol > KKT_RTOL[dtype] * lam)}"
    )
    if positive:
        assert np.all(coef >= 0)
    gap, scale = duality_gap(X_, y_, coef, alpha, l1_ratio, sw, fit_intercept, positive)
    w_ = np.ones(len(y_)) if sw is None else sw * len(y_) / np.sum(sw)
    slack = GAP_SLACK[dtype] * (scale + np.mean(w_ * y_**2))
    assert gap >= -slack  # weak duality
    assert gap <= TOL[dtype] * scale + slack, (
        f"recomputed gap {gap:.3e} > tol * scale = {TOL[dtype] * scale:.3e}"
    )
    if reported_gap is not None:
        assert abs(float(reported_gap) - gap) <= slack + 1e-6 * abs(gap), (
            f"dual_gap_={float(reported_gap):.6e} but recomputed gap={gap:.6e}"
        )


@pytest.mark.parametrize("alpha_frac", [0.3, 0.05, 0.01])
@pytest.mark.parametrize("l1_ratio", [0.1, 0.5, 1.0])
@pytest.mark.parametrize("positive", [False, True], ids=["", "pos"])
@pytest.mark.parametrize("weighted", [False, True], ids=["", "sw"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["icpt", "noicpt"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("layout", ["F", "csc"])
@pytest.mark.parametrize("problem", list(PROBLEMS))
def test_estimator_kkt_and_gap(
    problem, layout, dtype, fit_intercept, weighted, positive, l1_ratio, alpha_frac
):
    X, y = PROBLEMS[problem]
    sw = make_weights(len(y), seed=23) if weighted else None
    alpha = alpha_frac * alpha_max(X, y, sw, fit_intercept, l1_ratio, positive)
    cls = Lasso if l1_ratio == 1.0 else ElasticNet
    kw = {} if l1_ratio == 1.0 else {"l1_ratio": l1_ratio}
    model = cls(
        alpha=alpha,
        fit_intercept=fit_intercept,
        positive=positive,
        tol=TOL[dtype],
        max_iter=100_000,
        **kw,
    )
    Xl = to_layout(X, layout, dtype)
    model.fit(Xl, y, sample_weight=sw)
    check_certificates(
        Xl,
        y,
        model.coef_,
        alpha,
        l1_ratio,
        sw,
        fit_intercept,
        positive,
        dtype,
        reported_gap=model.dual_gap_,
    )
    # the intercept is the optimal one for these coefficients
    X_ = to_layout(X, "F", dtype).astype(np.float64)
    y_ = y.astype(dtype).astype(np.float64)
    if fit_intercept:
        w_ = np.ones(len(y)) if sw is None else sw
        resid = y_ - X_ @ model.coef_.astype(np.float64) - float(model.intercept_)
        assert abs(np.average(resid, weights=w_)) <= (
            1e-8 if dtype == np.float64 else 1e-3
        ) * max(1.0, np.abs(y_).max())
    else:
        assert model.intercept_ == 0.0


@pytest.mark.parametrize("positive", [False, True], ids=["", "pos"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("layout", ["F", "csc"])
@pytest.mark.parametrize("l1_ratio", [0.2, 1.0])
def test_path_kkt_and_gap(l1_ratio, layout, dtype, positive):
    """Every column of an enet_path (no intercept handling) is certified."""
    X, y = PROBLEMS["n<p"]
    Xl = to_layout(X, layout, dtype)
    alphas, coefs, gaps = enet_path(
        Xl,
        y,
        l1_ratio=l1_ratio,
        alphas=15,
        eps=1e-2,
        positive=positive,
        tol=TOL[dtype],
        max_iter=100_000,
    )
    for k, alpha in enumerate(alphas):
        check_certificates(
            Xl,
            y,
            coefs[:, k],
            alpha,
            l1_ratio,
            None,
            False,
            positive,
            dtype,
            reported_gap=gaps[k],
        )


@pytest.mark.parametrize("precompute", [True, "gram"])
def test_path_gram_kkt_and_gap(precompute):
    X, y = PROBLEMS["n>p"]
    XF = np.asfortranarray(X)
    pre = XF.T @ XF if precompute == "gram" else True
    alphas, coefs, gaps = enet_path(
        XF,
        y,
        l1_ratio=0.7,
        alphas=10,
        eps=1e-2,
        precompute=pre,
        tol=1e-10,
        max_iter=100_000,
    )
    for k, alpha in enumerate(alphas):
        check_certificates(
            XF,
            y,
            coefs[:, k],
            alpha,
            0.7,
            None,
            False,
            False,
            np.float64,
            reported_gap=gaps[k],
        )


@pytest.mark.parametrize("layout", ["F", "csc"])
def test_riboflavin_kkt(layout):
    data = load_dense_dataset("riboflavin")
    if data is None:
        pytest.skip("riboflavin.npz not available")
    X, y = data
    X = X[:, :300]
    for l1_ratio in (0.5, 1.0):
        alpha = 0.05 * alpha_max(X, y, None, True, l1_ratio)
        model = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-10, max_iter=200_000)
        model.fit(to_layout(X, layout, np.float64), y)
        check_certificates(
            X,
            y,
            model.coef_,
            alpha,
            l1_ratio,
            None,
            True,
            False,
            np.float64,
            reported_gap=model.dual_gap_,
        )


def test_default_tol_gap_certificate():
    """At the default tol=1e-4, the recomputed gap is below tol * scale."""
    X, y = PROBLEMS["n<p"]
    sw = make_weights(len(y), seed=24)
    for layout in ["F", "csc"]:
        model = Lasso(alpha=0.02).fit(
            to_layout(X, layout, np.float64), y, sample_weight=sw
        )
        gap, scale = duality_gap(X, y, model.coef_, 0.02, 1.0, sw, True)
        assert gap <= 1e-4 * scale * (1 + 1e-9)
        np.testing.assert_allclose(model.dual_gap_, gap, rtol=1e-6, atol=1e-12 * scale)


@pytest.mark.parametrize("precompute", [False, True])
@pytest.mark.parametrize("layout", ["F", "csc"])
def test_positive_ridge_is_certified(layout, precompute):
    """ElasticNet(l1_ratio=0, positive=True): the l1 = 0 certificate uses the
    conjugate of (l2/2) w^2 + indicator(w >= 0), so CD stops without a
    ConvergenceWarning, at the non-negative least-squares solution of the ridge
    problem written as an augmented system (scipy's NNLS, an independent solver)."""
    import warnings

    from scipy.optimize import nnls

    X, y = PROBLEMS["n<p"]
    n, p = X.shape
    alpha = 0.05
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = ElasticNet(
            alpha=alpha,
            l1_ratio=0.0,
            positive=True,
            tol=1e-12,
            max_iter=100_000,
            precompute=precompute and layout == "F",
        )
        model.fit(to_layout(X, layout, np.float64), y)
    Xc = X - X.mean(axis=0)
    yc = y - y.mean()
    A = np.vstack([Xc, np.sqrt(n * alpha) * np.eye(p)])
    w_ref, _ = nnls(A, np.r_[yc, np.zeros(p)])
    assert np.all(model.coef_ >= 0) and np.any(model.coef_ == 0)
    np.testing.assert_allclose(
        model.coef_, w_ref, rtol=1e-6, atol=1e-8 * np.abs(w_ref).max()
    )
    assert model.dual_gap_ <= 1e-12 * (yc @ yc) / n + 1e-14
