"""Logistic regression with penalty factors, unpenalised features and bounds.

scikit-learn has no such options, so the reference is an independent solver:
the L1 part split as ``w = w+ - w-`` (``0 <= w+ <= hi``, ``0 <= w- <= -lo``) makes
the problem smooth with box constraints, solved by scipy's L-BFGS-B to its
tightest setting; at the optimum ``w+ w- = 0`` so both problems agree.
"""

import warnings

import numpy as np
import pytest
from scipy import sparse
from scipy.optimize import minimize
from scipy.special import expit, softmax

from fastlasso import LogisticRegression
from fastlasso._logistic_path import LogisticProblem
from fastlasso._path import make_penalty


def _reference(X, y, C, l1_ratio, pf, lo, hi, fit_intercept):
    """Binary optimum by L-BFGS-B on the split formulation (objective value)."""
    n, p = X.shape
    l1, l2 = l1_ratio, 1.0 - l1_ratio

    def f(z):
        wp, wm = z[:p], z[p : 2 * p]
        b = z[2 * p] if fit_intercept else 0.0
        w = wp - wm
        e = X @ w + b
        r = C * (expit(e) - y)
        gw = X.T @ r + l2 * pf * w
        val = C * np.sum(np.logaddexp(0.0, e) - y * e)
        val += l1 * pf @ (wp + wm) + 0.5 * l2 * pf @ (w * w)
        grad = [gw + l1 * pf, -gw + l1 * pf] + ([[r.sum()]] if fit_intercept else [])
        return val, np.concatenate(grad)

    box = [(0.0, h if np.isfinite(h) else None) for h in hi]
    box += [(0.0, -v if np.isfinite(v) else None) for v in lo]
    box += [(None, None)] * fit_intercept
    res = minimize(
        f,
        np.zeros(2 * p + fit_intercept),
        jac=True,
        method="L-BFGS-B",
        bounds=box,
        options=dict(maxiter=50000, ftol=1e-16, gtol=1e-13, maxcor=50),
    )
    return res.fun


def _problem(seed, n, p, with_zero_pf):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, p)
    y = (X[:, :3] @ [1.5, -2.0, 1.0] + 0.5 * rng.randn(n) > 0).astype(float)
    pf = rng.choice([0.5, 1.0, 2.0], p)
    if with_zero_pf:  # two unpenalised covariates (more could separate the data)
        pf[:2] = 0.0
    lo = np.where(rng.rand(p) < 0.3, 0.0, -np.inf)
    hi = np.where(rng.rand(p) < 0.3, 0.2, np.inf)
    free = pf == 0
    lo[free], hi[free] = -np.inf, np.inf
    return X, y, pf, lo, hi


CASES = [
    # seed, n, p, zero pf, C, l1_ratio, fit_intercept
    (0, 80, 15, True, 0.1, 1.0, True),
    (1, 40, 60, True, 1.0, 1.0, True),
    (2, 80, 15, False, 10.0, 1.0, True),
    (3, 40, 60, False, 0.1, 1.0, False),
    (4, 80, 15, True, 1.0, 0.5, True),
    (5, 40, 60, False, 10.0, 0.5, True),
    (6, 80, 15, False, 1.0, 0.5, False),
    (7, 40, 60, True, 0.3, 1.0, True),
]


def _objective(pr, est):
    W = np.asarray(est.coef_, dtype=float)
    b = np.asarray(est.intercept_, dtype=float)
    return pr.objective(pr.linear(W, b), W)


