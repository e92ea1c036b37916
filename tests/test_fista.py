"""FISTA (``solver='fista'``) reaches CD's solution under the same certificate.

Both solvers stop when the duality gap (same formula) is at most
``tol * y_c^T W y_c``. Run at tol=1e-10 (float64) / 1e-6 (float32), their
coefficients must agree to rtol 1e-5 (float64) / 2e-3 (float32), relative to
max |coef|, and FISTA's returned ``dual_gap_`` must be at most the tolerance, checked
against an independent numpy gap computation.
"""

import numpy as np
import pytest
import scipy.sparse as sp
from _helpers import duality_gap

from fastlasso import ElasticNet, Lasso
from fastlasso._kernels import fista_enet
from fastlasso._path import Design

TOL = {np.float64: (1e-10, 1e-5), np.float32: (1e-6, 2e-3)}


def _problem(n=60, p=120, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p)
    X[rng.rand(n, p) < 0.6] = 0.0
    X += 0.5 * (rng.rand(p) > 0.5)  # some non-centred columns
    w = np.zeros(p)
    w[:6] = rng.randn(6) * 3
    y = X @ w + 0.3 * rng.randn(n) + 1.0
    sw = rng.uniform(0.3, 2.0, n)
    return X, y, sw


@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_fista_equals_cd(layout, dtype, positive, weighted, l1_ratio):
    X, y, sw = _problem()
    sw = sw if weighted else None
    tol, rtol = TOL[dtype]
    Xl = sp.csc_matrix(X.astype(dtype)) if layout == "csc" else X.astype(dtype)
    Est = Lasso if l1_ratio == 1.0 else ElasticNet
    kw = dict(alpha=0.05, tol=tol, positive=positive, max_iter=100_000)
    if Est is ElasticNet:
        kw["l1_ratio"] = l1_ratio
    cd = Est(**kw).fit(Xl, y, sample_weight=sw)
    fi = Est(**kw, solver="fista").fit(Xl, y, sample_weight=sw)
    assert fi.coef_.dtype == dtype
    scale = np.abs(cd.coef_).max()
    assert scale > 0
    assert np.abs(fi.coef_ - cd.coef_).max() <= rtol * scale
    assert abs(fi.intercept_ - cd.intercept_) <= rtol * max(1.0, abs(cd.intercept_))
    if positive:
        assert fi.coef_.min() >= 0
    # certificate: returned gap and an independent recomputation are within tol
    gap, scale = duality_gap(
        Xl, y, fi.coef_, 0.05, l1_ratio, sample_weight=sw, positive=positive
    )
    tol_gap = tol * scale
    assert fi.dual_gap_ <= tol_gap * (1 + 1e-9)
    # float32: X, y and w are rounded to float32 inside the solver
    slack = 1e-5 * scale if dtype == np.float32 else 1e-9 * tol_gap
    assert gap <= tol_gap + slack


@pytest.mark.parametrize("positive", [False, True])
def test_fista_kernel_ridge_gap(layout, positive):
    """l1 = 0 < l2 (Ridge): the gap (formulation B, with the positive-part
    conjugate when ``positive``) is certified and the solution is the closed form."""
    X, y, _ = _problem(50, 30, seed=3)
    Xl = sp.csc_matrix(X) if layout == "csc" else np.asfortranarray(X)
    mu = X.mean(axis=0)
    design = Design(Xl, None, mu)
    yc = y - y.mean()
    w = np.zeros(30)
    lips = np.zeros(1)
    gap, tol_gap, n_iter, ok = fista_enet(
        design.Xd, yc, design.sw, False, design.X_offset, design.centered,
        design.col_sq, design.xsw, float(design.sw_sum), w, 0.0, 5.0,
        100_000, 1e-12, positive, False, 0, False, lips, None,
    )  # fmt: skip
    assert ok and 0 < n_iter < 100_000 and gap <= tol_gap
    Z = X - mu
    assert lips[0] >= np.linalg.eigvalsh(Z.T @ Z).max() * 0.99
    if not positive:
        w_ref = np.linalg.solve(Z.T @ Z + 5.0 * np.eye(30), Z.T @ yc)
        np.testing.assert_allclose(w, w_ref, rtol=1e-5, atol=1e-6 * np.abs(w_ref).max())
    else:
        assert w.min() >= 0 and np.any(w == 0)
        # KKT of the sign-constrained ridge
        g = Z.T @ (yc - Z @ w) - 5.0 * w
        assert np.all(g[w == 0] <= 1e-5 * np.abs(Z.T @ yc).max())
        np.testing.assert_allclose(g[w > 0], 0, atol=1e-5 * np.abs(Z.T @ yc).max())


def test_fista_warm_start_and_zero_solution():
    X, y, _ = _problem()
    big = Lasso(alpha=1e3, solver="fista").fit(X, y)
    assert big.n_iter_ == 0 and not np.any(big.coef_)
    m = Lasso(alpha=0.05, solver="fista", tol=1e-8, warm_start=True).fit(X, y)
    again = m.fit(X, y)
    assert again.n_iter_ == 0  # the previous solution already satisfies the gap test


def test_fista_ignores_precompute_and_matches():
    X, y, _ = _problem(200, 20, seed=4)
    a = ElasticNet(alpha=0.01, precompute=True, solver="fista", tol=1e-10).fit(X, y)
    b = ElasticNet(alpha=0.01, tol=1e-10).fit(X, y)
    assert np.abs(a.coef_ - b.coef_).max() <= 1e-5 * np.abs(b.coef_).max()


def test_solver_param_validated():
    from sklearn.utils._param_validation import InvalidParameterError

    with pytest.raises(InvalidParameterError):
        Lasso(solver="newton").fit(np.eye(3), [1.0, 2.0, 3.0])
    assert Lasso().get_params()["solver"] == "cd"
    assert ElasticNet(solver="fista").get_params()["solver"] == "fista"
