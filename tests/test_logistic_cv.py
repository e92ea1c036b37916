"""fastlasso.LogisticRegressionCV against scikit-learn 1.9's LogisticRegressionCV.

The reference is scikit-learn's ``solver='saga'`` at a tight tolerance on the same
folds. Its grid is kept where saga converges: at the first C of a path, where the
L1 solution is W = 0, saga stops after a few epochs with an inaccurate intercept
(its objective there is 1e-3 above fastlasso's certified one), and integer sample
weights make multinomial saga crawl (no convergence in 1e5 epochs), so the
weights below are uniform on [0.5, 1.5].
"""

import functools
import io
import warnings

import numpy as np
import pytest
from joblib import parallel_config
from scipy import sparse
from sklearn import linear_model as sk
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.utils.estimator_checks import parametrize_with_checks

from fastlasso import LogisticRegression, LogisticRegressionCV

#: The grid of the comparisons with saga (see the module docstring).
CS = np.logspace(-0.5, 1.0, 4)
#: Agreement with saga at tol=1e-10: neg-log-loss scores and final coefficients.
SCORE_ATOL = 1e-4
COEF_ATOL = 1e-4
#: ... and the folds' coefficient paths: a duality gap of tol * P_null bounds the
#: objective, the coefficients only to about sqrt(gap / curvature), 1e-3 here.
PATH_ATOL = 5e-3

# The multinomial duality gap floors above tol=1e-8 (relative) on some folds
# although the coefficients agree with saga to 1e-5: the comparisons check values.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _problem(n_classes, seed=0, n=48, p=5):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p)
    if n_classes == 2:
        y = (X[:, 0] - X[:, 1] + rng.randn(n) > 0).astype(int)
    else:
        y = np.argmax(X[:, :n_classes] + rng.randn(n, n_classes), axis=1)
    sw = rng.uniform(0.5, 1.5, n)
    return X, y, sw


def _params(l1_ratios, weighted, n_classes, **extra):
    params = dict(
        Cs=CS,
        l1_ratios=l1_ratios,
        solver="saga",
        scoring="neg_log_loss",
        cv=StratifiedKFold(3),
        use_legacy_attributes=False,
    )
    if weighted:
        params["class_weight"] = (
            "balanced" if n_classes == 2 else {0: 1.5, 1: 1.0, 2: 0.7}
        )
    params.update(extra)
    return params


@functools.cache
def _saga(n_classes, l1_ratios, weighted):
    X, y, sw = _problem(n_classes)
    ref = sk.LogisticRegressionCV(
        tol=1e-10, max_iter=100_000, **_params(list(l1_ratios), weighted, n_classes)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # a converged reference
        return ref.fit(X, y, sample_weight=sw if weighted else None)


SAGA_CASES = [
    (n_classes, l1_ratios, "dense", weighted)
    for n_classes in (2, 3)
    for l1_ratios in ((1.0,), (0.5, 1.0))
    for weighted in (False, True)
] + [(2, (0.5, 1.0), "csc", True), (3, (1.0,), "csc", False)]


@pytest.mark.parametrize(
    "n_classes, l1_ratios, layout, weighted",
    SAGA_CASES,
    ids=[
        f"{k}classes-{'+'.join(map(str, r))}-{lay}-{'sw' if w else 'unweighted'}"
        for k, r, lay, w in SAGA_CASES
    ],
)
def test_matches_sklearn_saga(n_classes, l1_ratios, layout, weighted):
    X, y, sw = _problem(n_classes)
    ref = _saga(n_classes, l1_ratios, weighted)
    est = LogisticRegressionCV(
        tol=1e-8, **_params(list(l1_ratios), weighted, n_classes)
    )
    est.fit(
        sparse.csc_matrix(X) if layout == "csc" else X,
        y,
        sample_weight=sw if weighted else None,
    )
    np.testing.assert_array_equal(est.Cs_, ref.Cs_)
    assert est.C_ == ref.C_
    assert est.l1_ratio_ == ref.l1_ratio_
    np.testing.assert_allclose(est.scores_, ref.scores_, rtol=0, atol=SCORE_ATOL)
    np.testing.assert_allclose(
        est.coefs_paths_, ref.coefs_paths_, rtol=0, atol=PATH_ATOL
    )
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=0, atol=COEF_ATOL)
    np.testing.assert_allclose(est.intercept_, ref.intercept_, rtol=0, atol=COEF_ATOL)
    np.testing.assert_array_equal(est.classes_, ref.classes_)
    assert np.isfinite(est.dual_gap_) and est.dual_gap_ > -1e-12


