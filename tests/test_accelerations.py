"""Working sets, gap-safe screening and Anderson extrapolation never change the answer.

Each is only a speed-up: the loop stops on the same certificate (duality gap of the
full problem <= tol * y^T W y). So, at a tight tol, every on/off combination must
return the same coefficients (float64: rtol 1e-6, atol 1e-8 * max|w|) and a
recomputed gap below tol, on dense and sparse data, with and without intercept and
sample weights, for the Lasso and the elastic net, and along a warm-started path.
"""

import itertools

import numpy as np
import pytest
import scipy.sparse as sp
from _helpers import (
    alpha_max,
    duality_gap,
    load_dense_dataset,
    make_problem,
    make_sparse_problem,
    make_weights,
    preprocess,
)

from fastlasso._path import Design, solve_path

SWITCHES = list(itertools.product([False, True], repeat=3))  # ws, screen, anderson
TOL = 1e-12


def _riboflavin_slice():
    data = load_dense_dataset("riboflavin")
    if data is None:
        pytest.skip("riboflavin data not available")
    X, y = data
    return X[:, :600], y


def _sparse():
    X, y = make_sparse_problem(90, 160, seed=33, density=0.1)
    return sp.csc_matrix(X), y


PROBLEMS = {
    "dense n<p": lambda: make_problem(50, 200, seed=31),
    "dense n>p": lambda: make_problem(150, 40, seed=32),
    "sparse": _sparse,
    "riboflavin": _riboflavin_slice,
}


def _solve(X, y, sw, fit_intercept, l1_ratio, alphas, ws, screen, anderson):
    Xc_ref, yc, sw_n, X_offset, _ = preprocess(X, y, sw, fit_intercept)
    if sp.issparse(X):
        Xk = sp.csc_matrix(X, dtype=np.float64)
    else:
        Xk = np.asfortranarray(X, dtype=np.float64)
    design = Design(
        Xk,
        sample_weight=None if sw is None else sw_n,
        X_offset=X_offset if fit_intercept else None,
    )
    coefs, gaps, _ = solve_path(
        design,
        yc,
        alphas,
        l1_ratio,
        tol=TOL,
        max_iter=200_000,
        working_set=ws,
        screen=screen,
        anderson=anderson,
    )
    return coefs, gaps / X.shape[0]


