"""LassoCV / ElasticNetCV: parity with scikit-learn 1.9.1 and the extras.

Parity problems run both libraries with the same folds (``KFold(5)``) at a tight
tolerance (``tol=1e-9``): the alpha grids must be identical, ``alpha_`` (and
``l1_ratio_``) the same, ``mse_path_`` equal to rtol=1e-4 and the refitted
``coef_`` / ``intercept_`` equal to rtol=1e-5 (atol 1e-6 * max|coef|).
Reference values always come from scikit-learn or from numpy computations
written here, never from fastlasso itself.
"""

import pickle
import time
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn
import sklearn.linear_model as sk
from _helpers import make_problem, make_sparse_problem, make_weights
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GroupKFold, KFold
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import parametrize_with_checks

from fastlasso import ElasticNetCV, LassoCV
from fastlasso.datasets import load_leukemia

TIGHT = dict(tol=1e-9, max_iter=100_000)


def _leukemia():
    X, y = load_leukemia(return_X_y=True)
    return X[:, ::8], y  # 72 x 892: real data, small runtime


# name -> (data factory, estimator name, estimator kwargs, fit kwargs factory)
PROBLEMS = {
    "dense": (lambda: make_problem(60, 90, seed=0), "LassoCV", {}, None),
    "sparse": (
        lambda: (lambda X, y: (sp.csc_matrix(X), y))(*make_sparse_problem(100, 60, 1)),
        "LassoCV",
        {},
        None,
    ),
    "sample_weight_gram": (
        lambda: make_problem(90, 30, seed=2),  # n_train > p: Gram in the folds
        "LassoCV",
        {},
        lambda n: make_weights(n, seed=3),
    ),
    "sparse_sample_weight": (
        lambda: (lambda X, y: (sp.csc_matrix(X), y))(*make_sparse_problem(80, 50, 4)),
        "ElasticNetCV",
        {"l1_ratio": 0.8},
        lambda n: make_weights(n, seed=5),
    ),
    "positive": (
        lambda: make_problem(60, 90, seed=6),
        "LassoCV",
        {"positive": True},
        None,
    ),
    "l1_ratios": (
        lambda: make_problem(50, 70, seed=7),
        "ElasticNetCV",
        {"l1_ratio": [0.2, 0.6, 1.0]},
        None,
    ),
    "no_intercept_user_alphas": (
        lambda: make_problem(60, 40, seed=8),
        "ElasticNetCV",
        {"fit_intercept": False, "l1_ratio": 0.5, "alphas": np.geomspace(1e-3, 2, 25)},
        None,
    ),
    "leukemia": (_leukemia, "LassoCV", {"alphas": 30, "eps": 1e-2}, None),
}

_CLASSES = {
    "LassoCV": (LassoCV, sk.LassoCV),
    "ElasticNetCV": (ElasticNetCV, sk.ElasticNetCV),
}
_CACHE = {}


def fit_both(name):
    """Fit fastlasso's and scikit-learn's estimator on problem ``name`` (cached)."""
    if name not in _CACHE:
        make, cls, kw, make_sw = PROBLEMS[name]
        X, y = make()
        fit_kw = {} if make_sw is None else {"sample_weight": make_sw(X.shape[0])}
        kw = dict(kw, eps=kw.get("eps", 1e-2), alphas=kw.get("alphas", 40), **TIGHT)
        ours, theirs = _CLASSES[cls]
        with warnings.catch_warnings():
            warnings.simplefilter("error", ConvergenceWarning)
            ref = theirs(cv=KFold(5), **kw).fit(X, y, **fit_kw)
            est = ours(cv=KFold(5), **kw).fit(X, y, **fit_kw)
        _CACHE[name] = X, y, fit_kw, est, ref
    return _CACHE[name]


@pytest.mark.parametrize("name", list(PROBLEMS))
def test_parity_with_sklearn(name):
    X, y, fit_kw, est, ref = fit_both(name)
    np.testing.assert_array_equal(est.alphas_, ref.alphas_)
    assert est.mse_path_.shape == ref.mse_path_.shape
    np.testing.assert_allclose(est.mse_path_, ref.mse_path_, rtol=1e-4)
    assert est.alpha_ == ref.alpha_
    if hasattr(ref, "l1_ratio_"):
        assert est.l1_ratio_ == ref.l1_ratio_
    else:
        assert not hasattr(est, "l1_ratio_")
    scale = np.max(np.abs(ref.coef_))
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=1e-5, atol=1e-6 * scale)
    np.testing.assert_allclose(
        est.intercept_, ref.intercept_, rtol=1e-5, atol=1e-6 * max(scale, 1.0)
    )
    assert est.n_features_in_ == ref.n_features_in_
    assert est.coef_.dtype == ref.coef_.dtype
    assert np.ndim(est.intercept_) == np.ndim(ref.intercept_)
    np.testing.assert_allclose(est.predict(X), ref.predict(X), rtol=1e-5, atol=1e-6)


