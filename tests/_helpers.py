"""Reusable numpy reference helpers for the fastlasso test suite.

Everything here is written directly from the objective stated in the scikit-learn
1.9.1 contract; nothing is taken from fastlasso or from scikit-learn's private code.

Objective (single output), with ``sw`` rescaled so that ``sum(sw) == n``::

    1/(2n) sum_i sw_i (y_i - x_i w - b)^2
        + alpha * l1_ratio * ||w||_1 + alpha * (1 - l1_ratio) / 2 * ||w||_2^2
"""

import os

import numpy as np
import scipy.sparse as sp

DATA_DIR = os.environ.get("FASTLASSO_TEST_DATA", "/work/shared/data")


def as_dense64(X):
    """Return X as a float64 dense ndarray (copy)."""
    if sp.issparse(X):
        X = X.toarray()
    return np.array(X, dtype=np.float64)


def normalized_weights(sample_weight, n):
    """Sample weights as scikit-learn uses them: rescaled to sum to n."""
    if sample_weight is None or np.isscalar(sample_weight):
        return np.ones(n)
    sw = np.asarray(sample_weight, dtype=np.float64)
    return sw * (n / sw.sum())


def preprocess(X, y, sample_weight=None, fit_intercept=True):
    """Weighted centring in float64.

    Returns ``Xc, yc, sw, X_offset, y_offset`` where ``sw`` sums to n.
    """
    X = as_dense64(X)
    y = np.asarray(y, dtype=np.float64)
    n = X.shape[0]
    sw = normalized_weights(sample_weight, n)
    if fit_intercept:
        X_offset = np.average(X, axis=0, weights=sw)
        y_offset = np.average(y, weights=sw)
    else:
        X_offset = np.zeros(X.shape[1])
        y_offset = 0.0
    return X - X_offset, y - y_offset, sw, X_offset, y_offset


def alpha_max(
    X, y, sample_weight=None, fit_intercept=True, l1_ratio=1.0, positive=False
):
    """Smallest alpha giving w = 0: max_j |X_c^T (sw y_c)| / (sum(sw) l1_ratio)."""
    Xc, yc, sw, _, _ = preprocess(X, y, sample_weight, fit_intercept)
    Xy = Xc.T @ (sw * yc)
    top = max(0.0, Xy.max()) if positive else np.abs(Xy).max()
    return top / (sw.sum() * l1_ratio)


def objective(X, y, coef, intercept, alpha, l1_ratio=1.0, sample_weight=None):
    """Primal objective of ElasticNet (scaled by 1/n), in float64."""
    X = as_dense64(X)
    y = np.asarray(y, dtype=np.float64)
    w = np.asarray(coef, dtype=np.float64)
    sw = normalized_weights(sample_weight, X.shape[0])
    r = y - X @ w - float(intercept)
    return (
        0.5 * np.sum(sw * r**2) / X.shape[0]
        + alpha * l1_ratio * np.abs(w).sum()
        + 0.5 * alpha * (1 - l1_ratio) * w @ w
    )


def duality_gap(
    X,
    y,
    coef,
    alpha,
    l1_ratio=1.0,
    sample_weight=None,
    fit_intercept=True,
    positive=False,
):
    """Duality gap of the (weighted, centred) problem, scaled by 1/n.

    With Xt = sqrt(sw) X_c, yt = sqrt(sw) y_c, R = yt - Xt w (unscaled problem
    0.5||R||^2 + a||w||_1 + b/2 ||w||^2 with a = n alpha l1_ratio and
    b = n alpha (1 - l1_ratio)),
    the dual point theta = s R with s = min(1, a / ||Xt^T R - b w||_inf)
    (max instead of max-abs when positive) is feasible, and

        primal = 0.5 (||R||^2 + b||w||^2) + a||w||_1
        dual   = -0.5 s^2 (||R||^2 + b||w||^2) + s R^T yt

    Returns ``(gap / n, tol_scale)`` where ``tol_scale = ||yt||^2 / n`` so that
    scikit-learn's stopping criterion is ``gap / n <= tol * tol_scale``.
    """
    Xc, yc, sw, _, _ = preprocess(X, y, sample_weight, fit_intercept)
    n = Xc.shape[0]
    root = np.sqrt(sw)
    Xt = Xc * root[:, None]
    yt = yc * root
    w = np.asarray(coef, dtype=np.float64)
    a = n * alpha * l1_ratio
    b = n * alpha * (1.0 - l1_ratio)
    R = yt - Xt @ w
    XtA = Xt.T @ R - b * w
    dual_norm = XtA.max() if positive else np.abs(XtA).max()
    s = a / dual_norm if dual_norm > a else 1.0
    R2 = R @ R
    w2 = w @ w
    primal = 0.5 * (R2 + b * w2) + a * np.abs(w).sum()
    dual = -0.5 * s**2 * (R2 + b * w2) + s * (R @ yt)
    return (primal - dual) / n, (yt @ yt) / n


