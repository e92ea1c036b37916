"""LogisticRegression: parity with scikit-learn's saga, certificate, inputs, errors."""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse
from scipy.special import expit, softmax
from sklearn import linear_model as sk
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

from fastlasso import LogisticRegression, logistic_path
from fastlasso._logistic_path import LogisticProblem
from fastlasso._logistic_path import logistic_path as solve_logistic_path

GOLDEN = Path(__file__).parent / "golden"
_spec = importlib.util.spec_from_file_location(
    "make_logistic", GOLDEN / "make_logistic.py"
)
make_logistic = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_logistic)
PROBLEMS = make_logistic.problems()
REFS = np.load(GOLDEN / "logistic_saga.npz")

FORMATS = {
    "dense": lambda X: X,
    "csc": sparse.csc_matrix,
    "csr": sparse.csr_matrix,
}


def _fit(prob, fmt="dense", **kw):
    params = dict(
        C=prob["C"],
        l1_ratio=prob["l1_ratio"],
        fit_intercept=prob["fit_intercept"],
        class_weight=prob["class_weight"],
        solver="saga",
        # 1e-12: the coefficient check needs ||w - w*||^2 <= 2 gap / l2 below
        # (1e-5)^2 on the 3-class elastic nets (l2 = 0.5, P_null ~ 30)
        tol=1e-12,
        max_iter=500,
    )
    params.update(kw)
    est = LogisticRegression(**params)
    return est.fit(FORMATS[fmt](prob["X"]), prob["y"], prob["sample_weight"])


def _objective(est, prob):
    return make_logistic.objective(
        np.asarray(est.coef_, dtype=float),
        np.asarray(est.intercept_, dtype=float),
        prob["X"],
        prob["y"],
        est.classes_,
        make_logistic.total_weights(prob),
        prob["C"],
        prob["l1_ratio"],
    )


@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("i", range(len(PROBLEMS)))
def test_parity_with_saga_reference(i, fmt):
    """Objective within 1e-8 (relative) of saga's at tol=1e-12 or better, and the
    same coefficients to 1e-5 (tests/golden/make_logistic.py made the references)."""
    prob = PROBLEMS[i]
    est = _fit(prob, fmt)
    ref = float(REFS[f"objective_{i}"])
    obj = _objective(est, prob)
    assert obj <= ref * (1 + 1e-8)
    # the certificate is honest: the distance to the better of the two is <= gap
    assert obj - min(obj, ref) <= est.dual_gap_ + 1e-12 * ref
    assert est.coef_.shape == REFS[f"coef_{i}"].shape
    assert est.intercept_.shape == REFS[f"intercept_{i}"].shape
    if ref - obj > 1e-9 * ref:
        # saga stopped short of the optimum (its intercept step is slow at small
        # C: problem 30 is 3e-3 above ours); ours is certified better, as asserted
        return
    scale = max(1.0, np.abs(REFS[f"coef_{i}"]).max())
    np.testing.assert_allclose(est.coef_, REFS[f"coef_{i}"], rtol=0, atol=1e-5 * scale)
    np.testing.assert_allclose(
        est.intercept_, REFS[f"intercept_{i}"], rtol=0, atol=1e-5 * scale
    )


def _kkt_violation(est, prob):
    """Largest violation of the optimality conditions, relative to C * sum(s)."""
    X, y = prob["X"], prob["y"]
    s = make_logistic.total_weights(prob)
    C, l1r = prob["C"], prob["l1_ratio"]
    W = est.coef_
    eta = X @ W.T + est.intercept_
    if len(est.classes_) == 2:
        R = expit(eta) - (y == est.classes_[1])[:, None]
    else:
        R = softmax(eta, axis=1) - (y[:, None] == est.classes_[None, :])
    G = C * (X.T @ (s[:, None] * R)).T + (1 - l1r) * W  # smooth part, (K, p)
    viol = np.where(
        W != 0, np.abs(G + l1r * np.sign(W)), np.maximum(np.abs(G) - l1r, 0)
    )
    worst = viol.max()
    if prob["fit_intercept"]:
        worst = max(worst, np.abs(C * (s @ R)).max())
    return worst / (C * s.sum())