def _fold_problem(X, y, train, sample_weight, fit_intercept):
    """scikit-learn's training-fold problem, built explicitly in numpy."""
    Xt = X[train].toarray() if sp.issparse(X) else X[train]
    yt = y[train]
    sw = np.ones(len(train)) if sample_weight is None else sample_weight[train]
    sw = sw * len(train) / sw.sum()
    if fit_intercept:
        Xt = Xt - np.average(Xt, axis=0, weights=sw)
        yt = yt - np.average(yt, weights=sw)
    return Xt, yt, sw


@pytest.mark.parametrize("name", ["sparse_sample_weight", "dense"])
def test_zero_weight_fold_equals_sklearn_fold_problem(name):
    """The zero-weight trick solves exactly scikit-learn's fold problem.

    Each stored fold path is compared with scikit-learn's ``enet_path`` on the
    explicitly sliced, centred and weight-rescaled training rows.
    """
    X, y, fit_kw, _, ref = fit_both(name)
    make, cls, kw, _ = PROBLEMS[name]
    kw = dict(kw, eps=1e-2, alphas=40, **TIGHT)
    est = _CLASSES[cls][0](cv=KFold(5), store_path_coefs=True, **kw).fit(X, y, **fit_kw)
    l1_ratio = kw.get("l1_ratio", 1.0)
    sw_all = fit_kw.get("sample_weight")
    for f, (train, _) in enumerate(KFold(5).split(X)):
        Xt, yt, sw = _fold_problem(X, y, train, sw_all, True)
        _, coefs, _ = sk.enet_path(
            Xt * np.sqrt(sw)[:, None],
            yt * np.sqrt(sw),
            l1_ratio=l1_ratio,
            alphas=est.alphas_,
            tol=1e-12,
            max_iter=1_000_000,
        )
        scale = np.max(np.abs(coefs))
        np.testing.assert_allclose(
            est.coef_path_[f], coefs, rtol=1e-4, atol=1e-6 * scale
        )


def test_one_standard_error_rule():
    X, y, _, est, _ = fit_both("dense")
    mse = est.mse_path_  # (n_alphas, n_folds)
    mean = mse.mean(axis=1)
    se = mse.std(axis=1, ddof=1) / np.sqrt(mse.shape[1])
    np.testing.assert_allclose(est.mse_se_, se, rtol=1e-12)
    i = np.argmin(mean)
    expected = est.alphas_[mean <= mean[i] + se[i]].max()
    assert est.alpha_1se_ == expected
    assert est.alpha_min_ == est.alpha_ == est.alphas_[i]
    assert est.alpha_1se_ >= est.alpha_min_

    est1 = clone(est).set_params(alpha_rule="1se").fit(X, y)
    assert est1.alpha_ == expected
    np.testing.assert_array_equal(est1.mse_path_, est.mse_path_)
    ref = sk.Lasso(alpha=expected, **TIGHT).fit(X, y)
    np.testing.assert_allclose(est1.coef_, ref.coef_, rtol=1e-5, atol=1e-7)


def test_one_standard_error_rule_several_l1_ratios():
    X, y, _, est, _ = fit_both("l1_ratios")
    k = list(est.l1_ratio).index(est.l1_ratio_)
    mse = est.mse_path_[k]
    mean = mse.mean(axis=1)
    se = mse.std(axis=1, ddof=1) / np.sqrt(mse.shape[1])
    assert est.mse_se_.shape == (3, est.alphas_.shape[1])
    np.testing.assert_allclose(est.mse_se_[k], se, rtol=1e-12)
    assert np.min(mean) == np.min(est.mse_path_.mean(axis=2))
    i = np.argmin(mean)
    assert est.alpha_1se_ == est.alphas_[k][mean <= mean[i] + se[i]].max()


def test_store_path_coefs_shapes_and_consistency():
    X, y = make_problem(50, 30, seed=9)
    est = ElasticNetCV(l1_ratio=[0.5, 1.0], alphas=10, cv=3, store_path_coefs=True).fit(
        X, y
    )
    assert est.coef_path_.shape == (2, 3, 30, 10)
    assert est.intercept_path_.shape == (2, 3, 10)
    # the stored paths reproduce mse_path_
    for k in range(2):
        for f, (_, test) in enumerate(KFold(3).split(X)):
            pred = X[test] @ est.coef_path_[k, f] + est.intercept_path_[k, f]
            mse = ((pred - y[test][:, None]) ** 2).mean(axis=0)
            np.testing.assert_allclose(mse, est.mse_path_[k, :, f], rtol=1e-10)
    est2 = LassoCV(alphas=10, cv=3, store_path_coefs=True).fit(X, y)
    assert est2.coef_path_.shape == (3, 30, 10)
    assert est2.intercept_path_.shape == (3, 10)
    est2.set_params(store_path_coefs=False).fit(X, y)
    assert not hasattr(est2, "coef_path_")


