"""Ridge regression: direct solvers, CD / FISTA kernels, and ``ridge_path``.

Objective (scikit-learn's ``Ridge``, for each target ``k``)::

    sum_i sw_i (y_ik - x_i w_k - b_k)^2 + alpha_k ||w_k||_2^2

Weights are used as given (not rescaled: scaling them by ``c`` is the same as
dividing alpha by ``c``, as in scikit-learn). With an intercept the data are the
weighted-centred ``Z = X - 1 X_offset^T`` and ``y_c``; then ``b = y_offset -
X_offset @ w``.

Solvers (all give the same minimiser; the direct ones to rounding, the iterative
ones to their duality-gap certificate):

* ``'cholesky'``: one linear system per alpha on the smaller of ``Z^T W Z``
  (p x p, when p <= n) and ``W^1/2 Z Z^T W^1/2`` (n x n, when n < p);
* ``'svd'``: one symmetric eigendecomposition of that same smaller Gram matrix
  (equivalently, the SVD of ``W^1/2 Z``); every further alpha is then a
  diagonal rescaling, so a whole path costs about one solve;
* ``'cd'`` and ``'fista'``: the elastic-net kernels with ``l1 = 0``, ``l2 = alpha``
  (the kernels minimise ``0.5 ||r||_W^2 + 0.5 l2 ||w||^2``, half of the Ridge
  objective), stopping when the duality gap is at most ``tol * y_c^T W y_c``;
  alphas are visited from the largest down, each warm-started from the previous.

Sparse ``X`` is never densified: the Gram matrices and products with ``Z`` are
formed from the sparse matrix with the centring applied algebraically. A dense
``X`` is centred block by block when forming a Gram matrix (no full copy); the
CD / FISTA kernels centre implicitly.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import linalg, sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_array
from sklearn.utils.validation import _check_sample_weight

from ._compile import describe, notify
from ._kernels import cd_enet, fista_enet
from ._path import Design, canonical_csc

__all__ = ["ridge_path", "ridge_solve", "auto_solver"]

#: ``solver='auto'`` uses a direct solver while the smaller Gram matrix has at
#: most this many rows (4000 x 4000 float64 = 128 MB), CD beyond.
DIRECT_MAX_DIM = 4000
#: columns per block when a Gram matrix is formed from a dense X
_BLOCK_BYTES = 1 << 25


def _canonical(X, y, sample_weight):
    """F-ordered dense or canonical CSC X; y in X's dtype; non-negative weights."""
    if sparse.issparse(X):
        X = canonical_csc(X)  # int64 indices: converted by _path.csc_arrays
    else:
        X = np.asfortranarray(X)
    y = np.asarray(y, dtype=X.dtype)
    if sample_weight is not None:
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=X.dtype, ensure_non_negative=True
        )
    return X, y, sample_weight


def _validate(X, y, sample_weight):
    """Validation for :func:`ridge_path` (estimators use ``validate_data``)."""
    X = check_array(
        X, accept_sparse=["csr", "csc", "coo"], dtype=[np.float64, np.float32]
    )
    y = check_array(y, dtype=X.dtype.type, ensure_2d=False)
    if y.ndim > 2 or y.shape[0] != X.shape[0]:
        raise ValueError(
            f"y has shape {y.shape}, incompatible with X of shape {X.shape}."
        )
    return _canonical(X, y, sample_weight)


def auto_solver(n_samples, n_features, n_alphas=1, positive=False):
    """What ``solver='auto'`` picks.

    ``positive=True``: ``'fista'`` (the direct solvers cannot constrain signs).
    Otherwise, when ``min(n_samples, n_features) <= DIRECT_MAX_DIM``: ``'cholesky'``
    for a single alpha and ``'svd'`` for several (one decomposition serves all);
    beyond that size, ``'cd'``.
    """
    if positive:
        return "fista"
    if min(n_samples, n_features) <= DIRECT_MAX_DIM:
        return "svd" if n_alphas > 1 else "cholesky"
    return "cd"


def weighted_means(X, Y, sample_weight):
    """Weighted column means of X (p,) and of Y (k,), in float64."""
    if sample_weight is None:
        X_offset = np.asarray(X.mean(axis=0), dtype=np.float64).ravel()
        y_offset = np.asarray(Y.mean(axis=0), dtype=np.float64)
    else:
        sw = np.asarray(sample_weight, dtype=np.float64)
        total = sw.sum()
        X_offset = np.asarray(X.T @ sw, dtype=np.float64).ravel() / total
        y_offset = (sw @ np.asarray(Y, dtype=np.float64)) / total
    return X_offset, y_offset


