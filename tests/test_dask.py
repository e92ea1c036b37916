"""Fits, paths and CV on dask arrays (fastlasso._dask): one pass, in-memory answers.

Every dask result is compared with the in-memory fit of the same data (both at
a tight ``tol``), on small arrays cut into many row chunks; the threaded
scheduler unless a test needs a cluster.
"""

import subprocess
import sys
import time
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold, ShuffleSplit

from fastlasso import (
    ElasticNet,
    ElasticNetCV,
    Lasso,
    LassoCV,
    Ridge,
    RidgeCV,
    enet_path,
)

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")

from fastlasso import _dask  # noqa: E402
from fastlasso._dask import enet_path_dask  # noqa: E402
from fastlasso._stats import (  # noqa: E402
    chunk_stats,
    fold_ids,
    kfold_bounds,
    merge_all,
)

CHUNK = 23  # rows per chunk: 300 rows -> 14 chunks, the last one short
TOL = 1e-12


@pytest.fixture(autouse=True)
def _threads():
    with dask.config.set(scheduler="threads"):
        yield


def _data(n=300, p=8, seed=0, mean=3.0, dtype=np.float64):
    rng = np.random.RandomState(seed)
    X = (rng.randn(n, p) + mean).astype(dtype)
    w = np.zeros(p)
    w[:4] = [1.0, -2.0, 0.5, 3.0]
    y = (X.astype(np.float64) @ w + 0.5 * rng.randn(n) + 7.0).astype(dtype)
    sw = rng.uniform(0.2, 2.0, n)
    return X, y, sw


def _chunked(*arrays):
    return [
        None if a is None else da.from_array(a, chunks=(CHUNK,) + a.shape[1:])
        for a in arrays
    ]


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize(
    "cls, kw", [(Lasso, {}), (ElasticNet, {"l1_ratio": 0.3})], ids=["lasso", "enet"]
)
def test_fit_equals_memory_at_every_alpha(cls, kw, fit_intercept, weighted):
    X, y, sw = _data()
    sw = sw if weighted else None
    Xd, yd, swd = _chunked(X, y, sw)
    yc = y - np.average(y, weights=sw)
    alpha_max = np.max(np.abs(X.T @ ((sw if weighted else 1) * yc))) / len(y)
    for alpha in alpha_max * np.array([0.5, 0.1, 0.01, 1e-3]):
        ref = cls(alpha=alpha, tol=TOL, fit_intercept=fit_intercept, **kw)
        ref.fit(X, y, sample_weight=sw)
        got = cls(alpha=alpha, tol=TOL, fit_intercept=fit_intercept, **kw)
        got.fit(Xd, yd, sample_weight=swd)
        assert_allclose(got.coef_, ref.coef_, rtol=0, atol=1e-8)
        assert_allclose(got.intercept_, ref.intercept_, rtol=0, atol=1e-8)
        # the same certificate: dual_gap_ <= tol * y_c^T W y_c / sum(w)
        w = np.ones(len(y)) if sw is None else sw
        yy = np.sum(w * (yc if fit_intercept else y) ** 2)
        # (a gap a little below 0 is rounding of a zero gap)
        assert -1e-14 * yy <= got.dual_gap_ <= TOL * yy / w.sum() * (1 + 1e-9)
        assert got.n_features_in_ == X.shape[1]


def test_multi_target_and_warm_start():
    X, y, _ = _data()
    Y = np.column_stack([y, -2 * y + X[:, 5]])
    Xd, Yd = _chunked(X, Y)
    ref = ElasticNet(alpha=0.05, tol=TOL).fit(X, Y)
    got = ElasticNet(alpha=0.05, tol=TOL, warm_start=True).fit(Xd, Yd)
    assert got.coef_.shape == (2, X.shape[1])
    assert_allclose(got.coef_, ref.coef_, atol=1e-8)
    assert_allclose(got.intercept_, ref.intercept_, atol=1e-8)
    got.fit(Xd, Yd)  # warm start from the solution: certified at once
    assert got.n_iter_ == [0, 0]
    pd = pytest.importorskip("pandas")
    named = ElasticNet(alpha=0.05).fit(pd.DataFrame(X, columns=list("abcdefgh")), y)
    assert hasattr(named, "feature_names_in_")
    named.fit(Xd, _chunked(y)[0])  # no stale names from the previous fit
    assert not hasattr(named, "feature_names_in_")


