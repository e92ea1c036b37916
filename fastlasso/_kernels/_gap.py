"""Duality-gap certificates of the elastic net (plain penalties).

:func:`_gap_from_parts` is the scalar formula (formulation A for ``l1 > 0``, B for
ridge); :func:`xtr_pass` is the one pass over the data a gap costs;
:func:`gap_finish` turns its correlations into the gap; :func:`enet_gap` and
:func:`_full_gap` chain the two (``_full_gap`` fused over every feature). With
penalty factors and bounds (``pen`` not None) the gap is
:func:`._penalty.gap_finish_gen`'s.
"""

import numpy as np
from numba import njit

from .._config import INNER
from ._colops import _LEAF, ENTRY, _xt_dot, col_dot
from ._penalty import gap_finish_gen


@njit(**INNER)
def _gap_from_parts(l1, l2, w_l1, w_l2sq, R_norm2, Ry, dual_norm, xtr_norm2):
    """Duality gap of the elastic net from its scalar ingredients.

    l1 > 0: formulation A (dual point = residual rescaled into the dual-feasible
    set ||X^T theta - l2 w||_inf <= l1). l1 == 0 < l2: formulation B (Duenner et
    al. 2016, sec. 5.2.3; scikit-learn PR #32845). l1 == l2 == 0: ||X^T r||^2 (OLS
    first-order condition), as scikit-learn.
    """
    if l1 == 0.0:
        if l2 == 0.0:
            return xtr_norm2
        return R_norm2 + 0.5 * l2 * w_l2sq - Ry + xtr_norm2 / (2.0 * l2)
    primal = 0.5 * (R_norm2 + l2 * w_l2sq) + l1 * w_l1
    scale = 1.0
    if dual_norm > l1:
        scale = l1 / dual_norm
    dual = -0.5 * scale * scale * (R_norm2 + l2 * w_l2sq) + scale * Ry
    return primal - dual


@njit(**INNER)
def _l0_term(g, w_j, l2, positive):
    """Feature j's share of the l1 = 0 certificate, from g = z_j^T W r.

    Formulation B sums g**2 / (2 l2): the conjugate of (l2/2) w**2. With
    ``positive`` the conjugate of (l2/2) w**2 + indicator(w >= 0) is
    max(g, 0)**2 / (2 l2), so only max(g, 0) counts (scikit-learn uses g**2 there
    and never certifies a sign-constrained ridge). For l2 = 0 (least squares) the
    first-order residual is g where w_j > 0 and max(g, 0) where w_j = 0.
    """
    if positive and (l2 > 0.0 or w_j <= 0.0):
        g = max(g, 0.0)
    return g * g


@njit(**_LEAF)
def _r_stats(y, sw, weighted, R):
    """``(R^T W R, R^T W y, sum_i sw_i R_i)``: O(n), no pass over the data."""
    R_norm2 = 0.0
    Ry = 0.0
    S = 0.0
    for i in range(y.shape[0]):
        wr = sw[i] * R[i] if weighted else R[i]
        R_norm2 += wr * R[i]
        Ry += wr * y[i]
        S += wr
    return R_norm2, Ry, S


@njit(**_LEAF)
def xtr_pass(Xd, y, sw, weighted, X_offset, centered, R, XtR, cols, n_cols):
    """Correlations of the features ``cols[:n_cols]`` with the residual.

    Fills ``XtR[j] = Z_j^T diag(sw) R`` (centred) and returns ``(R_norm2, Ry, S)``:
    ``R^T W R``, ``R^T W y`` and ``S = sum_i sw_i R_i``. This is the one pass over
    the data that a duality gap costs.
    """
    R_norm2, Ry, S = _r_stats(y, sw, weighted, R)
    if weighted:
        v = np.empty(y.shape[0])
        for i in range(y.shape[0]):
            v[i] = sw[i] * R[i]
        _xt_dot(Xd, v, XtR, cols, n_cols)
    else:
        _xt_dot(Xd, R, XtR, cols, n_cols)
    if centered:
        for k in range(n_cols):
            j = cols[k]
            XtR[j] -= X_offset[j] * S
    return R_norm2, Ry, S


