"""Gap-safe screening, the sequential strong rule and working-set selection.

Gap-safe sphere tests (Fercoq, Gramfort, Salmon 2015; Ndiaye et al. 2017,
arXiv:1802.07481, eq. 11); strong rule (Tibshirani et al. 2012, JRSS-B 74(2),
eq. 6); :func:`_smallest`, an O(p) selection of the best-scored features.
"""

import numpy as np
from numba import njit

from .._config import INNER
from ._colops import _LEAF, col_axpy
from ._penalty import _screen_gen


@njit(**_LEAF)
def _screen_ws(XtA, dual_norm, inv_norm, col_sq, l1, l2, gap, excluded, active, pen):
    """Gap-safe screening for :func:`cd_enet_ws` with the precomputed
    ``inv_norm_j = 1 / sqrt(col_sq_j + l2)`` (the test of :func:`_screen_mask`,
    without a square root and a division per feature on every outer iteration)."""
    if pen is not None:
        _screen_gen(XtA, dual_norm, col_sq, l1, l2, pen, gap, excluded, active)
        return
    radius = np.sqrt(2.0 * max(gap, 0.0)) / l1
    inv_scale = 1.0 / max(l1, dual_norm)
    for j in range(XtA.shape[0]):
        if (1.0 - abs(XtA[j]) * inv_scale) * inv_norm[j] > radius:
            excluded[j] = True


@njit(**_LEAF)
def _screen_any(XtA, dn, col_sq, l1, l2, gap, excluded, active, pen):
    """:func:`_screen_mask` or, with ``pen`` not None, :func:`_screen_gen`."""
    if pen is not None:
        return _screen_gen(XtA, dn, col_sq, l1, l2, pen, gap, excluded, active)
    return _screen_mask(XtA, dn, col_sq, l1, l2, gap, excluded, active)


@njit(**INNER)
def _screen_mask(XtA, dual_norm, col_sq, l1, l2, gap, excluded, active):
    """Gap-safe sphere test; marks newly excluded features, rebuilds ``active``.

    Feature j survives iff (1 - |x_j^T theta|) / sqrt(||x_j||^2 + l2) <= sqrt(2 gap)/l1
    with theta the rescaled dual point (Ndiaye et al. 2017, eq. 11). Returns the
    number of active features.
    """
    p = XtA.shape[0]
    radius = np.sqrt(2.0 * max(gap, 0.0)) / l1
    scale = max(l1, dual_norm)
    n_active = 0
    for j in range(p):
        if excluded[j]:
            continue
        if col_sq[j] == 0.0:
            excluded[j] = True
            continue
        d_j = (1.0 - abs(XtA[j]) / scale) / np.sqrt(col_sq[j] + l2)
        if d_j <= radius:
            active[n_active] = j
            n_active += 1
        else:
            excluded[j] = True
    return n_active


@njit(**_LEAF)
def _drop_excluded(Xd, w, R, excluded, X_offset, centered, zsum, s, S):
    """Zero the screened-out coefficients, keeping ``r = R + s`` and ``S`` exact."""
    for j in range(w.shape[0]):
        if excluded[j] and w[j] != 0.0:
            col_axpy(Xd, j, w[j], R)
            if centered:
                s -= w[j] * X_offset[j]
                S += w[j] * zsum[j]
            w[j] = 0.0
    return s, S


@njit(**INNER)
def _kth_smallest(scores, k):
    """The ``k``-th smallest value of ``scores`` (0-based), in O(p) expected time.

    Hoare's selection (FIND, Hoare 1961, with Wirth's loop) on a copy, median-of-three
    pivot. Written out rather than ``np.partition``, whose Numba implementation
    (argument checks, ``np.unique`` of the kth, sorts) cost about 2 s of compile time
    in every specialisation.
    """
    n = scores.shape[0]
    a = np.empty(n)
    for i in range(n):
        a[i] = scores[i]
    lo = 0
    hi = n - 1
    while lo < hi:
        mid = (lo + hi) // 2
        x = max(min(a[lo], a[mid]), min(max(a[lo], a[mid]), a[hi]))
        i = lo
        j = hi
        while i <= j:
            while a[i] < x:
                i += 1
            while x < a[j]:
                j -= 1
            if i <= j:
                a[i], a[j] = a[j], a[i]
                i += 1
                j -= 1
        if j < k:
            lo = i
        if k < i:
            hi = j
    return a[k]


@njit(**INNER)
def _smallest(scores, k, out):
    """Indices of the ``k`` smallest scores, in increasing index order, into ``out``.

    O(p) selection (:func:`_kth_smallest`) instead of a full sort; ties at the
    k-th value are taken in index order. Returns ``k``.
    """
    kth = _kth_smallest(scores, k - 1)
    n_below = 0
    for j in range(scores.shape[0]):
        if scores[j] < kth:
            n_below += 1
    n_ties = k - n_below
    m = 0
    for j in range(scores.shape[0]):
        if scores[j] < kth:
            out[m] = j
            m += 1
        elif scores[j] == kth and n_ties > 0:
            out[m] = j
            m += 1
            n_ties -= 1
    return k


@njit(**_LEAF)
def _ws_reset(col_sq, l2, inv_l2, inv_norm, excluded):
    """Per-alpha state of the scored working sets: ``excluded`` reset to the empty
    columns and ``inv_norm_j = 1 / ||x_aug_j||`` (0 for empty columns), recomputed
    only when ``l2`` differs from ``inv_l2``, the one it holds. Returns ``l2``."""
    if l2 == inv_l2:
        for j in range(col_sq.shape[0]):
            excluded[j] = col_sq[j] == 0.0
        return l2
    for j in range(col_sq.shape[0]):
        excluded[j] = col_sq[j] == 0.0
        inv_norm[j] = 0.0 if excluded[j] else 1.0 / np.sqrt(col_sq[j] + l2)
    return l2


@njit(**_LEAF)
def _strong_set(w, XtA, dual_norm, col_sq, thr, pen, ws):
    """First working set of a warm-started alpha: the sequential strong rule.

    Keeps the support, every unpenalized feature and the features whose
    correlation with the previous solution's residual is at least
    ``thr = 2 l1 - l1_prev`` (times ``pf_j``): Tibshirani et al. 2012, "Strong
    rules for discarding predictors in lasso-type problems", JRSS-B 74(2),
    eq. (6). Only a guess at the support: the duality gap of the full problem
    still decides, and a missed feature joins a later, scored working set.
    One O(p) loop, no scores and no selection. Returns the set's size and the
    support's.
    """
    n_ws = 0
    n_supp = 0
    for j in range(w.shape[0]):
        if col_sq[j] == 0.0:
            continue
        if w[j] != 0.0:
            keep = True
            n_supp += 1
        elif pen is not None:
            keep = dual_norm * abs(XtA[j]) >= pen[0][j] * thr
        else:
            keep = abs(XtA[j]) >= thr
        if keep:
            ws[n_ws] = j
            n_ws += 1
    return n_ws, n_supp