@pytest.mark.parametrize("l1_ratio", [1.0, 0.4])
def test_enet_path_dask_equals_enet_path(l1_ratio):
    X, y, _ = _data(mean=0.0)
    X = X - X.mean(axis=0)
    y = y - y.mean()
    Xd, yd = _chunked(X, y)
    a_ref, c_ref, g_ref = enet_path(X, y, l1_ratio=l1_ratio, alphas=30, tol=TOL)
    a, c, g, it = enet_path_dask(
        Xd, yd, l1_ratio=l1_ratio, alphas=30, tol=TOL, return_n_iter=True
    )
    assert_allclose(a, a_ref, rtol=1e-12)
    assert_allclose(c, c_ref, rtol=0, atol=1e-8)  # every alpha
    assert np.all(g <= TOL * (y @ y) / len(y) * 1.0001)
    assert len(it) == 30


def test_enet_path_dask_offset_and_weights():
    """``X_offset`` / ``X_scale`` / ``sample_weight`` in params: enet_path's sparse
    route (implicit centring, weights as given)."""
    from scipy import sparse

    X, y, sw = _data()
    off = X.mean(axis=0)
    y = y - np.average(y, weights=sw)
    Xd, yd, swd = _chunked(X, y, sw)
    alphas = [1.0, 0.3, 0.05, 0.01]
    kw = dict(l1_ratio=0.8, alphas=alphas, tol=TOL, X_scale=np.ones(X.shape[1]))
    _, c_ref, _ = enet_path(
        sparse.csc_matrix(X), y, X_offset=off, sample_weight=sw, **kw
    )
    _, c, _ = enet_path_dask(Xd, yd, X_offset=off, sample_weight=swd, **kw)
    assert_allclose(c, c_ref, rtol=0, atol=1e-8)


def _same_folds_cv(cls, kw, weighted, shuffle):
    X, y, sw = _data(n=260)
    sw = sw if weighted else None
    Xd, yd, swd = _chunked(X, y, sw)
    cv = KFold(5, shuffle=shuffle, random_state=0 if shuffle else None)
    ref = cls(cv=cv, tol=TOL, **kw).fit(X, y, sample_weight=sw)
    got = cls(cv=cv, tol=TOL, **kw).fit(Xd, yd, sample_weight=swd)
    return ref, got


@pytest.mark.parametrize("weighted", [False, True])
def test_lassocv_equals_memory(weighted):
    ref, got = _same_folds_cv(LassoCV, {"alphas": 40}, weighted, shuffle=False)
    assert_allclose(got.alphas_, ref.alphas_, rtol=1e-12)
    assert got.alpha_ == pytest.approx(ref.alpha_, rel=1e-12)
    assert_allclose(got.mse_path_, ref.mse_path_, rtol=1e-8)
    assert_allclose(got.coef_, ref.coef_, atol=1e-8)
    assert_allclose(got.intercept_, ref.intercept_, atol=1e-8)
    assert_allclose(got.mse_se_, ref.mse_se_, rtol=1e-6)


def test_elasticnetcv_equals_memory():
    kw = {"l1_ratio": [0.2, 0.9], "alphas": 30, "store_path_coefs": True}
    ref, got = _same_folds_cv(ElasticNetCV, kw, weighted=True, shuffle=True)
    assert got.l1_ratio_ == ref.l1_ratio_
    assert got.alpha_ == pytest.approx(ref.alpha_, rel=1e-12)
    assert got.mse_path_.shape == ref.mse_path_.shape == (2, 30, 5)
    assert_allclose(got.mse_path_, ref.mse_path_, rtol=1e-8)
    assert_allclose(got.coef_path_, ref.coef_path_, atol=1e-8)
    assert_allclose(got.intercept_path_, ref.intercept_path_, atol=1e-8)


def test_float32_large_means_keep_precision():
    """Column means ~1e4 in float32: per-chunk float64 centring and exact merges
    keep the coefficients within 1e-6 (relative) of the float64 fit."""
    X, y, _ = _data(n=400, p=6, mean=0.0, seed=3)
    X = (X + 1e4 * np.arange(1, 7)).astype(np.float32)
    y = y.astype(np.float32)
    X64, y64 = X.astype(np.float64), y.astype(np.float64)
    ref = Lasso(alpha=0.01, tol=TOL).fit(X64, y64)
    Xd, yd = _chunked(X, y)
    got = Lasso(alpha=0.01, tol=TOL).fit(Xd, yd)
    assert got.coef_.dtype == np.float32
    rel = np.abs(got.coef_ - ref.coef_).max() / np.abs(ref.coef_).max()
    assert rel <= 1e-6
    # the naive one-pass algebra X^T X - n m m^T in float32 loses it all
    Xs = X[:, :2]
    naive = Xs.T @ Xs - len(Xs) * np.outer(Xs.mean(0), Xs.mean(0))
    exact = np.cov(X64[:, :2].T, bias=True) * len(Xs)
    assert np.abs(naive - exact).max() > 1e-3 * np.abs(exact).max()