@njit(**_LEAF)
def gap_finish(XtR, w, l1, l2, positive, cols, n_cols, R_norm2, Ry, XtA):
    """Duality gap from the correlations ``XtR`` (see :func:`xtr_pass`).

    Fills ``XtA[j] = XtR[j] - l2 * w_j`` (``XtR[j]`` when ``l1 == 0``) for
    ``j`` in ``cols[:n_cols]`` and returns ``(gap, dual_norm)`` with ``dual_norm =
    max_j |XtA_j|`` (``max_j XtA_j`` if ``positive``). O(p): no pass over the data,
    so a path can re-evaluate the gap at a new alpha for free.
    """
    # w is zero outside cols (see enet_gap): O(n_cols), not O(p), so the gap of
    # a small working set stays cheap
    w_l1 = 0.0
    w_l2sq = 0.0
    for k in range(n_cols):
        j = cols[k]
        w_l1 += abs(w[j])
        w_l2sq += w[j] * w[j]
    sub = l2 if l1 > 0.0 else 0.0
    dual_norm = -np.inf if positive else 0.0
    xtr_norm2 = 0.0
    if l1 > 0.0 and not positive:
        # the common case, branch-free (xtr_norm2 is only used when l1 == 0)
        for k in range(n_cols):
            j = cols[k]
            a = XtR[j] - sub * w[j]
            XtA[j] = a
            dual_norm = max(dual_norm, abs(a))
    else:
        for k in range(n_cols):
            j = cols[k]
            g = XtR[j]
            xtr_norm2 += _l0_term(g, w[j], l2, positive)
            a = g - sub * w[j]
            XtA[j] = a
            if positive:
                if a > dual_norm:
                    dual_norm = a
            elif abs(a) > dual_norm:
                dual_norm = abs(a)
    gap = _gap_from_parts(l1, l2, w_l1, w_l2sq, R_norm2, Ry, dual_norm, xtr_norm2)
    return gap, dual_norm


@njit(**ENTRY)
def enet_gap(
    Xd,
    y,
    sw,
    weighted,
    X_offset,
    centered,
    w,
    R,
    l1,
    l2,
    positive,
    XtA,
    cols,
    n_cols,
    pen,
    proj,
    scratch,
):
    """Duality gap at ``w`` given the (folded) residual ``R = y - Z w``.

    The problem is restricted to the features ``cols[:n_cols]`` (all of them for the
    certificate of the full problem; a working set for an inner solve); ``w`` must be
    zero outside them. Fills ``XtA[j] = Z_j^T diag(sw) R - l2 * w_j`` for those
    features (without the ``- l2 w`` term when ``l1 == 0``) and returns
    ``(gap, dual_norm, S)`` where ``dual_norm`` is ``max_j |XtA_j|`` (``max_j XtA_j``
    if ``positive``) and ``S = sum_i sw_i R_i``. Scalars accumulate in float64
    whatever the dtype of the data. With ``pen`` (penalty factors and bounds
    ``pen``, unpenalized cross products ``proj``) the gap is
    :func:`gap_finish_gen`'s and the second value is the dual scale instead.
    """
    R_norm2, Ry, S = xtr_pass(
        Xd, y, sw, weighted, X_offset, centered, R, XtA, cols, n_cols
    )
    gap, dual_norm = _finish_any(
        XtA,
        w,
        l1,
        l2,
        positive,
        cols,
        n_cols,
        R_norm2,
        Ry,
        XtA,
        pen,
        proj,
        scratch,
    )
    return gap, dual_norm, S


@njit(**_LEAF)
def _finish_any(
    XtR,
    w,
    l1,
    l2,
    positive,
    cols,
    n_cols,
    R_norm2,
    Ry,
    XtA,
    pen,
    proj,
    scratch,
):
    """:func:`gap_finish` or, with ``pen`` not None, :func:`gap_finish_gen` (whose
    second value, the dual scale, then replaces ``dual_norm``)."""
    if pen is not None:
        gap, scale, _ = gap_finish_gen(
            XtR, w, l1, l2, pen, proj, cols, n_cols, R_norm2, Ry, XtA, scratch
        )
        return gap, scale
    return gap_finish(XtR, w, l1, l2, positive, cols, n_cols, R_norm2, Ry, XtA)


@njit(**_LEAF)
def _full_gap(
    Xd, y, sw, weighted, X_offset, centered, R, XtR, XtA, w, l1, l2, positive, pen,
    proj, scratch, all_cols,
):  # fmt: skip
    """:func:`xtr_pass` then :func:`_finish_any` over every feature (``l1 > 0``).

    The plain Lasso / ENet case runs as one loop (correlation, centring, dual
    norm and the norms of ``w`` per column) instead of three over p. Returns
    ``(gap, dual_norm, S)``.
    """
    p = XtR.shape[0]
    if pen is not None or positive:
        R_norm2, Ry, S = xtr_pass(
            Xd, y, sw, weighted, X_offset, centered, R, XtR, all_cols, p
        )
        gap, dual_norm = _finish_any(
            XtR, w, l1, l2, positive, all_cols, p, R_norm2, Ry, XtA, pen,
            proj, scratch,
        )  # fmt: skip
        return gap, dual_norm, S
    R_norm2, Ry, S = _r_stats(y, sw, weighted, R)
    v = R
    if weighted:
        v = np.empty(y.shape[0])
        for i in range(y.shape[0]):
            v[i] = sw[i] * R[i]
    w_l1 = 0.0
    w_l2sq = 0.0
    dual_norm = 0.0
    for j in range(p):
        g = col_dot(Xd, j, v)
        if centered:
            g -= X_offset[j] * S
        XtR[j] = g
        a = g - l2 * w[j]
        XtA[j] = a
        dual_norm = max(dual_norm, abs(a))
        w_l1 += abs(w[j])
        w_l2sq += w[j] * w[j]
    gap = _gap_from_parts(l1, l2, w_l1, w_l2sq, R_norm2, Ry, dual_norm, 0.0)
    return gap, dual_norm, S
