"""fastlasso.reference_solution: optima certified to a relative duality gap of 1e-12.

The certificate is recomputed here from the returned coefficients with a dual
point of our own (the residual scaled into the dual feasible set), not taken
from the function; the objective is checked against scikit-learn at a tight
``tol`` (``D <= P* <= P_sklearn``).
"""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import ElasticNet as SkElasticNet

import fastlasso
from fastlasso._reference import _polish_enet


def _problem(kind):
    rng = np.random.default_rng(0)
    n, p = 40, 120
    if kind == "sparse":
        X = sp.random(n, p, density=0.2, format="csc", random_state=1)
        X.data = rng.standard_normal(X.data.size)
    else:
        X = rng.standard_normal((n, p))
        X[:, 1:] = 0.6 * X[:, :-1] + 0.8 * X[:, 1:]  # correlated neighbours
    w = np.zeros(p)
    w[:5] = [2.0, -1.5, 1.0, 0.5, -3.0]
    y = X @ w + 0.3 * rng.standard_normal(n) + 1.0
    return X, y


def _alpha_max(X, y, l1_ratio):
    yc = y - y.mean()
    return np.max(np.abs(X.T @ yc)) / (X.shape[0] * l1_ratio)


def _certificate(X, y, w, b, alpha, l1_ratio):
    """(P(w, b), D(theta), ||y_c||^2 / (2n)) written out independently."""
    n = X.shape[0]
    Xd = X.toarray() if sp.issparse(X) else np.asarray(X)
    r = y - Xd @ w - b
    primal = (
        r @ r / (2 * n)
        + alpha * l1_ratio * np.abs(w).sum()
        + alpha * (1 - l1_ratio) / 2 * w @ w
    )
    # best intercept for w, residual into {|Z^T theta - n l2 w|_inf <= n l1}
    rc = y - Xd @ w
    rc = rc - rc.mean()
    Zc = Xd - Xd.mean(axis=0)
    l1, l2 = alpha * l1_ratio, alpha * (1 - l1_ratio)
    s = min(1.0, n * l1 / np.max(np.abs(Zc.T @ rc - n * l2 * w)))
    theta = s * rc / n
    yc = y - y.mean()
    dual = (
        theta @ yc
        - n * theta @ theta / 2
        - l2 / 2 * (s * w) @ (s * w)  # the ridge part's conjugate at the point
    )
    return primal, dual, yc @ yc / (2 * n)


@pytest.mark.parametrize(
    "kind, l1_ratio, divisor",
    [("dense", 1.0, 20), ("sparse", 1.0, 10), ("dense", 0.5, 10)],
)
def test_reference_certified(kind, l1_ratio, divisor):
    X, y = _problem(kind)
    alpha = _alpha_max(X, y, l1_ratio) / divisor
    ref = fastlasso.reference_solution(X, y, alpha, l1_ratio=l1_ratio)
    assert ref.certified and ref.rel_gap <= 1e-12
    primal, dual, scale = _certificate(X, y, ref.coef, ref.intercept, alpha, l1_ratio)
    assert (primal - dual) / scale <= 1e-12
    assert abs(primal - ref.objective) <= 1e-14 * scale
    assert np.count_nonzero(ref.coef) > 0
    # another solver cannot go below the certified dual bound
    sk = SkElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-12, max_iter=100_000)
    sk.fit(X, y)
    p_sk = _certificate(X, y, sk.coef_, sk.intercept_, alpha, l1_ratio)[0]
    assert p_sk >= dual - 1e-15 * scale
    assert p_sk - ref.objective <= 1e-8 * scale


def test_polish_reaches_the_optimum_from_a_loose_point():
    X, y = _problem("dense")
    alpha = _alpha_max(X, y, 1.0) / 20
    ref = fastlasso.reference_solution(X, y, alpha)
    loose = SkElasticNet(alpha=alpha, l1_ratio=1.0, tol=1e-3).fit(X, y).coef_
    # the same support and signs, coefficients ~1e-3 off
    assert np.array_equal(np.sign(loose), np.sign(ref.coef))
    b = np.mean(y - X @ loose)
    primal, dual, scale = _certificate(X, y, loose, b, alpha, 1.0)
    assert (primal - dual) / scale > 1e-9  # the start is far from certified
    w = _polish_enet(X, y, loose, alpha, 1.0, True)
    b = np.mean(y - X @ w)
    primal, dual, scale = _certificate(X, y, w, b, alpha, 1.0)
    assert (primal - dual) / scale <= 1e-12


def test_reference_logistic():
    X, y = _problem("dense")
    labels = np.where(y > np.median(y), "a", "b")
    ref = fastlasso.reference_solution(X, labels, model="logistic", C=0.5)
    assert ref.certified and ref.rel_gap <= 1e-12
    assert np.count_nonzero(ref.coef) > 0


def test_reference_errors():
    X, y = _problem("dense")
    with pytest.raises(ValueError, match="alpha must be"):
        fastlasso.reference_solution(X, y)
    with pytest.raises(ValueError, match="two classes"):
        fastlasso.reference_solution(X, y, model="logistic", C=1.0)
    with pytest.raises(ValueError, match="model must be"):
        fastlasso.reference_solution(X, y, 0.1, model="ridge")


def test_reference_multitask():
    rng = np.random.default_rng(2)
    n, p, k = 30, 50, 3
    X = rng.standard_normal((n, p))
    W = np.zeros((k, p))
    W[:, :4] = rng.standard_normal((k, 4))
    Y = X @ W.T + 0.3 * rng.standard_normal((n, k))
    Yc = Y - Y.mean(axis=0)
    alpha = np.max(np.linalg.norm(X.T @ Yc, axis=1)) / (n * 5)
    ref = fastlasso.reference_solution(X, Y, alpha)
    assert ref.certified and ref.coef.shape == (k, p) and ref.intercept.shape == (k,)
    # independent certificate: residual scaled into max_j ||x_j^T theta|| <= alpha
    R = Y - X @ ref.coef.T - ref.intercept
    primal = np.sum(R**2) / (2 * n) + alpha * np.linalg.norm(ref.coef, axis=0).sum()
    Rc = R - R.mean(axis=0)
    theta = Rc / max(n, np.max(np.linalg.norm(X.T @ Rc, axis=1)) / alpha)
    dual = np.sum(theta * Yc) - n / 2 * np.sum(theta**2)
    assert (primal - dual) / (np.sum(Yc**2) / (2 * n)) <= 1e-12
    assert abs(primal - ref.objective) <= 1e-14 * np.sum(Yc**2)
    assert 4 <= np.count_nonzero(np.linalg.norm(ref.coef, axis=0)) < p