def test_lassocv_reads_x_once():
    """A 5-fold x 100-alpha LassoCV runs one task per chunk of X, once."""
    X, y, _ = _data(n=240)
    reads = []

    def read(block):
        reads.append(block.shape[0])
        return block

    Xd = da.from_array(X, chunks=(CHUNK, X.shape[1]))
    Xd = Xd.map_blocks(read, meta=np.empty((0, 0)))  # meta: no trial call
    (yd,) = _chunked(y)
    LassoCV(cv=5, alphas=100).fit(Xd, yd)
    assert len(reads) == Xd.numblocks[0]
    assert sum(reads) == X.shape[0]  # every row read exactly once


def test_chan_merge_matches_direct():
    X, y, sw = _data(n=100, p=5, mean=50.0)
    parts = [chunk_stats(X[i : i + 7], y[i : i + 7], sw[i : i + 7])[0]
             for i in range(0, 100, 7)]  # fmt: skip
    s = merge_all(parts)
    direct = chunk_stats(X, y, sw)[0]
    assert s.rows == 100 and s.n == pytest.approx(sw.sum(), rel=1e-14)
    for a, b in zip(s[2:], direct[2:], strict=True):
        assert_allclose(a, b, rtol=1e-11, atol=1e-9)


@pytest.mark.parametrize("n, k", [(301, 5), (10, 10), (17, 3)])
def test_kfold_bounds_are_kfold_folds(n, k):
    """Unshuffled KFold: the fold of a row from its index (no O(n) array on the
    driver) is the fold the splitter gives."""
    ids, n_folds = fold_ids(KFold(k), n)
    bounds = kfold_bounds(k, n)
    assert n_folds == k and len(bounds) == k + 1
    rows = np.arange(n)
    assert_array_equal(np.searchsorted(bounds, rows, side="right") - 1, ids)
    assert kfold_bounds(KFold(k, shuffle=True, random_state=0), n) is None


def test_ridge_equals_memory():
    X, y, sw = _data()
    Y = np.column_stack([y, X[:, 1] - y])
    Xd, Yd, swd = _chunked(X, Y, sw)
    for solver in ("auto", "svd"):
        ref = Ridge(alpha=[0.5, 3.0]).fit(X, Y, sample_weight=sw)
        got = Ridge(alpha=[0.5, 3.0], solver=solver).fit(Xd, Yd, sample_weight=swd)
        assert_allclose(got.coef_, ref.coef_, rtol=1e-10, atol=1e-12)
        assert_allclose(got.intercept_, ref.intercept_, rtol=1e-10)
    ref = Ridge(alpha=2.0, fit_intercept=False).fit(X, y)
    got = Ridge(alpha=2.0, fit_intercept=False).fit(Xd, _chunked(y)[0])
    assert_allclose(got.coef_, ref.coef_, rtol=1e-10, atol=1e-12)
    assert got.intercept_ == 0.0 and got.solver_ == "cholesky"


@pytest.mark.parametrize("scoring", [None, "neg_mean_squared_error"])
def test_ridgecv_equals_memory(scoring):
    X, y, _ = _data()
    Y = np.column_stack([y, X[:, 2] - 0.5 * y])
    alphas = [1e-3, 0.1, 3.0, 100.0, 1e4]
    for target, fit_intercept in ((y, True), (Y, True), (y, False)):
        kw = dict(alphas=alphas, cv=KFold(4), scoring=scoring)
        ref = RidgeCV(fit_intercept=fit_intercept, **kw).fit(X, target)
        Xd, Td = _chunked(X, target)
        got = RidgeCV(fit_intercept=fit_intercept, **kw).fit(Xd, Td)
        assert got.alpha_ == ref.alpha_
        assert got.best_score_ == pytest.approx(ref.best_score_, rel=1e-10)
        assert_allclose(got.coef_, ref.coef_, rtol=1e-9, atol=1e-12)
        assert_allclose(got.intercept_, ref.intercept_, rtol=1e-9, atol=1e-12)
    with pytest.raises(ValueError, match="cv=5"):
        RidgeCV().fit(Xd, Td)


def test_local_cluster_lassocv():
    distributed = pytest.importorskip("distributed")
    X, y, _ = _data(n=200)
    Xd, yd = _chunked(X, y)
    ref = LassoCV(cv=4, alphas=20, tol=TOL).fit(X, y)
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        assert dask.base.get_scheduler() == client.get  # the cluster runs the pass
        got = LassoCV(cv=4, alphas=20, tol=TOL).fit(Xd, yd)
        deadline = time.monotonic() + 10  # keys are released asynchronously
        while client.who_has() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(client.who_has()) == 0  # nothing left behind on the workers
    assert got.alpha_ == pytest.approx(ref.alpha_, rel=1e-12)
    assert_allclose(got.mse_path_, ref.mse_path_, rtol=1e-8)