@pytest.mark.parametrize("weighted", [False, True], ids=["", "sw"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["icpt", "noicpt"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("problem", list(PROBLEMS))
def test_switches_do_not_change_the_solution(
    problem, l1_ratio, fit_intercept, weighted
):
    X, y = PROBLEMS[problem]()
    if problem == "riboflavin" and (weighted or not fit_intercept):
        pytest.skip("one real-data configuration is enough")
    sw = make_weights(X.shape[0], seed=34) if weighted else None
    amax = alpha_max(X, y, sw, fit_intercept, l1_ratio)
    alphas = amax * np.array([0.5, 0.1, 0.02])  # a short warm-started path
    results = {
        sw_: _solve(X, y, sw, fit_intercept, l1_ratio, alphas, *sw_) for sw_ in SWITCHES
    }
    ref, _ = results[(False, False, False)]  # plain cyclic CD on every feature
    scale = np.abs(ref).max(axis=0)
    for switches, (coefs, gaps) in results.items():
        np.testing.assert_allclose(
            coefs,
            ref,
            rtol=1e-6,
            atol=1e-8 * scale.max(),
            err_msg=f"working_set, screen, anderson = {switches}",
        )
        for k, alpha in enumerate(alphas):
            gap, gscale = duality_gap(
                X, y, coefs[:, k], alpha, l1_ratio, sw, fit_intercept, False
            )
            assert gap <= TOL * gscale + 1e-12 * (gscale + np.mean(y**2)), switches
            assert abs(gaps[k] - gap) <= 1e-9 * (gscale + np.mean(y**2)), switches


def test_working_set_uses_fewer_full_passes_than_plain_cd():
    """The point of working sets: fewer epochs over all features. Not timed; counts
    epochs (each working-set epoch touches at most as many columns as a full one)."""
    X, y = _riboflavin_slice()
    Xc, yc, _, X_offset, _ = preprocess(X, y)
    design = Design(np.asfortranarray(X), X_offset=X_offset)
    alpha = [0.05 * alpha_max(X, y)]
    _, _, it_plain = solve_path(
        design,
        yc,
        alpha,
        1.0,
        tol=1e-8,
        max_iter=100_000,
        working_set=False,
        anderson=False,
    )
    _, _, it_ws = solve_path(design, yc, alpha, 1.0, tol=1e-8, max_iter=100_000)
    assert it_ws[0] < it_plain[0]


def test_cholesky_downdates_match_refactoring():
    """The Newton step's factor, solve and downdate (dropping one coefficient at a
    time from the system) agree with numpy on the reduced matrix."""
    from fastlasso._kernels import _newton

    # kernels called only from other kernels have no CPython wrapper: test the
    # Python functions Numba compiles (same code)
    _chol_delete = _newton._chol_delete.py_func
    _chol_solve = _newton._chol_solve.py_func
    _cholesky = _newton._cholesky.py_func

    rng = np.random.RandomState(0)
    k, n = 40, 30  # rank-deficient Gram, made PD by a small ridge (as in _newton)
    Z = rng.randn(k, n)
    C = Z @ Z.T + 1e-6 * np.eye(k)
    L = C.copy()
    assert _cholesky(L, k)
    np.testing.assert_allclose(np.tril(L) @ np.tril(L).T, C, rtol=0, atol=1e-9)
    keep = list(range(k))
    scratch = np.empty(k)
    out = np.empty(k)
    for drop in [0, 17, 37, 5, 5, 20]:  # positions in the current system
        m = len(keep)
        _chol_delete(L, m, drop, scratch)
        del keep[drop]
        m -= 1
        Cr = C[np.ix_(keep, keep)]
        Lm = np.tril(L[:m, :m])
        np.testing.assert_allclose(Lm @ Lm.T, Cr, rtol=0, atol=1e-8)
        b = rng.randn(m)
        _chol_solve(L, m, b, out)
        np.testing.assert_allclose(Cr @ out[:m], b, rtol=0, atol=1e-6 * np.abs(b).max())
    assert not _cholesky(-np.eye(3), 3)  # not positive definite: refused


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("centered", [False, True])
def test_newton_system_csc_matches_dense(weighted, centered):
    """The Newton system built from a CSC support's entries alone (row-wise Gram,
    centring as a rank-two correction) equals the dense one, Z_A^T W Z_A and
    Z_A^T W r with Z = X - mu, to rounding; so does its cost model's input."""
    from fastlasso._kernels import _newton

    rng = np.random.RandomState(3)
    n, p = 60, 25
    X = sp.random(n, p, density=0.2, random_state=rng, format="csc")
    X.data *= 3.0
    Xdense = X.toarray()
    sw = rng.uniform(0.2, 2.0, n) if weighted else np.ones(n)
    mu = (sw @ Xdense) / sw.sum() + 0.3  # not the weighted mean: the general case
    zsum = sw @ Xdense - mu * sw.sum()
    R = rng.randn(n)
    S = float(sw @ R)
    idx = np.array([2, 5, 6, 11, 19, 24], dtype=np.int64)
    k = idx.shape[0]
    Z = Xdense[:, idx] - (mu[idx] if centered else 0.0)
    H_ref = Z.T @ (sw[:, None] * Z)
    g_ref = Z.T @ (sw * R)
    H, g, _ = _newton._system_csc.py_func(
        X.data, X.indices.astype(np.int64), X.indptr.astype(np.int64), idx, k, R, S,
        sw, weighted, mu, centered, zsum,
    )  # fmt: skip
    np.testing.assert_allclose(H, H_ref, rtol=1e-12, atol=1e-12 * np.abs(H_ref).max())
    np.testing.assert_allclose(g, g_ref, rtol=1e-12, atol=1e-12 * np.abs(g_ref).max())
    Hd, gd, Zs = _newton._system_dense.py_func(
        np.asfortranarray(Xdense).ravel(order="F"), n, idx, k, R, sw, weighted, mu,
        centered,
    )  # fmt: skip
    np.testing.assert_allclose(Hd, H_ref, rtol=1e-12, atol=1e-12 * np.abs(H_ref).max())
    np.testing.assert_allclose(gd, g_ref, rtol=1e-12, atol=1e-12 * np.abs(g_ref).max())
    # pairs of entries per row: what the sparse cost model charges
    counts = np.diff(sp.csr_matrix(X[:, idx]).indptr)
    cost = _newton._cost_csc.py_func(
        X.indices.astype(np.int64), X.indptr.astype(np.int64), idx, k, n
    )
    nnz = X[:, idx].nnz
    expected = (
        _newton.NEWTON_PAIR * 0.5 * float(counts @ (counts + 1))
        + _newton.NEWTON_CHOL * k**3
        + 3.0 * nnz
        + 2.0 * n
    )
    assert cost == pytest.approx(expected, rel=1e-12)
