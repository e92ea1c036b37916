"""Regularization paths: the one code path behind ``fit``, ``enet_path`` and CV.

The estimators and the public path functions both end in :func:`solve_path`,
which runs a warm-started sequence of coordinate-descent solves over a
:class:`Design` (dense or CSC data, implicit centring, sample weights).
"""

from __future__ import annotations

import sys
import warnings

import numpy as np
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

from ._compile import describe, notify
from ._kernels import cd_enet, cd_enet_gram, cd_enet_ws, col_stats, fista_enet

__all__ = [
    "Design",
    "alpha_grid",
    "make_penalty",
    "solve_path",
]

#: Initial working-set size and Anderson window of :func:`cd_enet_ws`.
WS_START = 10
ANDERSON_K = 5

_MESSAGE_CONV = (
    "Objective did not converge. You might want to increase "
    "the number of iterations, check the scale of the "
    "features or consider increasing regularisation."
)
_MESSAGE_RIDGE = (
    "Linear regression models with a zero l1 penalization "
    "strength are more efficiently fitted using one of the "
    "solvers implemented in "
    "sklearn.linear_model.Ridge/RidgeCV instead."
)


def make_penalty(
    n_features,
    dtype,
    penalty_factor=None,
    lower_bounds=None,
    upper_bounds=None,
    positive=False,
):
    """Validate penalty factors and bounds; return the kernels' ``pen`` or None.

    Returns ``(pf, lo, hi)`` (float64 arrays of shape (n_features,)) or None when
    none of the three is given (the plain elastic net). ``positive=True`` raises
    the lower bounds to 0. For float32 data the bounds are rounded inwards to
    float32 values, so coefficients stored in float32 stay inside them.
    """
    if penalty_factor is None and lower_bounds is None and upper_bounds is None:
        return None
    p = n_features

    def _vector(value, name, default):
        if value is None:
            return np.full(p, default)
        arr = np.asarray(value, dtype=np.float64)
        if arr.ndim == 0:
            arr = np.full(p, float(arr))
        if arr.ndim != 1 or arr.shape[0] != p:
            raise ValueError(
                f"{name} must be a scalar or an array of shape (n_features,) = "
                f"({p},); got shape {np.shape(value)}."
            )
        if np.isnan(arr).any():
            raise ValueError(f"{name} contains NaN.")
        return arr.copy()

    try:
        pf = _vector(penalty_factor, "penalty_factor", 1.0)
        lo = _vector(lower_bounds, "lower_bounds", -np.inf)
        hi = _vector(upper_bounds, "upper_bounds", np.inf)
    except (TypeError, ValueError) as exc:
        if "could not convert" in str(exc) or isinstance(exc, TypeError):
            raise ValueError(
                f"penalty_factor, lower_bounds and upper_bounds must be numeric: {exc}"
            ) from exc
        raise
    if not np.isfinite(pf).all() or (pf < 0).any():
        bad = np.flatnonzero(~np.isfinite(pf) | (pf < 0))[:10].tolist()
        raise ValueError(
            "penalty_factor must be finite and >= 0 (0 = never penalized; to "
            "exclude a feature set its lower and upper bounds to 0); bad entries "
            f"at features {bad}."
        )
    if (lo > 0).any():
        bad = np.flatnonzero(lo > 0)[:10].tolist()
        raise ValueError(
            "lower_bounds must be <= 0 (w = 0 must be feasible, as in glmnet's "
            f"lower.limits); bad entries at features {bad}."
        )
    if (hi < 0).any():
        bad = np.flatnonzero(hi < 0)[:10].tolist()
        raise ValueError(
            "upper_bounds must be >= 0 (w = 0 must be feasible, as in glmnet's "
            f"upper.limits); bad entries at features {bad}."
        )
    if positive:
        lo = np.maximum(lo, 0.0)
    if np.dtype(dtype) == np.float32:
        lo32 = lo.astype(np.float32)
        lo = np.where(lo32 < lo, np.nextafter(lo32, np.float32(0)), lo32)
        hi32 = hi.astype(np.float32)
        hi = np.where(hi32 > hi, np.nextafter(hi32, np.float32(0)), hi32)
        lo = lo.astype(np.float64)
        hi = hi.astype(np.float64)
    return (kernel_array(pf), kernel_array(lo), kernel_array(hi))


