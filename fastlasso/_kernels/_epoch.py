"""The coordinate-descent epoch and the residual set-up shared by all CD kernels."""

import numpy as np
from numba import njit

from .._config import INNER
from ._colops import _LEAF, _fold, col_axpy, col_dot, col_dot_w, col_nnz
from ._penalty import _update


@njit(**INNER)
def _xorshift(state):
    """One step of Marsaglia's xorshift32 (state kept in [1, 2**32))."""
    state ^= (state << 13) & 0xFFFFFFFF
    state ^= state >> 17
    state ^= (state << 5) & 0xFFFFFFFF
    return state


@njit(**_LEAF)
def _setup(Xd, y, sw, weighted, X_offset, centered, xsw, sw_sum, w):
    """Residual ``R = y - Z w`` (folded), ``y^T W y`` and ``zsum_j = sum_i sw_i z_ij``.

    ``d(sum_i sw_i r_i) / d(w_j) = -zsum_j`` (0 up to rounding when the centres are
    the weighted means).
    """
    n = y.shape[0]
    p = w.shape[0]
    R = y.astype(np.float64)  # float64 residual even for float32 data: no drift
    s = 0.0
    for j in range(p):
        if w[j] != 0.0:
            col_axpy(Xd, j, -w[j], R)
            if centered:
                s += w[j] * X_offset[j]
    if s != 0.0:
        _fold(R, s, n)
    y_norm2 = 0.0
    for i in range(n):
        y_norm2 += (sw[i] * y[i] * y[i]) if weighted else (y[i] * y[i])
    zsum = np.empty(p)
    for j in range(p):
        zsum[j] = xsw[j] - (X_offset[j] * sw_sum if centered else 0.0)
    return R, y_norm2, zsum


@njit(**_LEAF)
def _epoch(
    Xd,
    sw,
    weighted,
    X_offset,
    centered,
    col_sq,
    xsw,
    zsum,
    w,
    R,
    l1,
    l2,
    positive,
    random,
    state,
    active,
    n_active,
    s,
    S,
    work,
    pen,
):
    """One pass of coordinate updates over ``active[:n_active]``.

    Keeps ``r = R + s`` and ``S = sum_i sw_i r_i`` exact; folds ``s`` into ``R``
    once the work since the last fold reaches n. Returns
    ``(w_max, d_w_max, s, S, work, state)``: the largest |w_j| and |change of w_j|
    over the pass, and the updated bookkeeping.
    """
    n = R.shape[0]
    w_max = 0.0
    d_w_max = 0.0
    for f in range(n_active):
        if random:
            state = _xorshift(state)
            j = active[state % n_active]
        else:
            j = active[f]
        cs = col_sq[j]
        if cs == 0.0:
            continue
        w_j = w[j]
        if weighted:
            g = col_dot_w(Xd, j, R, sw)
        else:
            g = col_dot(Xd, j, R)
        if centered:
            g += s * xsw[j] - X_offset[j] * S
        new = _update(g + w_j * cs, l1, cs, l2, positive, pen, j)
        if new != w_j:
            # the residual follows the stored value (rounded to float32 for
            # float32 data), so it never drifts from y - Z w along a path
            w[j] = new
            new = w[j]
            d = new - w_j
            col_axpy(Xd, j, -d, R)
            work += col_nnz(Xd, j)
            if centered:
                s += d * X_offset[j]
                S -= d * zsum[j]
        d_w_max = max(d_w_max, abs(new - w_j))
        w_max = max(w_max, abs(new))
    if centered and work >= n:
        _fold(R, s, n)
        s = 0.0
        work = 0
    return w_max, d_w_max, s, S, work, state
