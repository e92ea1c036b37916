"""The strong-set (BASIL) route for wide dask arrays (fastlasso._dask_wide).

Every result is compared with the in-memory fit of the same data at a tight
``tol``, on 400 x 3000 arrays cut into chunks of 50 rows (8 chunks); reads of
X's chunks are counted to check the number of passes the route reports.
"""

import time
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import sparse

from fastlasso import ElasticNet, Lasso, LassoCV, enet_path

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")

from fastlasso import _dask, _dask_wide  # noqa: E402

CH = 50
TOL = 1e-12


@pytest.fixture(autouse=True)
def _sync():
    with dask.config.set(scheduler="sync"):
        yield


@pytest.fixture
def wide(monkeypatch):
    monkeypatch.setenv("FASTLASSO_DASK_ROUTE", "wide")


def _data(n=400, p=3000, seed=0, mean=2.0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p) + mean
    beta = np.zeros(p)
    beta[rng.choice(p, 15, replace=False)] = rng.randn(15) * 2
    y = X @ beta + rng.randn(n) + 3.0
    return X, y, rng.uniform(0.2, 2.0, n)


def _counted(X):
    """X as a dask array whose chunk reads are recorded (rows of each read)."""
    reads = []

    def read(block):
        reads.append(block.shape[0])
        return block

    Xd = da.from_array(X, chunks=(CH, X.shape[1]))
    return Xd.map_blocks(read, meta=np.empty((0, 0))), reads


def _rows(*arrays):
    return [None if a is None else da.from_array(a, chunks=CH) for a in arrays]