def kkt_violation(
    X,
    y,
    coef,
    alpha,
    l1_ratio=1.0,
    sample_weight=None,
    fit_intercept=True,
    positive=False,
):
    """Per-feature violation of the optimality conditions (float64).

    With c_j = X_c[:, j]^T (sw * (y_c - X_c w)) / n - alpha (1 - l1_ratio) w_j
    (minus the gradient of the smooth part) and lam = alpha * l1_ratio:

    * w_j != 0: c_j must equal lam * sign(w_j)  -> violation |c_j - lam sign(w_j)|
    * w_j == 0: |c_j| <= lam (c_j <= lam if positive) -> violation of that bound.
    * positive: w_j < 0 is an infinite violation.
    """
    Xc, yc, sw, _, _ = preprocess(X, y, sample_weight, fit_intercept)
    n = Xc.shape[0]
    w = np.asarray(coef, dtype=np.float64)
    c = Xc.T @ (sw * (yc - Xc @ w)) / n - alpha * (1.0 - l1_ratio) * w
    lam = alpha * l1_ratio
    viol = np.empty_like(w)
    nz = w != 0
    viol[nz] = np.abs(c[nz] - lam * np.sign(w[nz]))
    if positive:
        viol[~nz] = np.maximum(c[~nz] - lam, 0.0)
        viol[w < 0] = np.inf
    else:
        viol[~nz] = np.maximum(np.abs(c[~nz]) - lam, 0.0)
    return viol


def lipschitz(X, sample_weight=None, fit_intercept=True):
    """max_j ||sqrt(sw) X_c[:, j]||^2 / n: coordinate-wise smoothness constant."""
    Xc, _, sw, _, _ = preprocess(X, np.zeros(X.shape[0]), sample_weight, fit_intercept)
    return float(np.max(sw @ Xc**2) / Xc.shape[0])


def make_problem(n, p, seed, n_informative=5, noise=0.5):
    """Seeded synthetic regression problem with correlated features and an offset."""
    rng = np.random.default_rng(seed)
    # correlated design: shared latent factor
    Z = rng.standard_normal((n, p))
    X = 0.7 * Z + 0.3 * rng.standard_normal((n, 1)) + rng.uniform(-1, 1, size=p)
    w = np.zeros(p)
    idx = rng.choice(p, size=min(n_informative, p), replace=False)
    w[idx] = rng.uniform(1, 3, size=idx.size) * rng.choice([-1, 1], size=idx.size)
    y = X @ w + 2.0 + noise * rng.standard_normal(n)
    return X, y


def make_sparse_problem(n, p, seed, density=0.3):
    """Seeded sparse design (as a dense ndarray with exact zeros) and target."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) + 1.0
    X[rng.random((n, p)) > density] = 0.0
    w = np.zeros(p)
    w[:5] = [2.0, -1.5, 1.0, 3.0, -2.5]
    y = X @ w + 1.0 + 0.3 * rng.standard_normal(n)
    return X, y


def make_weights(n, seed):
    rng = np.random.default_rng(seed)
    sw = rng.uniform(0.2, 3.0, size=n)
    sw[rng.random(n) < 0.1] = 0.0  # some zero weights
    return sw


def load_dense_dataset(name):
    """Load a real dataset from DATA_DIR, or return None if absent."""
    path = os.path.join(DATA_DIR, name + ".npz")
    if not os.path.exists(path):
        return None
    d = np.load(path)
    return d["X"], d["y"]


def to_layout(X, layout, dtype):
    """Convert a dense ndarray to 'F', 'C', 'csc' or 'csr' with the given dtype."""
    X = np.asarray(X, dtype=dtype)
    if layout == "F":
        return np.asfortranarray(X)
    if layout == "C":
        return np.ascontiguousarray(X)
    if layout == "csc":
        return sp.csc_matrix(X)
    if layout == "csr":
        return sp.csr_matrix(X)
    raise ValueError(layout)


def copy_data(X):
    """Deep copy of a dense array or sparse matrix."""
    return X.copy()


def coef_tols(dtype):
    """(rtol, atol_factor) for coefficient parity; atol = factor * max|coef|."""
    if np.dtype(dtype) == np.float32:
        return 1e-3, 1e-3
    return 1e-5, 1e-7