@pytest.mark.parametrize("i", range(0, len(PROBLEMS), 3))
def test_kkt_and_gap_at_default_tol(i):
    """At the default tol the gap test holds and the KKT conditions nearly do."""
    prob = PROBLEMS[i]
    est = _fit(prob, tol=1e-4, max_iter=100)
    X = prob["X"]
    s = make_logistic.total_weights(prob)
    Y = (
        (prob["y"] == est.classes_[1])[:, None].astype(float)
        if len(est.classes_) == 2
        else (prob["y"][:, None] == est.classes_[None, :]).astype(float)
    )
    pr = LogisticProblem(
        np.asfortranarray(X), Y, prob["C"] * s, prob["l1_ratio"],
        1 - prob["l1_ratio"], prob["fit_intercept"],
    )  # fmt: skip
    assert est.dual_gap_ <= 1e-4 * pr.null_objective()
    # the reported gap is the gap at the returned point
    eta = X @ est.coef_.T + est.intercept_
    gap, _ = pr.gap(eta, est.coef_.astype(float))
    assert gap == pytest.approx(est.dual_gap_, rel=1e-6, abs=1e-12)
    ref = float(REFS[f"objective_{i}"])
    assert _objective(est, prob) - ref <= est.dual_gap_ + 1e-10 * ref
    tight = _fit(prob)
    assert _kkt_violation(tight, prob) < 1e-5


@pytest.mark.parametrize("i", [0, 7, 30, 41])
def test_dense_equals_sparse(i):
    prob = PROBLEMS[i]
    dense = _fit(prob, "dense", tol=1e-10)
    for fmt in ("csc", "csr"):
        other = _fit(prob, fmt, tol=1e-10)
        # the same problem solved to a certified gap: the same objective, and
        # coefficients as close as that gap allows
        assert _objective(other, prob) == pytest.approx(
            _objective(dense, prob), rel=1e-10
        )
        # (multinomial sweeps stop at a gap of ~1e-10 P_null: coefficients ~1e-5)
        atol = 1e-5 if len(dense.classes_) == 2 else 5e-5
        np.testing.assert_allclose(other.coef_, dense.coef_, rtol=0, atol=atol)
        np.testing.assert_allclose(
            other.intercept_, dense.intercept_, rtol=0, atol=atol
        )


@pytest.mark.parametrize("i", [2, 26])
def test_float32(i):
    prob = PROBLEMS[i]
    ref = _fit(prob, tol=1e-8)
    X32 = prob["X"].astype(np.float32)
    for Xf in (X32, sparse.csc_matrix(X32)):
        est = LogisticRegression(
            C=prob["C"], l1_ratio=prob["l1_ratio"], solver="saga", tol=1e-6,
            fit_intercept=prob["fit_intercept"], class_weight=prob["class_weight"],
        ).fit(Xf, prob["y"], prob["sample_weight"])  # fmt: skip
        assert est.coef_.dtype == np.float32
        assert est.intercept_.dtype == np.float32
        assert _objective(est, prob) == pytest.approx(_objective(ref, prob), rel=1e-5)


def test_zero_weights_equal_removing_samples():
    prob = PROBLEMS[4]
    X, y = prob["X"], prob["y"]
    rng = np.random.RandomState(0)
    sw = rng.uniform(0.5, 2, size=len(y))
    sw[::4] = 0.0
    kw = dict(C=1.0, l1_ratio=1.0, solver="saga", tol=1e-10)
    a = LogisticRegression(**kw).fit(X, y, sample_weight=sw)
    keep = sw > 0
    b = LogisticRegression(**kw).fit(X[keep], y[keep], sample_weight=sw[keep])
    np.testing.assert_allclose(a.coef_, b.coef_, atol=1e-7)
    np.testing.assert_allclose(a.intercept_, b.intercept_, atol=1e-7)


