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
  With ``positive=True`` (which only they take) their answer is then refined to
  the exact constrained minimiser (:class:`_PositiveRefiner`: an active-set
  solve on the Gram matrix of the support), since a gap of ``tol * y_c^T W y_c``
  still leaves the coefficients about ``sqrt(tol)`` off.

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

    ``positive=True``: ``'fista'`` (the direct solvers cannot constrain signs;
    its answer is refined to the exact minimiser, see :class:`_PositiveRefiner`).
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


#: Gradient entries below this fraction of ``max|Z^T W y_c|`` count as zero in
#: the optimality test of the positive refinement (rounding of ``Z^T W Z w``).
_KKT_RTOL = 1e-11


def _spd_solve(H, c):
    """``H x = c`` for a symmetric positive (semi-)definite H (least squares if
    singular, e.g. alpha = 0 with collinear columns)."""
    try:
        return linalg.cho_solve(linalg.cho_factor(H, lower=True), c)
    except (linalg.LinAlgError, ValueError):
        return linalg.lstsq(H, c)[0]


def _nonneg_qp(H, c, free, thr):
    """Minimise ``0.5 w^T H w - c^T w`` over ``w >= 0`` (H positive definite).

    Block principal pivoting (Judice and Pires, "A block principal pivoting
    algorithm for large-scale strictly monotone linear complementarity
    problems", Computers & OR 21, 1994) on the optimality conditions ``w >= 0``,
    ``g = c - H w <= 0``, ``w_j g_j = 0``: solve on the free set, then move every
    free coefficient that came out negative to the fixed set and every fixed
    one with a positive gradient (above ``thr``) to the free set. While the
    number of such infeasibilities falls this is done for all at once; after
    three exchanges without a new low it moves only the one of largest index
    (Murty's rule), which guarantees an end. Started from the iterative
    solver's support it usually ends in a few solves. Returns ``(w, done)``.
    """
    k = c.shape[0]
    free = np.asarray(free, dtype=bool).copy()
    best, backup = k + 1, 3
    for _ in range(10 * k + 50):
        w = np.zeros(k)
        if free.any():
            w[free] = _spd_solve(H[np.ix_(free, free)], c[free])
        g = c - H @ w
        bad = np.flatnonzero((free & (w < 0.0)) | (~free & (g > thr)))
        if bad.size == 0:
            return w, True
        if bad.size < best:
            best, backup = bad.size, 3
        elif backup > 0:
            backup -= 1
        else:
            bad = bad[-1:]
        free[bad] = ~free[bad]
    return np.maximum(w, 0.0), False


class _PositiveRefiner:
    """Exact minimiser of the positive Ridge problem of one target.

    ``min_{w >= 0} ||W^1/2 (y_c - Z w)||^2 + alpha ||w||^2`` is strongly convex
    for ``alpha > 0``. The iterative solvers stop at a duality-gap certificate,
    which bounds the objective, not the coefficients: an objective within
    ``tol * y_c^T W y_c`` of the optimum leaves coefficients off by about
    ``sqrt(2 tol y_c^T W y_c / alpha)``, i.e. at the default ``tol=1e-4`` often
    1e-3 to 1e-2 relative. From the solver's answer, this solves the problem
    exactly on its support (the Gram matrix of those columns, no other column
    is touched) by :func:`_nonneg_qp`, checks the optimality conditions on all
    features with one product with ``Z^T`` and adds the violators, until none is
    left. The result replaces the solver's only if its objective is not larger.
    """

    def __init__(self, X, yc, sample_weight, mu):
        self.X = X
        self.mu = mu
        self.s = (
            None
            if sample_weight is None
            else np.sqrt(np.asarray(sample_weight, dtype=np.float64))
        )
        self.op = _Centered(X, mu, self.s)
        self.b = self.op._sv(np.asarray(yc, dtype=np.float64))  # W^1/2 y_c
        self.c = self.op.rmatmat(self.b[:, None])[:, 0]  # Z^T W y_c
        self.thr = _KKT_RTOL * max(np.abs(self.c).max(initial=0.0), 1e-300)
        self._cov = (None, None)  # Gram matrix of the last support

    def _objective(self, w, alpha):
        r = self.b - self.op.matmat(w[:, None])[:, 0]
        return float(r @ r + alpha * (w @ w)), r

    def _support_cov(self, S):
        last, cov = self._cov
        if last is None or not np.array_equal(last, S):
            Xs = self.X[:, S]
            mu = None if self.mu is None else self.mu[S]
            cov = _Centered(Xs, mu, self.s).cov()
            self._cov = (S, cov)
        return cov

    def __call__(self, w_solver, alpha):
        """The exact solution (float64), or None to keep ``w_solver``."""
        w0 = np.asarray(w_solver, dtype=np.float64)
        p = w0.shape[0]
        S = np.flatnonzero(w0 > 0.0)
        w = w0
        for _ in range(20):
            if S.size == 0:
                w_new = np.zeros(p)
            else:
                if S.size > DIRECT_MAX_DIM:
                    return None
                H = self._support_cov(S).copy()
                H.flat[:: S.size + 1] += alpha
                wS, done = _nonneg_qp(H, self.c[S], w[S] > 0.0, self.thr)
                if not done:
                    return None
                w_new = np.zeros(p)
                w_new[S] = wS
            f_new, r = self._objective(w_new, alpha)
            g = self.op.rmatmat(r[:, None])[:, 0] - alpha * w_new
            g[S] = -np.inf  # optimal on the support already
            viol = np.flatnonzero(g > self.thr)
            if viol.size == 0:
                f_old, _ = self._objective(w0, alpha)
                if f_new <= f_old * (1.0 + 1e-12) + 1e-300:
                    return w_new
                return None
            S = np.union1d(S, viol)
            w = w_new
        return None


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
        refine = _PositiveRefiner(X, Yc[:, t], sw, mu) if positive else None
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
            exact = None if refine is None else refine(w, l2)
            if exact is not None:
                coefs[t, :, a] = exact  # exact: no warning even if not ok
                w[:] = exact  # also the next alpha's start
            else:
                coefs[t, :, a] = w
                if not ok:
                    warnings.warn(
                        _MESSAGE_CONV.format(
                            solver=solver, max_iter=max_iter, gap=gap, tol=tol_gap
                        ),
                        ConvergenceWarning,
                        stacklevel=4,
                    )
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
        Non-negative coefficients ('auto', 'cd' or 'fista'). The iterative
        solver's answer is refined to the exact constrained minimiser (an
        active-set solve on the Gram matrix of its support, while that has at
        most 4000 features).
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