def test_local_cluster_cv_folds_stay_on_the_workers():
    """On a distributed client the CV receives one training fold at a time (the
    fold statistics stay on a worker): same paths as the local route, and errors
    raised on the worker reach the caller; nothing is left on the workers."""
    distributed = pytest.importorskip("distributed")
    X, y, sw = _data(n=240)
    Xd, yd, swd = _chunked(X, y, sw)
    kw = dict(cv=3, alphas=15, tol=TOL, l1_ratio=[0.5, 0.9], store_path_coefs=True)
    ref = ElasticNetCV(**kw).fit(Xd, yd, sample_weight=swd)  # local scheduler
    Xnan = X.copy()
    Xnan[5, 1] = np.nan
    sw0 = sw.copy()
    sw0[:80] = 0.0  # test fold 0 of KFold(3) has zero weight
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        got = ElasticNetCV(**kw).fit(Xd, yd, sample_weight=swd)
        with pytest.raises(ValueError, match="NaN"):
            LassoCV(cv=3).fit(_chunked(Xnan)[0], yd)
        with pytest.raises(ValueError, match="Test fold 0"):
            LassoCV(cv=3).fit(Xd, yd, sample_weight=_chunked(sw0)[0])
        deadline = time.monotonic() + 10
        while client.who_has() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(client.who_has()) == 0
    assert_array_equal(got.mse_path_, ref.mse_path_)
    assert_array_equal(got.coef_path_, ref.coef_path_)
    assert got.alpha_ == ref.alpha_ and got.l1_ratio_ == ref.l1_ratio_
    assert_array_equal(got.coef_, ref.coef_)

def test_errors():
    X, y, sw = _data(n=60, p=4)
    Xd, yd, swd = _chunked(X, y, sw)
    with pytest.raises(ValueError, match="row chunks of X"):
        Lasso().fit(Xd, yd.rechunk(7))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        Lasso().fit(Xd, y[:-1])
    with pytest.raises(ValueError, match="FASTLASSO_MAX_GRAM_BYTES"):
        old = _dask.MAX_GRAM_BYTES
        _dask.MAX_GRAM_BYTES = 5 * 8 * 4 * 4  # below (5 + 2) Gram matrices of p=4
        try:
            LassoCV(cv=5).fit(Xd, yd)
        finally:
            _dask.MAX_GRAM_BYTES = old
    with pytest.raises(ValueError, match="disjoint test folds"):
        LassoCV(cv=ShuffleSplit(3, random_state=0)).fit(Xd, yd)
    with pytest.raises(ValueError, match="penalty_factor"):
        Lasso(penalty_factor=np.ones(4)).fit(Xd, yd)
    with pytest.raises(ValueError, match="Negative values"):
        Lasso().fit(Xd, yd, sample_weight=-swd)
    Xnan = X.copy()
    Xnan[5, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        Lasso().fit(_chunked(Xnan)[0], yd)
    Xu = Xd[Xd[:, 0] > -np.inf]  # boolean indexing: unknown chunk sizes
    with pytest.raises(ValueError, match="compute_chunk_sizes"):
        Lasso().fit(Xu, yd)


def test_no_dask_import_without_dask_input():
    code = (
        "import sys, numpy as np\n"
        "from fastlasso import Lasso\n"
        "Lasso(alpha=0.1).fit(np.eye(4), np.arange(4.0))\n"
        "assert not any(m == 'dask' or m.startswith('dask.') for m in sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_convergence_warning_kept():
    X, y, _ = _data()
    Xd, yd = _chunked(X, y)
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        Lasso(alpha=1e-4, tol=1e-15, max_iter=2).fit(Xd, yd)
    assert any(issubclass(r.category, ConvergenceWarning) for r in rec)


def test_one_read_per_chunk_when_X_and_y_share_a_reader():
    """X and y cut from one dask.delayed block per chunk: a LassoCV reads each
    block once (the graphs are not fused per array, which read them twice)."""
    import dask

    from fastlasso import LassoCV

    calls = []

    def reader(i):
        calls.append(i)
        rng = np.random.default_rng(i)
        Xi = rng.standard_normal((60, 4))
        return np.column_stack([Xi, Xi @ np.arange(4.0) + rng.standard_normal(60)])

    blocks = [
        da.from_delayed(dask.delayed(reader)(i), shape=(60, 5), dtype=float)
        for i in range(6)
    ]
    A = da.concatenate(blocks)
    with dask.config.set(scheduler="synchronous"):
        LassoCV(cv=3).fit(A[:, :4], A[:, 4])
    assert sorted(calls) == list(range(6))