@pytest.mark.parametrize("layout", ["dense", "sparse"])
def test_threads_equal_sequential(layout):
    X, y = make_problem(60, 80, seed=10)
    if layout == "sparse":
        X = sp.csc_matrix(np.where(np.abs(X) > 0.8, X, 0.0))
    kw = dict(l1_ratio=[0.5, 1.0], alphas=30, cv=4)
    a = ElasticNetCV(n_jobs=1, **kw).fit(X, y)
    b = ElasticNetCV(n_jobs=2, **kw).fit(X, y)
    np.testing.assert_array_equal(a.mse_path_, b.mse_path_)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    assert (a.alpha_, a.l1_ratio_) == (b.alpha_, b.l1_ratio_)


def test_random_selection_reproducible():
    X, y = make_problem(60, 80, seed=11)
    kw = dict(alphas=20, cv=3, selection="random", **TIGHT)
    a = LassoCV(random_state=0, n_jobs=2, **kw).fit(X, y)
    b = LassoCV(random_state=0, n_jobs=1, **kw).fit(X, y)
    np.testing.assert_array_equal(a.mse_path_, b.mse_path_)
    c = LassoCV(selection="cyclic", alphas=20, cv=3, **TIGHT).fit(X, y)
    np.testing.assert_allclose(a.mse_path_, c.mse_path_, rtol=1e-5)


@pytest.mark.parametrize("processes", [False, True], ids=["threads", "processes"])
def test_dask_backend_equals_threads(processes):
    pytest.importorskip("dask")
    distributed = pytest.importorskip("distributed")
    from joblib import parallel_config

    X, y = make_problem(60, 80, seed=12)
    kw = dict(l1_ratio=[0.5, 1.0], alphas=20, cv=3, n_jobs=2)
    ref = ElasticNetCV(**kw).fit(X, y)
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=processes,
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster),
        parallel_config(backend="dask"),
    ):
        est = ElasticNetCV(**kw).fit(X, y)
    assert (est.alpha_, est.l1_ratio_) == (ref.alpha_, ref.l1_ratio_)
    if processes:
        # worker processes run numpy's BLAS single-threaded (dask's nanny sets
        # OMP_NUM_THREADS=1): the fold means and test predictions round differently
        np.testing.assert_allclose(est.mse_path_, ref.mse_path_, rtol=1e-8)
        np.testing.assert_allclose(est.coef_, ref.coef_, rtol=1e-8, atol=1e-12)
    else:
        np.testing.assert_array_equal(est.mse_path_, ref.mse_path_)
        np.testing.assert_array_equal(est.coef_, ref.coef_)


def test_verbose_progress_on_stderr(capsys):
    X, y = make_problem(40, 30, seed=13)
    LassoCV(alphas=10, cv=3, verbose=1).fit(X, y)
    out, err = capsys.readouterr()
    assert out == ""
    last = err.strip().splitlines()[-1]
    assert "[LassoCV] 30/30" in last and "elapsed" in last and "done" in last
    LassoCV(alphas=10, cv=3).fit(X, y)
    assert capsys.readouterr() == ("", "")


def test_progress_reports_remaining_time():
    from io import StringIO

    from fastlasso.linear_model._cv import _Progress

    stream = StringIO()
    progress = _Progress("LassoCV", n_tasks=2, n_alphas=10, interval=0.0, stream=stream)
    time.sleep(0.01)
    progress.update(0, 5)
    progress.update(1, 10, final=True)
    lines = stream.getvalue().splitlines()
    assert "5/20" in lines[0] and "remaining ~" in lines[0]
    assert "15/20" in lines[1]
    # a pickled copy (another process) stays silent
    copy = pickle.loads(pickle.dumps(progress))
    copy.update(0, 10, final=True)
    assert len(stream.getvalue().splitlines()) == 2


def test_pickle_and_clone():
    X, y = make_problem(40, 30, seed=14)
    est = ElasticNetCV(l1_ratio=[0.3, 0.9], alphas=10, cv=3, alpha_rule="1se")
    est.fit(X, y)
    est2 = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(est2.predict(X), est.predict(X))
    np.testing.assert_array_equal(est2.mse_path_, est.mse_path_)
    params = clone(est).get_params()
    assert params["alpha_rule"] == "1se" and params["l1_ratio"] == [0.3, 0.9]
    assert not hasattr(clone(est), "coef_")


