"""Column operations on a design ``Xd`` (dense or CSC), resolved at compile time.

A design is a tuple: dense ``(X, n)`` with ``X`` raveled in Fortran order (column
``j`` is ``X[j * n:(j + 1) * n]``), or the CSC triple ``(data, indices, indptr)``.
``col_dot``, ``col_axpy``, ... are ``numba.extending.overload``-ed on the tuple's
type, so one kernel body compiles to one specialisation per layout and dtype, with
one tight loop per leaf. Also the per-design statistics (:func:`col_stats`), the
multi-column product :func:`_xt_dot` and the residual fold :func:`_fold`.
"""

import numpy as np
from numba import njit, types
from numba.extending import overload

from .._config import INNER, JIT

# Loops may be reassociated (so LLVM can use several SIMD accumulators for the
# dot products); without it, a dot product inlined into a kernel was measured 5-8x
# slower than BLAS. nnan/ninf are NOT enabled: NaN and inf propagate and the
# convergence test sees them (STYLE.md, section 2.4). The scalar duality-gap
# formula (_gap_from_parts) and the soft-thresholding keep strict IEEE semantics.
#: An int64 zero that Numba does not type as ``Literal[int](0)``: a counter started
#: from a literal 0 and passed to a jitted callee compiles that callee twice (once
#: for the literal type met first in type inference, once for int64): measured on
#: ``_epoch`` and the Cholesky helpers, ~1 s of a first fit.
_ZERO = np.int64(0)

_FAST = {"reassoc", "contract", "nsz", "arcp"}
#: Helpers called only from other kernels (no CPython wrapper: ``INNER``).
_LEAF = dict(INNER, fastmath=_FAST)
#: Entry points called from Python (``KERNELS``, ``enet_gap``).
ENTRY = dict(JIT, fastmath=_FAST)


@njit(**_LEAF)
def _dot_dense(X, n, j, v):
    acc = 0.0
    col = X[j * n : (j + 1) * n]  # slicing first avoids per-index wraparound tests
    for i in range(n):
        acc += col[i] * v[i]
    return acc


@njit(**_LEAF)
def _dot_dense_w(X, n, j, v, sw):
    acc = 0.0
    col = X[j * n : (j + 1) * n]
    for i in range(n):
        acc += col[i] * (sw[i] * v[i])
    return acc


@njit(**_LEAF)
def _axpy_dense(X, n, j, a, v):
    col = X[j * n : (j + 1) * n]
    for i in range(n):
        v[i] += a * col[i]


@njit(**_LEAF)
def _dot_csc(X_data, X_indices, X_indptr, j, v):
    acc = 0.0
    start, end = X_indptr[j], X_indptr[j + 1]
    vals = X_data[start:end]
    rows = X_indices[start:end]
    for k in range(end - start):
        acc += vals[k] * v[rows[k]]
    return acc


@njit(**_LEAF)
def _dot_csc_w(X_data, X_indices, X_indptr, j, v, sw):
    acc = 0.0
    start, end = X_indptr[j], X_indptr[j + 1]
    vals = X_data[start:end]
    rows = X_indices[start:end]
    for k in range(end - start):
        i = rows[k]
        acc += vals[k] * (sw[i] * v[i])
    return acc


@njit(**_LEAF)
def _axpy_csc(X_data, X_indices, X_indptr, j, a, v):
    start, end = X_indptr[j], X_indptr[j + 1]
    vals = X_data[start:end]
    rows = X_indices[start:end]
    for k in range(end - start):
        v[rows[k]] += a * vals[k]


def col_dot(Xd, j, v):
    """sum_i X[i, j] * v[i] (jitted code only)."""
    raise NotImplementedError


def col_dot_w(Xd, j, v, sw):
    """sum_i X[i, j] * sw[i] * v[i] (jitted code only)."""
    raise NotImplementedError


def col_axpy(Xd, j, a, v):
    """v += a * X[:, j] (jitted code only)."""
    raise NotImplementedError


def col_nnz(Xd, j):
    """Number of stored entries of column j (jitted code only)."""
    raise NotImplementedError