def test_default_scoring_is_accuracy_with_sklearns_choice():
    X, y, sw = _problem(2, seed=3, n=60)
    params = dict(Cs=CS, l1_ratios=[1.0], solver="saga", use_legacy_attributes=True)
    ref = sk.LogisticRegressionCV(tol=1e-10, max_iter=100_000, **params)
    with pytest.warns(FutureWarning, match="'scoring' will change"):
        ref.fit(X, y, sample_weight=sw)
    with pytest.warns(FutureWarning, match="'scoring' will change"):
        est = LogisticRegressionCV(tol=1e-8, **params).fit(X, y, sample_weight=sw)
    # accuracy (weighted by the test rows' sample weights) of the same predictions
    np.testing.assert_allclose(est.scores_[1], ref.scores_[1], atol=1e-12)
    np.testing.assert_array_equal(est.C_, ref.C_)
    np.testing.assert_allclose(est.coef_, ref.coef_, atol=COEF_ATOL)


def test_l2_matches_sklearn_lbfgs_and_deprecated_penalty():
    X, y, _ = _problem(3)
    params = dict(
        Cs=np.logspace(-2, 1, 4),
        cv=3,
        scoring="neg_log_loss",
        use_legacy_attributes=True,
    )
    ref = sk.LogisticRegressionCV(tol=1e-10, max_iter=10_000, **params)
    est = LogisticRegressionCV(tol=1e-10, **params)
    for model in (ref, est):
        with pytest.warns(FutureWarning, match="l1_ratios will change"):
            model.fit(X, y)
    np.testing.assert_array_equal(est.C_, ref.C_)
    np.testing.assert_array_equal(est.l1_ratio_, ref.l1_ratio_)  # [None] * 3
    for cls in ref.classes_:
        np.testing.assert_allclose(est.scores_[cls], ref.scores_[cls], atol=SCORE_ATOL)
        np.testing.assert_allclose(
            est.coefs_paths_[cls], ref.coefs_paths_[cls], atol=PATH_ATOL
        )
    np.testing.assert_allclose(est.coef_, ref.coef_, atol=COEF_ATOL)
    # penalty='l1' (deprecated) is l1_ratios=(1,)
    a = LogisticRegressionCV(Cs=CS, penalty="l1", solver="saga", **_no_warn())
    with pytest.warns(FutureWarning, match="'penalty' was deprecated"):
        a.fit(X, y)
    b = LogisticRegressionCV(Cs=CS, l1_ratios=(1.0,), solver="saga", **_no_warn())
    b.fit(X, y)
    np.testing.assert_allclose(a.coef_, b.coef_)
    assert a.l1_ratio_ == 1.0 and b.l1_ratio_ == 1.0


def _no_warn():
    return dict(scoring="neg_log_loss", use_legacy_attributes=False, cv=3)


# --------------------------------------------------------------------------------------
# Attributes: shapes and types as scikit-learn's


def _describe(value):
    """Type, and shape / dtype kind of arrays, recursively for dicts."""
    if isinstance(value, dict):
        return ("dict", tuple((k, _describe(v)) for k, v in value.items()))
    if isinstance(value, np.ndarray):
        return ("ndarray", value.shape, value.dtype.kind)
    return (type(value).__name__,)


ATTRIBUTES = [
    "classes_",
    "Cs_",
    "l1_ratios_",
    "coefs_paths_",
    "scores_",
    "C_",
    "l1_ratio_",
    "coef_",
    "intercept_",
    "n_iter_",
    "n_features_in_",
]