def test_signature_and_defaults_match_sklearn():
    for ours, theirs in [(LassoCV, sk.LassoCV), (ElasticNetCV, sk.ElasticNetCV)]:
        mine = ours().get_params()
        ref = theirs().get_params()
        assert {k: mine[k] for k in ref} == ref
        assert set(mine) - set(ref) == {
            "alpha_rule",
            "store_path_coefs",
            "penalty_factor",
            "lower_bounds",
            "upper_bounds",
        }
        assert isinstance(ours(), theirs)


def test_parameter_validation():
    X, y = make_problem(30, 10, seed=15)
    with pytest.raises(InvalidParameterError):
        LassoCV(alpha_rule="2se").fit(X, y)
    with pytest.raises(InvalidParameterError):
        LassoCV(alphas=0).fit(X, y)
    with pytest.raises(ValueError, match="alphas\\[1\\]"):
        LassoCV(alphas=[1.0, -1.0]).fit(X, y)
    with pytest.raises(
        ValueError, match="For multi-task outputs, use MultiTaskLassoCV"
    ):
        LassoCV().fit(X, np.c_[y, y])
    with pytest.raises(ValueError, match="l1_ratio=0"):
        ElasticNetCV(l1_ratio=[0.0, 0.5]).fit(X, y)
    with pytest.raises(ValueError, match="(?i)negative"):
        LassoCV().fit(X, y, sample_weight=-np.ones(len(y)))


def test_float32_kept():
    X, y = make_problem(50, 20, seed=16)
    est = LassoCV(alphas=10, cv=3).fit(X.astype(np.float32), y.astype(np.float32))
    ref = sk.LassoCV(alphas=10, cv=3).fit(X.astype(np.float32), y.astype(np.float32))
    assert est.coef_.dtype == ref.coef_.dtype == np.float32
    np.testing.assert_allclose(est.mse_path_, ref.mse_path_, rtol=2e-3)


def test_metadata_routing_groups():
    X, y = make_problem(60, 20, seed=17)
    groups = np.repeat(np.arange(6), 10)
    with sklearn.config_context(enable_metadata_routing=True):
        est = LassoCV(cv=GroupKFold(3), alphas=15).fit(X, y, groups=groups)
        ref = sk.LassoCV(cv=GroupKFold(3), alphas=15).fit(X, y, groups=groups)
    np.testing.assert_allclose(est.mse_path_, ref.mse_path_, rtol=1e-3)
    assert est.mse_path_.shape == (15, 3)
    with pytest.raises(ValueError):
        LassoCV(cv=GroupKFold(3)).fit(X, y, groups=groups)  # routing disabled


def test_input_not_modified_nor_copied_per_fold():
    X, y = make_problem(60, 40, seed=18)
    X = np.asfortranarray(X)
    X0, y0 = X.copy(), y.copy()
    LassoCV(alphas=10, cv=3, copy_X=False, n_jobs=2).fit(X, y)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)




@pytest.mark.parametrize("sparse_X", [False, True], ids=["dense", "csc"])
def test_sample_weight_equivalence_to_tolerance(sparse_X):
    """Integer weights == repeated rows (scikit-learn's check, at a tight tol)."""
    from sklearn.model_selection import LeaveOneGroupOut

    rng = np.random.RandomState(42)
    n = 30
    X = rng.rand(n, 10)
    y = X @ rng.randn(10) + 0.1 * rng.randn(n)
    sw = rng.randint(0, 4, size=n)
    # weights only in group 0; groups 1 and 2 are unweighted copies (as the check)
    Xw, yw = np.vstack([X, X, X]), np.hstack([y, y, y])
    sww = np.hstack([sw, np.ones(n), np.ones(n)])
    gw = np.repeat([0, 1, 2], n)
    Xr = np.vstack([X.repeat(sw, axis=0), X, X])
    yr = np.hstack([y.repeat(sw), y, y])
    gr = np.hstack([np.zeros(sw.sum()), np.ones(n), np.full(n, 2)])
    if sparse_X:
        Xw, Xr = sp.csc_matrix(Xw), sp.csc_matrix(Xr)
    logo = LeaveOneGroupOut()
    kw = dict(alphas=20, eps=1e-2, **TIGHT)
    a = ElasticNetCV(cv=list(logo.split(Xw, groups=gw)), **kw)
    a.fit(Xw, yw, sample_weight=sww)
    b = ElasticNetCV(cv=list(logo.split(Xr, groups=gr)), **kw).fit(Xr, yr)
    np.testing.assert_allclose(a.alphas_, b.alphas_, rtol=1e-10)
    np.testing.assert_allclose(a.mse_path_, b.mse_path_, rtol=1e-5)
    assert a.alpha_ == pytest.approx(b.alpha_, rel=1e-10)
    np.testing.assert_allclose(a.predict(X), b.predict(X), rtol=1e-6)


@parametrize_with_checks(
    [LassoCV(), ElasticNetCV(), LassoCV(alpha_rule="1se", cv=3, n_jobs=2)]
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