class _Centered:
    """``Z_w = diag(sqrt_sw) (X - 1 mu^T)`` as products, without forming it.

    ``mu`` may be None (no centring), ``sqrt_sw`` None (unit weights).
    """

    def __init__(self, X, mu, sqrt_sw):
        self.X, self.mu, self.s = X, mu, sqrt_sw
        self.n, self.p = X.shape
        self.is_sparse = sparse.issparse(X)

    def _sv(self, U):  # diag(s) @ U
        return U if self.s is None else U * self.s.reshape((-1,) + (1,) * (U.ndim - 1))

    def matmat(self, V):
        """Z_w @ V for V (p, m)."""
        out = np.asarray(self.X @ V, dtype=np.float64)
        if self.mu is not None:
            out = out - (self.mu @ V)[None, ...]
        return self._sv(out)

    def rmatmat(self, U):
        """Z_w^T @ U for U (n, m)."""
        SU = self._sv(np.asarray(U, dtype=np.float64))
        out = np.asarray(self.X.T @ SU, dtype=np.float64)
        if self.mu is not None:
            out = out - np.outer(self.mu, SU.sum(axis=0)).reshape(out.shape)
        return out

    def _dense_blocks(self, axis):
        """Yield centred, weighted float64 blocks of a dense X (rows or columns)."""
        X = self.X
        n, p = X.shape
        if axis == 0:  # row blocks
            step = max(1, _BLOCK_BYTES // (8 * max(p, 1)))
            for a in range(0, n, step):
                B = np.asarray(X[a : a + step], dtype=np.float64)
                if self.mu is not None:
                    B = B - self.mu
                if self.s is not None:
                    B = B * self.s[a : a + step, None]
                yield a, B
        else:  # column blocks
            step = max(1, _BLOCK_BYTES // (8 * max(n, 1)))
            for a in range(0, p, step):
                B = np.asarray(X[:, a : a + step], dtype=np.float64)
                if self.mu is not None:
                    B = B - self.mu[a : a + step]
                if self.s is not None:
                    B = B * self.s[:, None]
                yield a, B

    def cov(self):
        """Z_w^T Z_w (p, p)."""
        if not self.is_sparse:
            C = np.zeros((self.p, self.p))
            for _, B in self._dense_blocks(0):
                C += B.T @ B
            return C
        X = self.X
        Xs = X if self.s is None else X.multiply(self.s[:, None]).tocsc()
        C = np.asarray((Xs.T @ Xs).toarray(), dtype=np.float64)
        if self.mu is not None:
            sw = np.ones(self.n) if self.s is None else self.s**2
            xs = np.asarray(X.T @ sw, dtype=np.float64).ravel()
            C -= np.outer(self.mu, xs) + np.outer(xs, self.mu)
            C += sw.sum() * np.outer(self.mu, self.mu)
        return C

    def gram(self):
        """Z_w Z_w^T (n, n)."""
        if not self.is_sparse:
            K = np.zeros((self.n, self.n))
            for _, B in self._dense_blocks(1):
                K += B @ B.T
            return K
        X = self.X
        K = np.asarray((X @ X.T).toarray(), dtype=np.float64)
        if self.mu is not None:
            Xm = np.asarray(X @ self.mu, dtype=np.float64).ravel()
            K -= Xm[:, None] + Xm[None, :]
            K += self.mu @ self.mu
        if self.s is not None:
            K *= self.s[:, None] * self.s[None, :]
        return K


def _solve_pos(A, B):
    """Solve the SPD system A x = B; least squares if A is singular (as sklearn)."""
    try:
        return linalg.solve(A, B, assume_a="pos", overwrite_a=True)
    except (linalg.LinAlgError, ValueError):
        warnings.warn(
            "Singular matrix in solving dual problem. Using "
            "least-squares solution instead.",
            linalg.LinAlgWarning,
            stacklevel=4,
        )
        return linalg.lstsq(A, B)[0]


def _direct(op, Yc, alphas, solver):
    """Coefficients (k, p, m) of every target for every alpha by a direct solver."""
    n, p = op.n, op.p
    k = Yc.shape[1]
    m = len(alphas)
    coefs = np.empty((k, p, m))
    primal = p <= n
    if primal:
        M = op.cov()
        rhs = op.rmatmat(op._sv(np.asarray(Yc, dtype=np.float64)))  # Z^T W y_c
    else:
        M = op.gram()
        rhs = op._sv(np.asarray(Yc, dtype=np.float64))  # (n, k)
    if solver == "cholesky":
        for a, alpha in enumerate(alphas):
            A = M.copy()
            A.flat[:: A.shape[0] + 1] += alpha
            sol = _solve_pos(A, rhs)
            if not primal:
                sol = op.rmatmat(sol)
            coefs[:, :, a] = sol.T
        return coefs
    ev, V = linalg.eigh(M, overwrite_a=True)
    ev = np.maximum(ev, 0.0)
    VtR = V.T @ rhs  # (r, k)
    B = V if primal else op.rmatmat(V)  # (p, r)
    cutoff = 1e-15 * max(ev.max(initial=0.0), 1.0)
    for a, alpha in enumerate(alphas):
        d = ev + alpha
        inv = np.where(d > cutoff, 1.0 / np.where(d > cutoff, d, 1.0), 0.0)
        coefs[:, :, a] = (B @ (VtR * inv[:, None])).T
    return coefs


_MESSAGE_CONV = (
    "Ridge: the {solver} solver did not converge within max_iter={max_iter} "
    "iterations. Duality gap: {gap:.6e}, tolerance: {tol:.3e}. Increase max_iter, "
    "or use solver='cholesky' or 'svd'."
)


def _iterative(X, Yc, sw, mu, alphas, solver, max_iter, tol, positive, dtype):
    """Coefficients (k, p, m) and iterations (k, m) by the CD or FISTA kernel."""
    n, p = X.shape
    k = Yc.shape[1]
    m = len(alphas)
    design = Design(X, sample_weight=sw, X_offset=mu)
    coefs = np.empty((k, p, m))
    n_iters = np.zeros((k, m), dtype=np.int64)
    order = np.argsort(-np.asarray(alphas, dtype=np.float64), kind="stable")
    max_iter = 1000 if max_iter is None else int(max_iter)
    for t in range(k):
        y = np.ascontiguousarray(Yc[:, t], dtype=dtype)
        w = np.zeros(p, dtype=dtype)
        lips = np.zeros(1)
        for a in order:
            l2 = float(alphas[a])
            args = (
                *design.kernel_args(y, w),
                0.0,
                l2,
                max_iter,
                float(tol),
                bool(positive),
                False,
                0,
                False,
            )
            if solver == "fista":
                args = (*args, lips, None)
                notify("fista_enet", args, describe(design, None))
                gap, tol_gap, it, ok = fista_enet(*args)
            else:
                args = (*args, None)
                notify("cd_enet", args, describe(design, None))
                gap, tol_gap, it, ok = cd_enet(*args)
            if not ok:
                warnings.warn(
                    _MESSAGE_CONV.format(
                        solver=solver, max_iter=max_iter, gap=gap, tol=tol_gap
                    ),
                    ConvergenceWarning,
                    stacklevel=4,
                )
            coefs[t, :, a] = w
            n_iters[t, a] = it
    return coefs, n_iters


def ridge_solve(
    X,
    Y,
    alphas,
    *,
    sample_weight=None,
    fit_intercept=True,
    solver="auto",
    max_iter=None,
    tol=1e-4,
    positive=False,
):
    """Solve Ridge for every target and every alpha (validated inputs).

    Parameters
    ----------
    X : ndarray (Fortran order) or CSC matrix (int32 indices), float32 or float64
    Y : ndarray of shape (n_samples, n_targets), dtype of X
    alphas : sequence of float
    sample_weight : ndarray of shape (n_samples,) or None, non-negative

    Returns
    -------
    coefs : ndarray (n_targets, n_features, n_alphas), float64
    intercepts : ndarray (n_targets, n_alphas), float64
    n_iters : ndarray (n_targets, n_alphas) or None (direct solvers)
    solver : str, the solver used
    """
    n, p = X.shape
    alphas = np.asarray(alphas, dtype=np.float64).ravel()
    if solver == "auto":
        solver = auto_solver(n, p, len(alphas), positive)
    if positive and solver not in ("cd", "fista"):
        raise ValueError(
            f"solver='{solver}' does not support positive fitting. Please set the "
            "solver to 'auto' or 'fista', or set `positive=False`"
        )
    if fit_intercept:
        mu, y_offset = weighted_means(X, Y, sample_weight)
    else:
        mu, y_offset = None, np.zeros(Y.shape[1])
    Yc = np.asarray(Y, dtype=np.float64) - y_offset
    n_iters = None
    if solver in ("cholesky", "svd"):
        sqrt_sw = None if sample_weight is None else np.sqrt(sample_weight)
        op = _Centered(X, mu, None if sqrt_sw is None else sqrt_sw.astype(np.float64))
        coefs = _direct(op, Yc, alphas, solver)
    elif solver in ("cd", "fista"):
        coefs, n_iters = _iterative(
            X, Yc, sample_weight, mu, alphas, solver, max_iter, tol, positive, X.dtype
        )
    else:
        raise ValueError(f"Unknown solver {solver!r}")
    if fit_intercept:
        intercepts = y_offset[:, None] - np.einsum("j,kjm->km", mu, coefs)
    else:
        intercepts = np.zeros((Y.shape[1], len(alphas)))
    return coefs, intercepts, n_iters, solver


def ridge_path(
    X,
    y,
    alphas,
    *,
    sample_weight=None,
    fit_intercept=True,
    solver="auto",
    max_iter=None,
    tol=1e-4,
    positive=False,
    return_intercept=False,
):
    """Ridge coefficients for every alpha at once.

    Minimises, for each alpha, scikit-learn's Ridge objective
    ``sum_i sw_i (y_i - x_i w - b)^2 + alpha ||w||_2^2``: the result for each
    alpha equals ``fastlasso.Ridge(alpha=alpha).fit(X, y, sample_weight)`` (and
    scikit-learn's ``Ridge``), but with ``solver='svd'`` (the default choice for
    several alphas) one eigendecomposition serves the whole path.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Never densified nor modified.
    y : array-like of shape (n_samples,) or (n_samples, n_targets)
    alphas : array-like of shape (n_alphas,)
        Non-negative penalties, in any order (the output follows it).
    sample_weight : float or array-like of shape (n_samples,), default=None
        Non-negative weights of the squared loss (not rescaled).
    fit_intercept : bool, default=True
        Fit an unpenalised intercept (implicit centring).
    solver : {'auto', 'svd', 'cholesky', 'cd', 'fista'}, default='auto'
        See :func:`auto_solver` for 'auto'.
    max_iter : int, default=None
        Iterations of 'cd' / 'fista' per alpha (None: 1000).
    tol : float, default=1e-4
        'cd' / 'fista' stop when the duality gap is at most ``tol * y_c^T W y_c``.
    positive : bool, default=False
        Non-negative coefficients ('fista' only).
    return_intercept : bool, default=False
        Also return the intercepts.

    Returns
    -------
    coefs : ndarray of shape (n_features, n_alphas) or (n_targets, n_features, n_alphas)
        In the dtype of X (float32 or float64).
    intercepts : ndarray of shape (n_alphas,) or (n_targets, n_alphas)
        Only with ``return_intercept=True``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastlasso import ridge_path
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 0.5]])
    >>> coefs = ridge_path(X, [1.0, 2.0, 4.0, 5.5], alphas=[0.1, 1.0, 10.0])
    >>> coefs.shape
    (2, 3)
    """
    X, y, sample_weight = _validate(X, y, sample_weight)
    alphas = np.asarray(alphas, dtype=np.float64).ravel()
    if alphas.size == 0 or np.any(alphas < 0) or not np.all(np.isfinite(alphas)):
        raise ValueError("alphas must be a non-empty array of finite values >= 0.")
    Y = y[:, None] if y.ndim == 1 else y
    coefs, intercepts, _, _ = ridge_solve(
        X,
        Y,
        alphas,
        sample_weight=sample_weight,
        fit_intercept=fit_intercept,
        solver=solver,
        max_iter=max_iter,
        tol=tol,
        positive=positive,
    )
    coefs = coefs.astype(X.dtype, copy=False)
    intercepts = intercepts.astype(X.dtype, copy=False)
    if y.ndim == 1:
        coefs, intercepts = coefs[0], intercepts[0]
    if return_intercept:
        return coefs, intercepts
    return coefs