def test_class_weight_equals_sample_weight():
    prob = PROBLEMS[3]
    X, y = prob["X"], prob["y"]
    kw = dict(C=1.0, l1_ratio=0.5, solver="saga", tol=1e-10)
    a = LogisticRegression(class_weight={"a": 3.0, "b": 1.0}, **kw).fit(X, y)
    b = LogisticRegression(**kw).fit(X, y, sample_weight=np.where(y == "a", 3.0, 1.0))
    np.testing.assert_allclose(a.coef_, b.coef_, atol=1e-8)


def _assert_at_least_as_good(ours, ref, prob, C):
    """fastlasso's objective (L2, unweighted) exceeds lbfgs' by at most its gap."""
    prob = dict(prob, C=C, l1_ratio=0.0, sample_weight=None, class_weight=None)
    assert _objective(ours, prob) - _objective(ref, prob) <= ours.dual_gap_


def test_default_l2_matches_lbfgs():
    """The default (L2, solver='lbfgs') is scikit-learn's default model."""
    prob = PROBLEMS[12]  # 80 x 10, binary
    ours = LogisticRegression(tol=1e-10).fit(prob["X"], prob["y"])
    ref = sk.LogisticRegression(tol=1e-10, max_iter=10000).fit(prob["X"], prob["y"])
    _assert_at_least_as_good(ours, ref, prob, C=1.0)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-5)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=1e-5)
    np.testing.assert_allclose(
        ours.predict_proba(prob["X"]), ref.predict_proba(prob["X"]), atol=1e-6
    )
    assert ours.n_iter_.shape == ref.n_iter_.shape == (1,)
    assert ours.n_iter_.dtype == np.int32


def test_multinomial_l2_matches_lbfgs():
    prob = PROBLEMS[36]
    assert len(np.unique(prob["y"])) == 3
    ours = LogisticRegression(C=0.5, tol=1e-10, max_iter=500).fit(prob["X"], prob["y"])
    ref = sk.LogisticRegression(C=0.5, tol=1e-10, max_iter=10000).fit(
        prob["X"], prob["y"]
    )
    _assert_at_least_as_good(ours, ref, prob, C=0.5)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-4)
    np.testing.assert_allclose(
        ours.predict_proba(prob["X"]), ref.predict_proba(prob["X"]), atol=1e-5
    )
    assert abs(ours.intercept_.sum()) < 1e-10


def test_warm_start_fewer_iterations():
    prob = PROBLEMS[1]
    est = LogisticRegression(C=1.0, l1_ratio=1.0, solver="saga", tol=1e-8)
    est.fit(prob["X"], prob["y"])
    first = est.n_iter_[0]
    est.set_params(warm_start=True, C=1.1).fit(prob["X"], prob["y"])
    assert est.n_iter_[0] < first
    cold = LogisticRegression(C=1.1, l1_ratio=1.0, solver="saga", tol=1e-8)
    cold.fit(prob["X"], prob["y"])
    np.testing.assert_allclose(est.coef_, cold.coef_, atol=1e-6)


def test_inputs_not_modified():
    prob = PROBLEMS[5]
    X = prob["X"].copy()
    Xs = sparse.csc_matrix(X)
    sw = np.linspace(0.5, 2, X.shape[0])
    y = prob["y"].copy()
    X0, sw0, y0, data0 = X.copy(), sw.copy(), y.copy(), Xs.data.copy()
    LogisticRegression(l1_ratio=1.0, solver="saga").fit(X, y, sample_weight=sw)
    LogisticRegression(l1_ratio=1.0, solver="saga").fit(Xs, y, sample_weight=sw)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(sw, sw0)
    np.testing.assert_array_equal(y, y0)
    np.testing.assert_array_equal(Xs.data, data0)