def kernel_array(a, dtype=None):
    """``a`` as the kernels take every input array: a contiguous, read-only
    ``ndarray`` (not a subclass such as ``np.memmap``).

    Numba types a read-only or a writeable array differently, so a user's
    read-only or memory-mapped array (``np.load(..., mmap_mode="r")``, joblib's
    workers) would compile every kernel again. All arrays the kernels only read are
    passed read-only instead: one specialisation whatever the caller passes. No
    copy unless ``a`` is not contiguous or not of ``dtype``.
    """
    a = np.ascontiguousarray(a, dtype=dtype)
    if a.flags.writeable:
        a = a.view()
        a.flags.writeable = False
    return a


def csc_arrays(X):
    """The CSC triple ``(data, indices, indptr)`` of a canonical CSC matrix, as
    :func:`kernel_array` s, with int32 indices (a copy of the index arrays only when
    they are int64 and small enough; larger matrices keep int64 and use a
    specialisation of their own)."""
    index = np.int32 if X.nnz < np.iinfo(np.int32).max else np.int64
    return (
        kernel_array(X.data),
        kernel_array(X.indices, index),
        kernel_array(X.indptr, index),
    )


class Design:
    """A validated design matrix in the form the kernels take.

    Parameters
    ----------
    X : ndarray (Fortran-contiguous) or scipy CSC matrix, float32 or float64
        Not copied and never modified.
    sample_weight : ndarray of shape (n_samples,) or None
        Weights of the squared loss, already rescaled by the caller.
    X_offset : ndarray of shape (n_features,) or None
        Column centres for implicit centring (``Z = X - 1 X_offset^T``).
    """

    def __init__(self, X, sample_weight=None, X_offset=None):
        n, p = X.shape
        dtype = X.dtype
        self.n_samples, self.n_features, self.dtype = n, p, dtype
        self.is_sparse = sparse.issparse(X)
        if self.is_sparse:
            self.Xd = csc_arrays(X)
        else:
            # ravel(order="F") of an F-contiguous array is a view, not a copy.
            self.Xd = (kernel_array(X.ravel(order="F")), n)
        self.weighted = sample_weight is not None
        self.sw = kernel_array(
            sample_weight if self.weighted else np.empty(0), dtype=dtype
        )
        self.centered = X_offset is not None and bool(np.any(X_offset != 0))
        self.X_offset = kernel_array(
            X_offset if self.centered else np.zeros(p), dtype=dtype
        )
        self.col_sq = np.empty(p)
        self.xsw = np.empty(p)
        self.sw_sum = col_stats(
            self.Xd,
            n,
            self.sw,
            self.weighted,
            self.X_offset,
            self.centered,
            self.col_sq,
            self.xsw,
        )
        if not np.all(np.isfinite(self.col_sq)):
            # squared column norms overflow: CD cannot run in this precision
            # (scikit-learn's iterates turn non-finite; same error)
            raise ValueError(
                "Coordinate descent iterations resulted in non-finite parameter"
                " values. The input data may contain large values and need to"
                " be preprocessed."
            )

    def kernel_args(self, y, w):
        """The leading arguments of the CD and FISTA kernels: the data, its
        per-feature statistics, the (centred) target ``y`` and the coefficients
        ``w`` (updated in place)."""
        return (
            self.Xd,
            kernel_array(y, self.dtype),
            self.sw,
            self.weighted,
            self.X_offset,
            self.centered,
            self.col_sq,
            self.xsw,
            float(self.sw_sum),
            w,
        )


