"""lasso_path / enet_path parity with scikit-learn 1.9.1.

The path functions do no intercept handling: they solve on X, y as given.
Tolerances: float64 runs use tol=1e-10 and compare coefs with rtol=1e-5,
atol=1e-6 * max|coefs|; float32 runs use tol=1e-5 and rtol=1e-3, atol=2e-3 * max|coefs|.
The alpha grid is deterministic and must match to rtol=1e-10 (float64 data) or
1e-5 (float32 data).
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn.linear_model as sk
from _helpers import duality_gap, make_problem, to_layout

from fastlasso import enet_path, lasso_path

X_WIDE, Y_WIDE = make_problem(40, 60, seed=10)
X_TALL, Y_TALL = make_problem(120, 30, seed=11)
PROBLEMS = {"n<p": (X_WIDE, Y_WIDE), "n>p": (X_TALL, Y_TALL)}


def tight(dtype):
    if np.dtype(dtype) == np.float32:
        return dict(tol=1e-5, max_iter=100_000)
    return dict(tol=1e-10, max_iter=100_000)


def check_same_path(got, ref, dtype, n_alphas=None):
    alphas, coefs, gaps = got[:3]
    r_alphas, r_coefs, r_gaps = ref[:3]
    a_rtol = 1e-5 if np.dtype(dtype) == np.float32 else 1e-10
    np.testing.assert_allclose(np.asarray(alphas), np.asarray(r_alphas), rtol=a_rtol)
    assert np.shape(alphas) == np.shape(r_alphas)
    assert coefs.shape == r_coefs.shape
    assert coefs.dtype == r_coefs.dtype
    assert np.asarray(gaps).shape == np.asarray(r_gaps).shape
    assert np.asarray(gaps).dtype == np.asarray(r_gaps).dtype
    rtol, atol_f = (1e-3, 2e-3) if np.dtype(dtype) == np.float32 else (1e-5, 1e-6)
    # per-alpha absolute tolerance relative to that column's scale
    scale = np.maximum(np.abs(r_coefs).max(axis=0), np.abs(r_coefs).max() * 1e-3)
    assert np.all(np.abs(coefs - r_coefs) <= rtol * np.abs(r_coefs) + atol_f * scale), (
        f"max abs diff per alpha: {np.abs(coefs - r_coefs).max(axis=0)}"
    )
    # exact zeros where scikit-learn has exact zeros at alpha_max (first column)
    if n_alphas is None or n_alphas > 0:
        if np.all(r_coefs[:, 0] == 0):
            assert np.all(coefs[:, 0] == 0)


def run_both(func_name, X, *args, **kwargs):
    fl_func = {"lasso_path": lasso_path, "enet_path": enet_path}[func_name]
    sk_func = getattr(sk, func_name)
    Xc = X.copy()
    ref = sk_func(Xc, *args, **kwargs)
    got = fl_func(X, *args, **kwargs)
    return got, ref


@pytest.mark.parametrize("layout", ["F", "C", "csc", "csr"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("shape", list(PROBLEMS))
@pytest.mark.parametrize("func", ["lasso_path", "enet_path"])
def test_default_grid(func, shape, dtype, layout):
    X, y = PROBLEMS[shape]
    Xl = to_layout(X, layout, dtype)
    kw = dict(alphas=20, eps=1e-2, **tight(dtype))
    if func == "enet_path":
        kw["l1_ratio"] = 0.7
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got, ref = run_both(func, Xl, y, **kw)
    check_same_path(got, ref, dtype)
    assert len(got[0]) == 20


@pytest.mark.parametrize("func", ["lasso_path", "enet_path"])
def test_default_arguments(func):
    """No alphas / eps / tol arguments at all: 100 alphas, eps=1e-3, tol=1e-4,
    no FutureWarning (as scikit-learn)."""
    X, y = PROBLEMS["n>p"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got, ref = run_both(func, X, y)
    assert len(got[0]) == 100
    np.testing.assert_allclose(got[0], ref[0], rtol=1e-12)
    np.testing.assert_allclose(got[0][-1] / got[0][0], 1e-3, rtol=1e-10)
    # both at tol=1e-4: compare loosely, and check the gap certificate
    scale = np.abs(ref[1]).max()
    np.testing.assert_allclose(got[1], ref[1], rtol=1e-2, atol=1e-2 * scale)
    assert np.all(got[2] <= 1e-4 * (y @ y) / len(y) * (1 + 1e-6))


@pytest.mark.parametrize("layout", ["F", "csc"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("l1_ratio", [0.1, 0.5, 0.9, 1.0])
def test_explicit_alphas(l1_ratio, dtype, layout):
    """Explicit alphas (unsorted list, ndarray, single alpha): sorted descending."""
    X, y = PROBLEMS["n<p"]
    Xl = to_layout(X, layout, dtype)
    amax = np.abs(X.T @ y).max() / (len(y) * l1_ratio)
    alphas = [0.05 * amax, 0.5 * amax, 0.01 * amax, 0.2 * amax]
    for a in (alphas, np.array(alphas), [0.1 * amax]):
        got, ref = run_both(
            "enet_path", Xl, y, l1_ratio=l1_ratio, alphas=a, **tight(dtype)
        )
        check_same_path(got, ref, dtype)
        assert np.all(np.diff(np.asarray(got[0])) <= 0)


@pytest.mark.parametrize("n_alphas", [1, 2, 7])
def test_int_alphas_and_eps(n_alphas):
    X, y = PROBLEMS["n>p"]
    for eps in (1e-1, 1e-3):
        got, ref = run_both(
            "lasso_path", X, y, alphas=n_alphas, eps=eps, **tight(np.float64)
        )
        check_same_path(got, ref, np.float64)
        assert len(got[0]) == n_alphas


@pytest.mark.parametrize("layout", ["F", "csc"])
def test_positive(layout):
    X, y = PROBLEMS["n<p"]
    Xl = to_layout(X, layout, np.float64)
    for func, kw in [("lasso_path", {}), ("enet_path", {"l1_ratio": 0.3})]:
        got, ref = run_both(
            func, Xl, y, alphas=15, positive=True, **kw, **tight(np.float64)
        )
        check_same_path(got, ref, np.float64)
        assert np.all(got[1] >= 0)
    # y anti-correlated with every column: alpha_max = 0 for positive (grid of zeros)
    yneg = -np.abs(X).sum(axis=1) * 10
    got, ref = run_both("lasso_path", np.abs(X), yneg, alphas=3, positive=True)
    np.testing.assert_array_equal(got[0], ref[0])
    np.testing.assert_array_equal(got[1], ref[1])


@pytest.mark.parametrize("layout", ["F", "csc"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
def test_return_n_iter_and_gaps(dtype, layout):
    X, y = PROBLEMS["n<p"]
    Xl = to_layout(X, layout, dtype)
    got, ref = run_both(
        "enet_path",
        Xl,
        y,
        l1_ratio=0.8,
        alphas=10,
        eps=1e-2,
        return_n_iter=True,
        **tight(dtype),
    )
    assert len(got) == len(ref) == 4
    check_same_path(got, ref, dtype)
    n_iters = got[3]
    assert isinstance(n_iters, list) and len(n_iters) == 10
    assert all(isinstance(k, int) for k in n_iters)
    assert n_iters[0] == ref[3][0] == 0  # alpha_max: zero epochs
    gaps = got[2]
    assert gaps.dtype == np.float64
    tol = tight(dtype)["tol"]
    y_ = y.astype(dtype).astype(np.float64)
    X_ = X.astype(dtype).astype(np.float64)
    for k, alpha in enumerate(got[0]):
        mine, scale = duality_gap(X_, y_, got[1][:, k], alpha, 0.8, fit_intercept=False)
        slack = (2e-5 if dtype == np.float32 else 1e-12) * scale
        assert gaps[k] <= tol * scale + slack
        assert mine <= tol * scale + slack
        assert abs(mine - gaps[k]) <= slack + 1e-6 * abs(mine)


def test_coef_init():
    """coef_init is the warm start of the first alpha; the solution is unchanged."""
    X, y = PROBLEMS["n>p"]
    amax = np.abs(X.T @ y).max() / len(y)
    init = np.random.default_rng(0).standard_normal(X.shape[1])
    for layout in ["F", "csc"]:
        Xl = to_layout(X, layout, np.float64)
        got, ref = run_both(
            "lasso_path",
            Xl,
            y,
            alphas=[0.05 * amax, 0.01 * amax],
            coef_init=init.copy(),
            return_n_iter=True,
            **tight(np.float64),
        )
        check_same_path(got, ref, np.float64)
        # starting from the optimum of the first alpha: immediate convergence
        got2 = lasso_path(
            Xl,
            y,
            alphas=[0.05 * amax],
            coef_init=got[1][:, 0].copy(),
            return_n_iter=True,
            **tight(np.float64),
        )
        ref2 = sk.lasso_path(
            Xl,
            y,
            alphas=[0.05 * amax],
            coef_init=got[1][:, 0].copy(),
            return_n_iter=True,
            **tight(np.float64),
        )
        np.testing.assert_allclose(
            got2[1][:, 0], got[1][:, 0], rtol=1e-5, atol=1e-6 * np.abs(got[1]).max()
        )
        assert got2[3][0] <= max(ref2[3][0], 1)


@pytest.mark.parametrize("shape", list(PROBLEMS))
def test_precompute_and_Xy(shape):
    """precompute True / Gram array / 'auto' / False, with and without Xy."""
    X, y = PROBLEMS[shape]
    XF = np.asfortranarray(X)
    gram = XF.T @ XF
    Xy = XF.T @ y
    for precompute in [True, False, "auto", gram]:
        for xy in [None, Xy]:
            for func, kw in [("lasso_path", {}), ("enet_path", {"l1_ratio": 0.5})]:
                got, ref = run_both(
                    func,
                    XF,
                    y,
                    alphas=12,
                    eps=1e-2,
                    precompute=precompute,
                    Xy=xy,
                    **kw,
                    **tight(np.float64),
                )
                check_same_path(got, ref, np.float64)


def test_sparse_equals_dense_path():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 30))
    X[rng.random(X.shape) > 0.25] = 0.0
    y = X[:, :3] @ [1.0, -2.0, 3.0] + 0.1 * rng.standard_normal(50)
    for func, kw in [(lasso_path, {}), (enet_path, {"l1_ratio": 0.4})]:
        a_d, c_d, _ = func(X, y, alphas=10, **kw, **tight(np.float64))
        a_s, c_s, _ = func(sp.csc_matrix(X), y, alphas=10, **kw, **tight(np.float64))
        a_r, c_r, _ = func(sp.csr_matrix(X), y, alphas=10, **kw, **tight(np.float64))
        np.testing.assert_allclose(a_s, a_d, rtol=1e-12)
        np.testing.assert_allclose(c_s, c_d, rtol=1e-5, atol=1e-6 * np.abs(c_d).max())
        np.testing.assert_allclose(c_r, c_s, rtol=1e-5, atol=1e-6 * np.abs(c_d).max())


def test_path_does_not_modify_inputs():
    X, y = PROBLEMS["n>p"]
    for Xl in [np.asfortranarray(X), sp.csc_matrix(X)]:
        X0, y0 = Xl.copy(), y.copy()
        # (coef_init is not covered: scikit-learn itself updates it in place)
        for copy_X in (True, False):
            lasso_path(Xl, y, alphas=5, copy_X=copy_X)
            enet_path(Xl, y, alphas=5, copy_X=copy_X, precompute=True)
        if sp.issparse(Xl):
            assert (Xl != X0).nnz == 0
        else:
            np.testing.assert_array_equal(Xl, X0)
        np.testing.assert_array_equal(y, y0)


def test_two_dimensional_y_is_the_multitask_path():
    """A 2-D y gives scikit-learn's multi-task path: coefs (n_targets,
    n_features, n_alphas), the same as MultiTaskElasticNet at each alpha."""
    from fastlasso import MultiTaskElasticNet

    X, y = PROBLEMS["n>p"]
    Y = np.column_stack([y, -0.5 * y + 0.1])
    alphas, coefs, _ = enet_path(X, Y, l1_ratio=0.7, alphas=3, tol=1e-12)
    assert coefs.shape == (2, X.shape[1], 3)
    est = MultiTaskElasticNet(
        alpha=alphas[-1], l1_ratio=0.7, fit_intercept=False, tol=1e-12
    ).fit(X, Y)
    np.testing.assert_allclose(coefs[:, :, -1], est.coef_, atol=1e-7)
    _, lcoefs, _ = lasso_path(X, Y, alphas=alphas[:1])
    assert lcoefs.shape == (2, X.shape[1], 1)


def test_unexpected_params_and_deprecations():
    X, y = PROBLEMS["n>p"]
    for func in (lasso_path, enet_path):
        with pytest.raises(ValueError, match="Unexpected parameters"):
            func(X, y, alphas=3, foo=1)
        with pytest.warns(FutureWarning, match="alphas=None"):
            a, _, _ = func(X, y, alphas=None)
        assert len(a) == 100
        with pytest.warns(FutureWarning, match="n_alphas"):
            a, _, _ = func(X, y, n_alphas=4)
        assert len(a) == 4
    with pytest.raises(sk_error(sk.enet_path, X, y, l1_ratio=0.0, alphas=5)):
        enet_path(X, y, l1_ratio=0.0, alphas=5)


def sk_error(func, *args, **kwargs):
    """The exception class scikit-learn raises for func(*args, **kwargs)."""
    try:
        func(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001
        return type(exc)
    raise AssertionError("scikit-learn did not raise")


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("shape", list(PROBLEMS))
def test_one_call_path_equals_alpha_by_alpha(shape, l1_ratio, capsys):
    """The working-set kernel solves a whole path in one call, carrying its
    residual, correlations and working set from one alpha to the next; with
    ``verbose`` it is called once per alpha and rebuilds that state every time.
    Both must certify every alpha and reach the same solutions."""
    X, y = PROBLEMS[shape]
    kw = dict(l1_ratio=l1_ratio, alphas=25, eps=1e-3, tol=1e-10, max_iter=100_000)
    alphas, coefs, _ = enet_path(X, y, **kw)
    _, coefs_1, _ = enet_path(X, y, verbose=2, **kw)
    assert capsys.readouterr().out.count("Path:") == len(alphas)
    for k, alpha in enumerate(alphas):
        for c in (coefs[:, k], coefs_1[:, k]):
            gap, scale = duality_gap(X, y, c, alpha, l1_ratio, fit_intercept=False)
            # the certificate, up to rounding in recomputing it
            assert gap <= 1e-10 * scale + 1e-13 * scale
    scale = np.abs(coefs).max()
    np.testing.assert_allclose(coefs, coefs_1, rtol=1e-5, atol=1e-6 * scale)


@pytest.mark.parametrize("weighted", [False, True])
def test_alpha_grid_two_dimensional_y_matches_scikit_learn(weighted):
    """The largest alpha for a 2-D y with an intercept (and sample weights) is
    scikit-learn's multi-task one: per-column centring of X^T y."""
    from sklearn.linear_model._coordinate_descent import _alpha_grid

    from fastlasso._path import _alpha_max

    rng = np.random.RandomState(0)
    X = rng.randn(30, 8) + 3.0
    Y = rng.randn(30, 3) + 1.0
    sw = rng.uniform(0.5, 2.0, 30) if weighted else None
    ours = _alpha_max(X, Y, None, 0.5, True, sw, False)
    ref = _alpha_grid(X, Y, l1_ratio=0.5, fit_intercept=True, n_alphas=1,
                      sample_weight=sw)  # fmt: skip
    np.testing.assert_allclose(ours, ref[0], rtol=1e-12)
