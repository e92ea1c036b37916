"""Plain coordinate-descent kernels: :func:`cd_enet` (full passes with gap-safe
screening) and :func:`cd_enet_gram` (covariance updates on a Gram matrix).

Objective and conventions: see :mod:`fastlasso._kernels`.
"""

import numpy as np
from numba import njit

from .._config import INNER
from ._colops import _LEAF, _ZERO, ENTRY, _fold
from ._epoch import _epoch, _setup, _xorshift
from ._gap import _gap_from_parts, _l0_term, enet_gap
from ._penalty import _pen_setup, _soft_threshold
from ._screening import _drop_excluded, _screen_any, _screen_mask


@njit(**ENTRY)
def cd_enet(
    Xd,
    y,
    sw,
    weighted,
    X_offset,
    centered,
    col_sq,
    xsw,
    sw_sum,
    w,
    l1,
    l2,
    max_iter,
    tol,
    positive,
    random,
    seed,
    screen,
    pen,
):
    """Cyclic (or random) coordinate descent on the elastic net, dense or CSC.

    In: the design (see module docstring), ``y`` (n,) processed target, ``sw`` (n,)
    weights if ``weighted``, ``X_offset`` (p,) column centres if ``centered``,
    ``col_sq`` / ``xsw`` (p,) from :func:`col_stats`, ``sw_sum``, scaled penalties
    ``l1``, ``l2``; with ``pen`` (not None), penalty factors and bounds ``pen = (pf, lo,
    hi)`` (see :func:`gap_finish_gen`; ``positive`` is then ignored, use ``lo``).
    In/out: ``w`` (p,) warm start in, solution out. Returns
    ``(gap, tol_gap, n_iter, converged)``.
    """
    p = w.shape[0]
    R, y_norm2, zsum = _setup(Xd, y, sw, weighted, X_offset, centered, xsw, sw_sum, w)
    s = 0.0
    tol_gap = tol * y_norm2
    proj = _pen_setup(Xd, y, sw, weighted, X_offset, centered, col_sq, pen)
    scratch = np.empty(p if pen is not None else 0)

    XtA = np.empty(p)
    all_cols = np.arange(p)
    gap, dual_norm, S = enet_gap(
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
        all_cols,
        p,
        pen,
        proj,
        scratch,
    )
    if gap <= tol_gap:
        return gap, tol_gap, 0, True

    do_screen = screen and l1 > 0.0
    excluded = np.zeros(p, dtype=np.bool_)
    active = np.arange(p)
    n_active = p
    if do_screen:
        n_active = _screen_any(
            XtA, dual_norm, col_sq, l1, l2, gap, excluded, active, pen
        )
    s, S = _drop_excluded(Xd, w, R, excluded, X_offset, centered, zsum, s, S)

    state = (seed % 4294967295) + 1
    converged = False
    n_iter = max_iter
    work = _ZERO
    for it in range(max_iter):
        w_max, d_w_max, s, S, work, state = _epoch(
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
        )

        if w_max == 0.0 or d_w_max / w_max <= tol or it == max_iter - 1:
            if s != 0.0:
                _fold(R, s, R.shape[0])
                s = 0.0
                work = _ZERO
            gap, dual_norm, S = enet_gap(
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
                all_cols,
                p,
                pen,
                proj,
                scratch,
            )
            if gap <= tol_gap:
                converged = True
                n_iter = it + 1
                break
            if do_screen:
                n_active = _screen_any(
                    XtA, dual_norm, col_sq, l1, l2, gap, excluded, active, pen
                )
                s, S = _drop_excluded(
                    Xd, w, R, excluded, X_offset, centered, zsum, s, S
                )
    return gap, tol_gap, n_iter, converged