def col_moments(Xd, j, sw, weighted, mu, sw_sum):
    """(sum_i sw_i (x_ij - mu)^2, sum_i sw_i x_ij) (jitted code only)."""
    raise NotImplementedError


def _is_csc(Xd):
    return isinstance(Xd, types.BaseTuple) and len(Xd) == 3


@overload(col_dot, jit_options=_LEAF)
def _ol_col_dot(Xd, j, v):
    if _is_csc(Xd):
        return lambda Xd, j, v: _dot_csc(Xd[0], Xd[1], Xd[2], j, v)
    return lambda Xd, j, v: _dot_dense(Xd[0], Xd[1], j, v)


@overload(col_dot_w, jit_options=_LEAF)
def _ol_col_dot_w(Xd, j, v, sw):
    if _is_csc(Xd):
        return lambda Xd, j, v, sw: _dot_csc_w(Xd[0], Xd[1], Xd[2], j, v, sw)
    return lambda Xd, j, v, sw: _dot_dense_w(Xd[0], Xd[1], j, v, sw)


@overload(col_axpy, jit_options=_LEAF)
def _ol_col_axpy(Xd, j, a, v):
    if _is_csc(Xd):
        return lambda Xd, j, a, v: _axpy_csc(Xd[0], Xd[1], Xd[2], j, a, v)
    return lambda Xd, j, a, v: _axpy_dense(Xd[0], Xd[1], j, a, v)


@overload(col_nnz, jit_options=_LEAF)
def _ol_col_nnz(Xd, j):
    if _is_csc(Xd):
        return lambda Xd, j: Xd[2][j + 1] - Xd[2][j]
    return lambda Xd, j: Xd[1]


@njit(**_LEAF)
def _moments_dense(X, n, j, sw, weighted, mu):
    col = X[j * n : (j + 1) * n]
    sq = 0.0
    sx = 0.0
    for i in range(n):
        wi = sw[i] if weighted else 1.0
        d = col[i] - mu
        sq += wi * d * d
        sx += wi * col[i]
    return sq, sx


@njit(**_LEAF)
def _moments_csc(X_data, X_indices, X_indptr, j, sw, weighted, mu, sw_sum):
    sq = 0.0
    sx = 0.0
    sw_nz = 0.0
    for k in range(X_indptr[j], X_indptr[j + 1]):
        wi = sw[X_indices[k]] if weighted else 1.0
        d = X_data[k] - mu
        sq += wi * d * d
        sx += wi * X_data[k]
        sw_nz += wi
    # each implicit zero contributes sw_i * mu**2 (added without cancellation)
    return sq + mu * mu * (sw_sum - sw_nz), sx


@overload(col_moments, jit_options=_LEAF)
def _ol_col_moments(Xd, j, sw, weighted, mu, sw_sum):
    if _is_csc(Xd):
        return lambda Xd, j, sw, weighted, mu, sw_sum: _moments_csc(
            Xd[0], Xd[1], Xd[2], j, sw, weighted, mu, sw_sum
        )
    return lambda Xd, j, sw, weighted, mu, sw_sum: _moments_dense(
        Xd[0], Xd[1], j, sw, weighted, mu
    )


@njit(**ENTRY)
def col_stats(Xd, n, sw, weighted, X_offset, centered, col_sq, xsw):
    """Fill ``col_sq[j] = sum_i sw_i (x_ij - mu_j)**2``, ``xsw[j] = sum_i sw_i x_ij``.

    Computed once per design and reused for every alpha of a path. Returns
    ``sum_i sw_i``.
    """
    sw_sum = float(n)
    if weighted:
        sw_sum = 0.0
        for i in range(n):
            sw_sum += sw[i]
    for j in range(col_sq.shape[0]):
        mu = X_offset[j] if centered else 0.0
        col_sq[j], xsw[j] = col_moments(Xd, j, sw, weighted, mu, sw_sum)
    return sw_sum


@njit(**INNER)
def _fold(R, s, n):
    for i in range(n):
        R[i] += s


@njit(**_LEAF)
def _xt_dot(Xd, v, out, cols, n_cols):
    """out[j] = sum_i X[i, j] v[i] for j in cols[:n_cols]."""
    for k in range(n_cols):
        j = cols[k]
        out[j] = col_dot(Xd, j, v)