def test_path_warm_start_and_min_C():
    from fastlasso._logistic_path import min_C

    prob = PROBLEMS[0]
    X = np.asfortranarray(prob["X"])
    Y = (prob["y"] == "b")[:, None].astype(float)
    s = np.ones(len(Y))
    c0 = min_C(X, Y, s, 1.0, True)
    coefs, Cs, n_iter, gaps = solve_logistic_path(
        X, Y, s, c0 * np.array([0.99, 1.5, 3.0, 10.0]), 1.0, tol=1e-9
    )
    assert coefs.shape == (4, 1, X.shape[1] + 1)
    assert not np.any(coefs[0, 0, :-1])  # below min_C: no feature
    assert np.count_nonzero(coefs[1, 0, :-1]) >= 1
    for k, C in enumerate(Cs):
        est = LogisticRegression(C=C, l1_ratio=1.0, solver="saga", tol=1e-9)
        est.fit(X, prob["y"])
        np.testing.assert_allclose(coefs[k, 0, :-1], est.coef_[0], atol=1e-6)


# -- errors: scikit-learn's exception types and messages ------------------------


def _both(make, X, y, **fit):
    """The exception type scikit-learn raises, and fastlasso's (same type)."""
    with pytest.raises(Exception) as ref:
        make(sk.LogisticRegression).fit(X, y, **fit)
    with pytest.raises(ref.type) as ours:
        make(LogisticRegression).fit(X, y, **fit)
    return str(ref.value), str(ours.value)


@pytest.mark.parametrize(
    "case",
    ["one_class", "nan", "inf", "l1_ratio", "C0", "Cneg", "solver", "lbfgs_l1",
     "liblinear_multi", "elasticnet_liblinear", "y_continuous", "rows"],
)  # fmt: skip
def test_errors_like_sklearn(case):
    prob = PROBLEMS[0]
    X, y = prob["X"].copy(), prob["y"]
    kw, fit = {}, {}
    if case == "one_class":
        y = np.full(len(y), "a")
    elif case == "nan":
        X[3, 2] = np.nan
    elif case == "inf":
        X[3, 2] = np.inf
    elif case == "l1_ratio":
        kw = dict(l1_ratio=1.5, solver="saga")
    elif case == "C0":
        kw = dict(C=0.0)
    elif case == "Cneg":
        kw = dict(C=-1.0)
    elif case == "solver":
        kw = dict(solver="newton")
    elif case == "lbfgs_l1":
        kw = dict(l1_ratio=1.0, solver="lbfgs")
    elif case == "liblinear_multi":
        y = PROBLEMS[30]["y"][: len(y)]
        kw = dict(solver="liblinear")
    elif case == "elasticnet_liblinear":
        kw = dict(l1_ratio=0.5, solver="liblinear")
    elif case == "y_continuous":
        y = np.linspace(0, 1, len(y))
    elif case == "rows":
        y = y[:-1]
    ref, ours = _both(lambda cls: cls(**kw), X, y, **fit)
    assert ours == ref


def test_negative_sample_weight_like_sklearn():
    prob = PROBLEMS[0]
    sw = np.ones(len(prob["y"]))
    sw[0] = -1.0
    try:
        sk.LogisticRegression(l1_ratio=1.0, solver="saga").fit(
            prob["X"], prob["y"], sample_weight=sw
        )
    except Exception as exc:  # scikit-learn refuses: so must we, same type
        with pytest.raises(type(exc)):
            LogisticRegression(l1_ratio=1.0, solver="saga").fit(
                prob["X"], prob["y"], sample_weight=sw
            )
    else:  # scikit-learn accepts them; the loss is then not convex: refused
        with pytest.raises(ValueError, match="Negative values"):
            LogisticRegression(l1_ratio=1.0, solver="saga").fit(
                prob["X"], prob["y"], sample_weight=sw
            )


def test_unpenalised_refused_with_advice():
    prob = PROBLEMS[0]
    with pytest.raises(ValueError, match="sklearn.linear_model.LogisticRegression"):
        LogisticRegression(C=np.inf).fit(prob["X"], prob["y"])


