"""Benchmark problems: datasets, tasks, alpha_max and the one judge.

Every task is a Lasso or ElasticNet with an intercept,

    P(w, b) = 1/(2 n) ||y - X w - b||^2 + alpha * l1_ratio * ||w||_1
              + alpha * (1 - l1_ratio) / 2 * ||w||^2,

(``l1_ratio = 1`` is the Lasso), either at single values
``alpha = alpha_max / d`` for each divisor ``d`` of the task, or along the
100-alpha path ``alpha_max * geomspace(1, eps, 100)`` (``eps = 1e-3``).
Real data come from the project's shared data directory (``../shared/data``
next to the repository, override with ``--data-dir`` or ``FASTLASSO_DATA``);
leukemia is bundled in the package and loaded from there. Synthetic data are
generated from fixed seeds.

``objective`` and ``duality_gap`` are the single judge of every solver's
output: the first scores a point, the second certifies how far the best point
found is from the true optimum.
"""

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

__all__ = [
    "DATASETS",
    "PROBLEMS",
    "Dataset",
    "Problem",
    "alpha_max",
    "default_data_dir",
    "duality_gap",
    "make_sparse_regression",
    "make_tall_regression",
    "make_toeplitz_regression",
    "objective",
    "path_alphas",
]


def default_data_dir():
    """``$FASTLASSO_DATA`` or ``<repo>/../shared/data``."""
    env = os.environ.get("FASTLASSO_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1].parent / "shared" / "data"


def _need(path):
    if not path.exists():
        raise FileNotFoundError(
            f"benchmark data file {path} not found; pass --data-dir or set "
            "FASTLASSO_DATA to the directory holding the shared datasets"
        )
    return path


def _csc(X):
    """CSC, float64, sorted int32 indices (the layout every solver gets)."""
    X = sp.csc_matrix(X, dtype=np.float64)
    X.sort_indices()
    X.indices = X.indices.astype(np.int32, copy=False)
    X.indptr = X.indptr.astype(np.int32, copy=False)
    return X


def _dense(X):
    return np.asfortranarray(X, dtype=np.float64)


def load_leukemia(data_dir):
    from fastlasso.datasets import load_leukemia

    X, y = load_leukemia(return_X_y=True)
    return _dense(X), np.asarray(y, dtype=np.float64)


def load_riboflavin(data_dir):
    with np.load(_need(Path(data_dir) / "riboflavin.npz")) as d:
        return _dense(d["X"]), d["y"].astype(np.float64)


def load_news20(data_dir):
    """news20 (LIBSVM multiclass), class 1 against the rest."""
    X = sp.load_npz(_need(Path(data_dir) / "news20_X.npz"))
    y = np.load(_need(Path(data_dir) / "news20_y.npy"))
    return _csc(X), np.where(y == 1, 1.0, -1.0)


def load_we8there(data_dir):
    """we8there bigram counts, y = overall rating 1..5."""
    X = sp.load_npz(_need(Path(data_dir) / "we8there_X.npz"))
    y = np.load(_need(Path(data_dir) / "we8there_y.npy"))
    return _csc(X), np.asarray(y, dtype=np.float64)


def load_cadata(data_dir):
    with np.load(_need(Path(data_dir) / "cadata.npz")) as d:
        return _dense(d["X"]), d["y"].astype(np.float64)


def _sparse_truth(rng, n_features, n_nonzero):
    w = np.zeros(n_features)
    support = rng.choice(n_features, size=n_nonzero, replace=False)
    w[support] = rng.choice([-1.0, 1.0], n_nonzero) * rng.uniform(1, 2, n_nonzero)
    return w


def _add_noise(rng, signal, snr):
    noise = rng.standard_normal(signal.shape[0])
    noise *= np.linalg.norm(signal) / (snr * np.linalg.norm(noise))
    return signal + noise


def make_toeplitz_regression(
    n_samples=500, n_features=20000, rho=0.6, n_nonzero=20, snr=3.0, seed=0
):
    """Gaussian design with corr(x_i, x_j) = rho**|i - j|, sparse truth.

    Rows are AR(1) sequences over the features, x_0 = z_0 and
    x_j = rho x_{j-1} + sqrt(1 - rho^2) z_j with z iid N(0, 1), so every
    feature has unit variance and X = Z L^T for L the Cholesky factor of the
    Toeplitz matrix, without forming it. ``n_nonzero`` coefficients at random
    positions are +-U(1, 2); noise is Gaussian with ||X w|| / ||noise|| = snr.
    """
    from scipy.signal import lfilter

    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((n_samples, n_features))
    scale = np.sqrt(1.0 - rho**2)
    Z[:, 0] /= scale  # so that x_0 = z_0 has unit variance too
    X = _dense(lfilter([scale], [1.0, -rho], Z, axis=1))
    del Z
    w = _sparse_truth(rng, n_features, n_nonzero)
    return X, _add_noise(rng, X @ w, snr)


def make_sparse_regression(
    n_samples=20000, n_features=100000, density=1e-3, n_nonzero=20, snr=3.0, seed=0
):
    """Sparse CSC design with iid N(0, 1) entries at a uniform random pattern.

    About ``density * n_samples`` stored entries per column (Binomial counts,
    distinct rows); ``n_nonzero`` true coefficients +-U(1, 2); Gaussian noise
    at SNR ``snr``.
    """
    rng = np.random.default_rng(seed)
    counts = rng.binomial(n_samples, density, size=n_features)
    indptr = np.concatenate([[0], np.cumsum(counts)])
    # Rows per column: draw with replacement, then redraw duplicates (rare).
    indices = rng.integers(0, n_samples, size=indptr[-1])
    for j in range(n_features):
        col = indices[indptr[j] : indptr[j + 1]]
        while np.unique(col).size < col.size:
            col[:] = rng.choice(n_samples, size=col.size, replace=False)
    data = rng.standard_normal(indptr[-1])
    X = _csc(sp.csc_matrix((data, indices, indptr), shape=(n_samples, n_features)))
    w = _sparse_truth(rng, n_features, n_nonzero)
    return X, _add_noise(rng, X @ w, snr)


def make_tall_regression(
    n_samples=200000, n_features=200, n_nonzero=20, snr=3.0, seed=0
):
    """n >> p: iid N(0, 1) dense design, Fortran order, sparse truth."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_features, n_samples)).T  # Fortran-ordered view
    X = _dense(X)
    w = _sparse_truth(rng, n_features, n_nonzero)
    return X, _add_noise(rng, X @ w, snr)


@dataclass(frozen=True)
class Dataset:
    name: str
    description: str
    load: object  # callable(data_dir) -> (X, y)


@dataclass(frozen=True)
class Problem:
    """A benchmark task: a dataset, a penalty and the alphas to solve for."""

    name: str
    dataset: str
    divisors: tuple = ()  # single fits at alpha = alpha_max / divisor
    l1_ratio: float = 1.0
    path: bool = False  # the whole path alpha_max * geomspace(1, eps, n_alphas)
    n_alphas: int = 100
    eps: float = 1e-3

    @property
    def kind(self):
        if self.path:
            return "path"
        return "lasso" if self.l1_ratio == 1.0 else f"enet l1_ratio={self.l1_ratio}"


DATASETS = {
    d.name: d
    for d in [
        Dataset("leukemia", "dense 72 x 7129, raw expression, y = +-1", load_leukemia),
        Dataset(
            "riboflavin",
            "dense 71 x 4088, log expression, y = log production rate",
            load_riboflavin,
        ),
        Dataset(
            "news20",
            "sparse CSC 15935 x 62061, term counts, y = class 1 vs rest (+-1)",
            load_news20,
        ),
        Dataset(
            "we8there",
            "sparse CSC 6166 x 2640, bigram counts, y = rating 1..5",
            load_we8there,
        ),
        Dataset(
            "toeplitz",
            "dense 500 x 20000 synthetic, corr 0.6^|i-j|, 20 nonzeros, snr 3",
            lambda data_dir: make_toeplitz_regression(),
        ),
        Dataset(
            "sparse_synth",
            "sparse CSC 20000 x 100000 synthetic, density 1e-3, N(0,1) entries, "
            "20 nonzeros, snr 3",
            lambda data_dir: make_sparse_regression(),
        ),
        Dataset(
            "cadata",
            "dense 20640 x 8, California housing (unscaled), y = house value",
            load_cadata,
        ),
        Dataset(
            "tall",
            "dense 200000 x 200 synthetic, iid N(0,1), 20 nonzeros, snr 3",
            lambda data_dir: make_tall_regression(),
        ),
    ]
}

PROBLEMS = {
    p.name: p
    for p in [
        Problem("leukemia", "leukemia", divisors=(10, 100)),
        Problem("riboflavin", "riboflavin", divisors=(10, 100)),
        Problem("news20", "news20", divisors=(20, 100)),
        Problem("we8there", "we8there", divisors=(20,)),
        Problem("sparse_synth", "sparse_synth", divisors=(20, 100)),
        Problem("cadata", "cadata", divisors=(20, 1000)),
        Problem("tall", "tall", divisors=(20, 100)),
        Problem("toeplitz", "toeplitz", divisors=(10, 100)),
        Problem("toeplitz_enet", "toeplitz", divisors=(10, 100), l1_ratio=0.5),
        Problem("toeplitz_path", "toeplitz", path=True),
        Problem("leukemia_path", "leukemia", path=True),
    ]
}


def alpha_max(X, y, l1_ratio=1.0):
    """Smallest alpha with an all-zero solution when an intercept is fit."""
    n = X.shape[0]
    yc = y - y.mean()
    corr = X.T @ yc  # sum(yc) = 0, so centring X changes nothing
    return float(np.max(np.abs(corr)) / (n * l1_ratio))


def path_alphas(X, y, problem):
    """The path grid every solver gets: alpha_max * geomspace(1, eps, n)."""
    a_max = alpha_max(X, y, problem.l1_ratio)
    return a_max * np.geomspace(1.0, problem.eps, problem.n_alphas)


def _residual(X, y, w, b):
    return y - X @ np.asarray(w, dtype=np.float64).ravel() - float(b)


def objective(X, y, w, b, alpha, l1_ratio=1.0):
    """P(w, b) in float64: the single judge of every solver's output."""
    w = np.asarray(w, dtype=np.float64).ravel()
    r = _residual(X, y, w, b)
    return (
        0.5 * float(r @ r) / X.shape[0]
        + alpha * l1_ratio * float(np.abs(w).sum())
        + 0.5 * alpha * (1.0 - l1_ratio) * float(w @ w)
    )


def duality_gap(X, y, w, alpha, l1_ratio=1.0):
    """(P(w, b*), D(theta)) for the best intercept b* given w.

    theta is the residual of (w, b*), rescaled into the dual feasible set
    (as scikit-learn does), so ``D <= P* <= P(w, b*)``: the pair certifies
    the optimum to within ``P - D``.
    """
    n = X.shape[0]
    w = np.asarray(w, dtype=np.float64).ravel()
    r = y - X @ w
    r -= r.mean()  # the optimal intercept; now sum(r) = 0
    l1, l2 = alpha * l1_ratio * n, alpha * (1.0 - l1_ratio) * n
    xtr = X.T @ r - l2 * w  # = X_c^T r - l2 w since sum(r) = 0
    dual_norm = float(np.max(np.abs(xtr))) if xtr.size else 0.0
    r2, w2, w1 = float(r @ r), float(w @ w), float(np.abs(w).sum())
    const = l1 / dual_norm if dual_norm > l1 else 1.0
    primal = 0.5 * r2 + l1 * w1 + 0.5 * l2 * w2
    yc = y - y.mean()
    dual = -0.5 * r2 * const**2 + const * float(r @ yc) - 0.5 * l2 * w2 * const**2
    return primal / n, dual / n
