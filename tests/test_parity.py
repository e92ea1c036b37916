"""Estimator-level parity with scikit-learn 1.9.1 (Lasso / ElasticNet).

Both libraries are run at a tight tolerance on the same problem and must agree.

Tolerances (stated once, used everywhere in this module):

* float64, tol=1e-10: ``coef_`` equal to rtol=1e-5, atol=1e-6 * max|coef_sklearn|.
  (scikit-learn at tol=1e-10 vs tol=1e-13 differs by < 1e-7 * max|coef| on this grid.)
* float32, tol=1e-5: rtol=1e-3, atol=2e-3 * max|coef_sklearn|, where the reference is
  scikit-learn's float64 solution (tol=1e-10) of the *same float32-rounded data*.
  scikit-learn's own float32 result is not used as the numeric reference because its
  float32 sparse solver with fit_intercept loses accuracy on uncentred data (riboflavin
  slice, CSC: 4e-2 * max|coef| away from the float64 solution, negative dual gap).
  Types/dtypes of all attributes are still compared with scikit-learn's float32 fit.
  (scikit-learn float32 dense vs float64 differs by < 3e-4 * max|coef| on this grid.)
* ``intercept_``: rtol as above, atol = coef atol * ||X_offset||_1 (the intercept is
  ``y_offset - X_offset @ coef_``).
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn.linear_model as sk
from _helpers import (
    alpha_max,
    load_dense_dataset,
    make_problem,
    make_weights,
    preprocess,
    to_layout,
)
from sklearn.base import clone

from fastlasso import ElasticNet, Lasso

SHAPES = {"n<p": (40, 60), "n>p": (120, 30)}
_PROBLEMS = {}


def get_problem(shape):
    if shape not in _PROBLEMS:
        n, p = SHAPES[shape]
        X, y = make_problem(n, p, seed=0 if shape == "n<p" else 1)
        _PROBLEMS[shape] = X, y, make_weights(n, seed=2)
    return _PROBLEMS[shape]


def tight(dtype):
    if np.dtype(dtype) == np.float32:
        return dict(tol=1e-5, max_iter=100_000)
    return dict(tol=1e-10, max_iter=100_000)


def tols(dtype):
    if np.dtype(dtype) == np.float32:
        return 1e-3, 2e-3
    return 1e-5, 1e-6


def make_pair(l1_ratio, **params):
    """The same estimator from fastlasso and from scikit-learn."""
    if l1_ratio == 1.0:
        return Lasso(**params), sk.Lasso(**params)
    return (
        ElasticNet(l1_ratio=l1_ratio, **params),
        sk.ElasticNet(l1_ratio=l1_ratio, **params),
    )


def numeric_reference(sk_model, X, y, sw, dtype):
    """scikit-learn's float64 solution of the same (dtype-rounded) problem."""
    if np.dtype(dtype) == np.float64:
        return sk_model
    ref = clone(sk_model).set_params(tol=1e-10)
    X64 = X.toarray() if sp.issparse(X) else np.asarray(X)
    X64 = X64.astype(dtype).astype(np.float64)
    return ref.fit(
        X64, np.asarray(y).astype(dtype).astype(np.float64), sample_weight=sw
    )


def assert_same_fit(fl_model, sk_model, X, y, sw, fit_intercept, dtype):
    rtol, atol_f = tols(dtype)
    num_ref = numeric_reference(sk_model, X, y, sw, dtype)
    ref = num_ref.coef_.astype(dtype)
    scale = max(np.abs(ref).max(), np.finfo(np.float64).tiny)
    atol = atol_f * scale
    np.testing.assert_allclose(fl_model.coef_, ref, rtol=rtol, atol=atol)
    assert fl_model.coef_.dtype == sk_model.coef_.dtype
    assert fl_model.coef_.shape == sk_model.coef_.shape
    # intercept
    _, _, _, X_offset, _ = preprocess(X, y, sw, fit_intercept)
    np.testing.assert_allclose(
        fl_model.intercept_,
        num_ref.intercept_,
        rtol=rtol,
        atol=atol * np.abs(X_offset).sum() + np.finfo(np.float32).tiny,
    )
    assert type(fl_model.intercept_) is type(sk_model.intercept_)
    fl_idt = np.asarray(fl_model.intercept_).dtype
    assert fl_idt == np.asarray(sk_model.intercept_).dtype
    assert isinstance(fl_model.n_iter_, int)
    assert fl_model.n_features_in_ == sk_model.n_features_in_
    assert np.asarray(fl_model.dual_gap_).dtype == np.asarray(sk_model.dual_gap_).dtype
    # zero pattern: coefficients clearly away from zero must be non-zero in both
    big = np.abs(ref) > 10 * atol
    assert np.all(fl_model.coef_[big] != 0)
    assert np.all(np.sign(fl_model.coef_[big]) == np.sign(ref[big]))