def test_deprecation_warnings_like_sklearn():
    prob = PROBLEMS[0]
    for kw in (dict(penalty="l1", solver="saga"), dict(n_jobs=2)):
        with warnings.catch_warnings(record=True) as ref:
            warnings.simplefilter("always")
            sk.LogisticRegression(**kw).fit(prob["X"], prob["y"])
        with warnings.catch_warnings(record=True) as ours:
            warnings.simplefilter("always")
            LogisticRegression(**kw).fit(prob["X"], prob["y"])

        def msgs(ws):
            return sorted(
                str(w.message)
                for w in ws
                if not issubclass(w.category, ConvergenceWarning)
            )

        assert msgs(ours) == msgs(ref)


def test_convergence_warning_at_max_iter():
    prob = PROBLEMS[5]
    with pytest.warns(ConvergenceWarning, match="duality-gap"):
        LogisticRegression(l1_ratio=1.0, solver="saga", tol=1e-14, max_iter=1).fit(
            prob["X"], prob["y"]
        )


_SW_REASON = (
    "3-class elastic net at C=10: weights and repeated rows agree to 1.3e-5 in "
    "predict_proba at the default tol and to 7.5e-7 at any tol <= 1e-8 (the "
    "class-by-class Newton sweeps stop on a gap floor), above the check's 1e-7"
)
_SW_XFAIL = {
    "check_sample_weight_equivalence_on_dense_data": _SW_REASON,
    "check_sample_weight_equivalence_on_sparse_data": _SW_REASON,
}


@parametrize_with_checks(
    [
        LogisticRegression(),
        LogisticRegression(l1_ratio=1.0, solver="saga"),
        LogisticRegression(l1_ratio=0.5, solver="saga", C=10.0),
    ],
    expected_failed_checks=lambda est: _SW_XFAIL if est.C == 10.0 else {},
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


def test_public_path_grids():
    """``Cs`` int is scikit-learn's grid; 'auto' starts at min_C with no feature and
    stops early once the fits saturate; each point is the estimator's fit."""
    prob = PROBLEMS[6]
    X, y = prob["X"], prob["y"]
    coefs, Cs, n_iter, gaps = logistic_path(X, y, Cs=4, l1_ratio=1.0, tol=1e-9)
    np.testing.assert_allclose(Cs, np.logspace(-4, 4, 4))
    assert coefs.shape == (4, 1, X.shape[1] + 1) and n_iter.shape == gaps.shape
    coefs, Cs, _, _ = logistic_path(X, y, Cs="auto", n_Cs=30, tol=1e-9)
    assert 1 < len(Cs) <= 30
    assert not np.any(coefs[0, 0, :-1])
    k = len(Cs) // 2
    est = LogisticRegression(C=Cs[k], l1_ratio=1.0, solver="saga", tol=1e-9)
    est.fit(X, y)
    np.testing.assert_allclose(coefs[k, 0, :-1], est.coef_[0], atol=1e-6)
    with pytest.raises(ValueError, match="l1_ratio"):
        logistic_path(X, y, l1_ratio=2.0)


def test_threads_leave_warning_filters_alone():
    """The inner solves do not filter warnings (not thread-safe): paths in
    threads leave ``warnings.filters`` as they found it. (The solver itself, not
    ``fit``: scikit-learn's ``check_array`` enters ``catch_warnings`` to make
    ComplexWarning an error, which races between threads by itself.)"""
    from concurrent.futures import ThreadPoolExecutor

    from fastlasso._logistic_path import check_design, logistic_path

    prob = PROBLEMS[26]
    X = check_design(np.asarray(prob["X"], dtype=float))
    y = np.asarray(prob["y"])
    Y = (y == np.unique(y)[1]).astype(float)[:, None]

    def path(C):  # max_iter=3 at tol=1e-14: the paths warn too
        return logistic_path(X, Y, np.ones(len(y)), [C], 1.0, max_iter=3, tol=1e-14)

    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        before = list(warnings.filters)
        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(path, [0.1, 1.0, 10.0, 30.0]))
        assert warnings.filters == before
    assert all(r[0].shape == (1, 1, X.shape[1] + 1) for r in results)