@pytest.mark.parametrize("legacy", [True, False])
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("l1_ratios", ["warn", np.array([0.5, 1.0])], ids=["none", "2"])
@pytest.mark.parametrize("refit", [True, False])
def test_attributes_have_sklearns_shapes_and_types(legacy, n_classes, l1_ratios, refit):
    X, y, _ = _problem(n_classes, n=30, p=3)
    params = dict(
        Cs=[0.3, 3.0],
        cv=3,
        l1_ratios=l1_ratios,
        solver="saga" if isinstance(l1_ratios, np.ndarray) else "lbfgs",
        scoring="neg_log_loss",
        use_legacy_attributes=legacy,
        refit=refit,
        max_iter=20,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = sk.LogisticRegressionCV(**params).fit(X, y)
        est = LogisticRegressionCV(**params).fit(X, y)
    for name in ATTRIBUTES:
        assert _describe(getattr(est, name)) == _describe(getattr(ref, name)), name
    assert est.n_iter_.dtype == ref.n_iter_.dtype == np.int32
    assert est.coef_.dtype == np.float64
    assert not hasattr(est, "feature_names_in_")
    # the standard error has the layout of one entry of scores_ without the folds
    scores = next(iter(est.scores_.values())) if legacy else est.scores_
    assert est.scores_se_.shape == scores.shape[1:]
    assert hasattr(est, "dual_gap_") == refit


def test_feature_names_and_string_labels():
    pd = pytest.importorskip("pandas")
    X, y, _ = _problem(3, n=30, p=3)
    labels = np.array(["a", "b", "c"])[y]
    frame = pd.DataFrame(X, columns=["u", "v", "w"])
    est = LogisticRegressionCV(Cs=[1.0], l1_ratios=(0.0,), **_no_warn())
    est.fit(frame, labels)
    np.testing.assert_array_equal(est.feature_names_in_, ["u", "v", "w"])
    np.testing.assert_array_equal(est.classes_, ["a", "b", "c"])
    assert set(est.predict(frame)) <= {"a", "b", "c"}
    legacy = LogisticRegressionCV(
        Cs=[1.0],
        l1_ratios=(0.0,),
        scoring="neg_log_loss",
        cv=3,
        use_legacy_attributes=True,
    ).fit(frame, labels)
    assert list(legacy.coefs_paths_) == ["a", "b", "c"]


# --------------------------------------------------------------------------------------
# refit=False, the one-standard-error rule


def test_refit_false_averages_the_folds_best_coefficients():
    X, y, _ = _problem(3)
    params = _params([0.5, 1.0], False, 3, refit=False)
    est = LogisticRegressionCV(tol=1e-8, **params).fit(X, y)
    picks = [
        np.unravel_index(np.argmax(est.scores_[f].T), (len(CS), 2)) for f in range(3)
    ]
    w = np.mean([est.coefs_paths_[f, k, i] for f, (i, k) in enumerate(picks)], axis=0)
    np.testing.assert_allclose(est.coef_, w[:, :-1])
    np.testing.assert_allclose(est.intercept_, w[:, -1] - w[:, -1].mean())
    assert est.C_ == pytest.approx(np.mean([CS[i] for i, _ in picks]))
    assert est.l1_ratio_ == pytest.approx(np.mean([[0.5, 1.0][k] for _, k in picks]))
    assert not hasattr(est, "dual_gap_")
    # scikit-learn 1.9.1 raises a TypeError with a list of l1_ratios here; with
    # an array it runs, and picks the same folds' optima
    ref_params = {**params, "l1_ratios": np.array([0.5, 1.0])}
    ref = sk.LogisticRegressionCV(tol=1e-10, max_iter=100_000, **ref_params).fit(X, y)
    assert est.C_ == pytest.approx(ref.C_)
    assert est.l1_ratio_ == pytest.approx(ref.l1_ratio_)
    np.testing.assert_allclose(est.coef_, ref.coef_, atol=PATH_ATOL)


def test_refit_false_l1_ratio_outside_elastic_net_is_sklearns():
    X, y, _ = _problem(2)
    est = LogisticRegressionCV(
        Cs=CS, l1_ratios=[1.0], solver="saga", refit=False, **_no_warn()
    ).fit(X, y)
    assert est.l1_ratio_ == 0.0  # scikit-learn 1.9.1's value for a non-enet penalty


#: A curve flat enough for the 1-SE rule to move; decreasing on purpose (the path
#: follows the given order, plot_cv sorts).
CS_1SE = np.logspace(1.5, -1.5, 10)


@functools.cache
def _one_se_fit(legacy, rule="best"):
    X, y, _ = _problem(2, seed=1, n=60, p=8)
    return LogisticRegressionCV(
        Cs=CS_1SE,
        l1_ratios=[0.5, 1.0],
        solver="saga",
        scoring="neg_log_loss",
        cv=StratifiedKFold(5),
        use_legacy_attributes=legacy,
        C_rule=rule,
        tol=1e-8,
    ).fit(X, y)


@pytest.mark.parametrize("legacy", [True, False])
def test_one_standard_error_rule(legacy):
    X, y, _ = _problem(2, seed=1, n=60, p=8)
    Cs = CS_1SE
    best = _one_se_fit(legacy)
    scores = best.scores_[1] if legacy else np.swapaxes(best.scores_, 1, 2)
    mean = scores.mean(axis=0)  # (n_Cs, n_l1)
    se = best.scores_se_ if legacy else best.scores_se_.T
    np.testing.assert_allclose(se, scores.std(axis=0, ddof=1) / np.sqrt(5))
    i, k = np.unravel_index(np.argmax(mean), mean.shape)
    assert best.C_best_ == Cs[i] == np.ravel(best.C_)[0]
    assert best.C_1se_ <= best.C_best_
    j = int(np.flatnonzero(Cs == best.C_1se_)[0])
    threshold = mean[i, k] - se[i, k]
    assert mean[j, k] >= threshold
    assert np.all(mean[Cs < best.C_1se_, k] < threshold)  # the smallest such C
    assert best.C_1se_ < best.C_best_  # this problem's curve is flat enough

    one_se = _one_se_fit(legacy, "1se")
    assert np.ravel(one_se.C_)[0] == best.C_1se_
    np.testing.assert_array_equal(one_se.l1_ratio_, best.l1_ratio_)
    single = LogisticRegression(
        C=best.C_1se_,
        l1_ratio=float(np.ravel(best.l1_ratio_)[0]),
        solver="saga",
        tol=1e-8,
    ).fit(X, y)
    np.testing.assert_allclose(one_se.coef_, single.coef_, atol=1e-4)
    assert np.count_nonzero(one_se.coef_) <= np.count_nonzero(best.coef_)


# --------------------------------------------------------------------------------------
# Warnings, errors, parallelism, progress


def test_future_warnings_are_sklearns():
    X, y, _ = _problem(2, n=30, p=3)

    def caught(model):
        # threads: scikit-learn would start processes for n_jobs=2 (seconds)
        with warnings.catch_warnings(record=True) as log, parallel_config("threading"):
            warnings.simplefilter("always")
            model.fit(X, y)
        return sorted((w.category.__name__, str(w.message)) for w in log)

    for params in (
        dict(Cs=[1.0]),
        dict(Cs=[1.0], l1_ratios=None),
        dict(Cs=[1.0], penalty="l2", l1_ratios=(0.5,), scoring=None),
        dict(Cs=[1.0], l1_ratios=(0.0,), scoring="accuracy", n_jobs=2),
    ):
        ours = caught(LogisticRegressionCV(**params))
        theirs = caught(sk.LogisticRegressionCV(**params))
        theirs = [w for w in theirs if w[0] != "ConvergenceWarning"]
        assert ours == theirs, params
    assert caught(LogisticRegressionCV(Cs=[1.0], l1_ratios=(0.0,), **_no_warn())) == []


def _raises_like_sklearn(params, X, y, **fit_params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            sk.LogisticRegressionCV(**params).fit(X, y, **fit_params)
        except Exception as exc:  # noqa: BLE001 - the type is what is compared
            expected = type(exc)
        else:
            raise AssertionError(f"scikit-learn accepts {params}")
        with pytest.raises(expected):
            LogisticRegressionCV(**params).fit(X, y, **fit_params)


@pytest.mark.parametrize(
    "case",
    [
        "one_class",
        "continuous_y",
        "nan_X",
        "bad_l1_ratios",
        "lbfgs_l1",
        "liblinear_multiclass",
        "class_weight_key",
        "Cs_zero",
        "bad_scoring",
        "wrong_length_sample_weight",
        "sparse_int64_saga",
    ],
)
def test_bad_inputs_raise_sklearns_exceptions(case):
    X, y, _ = _problem(3, n=30, p=3)
    base = dict(Cs=[1.0], cv=3, l1_ratios=(0.0,), scoring="neg_log_loss")
    fit_params = {}
    if case == "one_class":
        y = np.zeros_like(y)
    elif case == "continuous_y":
        y = X[:, 0]
    elif case == "nan_X":
        X = X.copy()
        X[0, 0] = np.nan
    elif case == "bad_l1_ratios":
        # a list: for a tuple, scikit-learn 1.9.1's error message fails to
        # format and it raises a TypeError (fastlasso: ValueError for both)
        base.update(l1_ratios=[0.5, 2.0], solver="saga")
    elif case == "lbfgs_l1":
        base.update(l1_ratios=(1.0,))
    elif case == "liblinear_multiclass":
        base.update(solver="liblinear")
    elif case == "class_weight_key":
        base.update(class_weight={7: 2.0})
    elif case == "Cs_zero":
        base.update(Cs=0)
    elif case == "bad_scoring":
        base.update(scoring="not a scorer")
    elif case == "wrong_length_sample_weight":
        fit_params["sample_weight"] = np.ones(len(y) - 1)
    elif case == "sparse_int64_saga":
        X = sparse.csr_matrix(X)
        X.indices = X.indices.astype(np.int64)
        X.indptr = X.indptr.astype(np.int64)
        base.update(solver="saga")
    _raises_like_sklearn(base, X, y, **fit_params)


def test_infinite_C_is_refused():
    X, y, _ = _problem(2, n=30, p=3)
    with pytest.raises(ValueError, match="finite Cs"):
        LogisticRegressionCV(Cs=[1.0, np.inf], l1_ratios=(0.0,), **_no_warn()).fit(X, y)
    with pytest.raises(ValueError, match="C_rule"):
        LogisticRegressionCV(C_rule="min", **_no_warn()).fit(X, y)


def test_threads_give_the_same_fit_and_leave_warning_filters_alone():
    X, y, _ = _problem(2)
    params = _params([0.5, 1.0], True, 2, tol=1e-6)
    filters = list(warnings.filters)
    serial = LogisticRegressionCV(**params).fit(X, y)
    threaded = LogisticRegressionCV(n_jobs=2, **params).fit(X, y)
    assert warnings.filters == filters
    np.testing.assert_array_equal(serial.scores_, threaded.scores_)
    np.testing.assert_array_equal(serial.coef_, threaded.coef_)
    with parallel_config(backend="threading", n_jobs=2):
        configured = LogisticRegressionCV(**params).fit(X, y)
    np.testing.assert_array_equal(serial.coef_, configured.coef_)


def test_one_convergence_warning_per_fit():
    X, y, _ = _problem(3)
    with warnings.catch_warnings(record=True) as log:
        warnings.simplefilter("always")
        LogisticRegressionCV(
            Cs=CS, l1_ratios=(1.0,), solver="saga", max_iter=1, tol=1e-12, **_no_warn()
        ).fit(X, y)
    messages = [str(w.message) for w in log if w.category is ConvergenceWarning]
    assert any("(fold, l1_ratio, C) fits" in m for m in messages)
    assert sum("(fold, l1_ratio, C) fits" in m for m in messages) == 1
    assert len(messages) <= 2  # and the refit's


def test_verbose_reports_progress(capsys):
    X, y, _ = _problem(2, n=30, p=3)
    est = LogisticRegressionCV(Cs=[0.3, 3.0], l1_ratios=(0.0,), verbose=1, **_no_warn())
    est.fit(X, y)
    err = capsys.readouterr().err
    assert "[LogisticRegressionCV] 6/6 (fold x Cs) solved" in err


def test_folds_are_sklearns_stratified_and_routed_groups():
    X, y, _ = _problem(2, n=30, p=3)
    a = LogisticRegressionCV(Cs=[1.0], l1_ratios=(0.0,), **{**_no_warn(), "cv": None})
    b = LogisticRegressionCV(
        Cs=[1.0], l1_ratios=(0.0,), **{**_no_warn(), "cv": StratifiedKFold(5)}
    )
    np.testing.assert_array_equal(a.fit(X, y).scores_, b.fit(X, y).scores_)
    c = LogisticRegressionCV(
        Cs=[1.0], l1_ratios=(0.0,), **{**_no_warn(), "cv": KFold(5)}
    )
    assert not np.array_equal(c.fit(X, y).scores_, a.scores_)


# --------------------------------------------------------------------------------------
# plot_cv


def test_plot_cv_draws_the_score_curve():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from fastlasso.plotting import plot_cv

    Cs = CS_1SE
    for legacy in (True, False):
        est = _one_se_fit(legacy)
        fig, ax = plt.subplots()
        try:
            assert plot_cv(est, ax=ax, show_folds=True) is ax
            (curve,) = [ln for ln in ax.lines if ln.get_gid() == "cv_mean"]
            np.testing.assert_array_equal(curve.get_xdata(), np.sort(Cs))
            scores = est.scores_[1] if legacy else np.swapaxes(est.scores_, 1, 2)
            k = int(np.flatnonzero(est.l1_ratios_ == np.ravel(est.l1_ratio_)[0])[0])
            mean = scores.mean(axis=0)[::-1, k]
            np.testing.assert_allclose(curve.get_ydata(), mean)
            (best,) = [ln for ln in ax.lines if ln.get_gid() == "C_best"]
            (one_se,) = [ln for ln in ax.lines if ln.get_gid() == "C_1se"]
            assert best.get_xdata()[0] == est.C_best_
            assert one_se.get_xdata()[0] == est.C_1se_
            assert sum(ln.get_gid().startswith("fold:") for ln in ax.lines) == 5
            assert ax.get_xscale() == "log" and not ax.xaxis_inverted()
            fig.savefig(io.BytesIO(), format="png")
        finally:
            plt.close(fig)


# --------------------------------------------------------------------------------------
# scikit-learn's API checks


# scikit-learn's own test instance (instance_generator.py: max_iter=5, cv=3,
# use_legacy_attributes=False, scoring="neg_log_loss") passes too, in ~35 s: its 10
# Cs reach 1e4 on tiny, separable data; two Cs per instance keep both to ~20 s.
@parametrize_with_checks(
    [
        LogisticRegressionCV(
            Cs=[0.3, 3.0],
            cv=3,
            use_legacy_attributes=False,
            scoring="neg_log_loss",
            l1_ratios=(0.0,),
        ),
        LogisticRegressionCV(
            Cs=[0.3, 3.0],
            cv=3,
            l1_ratios=(0.5,),
            solver="saga",
            use_legacy_attributes=False,
            scoring="neg_log_loss",
        ),
    ],
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


def test_blas_threads_restored_after_parallel_folds():
    """The paths limit BLAS to one thread while they run (counted across the
    fold threads) and the caller's limits come back afterwards."""
    from threadpoolctl import threadpool_info

    from fastlasso import LogisticRegressionCV

    rng = np.random.RandomState(0)
    X = rng.randn(60, 30)
    y = (X[:, 0] + 0.5 * rng.randn(60) > 0).astype(int)

    def blas_threads():
        return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]

    before = blas_threads()
    LogisticRegressionCV(
        Cs=5, l1_ratios=[1.0], solver="saga", cv=4, n_jobs=2, scoring="neg_log_loss"
    ).fit(X, y)
    assert blas_threads() == before