@pytest.mark.parametrize("fmt", ["dense", "csc"])
@pytest.mark.parametrize("case", CASES)
def test_matches_box_constrained_reference(case, fmt):
    """Objective within 1e-8 (relative) of L-BFGS-B's or better, the certificate
    covers the distance, and the bounds hold."""
    seed, n, p, zero_pf, C, l1_ratio, fit_intercept = case
    X, y, pf, lo, hi = _problem(seed, n, p, zero_pf)
    est = LogisticRegression(
        C=C,
        l1_ratio=l1_ratio,
        solver="saga",
        fit_intercept=fit_intercept,
        penalty_factor=pf,
        lower_bounds=lo,
        upper_bounds=hi,
        tol=1e-10,
        max_iter=500,
    )
    Xf = sparse.csc_matrix(X) if fmt == "csc" else X
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est.fit(Xf, y)
    pen = make_penalty(p, np.float64, pf, lo, hi)
    pr = LogisticProblem(
        np.asfortranarray(X), y[:, None], C * np.ones(n), l1_ratio,
        1.0 - l1_ratio, fit_intercept, pen,
    )  # fmt: skip
    obj = _objective(pr, est)
    ref = _reference(X, y, C, l1_ratio, pf, lo, hi, fit_intercept)
    assert obj <= ref * (1 + 1e-8)
    assert obj - min(obj, ref) <= est.dual_gap_ + 1e-12 * ref
    assert est.dual_gap_ <= 1e-10 * pr.null_objective()
    assert np.all(est.coef_ >= lo) and np.all(est.coef_ <= hi)
    # the reported gap is the gap at the returned point
    W = est.coef_.astype(float)
    gap, _ = pr.gap(pr.linear(W, est.intercept_.astype(float)), W)
    assert gap == pytest.approx(est.dual_gap_, rel=1e-6, abs=1e-12)


def _kkt(est, X, Y, C, l1_ratio, pf, lo, hi):
    """Largest violation of the optimality conditions with factors and bounds."""
    W = est.coef_
    eta = X @ W.T + est.intercept_
    R = expit(eta) - Y if Y.shape[1] == 1 else softmax(eta, axis=1) - Y
    G = C * (X.T @ R).T + (1 - l1_ratio) * pf * W  # smooth part, (K, p)
    a = l1_ratio * pf
    at_lo, at_hi = W <= lo, W >= hi
    # interior non-zero: G + a sign(W) = 0; zero: |G| <= a; at a bound the
    # multiplier has the right sign
    viol = np.where(W != 0, np.abs(G + a * np.sign(W)), np.maximum(np.abs(G) - a, 0))
    viol = np.where(at_hi & (W > 0), np.maximum(G + a, 0), viol)
    viol = np.where(at_lo & (W < 0), np.maximum(-(G - a), 0), viol)
    zero_lo = (W == 0) & (lo == 0)
    viol = np.where(zero_lo, np.maximum(-G - a, 0), viol)  # may only push up
    return viol.max() / (C * len(X))


def test_multinomial_kkt_with_factors_and_bounds():
    """Three classes, positive factors, non-negative coefficients."""
    rng = np.random.RandomState(3)
    X = rng.randn(60, 20)
    y = np.argmax(X[:, :3] + 0.5 * rng.randn(60, 3), axis=1)
    pf = rng.uniform(0.5, 2.0, 20)
    est = LogisticRegression(
        C=2.0, l1_ratio=0.7, solver="saga", penalty_factor=pf, lower_bounds=0,
        tol=1e-10, max_iter=500,
    ).fit(X, y)  # fmt: skip
    Y = (y[:, None] == est.classes_[None, :]).astype(float)
    assert est.coef_.min() >= 0.0
    assert _kkt(est, X, Y, 2.0, 0.7, pf, 0.0, np.inf) < 1e-6
    assert (
        np.abs(2.0 * (softmax(X @ est.coef_.T + est.intercept_, 1) - Y).sum(0)).max()
        < 1e-6
    )


def test_binary_kkt_with_unpenalized_features():
    X, y, pf, lo, hi = _problem(11, 80, 30, True)
    est = LogisticRegression(
        C=1.0, l1_ratio=1.0, solver="saga", penalty_factor=pf, lower_bounds=lo,
        upper_bounds=hi, tol=1e-11, max_iter=500,
    ).fit(X, y)  # fmt: skip
    assert np.all(est.coef_[0, pf == 0] != 0)
    assert _kkt(est, X, y[:, None], 1.0, 1.0, pf, lo, hi) < 1e-6


def test_uniform_factor_is_a_rescaled_C():
    """pf = 2 everywhere at C is the plain problem at C / 2 (objective doubled)."""
    rng = np.random.RandomState(5)
    X = rng.randn(50, 40)
    y = (X[:, 0] - X[:, 1] + 0.3 * rng.randn(50) > 0).astype(int)
    kw = dict(l1_ratio=0.8, solver="saga", tol=1e-11, max_iter=500)
    a = LogisticRegression(C=1.0, penalty_factor=np.full(40, 2.0), **kw).fit(X, y)
    b = LogisticRegression(C=0.5, **kw).fit(X, y)
    np.testing.assert_allclose(a.coef_, b.coef_, atol=1e-6)
    np.testing.assert_allclose(a.intercept_, b.intercept_, atol=1e-6)


