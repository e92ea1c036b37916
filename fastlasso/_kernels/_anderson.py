"""Anderson extrapolation of CD iterates on a working set (Bertrand & Massias 2021)."""

import numpy as np
from numba import njit

from .._config import INNER
from ._colops import _LEAF, col_axpy


@njit(**INNER)
def _solve_small(C, b):
    """Solve the small dense system ``C z = b`` (Gaussian elimination, partial
    pivoting). Returns ``(z, ok)``; ``ok`` is False when ``C`` is (near) singular."""
    k = b.shape[0]
    A = C.copy()
    z = b.copy()
    scale = 0.0
    for i in range(k):
        scale = max(scale, abs(A[i, i]))
    if scale == 0.0:
        return z, False
    for c in range(k):
        piv = c
        for r in range(c + 1, k):
            if abs(A[r, c]) > abs(A[piv, c]):
                piv = r
        if abs(A[piv, c]) <= 1e-14 * scale:
            return z, False
        if piv != c:
            for m in range(k):
                A[c, m], A[piv, m] = A[piv, m], A[c, m]
            z[c], z[piv] = z[piv], z[c]
        for r in range(c + 1, k):
            f = A[r, c] / A[c, c]
            for m in range(c, k):
                A[r, m] -= f * A[c, m]
            z[r] -= f * z[c]
    for c in range(k - 1, -1, -1):
        acc = z[c]
        for m in range(c + 1, k):
            acc -= A[c, m] * z[m]
        z[c] = acc / A[c, c]
    return z, True


@njit(**_LEAF)
def _primal(R, s, sw, weighted, v, ws, n_ws, l1, l2, pen):
    """0.5 sum_i sw_i (R_i + s)^2 + sum_m pf_j (l1 |v_m| + 0.5 l2 v_m^2), j = ws[m]:
    the objective at a point that is ``v`` on the working set, 0 elsewhere."""
    acc = 0.0
    for i in range(R.shape[0]):
        r = R[i] + s
        acc += (sw[i] * r * r) if weighted else r * r
    tot = 0.0
    for m in range(n_ws):
        t = l1 * abs(v[m]) + 0.5 * l2 * v[m] * v[m]
        tot += pen[0][ws[m]] * t if pen is not None else t
    return 0.5 * acc + tot


@njit(**_LEAF)
def _primal_at(R, s, sw, weighted, w, ws, n_ws, l1, l2, pen):
    """:func:`_primal` at the full vector ``w`` (zero outside ``ws[:n_ws]``)."""
    v = np.empty(n_ws)
    for m in range(n_ws):
        v[m] = w[ws[m]]
    return _primal(R, s, sw, weighted, v, ws, n_ws, l1, l2, pen)


@njit(**_LEAF)
def _anderson(
    Xd,
    sw,
    weighted,
    X_offset,
    centered,
    zsum,
    w,
    R,
    s,
    S,
    l1,
    l2,
    positive,
    ws,
    n_ws,
    buf,
    K,
    pen,
):
    """Anderson extrapolation of the last ``K + 1`` iterates stored in ``buf``.

    Bertrand & Massias (2021), "Anderson acceleration of coordinate descent",
    AISTATS: with ``U_k = w^{k+1} - w^k``, solve ``(U U^T) z = 1``, take
    ``c = z / sum(z)`` and ``w_acc = sum_k c_k w^{k+1}``. The extrapolated point is
    kept only if it lowers the objective (and stays feasible when ``positive``).
    Returns ``(accepted, s, S)``; on acceptance ``w`` and ``R`` are updated in place.
    """
    U = np.empty((K, n_ws))
    for k in range(K):
        for m in range(n_ws):
            U[k, m] = buf[k + 1, m] - buf[k, m]
    C = np.empty((K, K))
    for a in range(K):
        for b in range(a, K):
            acc = 0.0
            for m in range(n_ws):
                acc += U[a, m] * U[b, m]
            C[a, b] = acc
            C[b, a] = acc
    z, ok = _solve_small(C, np.ones(K))
    if not ok:
        return False, s, S
    tot = 0.0
    for k in range(K):
        tot += z[k]
    if tot == 0.0 or not np.isfinite(tot):
        return False, s, S
    w_acc = np.zeros(n_ws)
    for k in range(K):
        c = z[k] / tot
        for m in range(n_ws):
            w_acc[m] += c * buf[k + 1, m]
    if positive:
        for m in range(n_ws):
            if w_acc[m] < 0.0:
                return False, s, S
    if pen is not None:
        for m in range(n_ws):
            j = ws[m]
            v = w_acc[m]
            lo_j = pen[1][j]
            hi_j = pen[2][j]
            # a combination of iterates on a bound lands within rounding of it:
            # snap it there (CD would), reject a point clearly outside the box
            snap = 1e-12 * (1.0 + abs(v))
            if abs(v - lo_j) <= snap:
                v = lo_j
            elif abs(v - hi_j) <= snap:
                v = hi_j
            if v < lo_j or v > hi_j:
                return False, s, S
            w_acc[m] = v
    # the values w can hold (float32 data: rounded), so R_acc matches them
    cell = np.empty(1, dtype=w.dtype)
    for m in range(n_ws):
        cell[0] = w_acc[m]
        w_acc[m] = cell[0]
    R_acc = R.copy()
    s_acc = s
    S_acc = S
    for m in range(n_ws):
        j = ws[m]
        d = w_acc[m] - w[j]
        if d != 0.0:
            col_axpy(Xd, j, -d, R_acc)
            if centered:
                s_acc += d * X_offset[j]
                S_acc -= d * zsum[j]
    # w is zero outside the working set: compare the objectives there only
    if _primal(R_acc, s_acc, sw, weighted, w_acc, ws, n_ws, l1, l2, pen) < (
        _primal_at(R, s, sw, weighted, w, ws, n_ws, l1, l2, pen)
    ):
        for i in range(R.shape[0]):
            R[i] = R_acc[i]
        for m in range(n_ws):
            w[ws[m]] = w_acc[m]
        return True, s_acc, S_acc
    return False, s, S