def gram_matrix(X, y, sample_weight=None, X_offset=None, block_bytes=1 << 25):
    """``Q = Z^T W Z`` and ``q = Z^T W y`` for dense ``X`` without a full copy of X.

    ``Z = X - X_offset`` is formed one block of rows at a time (at most about
    ``block_bytes`` per block) so memory stays bounded for n_samples >> n_features.
    """
    n, p = X.shape
    centered = X_offset is not None and np.any(X_offset != 0)
    if not centered and sample_weight is None:
        Q = np.ascontiguousarray(X.T @ X)
        return Q, np.ascontiguousarray(X.T @ y)
    Q = np.zeros((p, p), dtype=X.dtype)
    q = np.zeros((p,) + y.shape[1:], dtype=X.dtype)
    step = max(1, min(n, block_bytes // (X.itemsize * max(p, 1))))
    for start in range(0, n, step):
        B = X[start : start + step]
        if centered:
            B = B - X_offset
        Bw = (
            B
            if sample_weight is None
            else B * sample_weight[start : start + step, None]
        )
        Q += B.T @ Bw
        q += Bw.T @ y[start : start + step]
    return np.ascontiguousarray(Q), q


def check_gram(X, Q, X_offset=None, sample_weight=None):
    """Spot-check one off-diagonal entry of a user-supplied Gram matrix."""
    p = X.shape[1]
    f1 = p // 2
    f2 = min(f1 + 1, p - 1)
    v1 = np.asarray(X[:, f1], dtype=np.float64)
    v2 = np.asarray(X[:, f2], dtype=np.float64)
    if X_offset is not None:
        v1 = v1 - X_offset[f1]
        v2 = v2 - X_offset[f2]
    if sample_weight is not None:
        v1 = v1 * sample_weight
    expected = float(v1 @ v2)
    actual = Q[f1, f2]
    rtol = 1e-4 if np.float32 in (Q.dtype, X.dtype) else 1e-7
    if not np.isclose(expected, actual, rtol=rtol, atol=1e-5):
        raise ValueError(
            "Gram matrix passed in via 'precompute' parameter "
            "did not pass validation when a single element was "
            "checked - please check that it was computed "
            f"properly. For element ({f1},{f2}) we computed "
            f"{expected} but the user-supplied value was "
            f"{actual}."
        )


def alpha_grid(
    X,
    y,
    Xy=None,
    l1_ratio=1.0,
    fit_intercept=True,
    eps=1e-3,
    n_alphas=100,
    sample_weight=None,
    *,
    positive=False,
    pen=None,
):
    """Geometric grid from ``alpha_max`` (where w = 0) down to ``eps * alpha_max``.

    ``alpha_max = max_j |Z_j^T W y_c| / (sum(sw) * l1_ratio)`` (``max(0, max_j ...)``
    with ``positive``), computed without centring or copying ``X``. With penalty
    factors and bounds ``pen`` (see :func:`make_penalty`), see
    :func:`_alpha_max_pen`.
    """
    if l1_ratio == 0:
        raise ValueError(
            "Automatic alpha grid generation is not supported for"
            " l1_ratio=0. Please supply a grid by providing "
            "your estimator with the appropriate `alphas=` "
            "argument."
        )
    if pen is not None:
        alpha_max = _alpha_max_pen(X, y, l1_ratio, fit_intercept, sample_weight, pen)
    else:
        alpha_max = _alpha_max(
            X, y, Xy, l1_ratio, fit_intercept, sample_weight, positive
        )
    resolution = np.finfo(np.float64).resolution
    if alpha_max <= resolution:
        return np.full(n_alphas, resolution)
    return np.geomspace(alpha_max, alpha_max * eps, num=n_alphas)


def _alpha_max(X, y, Xy, l1_ratio, fit_intercept, sample_weight, positive):
    """``max_j |Z_j^T W y_c| / (sum(sw) l1_ratio)`` (signed max with ``positive``)."""
    if Xy is not None:
        Xyw = np.asarray(Xy)
    else:
        if fit_intercept:
            y = y - np.average(y, axis=0, weights=sample_weight)
        if sample_weight is None:
            yw = y
        else:
            yw = y * (sample_weight[:, None] if y.ndim > 1 else sample_weight)
        Xyw = np.asarray(X.T @ yw)
        if fit_intercept:
            sw_sum = X.shape[0] if sample_weight is None else np.sum(sample_weight)
            X_mean = (
                np.asarray(
                    X.T
                    @ (np.ones(X.shape[0]) if sample_weight is None else sample_weight)
                ).ravel()
                / sw_sum
            )
            # per target column when y is 2-D (scikit-learn's multi-task grid)
            total = np.sum(yw, axis=0)
            Xyw = Xyw - np.multiply.outer(X_mean, total)
    if Xyw.ndim == 1:
        Xyw = Xyw[:, np.newaxis]
    n = X.shape[0] if sample_weight is None else np.sum(sample_weight)
    if positive:
        alpha_max = max(0, np.max(Xyw)) / (n * l1_ratio)
    else:
        # sqrt of the squared max, in the dtype of Xy: bit-for-bit scikit-learn's grid
        alpha_max = np.sqrt(np.max(np.sum(Xyw**2, axis=1))) / (n * l1_ratio)
    return alpha_max


def _alpha_max_pen(X, y, l1_ratio, fit_intercept, sample_weight, pen):
    """Smallest alpha at which every penalized coefficient is 0 (as glmnet's
    ``lambda.max`` with penalty factors).

    The unpenalized features (``pf_j = 0``) are first fitted by least squares
    (their bounds ignored: a heuristic for the grid only; every solution is still
    certified by its own duality gap). Then ``alpha_max = max_j c_j / (n l1_ratio
    pf_j)`` over ``pf_j > 0``, with ``c_j`` the part of ``z_j^T W r`` that the
    bounds let act (positive if ``hi_j > 0``, negative if ``lo_j < 0``).
    """
    pf, lo, hi = pen
    n = X.shape[0]
    sw = np.ones(n) if sample_weight is None else np.asarray(sample_weight, float)
    yc = np.asarray(y, dtype=np.float64)
    if fit_intercept:
        yc = yc - np.average(yc, weights=sw)
    unpen = np.flatnonzero((pf == 0) & (lo < hi))
    if unpen.size:
        ZU = X[:, unpen]
        ZU = np.asarray(ZU.toarray() if sparse.issparse(ZU) else ZU, dtype=np.float64)
        if fit_intercept:
            ZU = ZU - np.average(ZU, axis=0, weights=sw)
        sq = np.sqrt(sw)
        beta = np.linalg.lstsq(ZU * sq[:, None], yc * sq, rcond=None)[0]
        yc = yc - ZU @ beta
    yw = yc * sw
    c = np.asarray(X.T @ yw, dtype=np.float64).ravel()
    if fit_intercept:
        c = c - np.asarray(X.T @ sw, dtype=np.float64).ravel() / sw.sum() * yw.sum()
    act = np.maximum(np.where(hi > 0, c, 0.0), np.where(lo < 0, -c, 0.0))
    penalized = pf > 0
    if not penalized.any():
        raise ValueError(
            "Automatic alpha grid generation needs at least one penalized feature "
            "(penalty_factor > 0); supply alphas= explicitly."
        )
    return float(np.max(act[penalized] / pf[penalized])) / (sw.sum() * l1_ratio)


def solve_path(
    design,
    y,
    alphas,
    l1_ratio,
    coef_init=None,
    *,
    gram=None,
    max_iter=1000,
    tol=1e-4,
    positive=False,
    selection="cyclic",
    rng=None,
    screen=True,
    verbose=False,
    n_samples=None,
    working_set=True,
    anderson=True,
    solver="cd",
    pen=None,
    sparse_coefs=False,
    warn=True,
):
    """Warm-started coordinate descent over ``alphas`` (in the given order).

    Solves ``1/(2 n) sum_i sw_i (y_i - z_i w)^2 + alpha l1_ratio |w|_1
    + alpha (1 - l1_ratio)/2 |w|^2`` for each alpha, i.e. the kernels with
    ``l1 = n alpha l1_ratio`` and ``l2 = n alpha (1 - l1_ratio)``.

    Parameters
    ----------
    design : Design or None
        The data; may be None when ``gram`` is given.
    y : ndarray of shape (n_samples,), dtype of the design
        Processed (centred) target.
    gram : tuple (Q, q, y_norm2) or None
        Use covariance updates with this Gram matrix instead of the design.
    n_samples : int
        Number of samples (needed only when ``design`` is None).
    screen, working_set, anderson : bool
        Gap-safe screening, working sets and Anderson extrapolation (each only a
        speed-up: the stopping certificate, hence the answer, is the same).
    solver : {'cd', 'fista'}, default='cd'
        'fista': accelerated proximal gradient (``fista_enet``) on the design,
        same certificate; ``gram``, ``selection`` and ``screen`` do not apply.
    pen : tuple (pf, lo, hi) or None
        Penalty factors and bounds from :func:`make_penalty`: each penalty term
        of feature j is multiplied by ``pf_j`` and ``lo_j <= w_j <= hi_j``.
        Not with ``gram``.
    sparse_coefs : bool, default=False
        Return ``coefs`` as a scipy CSC matrix. A dense (p, n_alphas) result is
        fresh memory that costs a page fault per 4 KiB on first write (measured
        ~6 us each here: 40% of a 100-alpha CV fold on leukemia); the CV loop
        needs only the non-zeros. The working-set kernel always returns CSC
        arrays; the dense result is scattered from them into ``np.zeros``.
    warn : bool, default=True
        Issue a ConvergenceWarning for an alpha whose gap test fails (callers
        that use the solve as an inner step and certify elsewhere pass False;
        thread-safe, unlike filtering the warning).

    Returns
    -------
    coefs : ndarray (n_features, n_alphas), dual_gaps : ndarray (n_alphas,)
        (unscaled, i.e. not divided by n_samples), n_iters : list of int.
    """
    if pen is not None and gram is not None:
        raise ValueError("penalty factors and bounds are not supported with a Gram")
    if gram is not None:
        n = n_samples
        p, dtype = gram[0].shape[0], gram[0].dtype
    else:
        n, p, dtype = design.n_samples, design.n_features, design.dtype
    rng = check_random_state(rng)
    random = selection == "random"
    n_alphas = len(alphas)
    w = np.zeros(p, dtype=dtype)
    if coef_init is not None:
        w[:] = np.asarray(coef_init, dtype=dtype).ravel()
    y = kernel_array(y, dtype=dtype)
    max_iter = int(max_iter)
    tol = float(tol)
    alphas = np.asarray(alphas, dtype=np.float64)
    l1s = alphas * (l1_ratio * n)
    l2s = alphas * ((1.0 - l1_ratio) * n)
    # one seed per alpha, drawn in order (only random selection uses them)
    seeds = np.zeros(n_alphas, dtype=np.int64)
    if random:
        seeds[:] = [rng.randint(0, 2**31 - 1) for _ in range(n_alphas)]
    if (
        gram is None
        and solver != "fista"
        and working_set
        and n_alphas > 0
        and np.all(l1s > 0.0)
    ):
        # the working-set kernel runs the whole path (one call: the correlations
        # and per-feature state carry from one alpha to the next); one alpha at a
        # time only for the per-alpha prints of ``verbose``
        step = 1 if verbose else n_alphas
        parts = []
        for start in range(0, n_alphas, step):
            stop = start + step
            args = (
                *design.kernel_args(y, w),
                l1s[start:stop],
                l2s[start:stop],
                max_iter,
                tol,
                bool(positive),
                random,
                seeds[start:stop],
                bool(screen),
                WS_START,
                ANDERSON_K if anderson else 0,
                pen,
            )
            notify("cd_enet_ws", args, describe(design, pen))
            out = cd_enet_ws(*args)
            parts.append(out)
            gaps, tol_gap, iters, conv = out[:4]
            for i in range(stop - start):
                _report(
                    start + i, n_alphas, w, gaps[i], tol_gap, iters[i],
                    conv[i] or not warn,
                    l1s[start + i], verbose,
                )  # fmt: skip
        gaps = np.concatenate([o[0] for o in parts])
        n_iters = [int(v) for o in parts for v in o[2]]
        coefs = _join_csc([o[4:] for o in parts], p, n_alphas, dtype, sparse_coefs)
        return coefs, gaps, n_iters

    csc_parts = []  # per alpha, the kernel's CSC format: (indptr, indices, data)
    gaps = np.empty(n_alphas)
    n_iters = []
    lips = np.zeros(1)  # FISTA: Lipschitz constant, estimated once per path
    for i in range(n_alphas):
        l1 = float(l1s[i])
        l2 = float(l2s[i])
        seed = int(seeds[i])
        if gram is not None:
            Q, q, y_norm2 = gram
            args = (
                kernel_array(Q),
                kernel_array(q),
                float(y_norm2),
                w,
                l1,
                l2,
                max_iter,
                tol,
                bool(positive),
                random,
                seed,
                bool(screen),
            )
            notify("cd_enet_gram", args, (dtype, "Gram", False))
            gap, tol_gap, n_iter, converged = cd_enet_gram(*args)
        elif solver == "fista":
            args = (
                *design.kernel_args(y, w),
                l1,
                l2,
                max_iter,
                tol,
                bool(positive),
                random,
                0,
                bool(screen),
                lips,
                pen,
            )
            notify("fista_enet", args, describe(design, pen))
            gap, tol_gap, n_iter, converged = fista_enet(*args)
        else:
            args = (
                *design.kernel_args(y, w),
                l1,
                l2,
                max_iter,
                tol,
                bool(positive),
                random,
                seed,
                bool(screen),
                pen,
            )
            notify("cd_enet", args, describe(design, pen))
            gap, tol_gap, n_iter, converged = cd_enet(*args)
        _report(
            i, n_alphas, w, gap, tol_gap, n_iter, converged or not warn, l1, verbose
        )
        idx = np.flatnonzero(w)
        csc_parts.append((np.array([0, idx.size]), idx, w[idx]))
        gaps[i] = gap
        n_iters.append(int(n_iter))
    return _join_csc(csc_parts, p, n_alphas, dtype, sparse_coefs), gaps, n_iters


def _report(i, n_alphas, w, gap, tol_gap, n_iter, converged, l1, verbose):
    """Per-alpha ConvergenceWarning and ``verbose`` output of :func:`solve_path`."""
    if not converged:
        message = _MESSAGE_CONV + f" Duality gap: {gap:.6e}, tolerance: {tol_gap:.3e}"
        if l1 < np.finfo(np.float64).eps:
            message += "\n" + _MESSAGE_RIDGE
        warnings.warn(message, ConvergenceWarning, stacklevel=4)
    if verbose:
        if verbose > 2:
            print((w.copy(), gap, tol_gap, n_iter))
        elif verbose > 1:
            print(f"Path: {i:03d} out of {n_alphas:03d}")
        else:
            sys.stderr.write(".")


def _join_csc(parts, p, n_alphas, dtype, sparse_coefs):
    """The (p, n_alphas) path from consecutive ``(indptr, indices, data)`` blocks
    of columns (the working-set kernel's output format): a CSC matrix if
    ``sparse_coefs``, else a dense Fortran-ordered array.

    The dense array is scattered into ``np.zeros``, which maps untouched pages to
    the zero page, so only the pages that hold non-zeros are faulted in (a fresh
    dense array written column by column costs a page fault per 4 KiB: ~6 us each
    here). No scipy matrix is built on that route (its checks cost ~0.1 ms, a
    tenth of a small fit).
    """
    if not parts:
        indptr = np.zeros(n_alphas + 1, dtype=np.int64)
        indices, data = np.empty(0, np.int64), np.empty(0, dtype)
    elif len(parts) == 1:
        indptr, indices, data = parts[0]
    else:
        indices = np.concatenate([part[1] for part in parts])
        data = np.concatenate([part[2] for part in parts])
        counts = np.concatenate([np.diff(part[0]) for part in parts])
        indptr = np.zeros(n_alphas + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
    data = data.astype(dtype, copy=False)
    if sparse_coefs:
        return sparse.csc_matrix((data, indices, indptr), shape=(p, n_alphas))
    out = np.zeros((n_alphas, p), dtype=dtype)
    out[np.repeat(np.arange(n_alphas), np.diff(indptr)), indices] = data
    return out.T


def canonical_csc(X):
    """CSC with int32 indices and no duplicate entries (copied only if needed)."""
    if not sparse.issparse(X) or X.format != "csc":
        X = sparse.csc_matrix(X) if not sparse.issparse(X) else X.tocsc()
    if not X.has_canonical_format:
        X = X.copy()
        X.sum_duplicates()
    return X


def _check_alphas(alphas):
    """Reject a negative (or NaN) alpha among user-given ``alphas``, as the
    estimators' ``alpha >= 0`` constraint does."""
    values = np.asarray(alphas, dtype=np.float64).ravel()
    bad = np.flatnonzero(~(values >= 0.0))
    if bad.size:
        i = int(bad[0])
        what = "negative" if values[i] < 0 else "not a number"
        raise ValueError(
            f"alphas must be >= 0; alphas[{i}] = {float(values[i])!r} is {what}."
        )
