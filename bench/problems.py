"""Benchmark problems: data loaders, alpha_max and the one objective used to judge.

Every problem is a Lasso with an intercept,

    P(w, b) = 1/(2 n) ||y - X w - b||^2 + alpha ||w||_1,

at ``alpha = alpha_max / d`` for each divisor ``d`` in ``Problem.divisors``.
Real data come from the project's shared data directory (``../shared/data``
next to the repository, override with ``--data-dir`` or ``FASTLASSO_DATA``);
leukemia is also bundled in the package and loaded from there.
"""

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

__all__ = [
    "PROBLEMS",
    "Problem",
    "alpha_max",
    "default_data_dir",
    "make_toeplitz_regression",
    "objective",
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


def load_leukemia(data_dir):
    from fastlasso.datasets import load_leukemia

    return load_leukemia(return_X_y=True)


def load_riboflavin(data_dir):
    with np.load(_need(Path(data_dir) / "riboflavin.npz")) as d:
        return np.asfortranarray(d["X"], dtype=np.float64), d["y"].astype(np.float64)


def load_news20(data_dir):
    """news20 (LIBSVM multiclass), class 1 against the rest, CSC float64."""
    X = sp.load_npz(_need(Path(data_dir) / "news20_X.npz")).tocsc()
    X.sort_indices()
    y = np.load(_need(Path(data_dir) / "news20_y.npy"))
    return X, np.where(y == 1, 1.0, -1.0)


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
    X = np.asfortranarray(lfilter([scale], [1.0, -rho], Z, axis=1))
    del Z
    w = np.zeros(n_features)
    support = rng.choice(n_features, size=n_nonzero, replace=False)
    w[support] = rng.choice([-1.0, 1.0], n_nonzero) * rng.uniform(1, 2, n_nonzero)
    signal = X @ w
    noise = rng.standard_normal(n_samples)
    noise *= np.linalg.norm(signal) / (snr * np.linalg.norm(noise))
    return X, signal + noise


def load_synthetic(data_dir):
    return make_toeplitz_regression()


@dataclass(frozen=True)
class Problem:
    name: str
    description: str
    load: object  # callable(data_dir) -> (X, y)
    divisors: tuple  # alpha = alpha_max / divisor


PROBLEMS = {
    p.name: p
    for p in [
        Problem(
            "leukemia",
            "dense 72 x 7129, raw expression, y = +-1",
            load_leukemia,
            (10, 100),
        ),
        Problem(
            "riboflavin",
            "dense 71 x 4088, log expression, y = log production rate",
            load_riboflavin,
            (10, 100),
        ),
        Problem(
            "news20",
            "sparse CSC 15935 x 62061, term counts, y = class 1 vs rest (+-1)",
            load_news20,
            (10, 20),
        ),
        Problem(
            "toeplitz",
            "dense 500 x 20000 synthetic, corr 0.6^|i-j|, 20 nonzeros, snr 3",
            load_synthetic,
            (10, 100),
        ),
    ]
}


def alpha_max(X, y):
    """Smallest alpha with an all-zero Lasso solution when an intercept is fit."""
    n = X.shape[0]
    yc = y - y.mean()
    if sp.issparse(X):
        x_mean = np.asarray(X.mean(axis=0)).ravel()
        corr = X.T @ yc - x_mean * yc.sum()
    else:
        corr = X.T @ yc
    return float(np.max(np.abs(corr)) / n)


def objective(X, y, w, b, alpha):
    """P(w, b) = 1/(2n) ||y - X w - b||^2 + alpha ||w||_1, in float64.

    The single judge of every solver's output.
    """
    w = np.asarray(w, dtype=np.float64).ravel()
    residual = y - X @ w - float(b)
    return 0.5 * float(residual @ residual) / X.shape[0] + alpha * float(
        np.abs(w).sum()
    )