@pytest.mark.parametrize("alpha_frac", [0.5, 0.1, 0.01])
@pytest.mark.parametrize("l1_ratio", [0.1, 0.5, 0.9, 1.0])
@pytest.mark.parametrize("positive", [False, True], ids=["", "pos"])
@pytest.mark.parametrize("weighted", [False, True], ids=["", "sw"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["icpt", "noicpt"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("layout", ["F", "C", "csc", "csr"])
@pytest.mark.parametrize("shape", list(SHAPES))
def test_parity_grid(
    shape, layout, dtype, fit_intercept, weighted, positive, l1_ratio, alpha_frac
):
    X, y, sw = get_problem(shape)
    sw = sw if weighted else None
    alpha = alpha_frac * alpha_max(X, y, sw, fit_intercept, l1_ratio, positive)
    params = dict(
        alpha=alpha, fit_intercept=fit_intercept, positive=positive, **tight(dtype)
    )
    fl_model, sk_model = make_pair(l1_ratio, **params)
    Xl = to_layout(X, layout, dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # both must converge without warning
        sk_model.fit(Xl.copy(), y.copy(), sample_weight=sw)
        fl_model.fit(Xl, y, sample_weight=sw)
    assert_same_fit(fl_model, sk_model, X, y, sw, fit_intercept, dtype)
    Xtest = to_layout(X[:7], layout, dtype)
    expected = X[:7].astype(dtype).astype(np.float64) @ fl_model.coef_.astype(
        float
    ) + float(fl_model.intercept_)
    np.testing.assert_allclose(
        fl_model.predict(Xtest),
        expected,
        rtol=1e-4 if dtype == np.float32 else 1e-10,
        atol=1e-4 * np.abs(expected).max(),
    )


@pytest.mark.parametrize("l1_ratio", [0.5, 1.0])
@pytest.mark.parametrize("weighted", [False, True], ids=["", "sw"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["icpt", "noicpt"])
@pytest.mark.parametrize("positive", [False, True], ids=["", "pos"])
@pytest.mark.parametrize("layout", ["F", "csc"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
def test_at_alpha_max_exact_zeros(
    dtype, layout, positive, fit_intercept, weighted, l1_ratio
):
    """At alpha >= alpha_max, w = 0 exactly with n_iter_ = 0 (as scikit-learn);
    just below alpha_max the solution is not zero.  Also validates alpha_max()."""
    X, y, sw = get_problem("n<p")
    sw = sw if weighted else None
    amax = alpha_max(X, y, sw, fit_intercept, l1_ratio, positive)
    Xl = to_layout(X, layout, dtype)
    # float32 data rounds alpha_max itself: stay 1e-3 above it
    above = 1.0 + (1e-3 if dtype == np.float32 else 1e-6)
    for factor, zero in [(above, True), (10.0, True), (0.99, False)]:
        params = dict(
            alpha=factor * amax,
            fit_intercept=fit_intercept,
            positive=positive,
            **tight(dtype),
        )
        fl_model, sk_model = make_pair(l1_ratio, **params)
        sk_model.fit(Xl, y, sample_weight=sw)
        fl_model.fit(Xl, y, sample_weight=sw)
        assert np.all(sk_model.coef_ == 0) == zero  # helper is right
        assert np.all(fl_model.coef_ == 0) == zero
        if zero:
            assert fl_model.n_iter_ == sk_model.n_iter_ == 0
            np.testing.assert_allclose(
                fl_model.intercept_, sk_model.intercept_, rtol=1e-6
            )


@pytest.mark.parametrize("l1_ratio", [0.5, 1.0])
@pytest.mark.parametrize("alpha_frac", [0.3, 0.05])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["icpt", "noicpt"])
@pytest.mark.parametrize("layout", ["F", "csc"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
def test_parity_riboflavin(dtype, layout, fit_intercept, alpha_frac, l1_ratio):
    """Real data: riboflavin (71 samples), a fixed subset of 150 gene columns."""
    data = load_dense_dataset("riboflavin")
    if data is None:
        pytest.skip("riboflavin.npz not available")
    X, y = data
    cols = np.random.default_rng(0).choice(X.shape[1], size=150, replace=False)
    X = X[:, np.sort(cols)]
    alpha = alpha_frac * alpha_max(X, y, None, fit_intercept, l1_ratio)
    params = dict(alpha=alpha, fit_intercept=fit_intercept, **tight(dtype))
    fl_model, sk_model = make_pair(l1_ratio, **params)
    Xl = to_layout(X, layout, dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sk_model.fit(Xl, y)
        fl_model.fit(Xl, y)
    assert_same_fit(fl_model, sk_model, X, y, None, fit_intercept, dtype)


@pytest.mark.parametrize("weighted", [False, True], ids=["", "sw"])
@pytest.mark.parametrize("fit_intercept", [True, False], ids=["icpt", "noicpt"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
def test_dense_equals_sparse(dtype, fit_intercept, weighted):
    """Same problem given dense and as CSC: same solution (fastlasso only)."""
    rng = np.random.default_rng(5)
    X = rng.standard_normal((60, 40)) + 0.5
    X[rng.random(X.shape) > 0.3] = 0.0
    y = X[:, :4] @ np.array([2.0, -1.0, 1.5, 3.0]) + 1 + 0.2 * rng.standard_normal(60)
    sw = make_weights(60, 7) if weighted else None
    rtol, atol_f = tols(dtype)
    for l1_ratio in [0.5, 1.0]:
        alpha = 0.05 * alpha_max(X, y, sw, fit_intercept, l1_ratio)
        kw = dict(alpha=alpha, fit_intercept=fit_intercept, **tight(dtype))
        dense, _ = make_pair(l1_ratio, **kw)
        sparse, _ = make_pair(l1_ratio, **kw)
        dense.fit(X.astype(dtype), y, sample_weight=sw)
        sparse.fit(sp.csc_matrix(X.astype(dtype)), y, sample_weight=sw)
        atol = atol_f * np.abs(dense.coef_).max()
        np.testing.assert_allclose(sparse.coef_, dense.coef_, rtol=rtol, atol=atol)
        _, _, _, X_offset, _ = preprocess(X, y, sw, fit_intercept)
        np.testing.assert_allclose(
            sparse.intercept_,
            dense.intercept_,
            rtol=rtol,
            atol=atol * np.abs(X_offset).sum() + 1e-30,
        )
        assert sparse.coef_.dtype == dense.coef_.dtype == dtype


def test_sample_weight_semantics():
    """Integer weights == row repetition; weights invariant to scaling; zero weight
    == dropped row; scalar sample_weight == no weights (as scikit-learn)."""
    X, y, _ = get_problem("n>p")
    rng = np.random.default_rng(3)
    counts = rng.integers(0, 4, size=X.shape[0])
    alpha = 0.05 * alpha_max(X, y, counts.astype(float), True, 0.5)
    kw = dict(alpha=alpha, l1_ratio=0.5, tol=1e-12, max_iter=100_000)
    weighted = ElasticNet(**kw).fit(X, y, sample_weight=counts.astype(float))
    # repetition changes n, so alpha is interpreted on the weighted average: same
    repeated = ElasticNet(**kw).fit(np.repeat(X, counts, axis=0), np.repeat(y, counts))
    np.testing.assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(weighted.intercept_, repeated.intercept_, rtol=1e-6)
    scaled = ElasticNet(**kw).fit(X, y, sample_weight=7.5 * counts)
    np.testing.assert_allclose(scaled.coef_, weighted.coef_, rtol=1e-6, atol=1e-9)
    plain = ElasticNet(**kw).fit(X, y)
    scalar = ElasticNet(**kw).fit(X, y, sample_weight=3.0)
    np.testing.assert_array_equal(scalar.coef_, plain.coef_)
    ref = sk.ElasticNet(**kw).fit(X, y, sample_weight=3.0)
    np.testing.assert_allclose(scalar.coef_, ref.coef_, rtol=1e-5, atol=1e-9)


@pytest.mark.parametrize("layout", ["F", "csc"])
def test_two_dimensional_y(layout):
    """2-D y in Lasso/ElasticNet.fit = independent fits per target."""
    X, y, sw = get_problem("n<p")
    Y = np.column_stack([y, -2 * y + X[:, 3], X[:, 0] - X[:, 5]])
    Xl = to_layout(X, layout, np.float64)
    for est_cls, sk_cls, extra in [
        (Lasso, sk.Lasso, {}),
        (ElasticNet, sk.ElasticNet, {"l1_ratio": 0.7}),
    ]:
        kw = dict(alpha=0.05, tol=1e-10, max_iter=100_000, **extra)
        multi = est_cls(**kw).fit(Xl, Y, sample_weight=sw)
        ref = sk_cls(**kw).fit(Xl, Y, sample_weight=sw)
        assert multi.coef_.shape == (3, X.shape[1])
        assert multi.intercept_.shape == (3,)
        assert isinstance(multi.n_iter_, list) and len(multi.n_iter_) == 3
        assert all(isinstance(k, int) for k in multi.n_iter_)
        assert isinstance(multi.dual_gap_, np.ndarray)
        assert multi.dual_gap_.shape == (3,)
        for k in range(3):
            single = est_cls(**kw).fit(Xl, Y[:, k], sample_weight=sw)
            np.testing.assert_allclose(
                multi.coef_[k], single.coef_, rtol=1e-10, atol=1e-12
            )
            np.testing.assert_allclose(
                multi.intercept_[k], single.intercept_, rtol=1e-10, atol=1e-12
            )
            assert multi.n_iter_[k] == single.n_iter_
            np.testing.assert_allclose(
                multi.dual_gap_[k],
                single.dual_gap_,
                rtol=1e-8,
                atol=1e-12 * Y[:, k] @ Y[:, k] / len(y),
            )
        np.testing.assert_allclose(
            multi.coef_, ref.coef_, rtol=1e-5, atol=1e-6 * np.abs(ref.coef_).max()
        )
        np.testing.assert_allclose(
            multi.intercept_, ref.intercept_, rtol=1e-5, atol=1e-6
        )
        sc = multi.sparse_coef_
        assert sp.issparse(sc) and sc.shape == (3, X.shape[1])
        np.testing.assert_array_equal(sc.toarray(), multi.coef_)


@pytest.mark.parametrize("layout", ["F", "csc"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
def test_warm_start(dtype, layout):
    """warm_start=True starting from a nearby solution reaches the same optimum as a
    cold start (and as scikit-learn), and re-fitting at the same alpha from the
    optimum converges immediately (n_iter_ 0 after initial gap check, as sklearn)."""
    X, y, _ = get_problem("n>p")
    Xl = to_layout(X, layout, dtype)
    amax = alpha_max(X, y)
    rtol, atol_f = tols(dtype)
    warm = Lasso(alpha=0.2 * amax, warm_start=True, **tight(dtype)).fit(Xl, y)
    first = warm.coef_.copy()
    warm.set_params(alpha=0.02 * amax)
    warm.fit(Xl, y)
    assert not np.allclose(warm.coef_, first)
    cold = Lasso(alpha=0.02 * amax, **tight(dtype)).fit(Xl, y)
    ref = sk.Lasso(alpha=0.02 * amax, **tight(dtype)).fit(Xl, y)
    atol = atol_f * np.abs(ref.coef_).max()
    np.testing.assert_allclose(warm.coef_, cold.coef_, rtol=rtol, atol=atol)
    np.testing.assert_allclose(warm.coef_, ref.coef_, rtol=rtol, atol=atol)
    # refit from the optimum: same answer, compare n_iter_ with scikit-learn doing
    # the same thing
    sk_warm = sk.Lasso(alpha=0.02 * amax, warm_start=True, **tight(dtype)).fit(Xl, y)
    sk_warm.fit(Xl, y)
    warm.fit(Xl, y)
    np.testing.assert_allclose(warm.coef_, ref.coef_, rtol=rtol, atol=atol)
    assert warm.n_iter_ <= max(sk_warm.n_iter_, 1)
    # warm_start=False ignores a previous coef_
    model = Lasso(alpha=0.02 * amax, **tight(dtype)).fit(Xl, y)
    model.coef_ = np.full_like(model.coef_, 100.0)
    model.fit(Xl, y)
    np.testing.assert_allclose(model.coef_, ref.coef_, rtol=rtol, atol=atol)


@pytest.mark.parametrize("layout", ["F", "csc"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
def test_selection_random(dtype, layout):
    """selection='random' converges to cyclic's solution; random_state reproducible."""
    X, y, sw = get_problem("n<p")
    Xl = to_layout(X, layout, dtype)
    rtol, atol_f = tols(dtype)
    for l1_ratio in [0.5, 1.0]:
        alpha = 0.05 * alpha_max(X, y, sw, True, l1_ratio)
        kw = dict(alpha=alpha, **tight(dtype))
        cyc, _ = make_pair(l1_ratio, selection="cyclic", **kw)
        rnd, _ = make_pair(l1_ratio, selection="random", random_state=0, **kw)
        rnd2, _ = make_pair(l1_ratio, selection="random", random_state=0, **kw)
        cyc.fit(Xl, y, sample_weight=sw)
        rnd.fit(Xl, y, sample_weight=sw)
        rnd2.fit(Xl, y, sample_weight=sw)
        atol = atol_f * np.abs(cyc.coef_).max()
        np.testing.assert_allclose(rnd.coef_, cyc.coef_, rtol=rtol, atol=atol)
        np.testing.assert_array_equal(rnd.coef_, rnd2.coef_)
        assert rnd.n_iter_ == rnd2.n_iter_


@pytest.mark.parametrize("est", ["Lasso", "ElasticNet"])
@pytest.mark.parametrize("layout", ["F", "C", "csc", "csr"])
def test_dtype_preserved(layout, est):
    """float32 in -> float32 coef_/intercept_/dual_gap_; int data -> float64."""
    X, y, _ = get_problem("n>p")
    cls = Lasso if est == "Lasso" else ElasticNet
    ref_cls = getattr(sk, est)
    m32 = cls(alpha=0.01).fit(to_layout(X, layout, np.float32), y)
    assert m32.coef_.dtype == np.float32
    assert np.asarray(m32.intercept_).dtype == np.float32
    assert np.asarray(m32.dual_gap_).dtype == np.float32
    m32.predict(to_layout(X, layout, np.float32))
    Xi = np.round(X * 10).astype(np.int64)
    mi = cls(alpha=0.01).fit(
        to_layout(Xi, layout, np.int64) if layout in ("F", "C") else sp.csc_matrix(Xi),
        y,
    )
    ri = ref_cls(alpha=0.01).fit(Xi, y)
    assert mi.coef_.dtype == ri.coef_.dtype == np.float64
    np.testing.assert_allclose(
        mi.coef_, ri.coef_, rtol=1e-3, atol=1e-3 * np.abs(ri.coef_).max()
    )


def test_sparse_coef_and_feature_names():
    X, y, _ = get_problem("n>p")
    m = ElasticNet(alpha=0.1).fit(X, y)
    r = sk.ElasticNet(alpha=0.1).fit(X, y)
    assert type(m.sparse_coef_) is type(r.sparse_coef_)
    assert m.sparse_coef_.shape == (1, X.shape[1])
    np.testing.assert_array_equal(m.sparse_coef_.toarray().ravel(), m.coef_)
    assert not hasattr(m, "feature_names_in_")
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(X, columns=[f"g{i}" for i in range(X.shape[1])])
    m = ElasticNet(alpha=0.1).fit(df, y)
    np.testing.assert_array_equal(m.feature_names_in_, df.columns.to_numpy())
