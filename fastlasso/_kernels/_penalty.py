"""Penalty factors and box constraints ("general" mode), and the coordinate update.

``pen`` is ``None`` for the plain objective or the tuple ``(pf, lo, hi)``; every
``if pen is not None`` below is decided by Numba's branch pruning at compile time,
so the plain specialisations carry none of this code (nor ``np.linalg.lstsq``).
"""

import numpy as np
from numba import njit

from .._config import INNER
from ._colops import _LEAF, _xt_dot, col_axpy


@njit(**_LEAF)
def _pen_setup(Xd, y, sw, weighted, X_offset, centered, col_sq, pen):
    """``proj`` for :func:`gap_finish_gen` (None unless ``pen`` is given)."""
    if pen is not None:
        return proj_setup(Xd, y, sw, weighted, X_offset, centered, col_sq, pen)
    return None


@njit(**_LEAF)
def proj_setup(Xd, y, sw, weighted, X_offset, centered, col_sq, pen):
    """Cross products with the unpenalized columns ``U``.

    ``U`` holds the features with ``pf_j == 0``, ``lo_j < hi_j`` and a nonzero
    (centred) column; the others never need a projection. Returns
    ``(U, CU, Uy)``: ``CU[j, k] = Z_j^T W Z_{U_k}`` (p, |U|) and
    ``Uy[k] = Z_{U_k}^T W y``. Costs |U| passes over the data (once per call).
    """
    pf, lo, hi = pen
    n = y.shape[0]
    p = pf.shape[0]
    n_u = 0
    for j in range(p):
        if pf[j] == 0.0 and lo[j] < hi[j] and col_sq[j] > 0.0:
            n_u += 1
    U = np.empty(n_u, dtype=np.int64)
    m = 0
    for j in range(p):
        if pf[j] == 0.0 and lo[j] < hi[j] and col_sq[j] > 0.0:
            U[m] = j
            m += 1
    CU = np.zeros((p, n_u))
    Uy = np.zeros(n_u)
    v = np.zeros(n)
    out = np.empty(p)
    all_cols = np.arange(p)
    for k in range(n_u):
        u = U[k]
        v[:] = 0.0
        col_axpy(Xd, u, 1.0, v)
        mu = X_offset[u] if centered else 0.0
        tot = 0.0
        acc = 0.0
        for i in range(n):
            vi = v[i] - mu
            if weighted:
                vi *= sw[i]
            v[i] = vi
            tot += vi
            acc += vi * y[i]
        Uy[k] = acc
        _xt_dot(Xd, v, out, all_cols, p)
        for j in range(p):
            CU[j, k] = out[j] - (X_offset[j] * tot if centered else 0.0)
    return U, CU, Uy


@njit(**INNER)
def _box_conj(c, t, lo, hi):
    """sup over lo <= w <= hi of c w - t |w| (0 where a bound is infinite: the
    caller's scaling keeps c on the finite side up to rounding)."""
    if c > t and hi > 0.0 and hi < np.inf:
        return (c - t) * hi
    if c < -t and lo < 0.0 and lo > -np.inf:
        return (c + t) * lo
    return 0.0