def _assert_passes(reads, n):
    """Every pass the route counts read each chunk of X once, and nothing else."""
    passes = _dask_wide.LAST_INFO["passes"]
    assert len(reads) == passes * -(-n // CH)
    assert sum(reads) == passes * n
    return passes


def _assert_close_path(c, ref):
    """Coefficients within 1e-8 relative at every alpha (inf-norm of the column)."""
    scale = np.maximum(np.abs(ref).max(axis=0), 1e-300)
    assert np.all(np.abs(c - ref).max(axis=0) <= 1e-8 * scale)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_path_centred_weighted_equals_memory(l1_ratio):
    """enet_path with X_offset / sample_weight (implicit centring, the in-memory
    sparse route) at every alpha of a 20-alpha path; the certificate of each."""
    X, y, sw = _data()
    n = len(y)
    off = np.average(X, axis=0, weights=sw)
    yc = y - np.average(y, weights=sw)
    Xd, reads = _counted(X)
    yd, swd = _rows(yc, sw)
    kw = dict(l1_ratio=l1_ratio, tol=TOL, X_offset=off, X_scale=np.ones(X.shape[1]))
    a, c, g, it = enet_path(Xd, yd, alphas=20, sample_weight=swd, dask_route="wide",
                            return_n_iter=True, **kw)  # fmt: skip
    passes = _assert_passes(reads, n)
    _, c_ref, _ = enet_path(sparse.csc_matrix(X), yc, alphas=a, sample_weight=sw, **kw)
    _assert_close_path(c, c_ref)
    assert np.all(g <= TOL * np.sum(sw * yc**2) / n * (1 + 1e-9))
    assert len(it) == 20 and it[0] == 0  # alpha_max: zero is certified, no solve
    assert passes <= 1 + 2 * 20


def test_path_automatic_grid_equals_memory():
    X, y, _ = _data(seed=1, mean=0.0)
    X, y = X - X.mean(0), y - y.mean()
    Xd, reads = _counted(X)
    (yd,) = _rows(y)
    a_ref, c_ref, _ = enet_path(X, y, l1_ratio=0.8, alphas=30, tol=TOL)
    a, c, g = enet_path(Xd, yd, l1_ratio=0.8, alphas=30, tol=TOL, dask_route="wide")
    assert_allclose(a, a_ref, rtol=1e-12)
    _assert_close_path(c, c_ref)
    assert np.all(g <= TOL * (y @ y) / len(y) * (1 + 1e-9))
    _assert_passes(reads, len(y))


@pytest.mark.parametrize("cls, kw", [(Lasso, {}), (ElasticNet, {"l1_ratio": 0.7})],
                         ids=["lasso", "enet"])  # fmt: skip
@pytest.mark.parametrize("fit_intercept, weighted", [(True, True), (False, False)])
def test_fit_equals_memory(wide, cls, kw, fit_intercept, weighted):
    X, y, sw = _data(seed=2)
    sw = sw if weighted else None
    Xd, reads = _counted(X)
    yd, swd = _rows(y, sw)
    w = np.ones(len(y)) if sw is None else sw
    yc = y - np.average(y, weights=w) if fit_intercept else y
    yy = np.sum(w * yc**2)
    ratio = kw.get("l1_ratio", 1.0)
    alpha_max = np.max(np.abs(X.T @ (w * yc))) / w.sum() / ratio
    for alpha in alpha_max * np.array([0.3, 0.05]):
        ref = cls(alpha=alpha, tol=TOL, fit_intercept=fit_intercept, **kw)
        ref.fit(X, y, sample_weight=sw)
        reads.clear()
        got = cls(alpha=alpha, tol=TOL, fit_intercept=fit_intercept, **kw)
        got.fit(Xd, yd, sample_weight=swd)
        _assert_passes(reads, len(y))
        _assert_close_path(got.coef_[:, None], ref.coef_[:, None])
        assert abs(got.intercept_ - ref.intercept_) <= 1e-8 * max(
            1, abs(ref.intercept_)
        )
        assert -1e-14 * yy <= got.dual_gap_ <= TOL * yy / w.sum() * (1 + 1e-9)
        assert got.n_features_in_ == X.shape[1]


def _violating_design(n=400, p=3000, t=0.9, c3=-0.1, seed=0):
    """x1, x2 orthonormal (scaled to x^T x / n = 1) with correlation 1 to y, x3 =
    t (x1 + x2) / sqrt(2) + sqrt(1 - t^2) e with correlation c3 < 0 to y, the rest
    small noise. Along the path from alpha_max = 1, while x1, x2 alone are active,
    |x3^T r| / n = |c3| + t sqrt(2) (1 - alpha): slope t sqrt(2) > 1, which the
    strong rule assumes away. x3 enters at (|c3| + t sqrt 2) / (1 + t sqrt 2) =
    0.604 while the rule from alpha_max discards it at every alpha > (1 + |c3|) / 2
    = 0.55: at alpha = 0.58 it is a KKT violator of the strong set {x1, x2}."""
    rng = np.random.RandomState(seed)
    B = rng.randn(n, 3)
    B -= B.mean(0)
    Q = np.linalg.qr(B)[0] * np.sqrt(n)
    X = 0.1 * rng.randn(n, p)
    X[:, 0], X[:, 1] = Q[:, 0], Q[:, 1]
    X[:, 2] = t * (Q[:, 0] + Q[:, 1]) / np.sqrt(2) + np.sqrt(1 - t * t) * Q[:, 2]
    y = Q[:, 0] + Q[:, 1] + (c3 - t * np.sqrt(2)) / np.sqrt(1 - t * t) * Q[:, 2]
    return X - X.mean(0), y


def test_kkt_violator_added():
    """The strong rule fails (in memory: x3 is discarded and active); the KKT pass
    finds x3, it joins the set, and the result is the in-memory path, in 4 passes
    (statistics; gather {x1, x2}; KKT: x3 violates, and its column comes along,
    prefetched among the largest correlations off the set; KKT: certified)."""
    X, y = _violating_design()
    n = len(y)
    corr = np.abs(X.T @ y) / n
    assert corr.max() == pytest.approx(1.0)
    alphas = np.array([1.0, 0.58]) * corr.max()
    _, c_ref, _ = enet_path(X, y, l1_ratio=1.0, alphas=alphas, tol=TOL)
    discarded = corr < 2 * alphas[1] - alphas[0]
    assert np.flatnonzero(discarded & (c_ref[:, 1] != 0)).tolist() == [2]
    Xd, reads = _counted(X)
    (yd,) = _rows(y)
    _, c, g = enet_path(Xd, yd, l1_ratio=1.0, alphas=alphas, tol=TOL,
                        dask_route="wide")  # fmt: skip
    info = dict(_dask_wide.LAST_INFO)
    assert info["violators"] == 1 and info["iterations"] == 2 and info["max_set"] == 3
    _assert_close_path(c, c_ref)
    assert np.all(g <= TOL * (y @ y) / n * (1 + 1e-9))
    assert _assert_passes(reads, n) == 4


def test_small_sets_and_gram_mode(monkeypatch):
    """At most 7 columns added per iteration (many KKT rounds), and a block budget
    below n x |set| (the set's Gram, gathered by passes, instead)."""
    X, y, sw = _data(seed=3)
    Xd, reads = _counted(X)
    yd, swd = _rows(y, sw)
    ref = Lasso(alpha=0.2, tol=TOL).fit(X, y, sample_weight=sw)
    monkeypatch.setenv("FASTLASSO_DASK_ROUTE", "wide")
    monkeypatch.setattr(_dask_wide, "MAX_ADD", 7)
    monkeypatch.setenv("FASTLASSO_WIDE_BLOCK_BYTES", str(8 * 400 * 10))
    got = Lasso(alpha=0.2, tol=TOL).fit(Xd, yd, sample_weight=swd)
    info = dict(_dask_wide.LAST_INFO)
    assert info["mode"] == "gram" and info["violators"] > 0
    assert info["iterations"] >= np.count_nonzero(ref.coef_) // 7
    _assert_close_path(got.coef_[:, None], ref.coef_[:, None])
    assert abs(got.intercept_ - ref.intercept_) <= 1e-8 * abs(ref.intercept_)
    _assert_passes(reads, len(y))


def test_warm_start_certified_in_two_passes(wide):
    X, y, _ = _data(seed=5)
    Xd, reads = _counted(X)
    (yd,) = _rows(y)
    model = Lasso(alpha=0.1, tol=1e-10, warm_start=True).fit(Xd, yd)
    reads.clear()
    model.fit(Xd, yd)  # the statistics pass and one KKT pass at coef_init
    assert model.n_iter_ == 0
    assert _assert_passes(reads, len(y)) == 2


def test_shared_reader_runs_once_per_pass(wide):
    """X and y made by one reader task per chunk (as in the README's example): a
    pass runs each reader once, not once for X and once for y."""
    calls = []

    def reader(i):
        calls.append(i)
        rng = np.random.default_rng([1, i])
        X = rng.standard_normal((CH, 600)) + 1.0
        return X, X[:, :4] @ np.array([3.0, -2.0, 1.0, 2.0]) + rng.standard_normal(CH)

    parts = [dask.delayed(reader, pure=True)(i) for i in range(6)]
    Xd = da.concatenate([da.from_delayed(b[0], (CH, 600), dtype=float) for b in parts])
    yd = da.concatenate([da.from_delayed(b[1], (CH,), dtype=float) for b in parts])
    X, y = (np.concatenate(a) for a in zip(*(reader(i) for i in range(6)), strict=True))
    calls.clear()
    got = Lasso(alpha=0.1, tol=TOL).fit(Xd, yd)
    assert len(calls) == 6 * _dask_wide.LAST_INFO["passes"]
    ref = Lasso(alpha=0.1, tol=TOL).fit(X, y)
    assert_allclose(got.coef_, ref.coef_, rtol=1e-8, atol=1e-10)


def test_auto_route_above_the_gram_budget(monkeypatch):
    X, y, _ = _data(n=100, p=40, seed=6)
    Xd, yd = _rows(X, y)
    monkeypatch.setattr(_dask, "MAX_GRAM_BYTES", 8 * 40 * 40)  # one Gram, not two
    _dask_wide.LAST_INFO.clear()
    got = Lasso(alpha=0.05, tol=TOL).fit(Xd, yd)  # the wide route, no error
    assert _dask_wide.LAST_INFO["passes"] >= 3
    ref = Lasso(alpha=0.05, tol=TOL).fit(X, y)
    assert_allclose(got.coef_, ref.coef_, rtol=1e-8, atol=1e-10)
    with pytest.raises(ValueError, match="strong-set route"):
        LassoCV(cv=3).fit(Xd, yd)  # CV keeps refusing, and says so
    monkeypatch.setenv("FASTLASSO_DASK_ROUTE", "gram")
    with pytest.raises(ValueError, match="FASTLASSO_MAX_GRAM_BYTES"):
        Lasso(alpha=0.05).fit(Xd, yd)


def test_local_cluster_and_multi_target(wide):
    distributed = pytest.importorskip("distributed")
    X, y, _ = _data(n=200, p=500, seed=7)
    Y = np.column_stack([y, X[:, 3] - y])
    Xd, Yd = _rows(X, Y)
    ref = ElasticNet(alpha=0.1, l1_ratio=0.6, tol=TOL).fit(X, Y)
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        got = ElasticNet(alpha=0.1, l1_ratio=0.6, tol=TOL).fit(Xd, Yd)
        deadline = time.monotonic() + 10  # keys are released asynchronously
        while client.who_has() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not client.who_has()  # nothing left behind on the workers
    assert got.coef_.shape == (2, 500) and len(got.n_iter_) == 2
    assert_allclose(got.coef_, ref.coef_, rtol=1e-8, atol=1e-10)
    assert_allclose(got.intercept_, ref.intercept_, rtol=1e-8)


def test_errors(wide, monkeypatch):
    X, y, sw = _data(n=60, p=30, seed=8)
    Xd, yd, swd = _rows(X, y, sw)
    with pytest.raises(ValueError, match="l1_ratio > 0"):
        ElasticNet(alpha=0.1, l1_ratio=0.0).fit(Xd, yd)
    with pytest.raises(ValueError, match="alpha > 0"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            Lasso(alpha=0.0).fit(Xd, yd)
    with pytest.raises(ValueError, match="dask_route"):
        enet_path(Xd, yd, alphas=5, dask_route="fast")
    with pytest.raises(ValueError, match="Negative values"):
        Lasso(alpha=0.1).fit(Xd, yd, sample_weight=-swd)
    with pytest.raises(ValueError, match="penalty_factor"):
        Lasso(alpha=0.1, penalty_factor=np.ones(30)).fit(Xd, yd)
    Xnan = X.copy()
    Xnan[3, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        Lasso(alpha=0.1).fit(_rows(Xnan)[0], yd)
    with pytest.raises(ValueError, match="row chunks of X"):
        Lasso(alpha=0.1).fit(Xd, yd.rechunk(7))
    monkeypatch.setenv("FASTLASSO_WIDE_BLOCK_BYTES", "8")
    monkeypatch.setattr(_dask, "MAX_GRAM_BYTES", 8)
    with pytest.raises(ValueError, match="strong set has"):
        Lasso(alpha=0.01).fit(Xd, yd)