def test_factors_of_one_and_infinite_bounds_change_nothing():
    rng = np.random.RandomState(6)
    X = rng.randn(40, 25)
    y = (X[:, 0] + 0.3 * rng.randn(40) > 0).astype(int)
    kw = dict(C=1.0, l1_ratio=1.0, solver="saga", tol=1e-10, max_iter=500)
    a = LogisticRegression(
        penalty_factor=np.ones(25), lower_bounds=-np.inf, upper_bounds=np.inf, **kw
    ).fit(X, y)
    b = LogisticRegression(**kw).fit(X, y)
    np.testing.assert_allclose(a.coef_, b.coef_, atol=1e-7)


def test_user_arrays_not_modified():
    X, y, pf, lo, hi = _problem(2, 40, 20, True)
    copies = [v.copy() for v in (X, y, pf, lo, hi)]
    LogisticRegression(
        C=1.0, l1_ratio=1.0, solver="saga", penalty_factor=pf, lower_bounds=lo,
        upper_bounds=hi,
    ).fit(X, y)  # fmt: skip
    for v, c in zip((X, y, pf, lo, hi), copies, strict=True):
        np.testing.assert_array_equal(v, c)


@pytest.mark.parametrize(
    "kw, y_kind, match",
    [
        ({"penalty_factor": -np.ones(6)}, "binary", "penalty_factor must be finite"),
        ({"penalty_factor": np.ones(5)}, "binary", "shape"),
        ({"lower_bounds": 0.5}, "binary", "lower_bounds must be <= 0"),
        ({"upper_bounds": -1.0}, "binary", "upper_bounds must be >= 0"),
        (
            {"penalty_factor": np.r_[0.0, np.ones(5)], "upper_bounds": 1.0},
            "binary",
            "cannot have finite",
        ),
        ({"penalty_factor": np.r_[0.0, np.ones(5)]}, "three", "two classes only"),
    ],
)
def test_bad_factors_and_bounds(kw, y_kind, match):
    rng = np.random.RandomState(0)
    X = rng.randn(30, 6)
    y = np.arange(30) % 2 if y_kind == "binary" else np.arange(30) % 3
    with pytest.raises(ValueError, match=match):
        LogisticRegression(C=1.0, l1_ratio=1.0, solver="saga", **kw).fit(X, y)


def test_cv_with_factors_matches_refits_on_its_grid():
    """LogisticRegressionCV with penalty factors and bounds: the refit is the
    LogisticRegression fit at the chosen C with the same factors, and the folds'
    paths use them (C_ as scikit-learn's rule on their scores)."""
    from sklearn.model_selection import StratifiedKFold

    from fastlasso import LogisticRegressionCV

    X, y, pf, lo, hi = _problem(21, 80, 30, True)
    kw = dict(penalty_factor=pf, lower_bounds=lo, upper_bounds=hi)
    cv = StratifiedKFold(3)
    est = LogisticRegressionCV(
        Cs=[0.05, 0.3, 2.0], l1_ratios=[1.0], solver="saga", cv=cv, tol=1e-10,
        max_iter=500, use_legacy_attributes=False, **kw,
    ).fit(X, y)  # fmt: skip
    one = LogisticRegression(
        C=est.C_, l1_ratio=1.0, solver="saga", tol=1e-10, max_iter=500, **kw
    ).fit(X, y)
    np.testing.assert_allclose(est.coef_, one.coef_, atol=1e-6)
    assert np.all(est.coef_ >= lo) and np.all(est.coef_ <= hi)
    # fold scores: accuracy of the fold fit at each C, recomputed here
    for f, (train, test) in enumerate(cv.split(X, y)):
        for i, C in enumerate([0.05, 0.3, 2.0]):
            m = LogisticRegression(
                C=C, l1_ratio=1.0, solver="saga", tol=1e-10, max_iter=500, **kw
            ).fit(X[train], y[train])
            assert est.scores_[f, 0, i] == pytest.approx(m.score(X[test], y[test]))