@njit(**_LEAF)
def gap_finish_gen(g, w, l1, l2, pen, proj, cols, n_cols, R_norm2, Ry, XtA, scratch):
    """Duality gap with penalty factors and bounds from ``g = Z^T W R``.

    ``g`` must be valid on ``cols[:n_cols]``, which must contain every unpenalized
    feature (``proj[0]``). Fills ``XtA[j]`` (the dual correlations
    ``z_j^T W theta' - l2 pf_j w_j`` before scaling, 0 for projected features)
    and returns ``(gap, scale, primal)``; the dual point is ``scale * theta'``.
    ``scratch`` is a float64 array of length p.
    """
    pf, lo, hi = pen
    U, CU, Uy = proj
    n_u = U.shape[0]
    w_pen = 0.0
    w_l2 = 0.0
    for k in range(n_cols):
        j = cols[k]
        w_pen += pf[j] * abs(w[j])
        w_l2 += pf[j] * w[j] * w[j]
    # ---- projection on the unpenalized columns whose conjugate needs it ----
    inA = np.zeros(n_u, dtype=np.bool_)
    for k in range(n_u):
        j = U[k]
        inA[k] = (lo[j] < w[j] < hi[j]) or (lo[j] == -np.inf and hi[j] == np.inf)
    for j_c in range(n_cols):
        scratch[cols[j_c]] = g[cols[j_c]]
    R2 = R_norm2
    Ryp = Ry
    for _ in range(n_u + 1):
        n_a = 0
        for k in range(n_u):
            if inA[k]:
                n_a += 1
        if n_a > 0:
            A = np.empty(n_a, dtype=np.int64)
            m = 0
            for k in range(n_u):
                if inA[k]:
                    A[m] = k
                    m += 1
            G = np.empty((n_a, n_a))
            b = np.empty(n_a)
            for a_ in range(n_a):
                b[a_] = g[U[A[a_]]]
                for c_ in range(n_a):
                    G[a_, c_] = CU[U[A[a_]], A[c_]]
            coef = np.linalg.lstsq(G, b, -1.0)[0]
            R2 = R_norm2
            Ryp = Ry
            for a_ in range(n_a):
                R2 -= coef[a_] * b[a_]
                Ryp -= coef[a_] * Uy[A[a_]]
            R2 = max(R2, 0.0)
            for k in range(n_cols):
                j = cols[k]
                acc = g[j]
                for a_ in range(n_a):
                    acc -= CU[j, A[a_]] * coef[a_]
                scratch[j] = acc
            for a_ in range(n_a):
                scratch[U[A[a_]]] = 0.0
        # an unpenalized feature at a bound whose conjugate would be infinite
        added = False
        for k in range(n_u):
            j = U[k]
            if inA[k]:
                continue
            c = scratch[j]
            if (c > 0.0 and hi[j] == np.inf) or (c < 0.0 and lo[j] == -np.inf):
                inA[k] = True
                added = True
        if not added:
            break
    primal = 0.5 * (R_norm2 + l2 * w_l2) + l1 * w_pen
    if l1 == 0.0:
        # formulation B: theta = r' (no scaling); conjugate of 0.5 pf l2 w^2 + box
        conj = 0.0
        for k in range(n_cols):
            j = cols[k]
            c = scratch[j]
            XtA[j] = c
            t = pf[j] * l2
            if t > 0.0:
                wc = min(max(c / t, lo[j]), hi[j])
                conj += c * wc - 0.5 * t * wc * wc
            elif l2 == 0.0:
                # least squares with bounds: first-order residual (as scikit-learn's
                # ||X^T r||^2 for l1 = l2 = 0), with the bounds' sign conditions
                if w[j] <= lo[j] and c < 0.0 or w[j] >= hi[j] and c > 0.0:
                    c = 0.0
                conj += c * c
            else:
                conj += _box_conj(c, 0.0, lo[j], hi[j])
        if l2 == 0.0:
            return conj, 1.0, primal
        dual = Ryp - 0.5 * R2 - conj
        return primal - dual, 1.0, primal
    scale = 1.0
    for k in range(n_cols):
        j = cols[k]
        a = scratch[j] - l2 * pf[j] * w[j]
        XtA[j] = a
        t = pf[j] * l1
        if a > t and hi[j] == np.inf:
            scale = min(scale, t / a)
        elif a < -t and lo[j] == -np.inf:
            scale = min(scale, -t / a)
    conj = 0.0
    for k in range(n_cols):
        j = cols[k]
        conj += _box_conj(scale * XtA[j], pf[j] * l1, lo[j], hi[j])
    dual = scale * Ryp - 0.5 * scale * scale * (R2 + l2 * w_l2) - conj
    return primal - dual, scale, primal


@njit(**INNER)
def _screen_gen(XtA, scale, col_sq, l1, l2, pen, gap, excluded, active):
    """Gap-safe sphere test with penalty factors and bounds; rebuilds ``active``.

    Feature j is zero at the optimum if
    ``scale |XtA_j| + sqrt(2 gap) sqrt(col_sq_j + pf_j l2) < pf_j l1``
    (0 is inside [lo_j, hi_j], so |z_j^T theta*| < pf_j l1 implies w_j* = 0).
    Features with lo_j = hi_j = 0 are excluded at once. Returns ``n_active``.
    """
    pf, lo, hi = pen
    p = XtA.shape[0]
    radius = np.sqrt(2.0 * max(gap, 0.0))
    n_active = 0
    for j in range(p):
        if excluded[j]:
            continue
        if col_sq[j] == 0.0 or (lo[j] == 0.0 and hi[j] == 0.0):
            excluded[j] = True
            continue
        t = pf[j] * l1
        if t > 0.0 and (
            scale * abs(XtA[j]) + radius * np.sqrt(col_sq[j] + pf[j] * l2) < t
        ):
            excluded[j] = True
        else:
            active[n_active] = j
            n_active += 1
    return n_active


@njit(**INNER)
def _update(tmp, l1, cs, l2, positive, pen, j):
    """New value of coordinate j from ``tmp = z_j^T W r + w_j ||z_j||^2``."""
    if pen is not None:
        pfj = pen[0][j]
        v = _soft_threshold(tmp, l1 * pfj, cs + l2 * pfj, False)
        return min(max(v, pen[1][j]), pen[2][j])
    return _soft_threshold(tmp, l1, cs + l2, positive)


@njit(**INNER)
def _soft_threshold(tmp, l1, denom, positive):
    if positive and tmp < 0.0:
        return 0.0
    if tmp > l1:
        return (tmp - l1) / denom
    if tmp < -l1:
        return (tmp + l1) / denom
    return 0.0