@njit(**_LEAF)
def _gap_gram(Q, q, y_norm2, w, Qw, l1, l2, positive, XtA):
    """Duality gap from the Gram matrix ``Q = Z^T W Z`` and ``q = Z^T W y``."""
    p = w.shape[0]
    q_w = 0.0
    wQw = 0.0
    w_l1 = 0.0
    w_l2sq = 0.0
    for j in range(p):
        q_w += q[j] * w[j]
        wQw += w[j] * Qw[j]
        w_l1 += abs(w[j])
        w_l2sq += w[j] * w[j]
    R_norm2 = y_norm2 + wQw - 2.0 * q_w
    Ry = y_norm2 - q_w
    sub = l2 if l1 > 0.0 else 0.0
    dual_norm = -np.inf if positive else 0.0
    xtr_norm2 = 0.0
    for j in range(p):
        g = q[j] - Qw[j]
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
def cd_enet_gram(
    Q, q, y_norm2, w, l1, l2, max_iter, tol, positive, random, seed, screen
):
    """Coordinate descent on the elastic net from the Gram matrix (covariance updates).

    In: ``Q`` (p, p) C-contiguous ``Z^T W Z``, ``q`` (p,) ``Z^T W y``, ``y_norm2`` =
    ``y^T W y``. In/out: ``w``. Each update costs O(p) (a row of ``Q``) instead of
    O(n): the mode of choice when n_samples >> n_features. Returns
    ``(gap, tol_gap, n_iter, converged)``.
    """
    p = w.shape[0]
    Qw = np.zeros(p)
    for k in range(p):
        acc = 0.0
        for j in range(p):
            acc += Q[k, j] * w[j]
        Qw[k] = acc
    tol_gap = tol * y_norm2
    XtA = np.empty(p)
    gap, dual_norm = _gap_gram(Q, q, y_norm2, w, Qw, l1, l2, positive, XtA)
    # (a gap slightly below 0 is rounding of a gap that is 0 in exact arithmetic)
    if gap <= tol_gap:
        return gap, tol_gap, 0, True

    diag = np.empty(p)
    for j in range(p):
        diag[j] = Q[j, j]
    do_screen = screen and l1 > 0.0
    excluded = np.zeros(p, dtype=np.bool_)
    active = np.arange(p)
    n_active = p
    if do_screen:
        n_active = _screen_mask(
            XtA, dual_norm, diag, l1, l2, abs(gap), excluded, active
        )
        _drop_gram(Q, w, Qw, excluded)

    state = (seed % 4294967295) + 1
    converged = False
    n_iter = max_iter
    for it in range(max_iter):
        w_max = 0.0
        d_w_max = 0.0
        for f in range(n_active):
            if random:
                state = _xorshift(state)
                j = active[state % n_active]
            else:
                j = active[f]
            qjj = diag[j]
            if qjj == 0.0:
                continue
            w_j = w[j]
            new = _soft_threshold(q[j] - Qw[j] + w_j * qjj, l1, qjj + l2, positive)
            if new != w_j:
                d = new - w_j
                for k in range(p):
                    Qw[k] += d * Q[j, k]
                w[j] = new
            d_w_max = max(d_w_max, abs(new - w_j))
            w_max = max(w_max, abs(new))
        if w_max == 0.0 or d_w_max / w_max <= tol or it == max_iter - 1:
            gap, dual_norm = _gap_gram(Q, q, y_norm2, w, Qw, l1, l2, positive, XtA)
            if gap <= tol_gap:
                converged = True
                n_iter = it + 1
                break
            if do_screen:
                n_active = _screen_mask(
                    XtA, dual_norm, diag, l1, l2, abs(gap), excluded, active
                )
                _drop_gram(Q, w, Qw, excluded)
    return gap, tol_gap, n_iter, converged


@njit(**INNER)
def _drop_gram(Q, w, Qw, excluded):
    """Set excluded coefficients to zero, keeping ``Qw == Q @ w``."""
    p = w.shape[0]
    for j in range(p):
        if excluded[j] and w[j] != 0.0:
            wj = w[j]
            for k in range(p):
                Qw[k] -= wj * Q[j, k]
            w[j] = 0.0
