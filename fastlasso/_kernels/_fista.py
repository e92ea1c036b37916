"""FISTA kernels for the elastic-net objective (dense or CSC, one body).

Minimises, over ``w``, the same objective as the coordinate-descent kernels of
:mod:`._cd`::

    P(w) = 0.5 * sum_i sw_i * (y_i - z_i @ w)**2 + l1 * ||w||_1 + 0.5 * l2 * ||w||_2**2

with ``Z = X - 1 @ X_offset.T`` centred implicitly and the design passed as the
same tuple ``Xd`` (``(X_raveled_F, n)`` dense, ``(data, indices, indptr)`` CSC).

Method: accelerated proximal gradient (Beck & Teboulle 2009) on the smooth part
``0.5 ||r||_W^2``; the l1 and l2 terms are handled exactly by the proximal step
``w = S(v, t l1) / (1 + t l2)``. The step is ``t = 1 / L`` with ``L`` a
power-iteration estimate of the largest eigenvalue of ``Z^T W Z`` (seeded start
vector, safety factor :data:`LIPSCHITZ_SAFETY`). Adaptive restart (O'Donoghue &
Candes 2015, function scheme): an iterate whose objective is above the previous
one is rejected and the momentum reset; if even a plain proximal-gradient step
(no momentum) increases the objective, ``L`` was underestimated and is doubled.
The iterates are therefore monotone.

Each iteration costs two passes over the data: ``Z x`` for the residual at the
new iterate and ``Z^T W r`` for its gradient. The gradient at the extrapolated
point follows by linearity, and the duality gap at the current iterate costs only
O(n + p) on top, so the stopping certificate is checked at every iteration with
exactly the formula of the CD kernels (:func:`._cd._gap_from_parts`): stop when
``gap <= tol * sum_i sw_i y_i**2``. The
iterate, residual and gradients are float64; when the iterate passes the test
it is rounded to the dtype of ``w`` and, if that changed it, the gap is
recomputed at the rounded point, so the certificate is for the returned
coefficients.

The full-pass matvecs live in this module (STYLE.md 2.3: the Numba cache only
tracks a kernel's own file); only scalar pieces are imported, from ``_gap`` and
``_penalty``: the gap formulas, the coordinate update (the proximal step) and the
penalty set-up.
"""

import numpy as np
from numba import njit, types
from numba.extending import overload

from .._config import INNER
from ._colops import _LEAF, ENTRY
from ._gap import _gap_from_parts
from ._penalty import _pen_setup, _update, gap_finish_gen

#: ``L`` is this factor times the power-iteration estimate (a lower bound).
LIPSCHITZ_SAFETY = 1.05
#: Power iterations stop when the estimate changes by less than this (relative).
POWER_RTOL = 1e-3
POWER_MAX_ITER = 100

# --------------------------------------------------------------------------------------
# Full passes over the design (dense or CSC), selected at compile time


@njit(**_LEAF)
def _matvec_dense(X, n, x, out):
    """out = X @ x (out has length n, zeroed here)."""
    for i in range(n):
        out[i] = 0.0
    for j in range(x.shape[0]):
        a = x[j]
        if a == 0.0:
            continue
        col = X[j * n : (j + 1) * n]
        for i in range(n):
            out[i] += a * col[i]


@njit(**_LEAF)
def _matvec_csc(X_data, X_indices, X_indptr, x, out):
    for i in range(out.shape[0]):
        out[i] = 0.0
    for j in range(x.shape[0]):
        a = x[j]
        if a == 0.0:
            continue
        for k in range(X_indptr[j], X_indptr[j + 1]):
            out[X_indices[k]] += a * X_data[k]


@njit(**_LEAF)
def _rmatvec_dense(X, n, v, out):
    """out[j] = X[:, j] @ v for every column j."""
    for j in range(out.shape[0]):
        col = X[j * n : (j + 1) * n]
        acc = 0.0
        for i in range(n):
            acc += col[i] * v[i]
        out[j] = acc


@njit(**_LEAF)
def _rmatvec_csc(X_data, X_indices, X_indptr, v, out):
    for j in range(out.shape[0]):
        acc = 0.0
        for k in range(X_indptr[j], X_indptr[j + 1]):
            acc += X_data[k] * v[X_indices[k]]
        out[j] = acc


def _matvec(Xd, x, out):
    """out = X @ x (jitted code only)."""
    raise NotImplementedError


def _rmatvec(Xd, v, out):
    """out = X.T @ v (jitted code only)."""
    raise NotImplementedError


def _is_csc(Xd):
    return isinstance(Xd, types.BaseTuple) and len(Xd) == 3


@overload(_matvec, jit_options=_LEAF)
def _ol_matvec(Xd, x, out):
    if _is_csc(Xd):
        return lambda Xd, x, out: _matvec_csc(Xd[0], Xd[1], Xd[2], x, out)
    return lambda Xd, x, out: _matvec_dense(Xd[0], Xd[1], x, out)


@overload(_rmatvec, jit_options=_LEAF)
def _ol_rmatvec(Xd, v, out):
    if _is_csc(Xd):
        return lambda Xd, v, out: _rmatvec_csc(Xd[0], Xd[1], Xd[2], v, out)
    return lambda Xd, v, out: _rmatvec_dense(Xd[0], Xd[1], v, out)


# --------------------------------------------------------------------------------------
# Pieces


@njit(**_LEAF)
def _residual(Xd, y, x, X_offset, centered, r):
    """r = y - Z x = y - X x + (X_offset . x)."""
    _matvec(Xd, x, r)
    shift = 0.0
    if centered:
        for j in range(x.shape[0]):
            shift += X_offset[j] * x[j]
    for i in range(y.shape[0]):
        r[i] = y[i] - r[i] + shift


@njit(**_LEAF)
def _grad_gap(
    Xd,
    y,
    sw,
    weighted,
    X_offset,
    centered,
    x,
    r,
    g,
    rw,
    l1,
    l2,
    positive,
    pen,
    proj,
):
    """Fill ``g = Z^T W r``; return ``(primal, gap)`` at ``x`` (``r = y - Z x``).

    The gap is :func:`._cd._gap_from_parts` on the same ingredients as
    :func:`._cd.enet_gap` (formulation A for l1 > 0, B for l1 = 0 < l2).
    """
    n = y.shape[0]
    p = x.shape[0]
    R_norm2 = 0.0
    Ry = 0.0
    S = 0.0
    for i in range(n):
        wr = sw[i] * r[i] if weighted else r[i]
        rw[i] = wr
        R_norm2 += wr * r[i]
        Ry += wr * y[i]
        S += wr
    _rmatvec(Xd, rw, g)
    if pen is not None:
        if centered:
            for j in range(p):
                g[j] -= X_offset[j] * S
        # (its XtA output goes to a scratch array: g must stay the gradient)
        gap_g, _, primal_g = gap_finish_gen(
            g,
            x,
            l1,
            l2,
            pen,
            proj,
            np.arange(p),
            p,
            R_norm2,
            Ry,
            np.empty(p),
            np.empty(p),
        )
        return primal_g, gap_g
    sub = l2 if l1 > 0.0 else 0.0
    dual_norm = -np.inf if positive else 0.0
    xtr_norm2 = 0.0
    w_l1 = 0.0
    w_l2sq = 0.0
    for j in range(p):
        if centered:
            g[j] -= X_offset[j] * S
        gj = g[j]
        if positive and gj < 0.0:
            # l1 = 0: the conjugate of 0.5 l2 |w|^2 + ind(w >= 0) is |max(u, 0)|^2 / 2l2
            xtr_norm2 += 0.0
        else:
            xtr_norm2 += gj * gj
        a = gj - sub * x[j]
        if positive:
            if a > dual_norm:
                dual_norm = a
        elif abs(a) > dual_norm:
            dual_norm = abs(a)
        w_l1 += abs(x[j])
        w_l2sq += x[j] * x[j]
    primal = 0.5 * (R_norm2 + l2 * w_l2sq) + l1 * w_l1
    gap = _gap_from_parts(l1, l2, w_l1, w_l2sq, R_norm2, Ry, dual_norm, xtr_norm2)
    return primal, gap


@njit(**INNER)
def _xorshift32(state):
    """Marsaglia's xorshift32 on an int64 holding a value in [1, 2**32)."""
    state ^= (state << 13) & 0xFFFFFFFF
    state ^= state >> 17
    state ^= (state << 5) & 0xFFFFFFFF
    return state


@njit(**_LEAF)
def lipschitz(Xd, n, p, sw, weighted, X_offset, centered, seed):
    """Power-iteration estimate of ``||Z^T W Z||_2`` (times the safety factor).

    The start vector is drawn from a xorshift generator seeded with ``seed``, so
    the estimate is reproducible. Returns 1.0 for an all-zero design.
    """
    v = np.empty(p)
    state = (seed % 4294967295) + 1
    nrm = 0.0
    for j in range(p):
        state = _xorshift32(state)
        v[j] = state * (1.0 / 4294967296.0) - 0.5
        nrm += v[j] * v[j]
    nrm = np.sqrt(nrm)
    if nrm == 0.0:
        return 1.0
    for j in range(p):
        v[j] /= nrm
    u = np.empty(n)
    g = np.empty(p)
    lam = 0.0
    for _ in range(POWER_MAX_ITER):
        _matvec(Xd, v, u)
        shift = 0.0
        if centered:
            for j in range(p):
                shift += X_offset[j] * v[j]
        S = 0.0
        for i in range(n):
            u[i] = u[i] - shift
            if weighted:
                u[i] *= sw[i]
            S += u[i]
        _rmatvec(Xd, u, g)
        nrm = 0.0
        lam_new = 0.0
        for j in range(p):
            if centered:
                g[j] -= X_offset[j] * S
            lam_new += v[j] * g[j]  # Rayleigh quotient (|v| = 1)
            nrm += g[j] * g[j]
        nrm = np.sqrt(nrm)
        if nrm == 0.0 or not np.isfinite(nrm):
            break
        for j in range(p):
            v[j] = g[j] / nrm
        done = abs(lam_new - lam) <= POWER_RTOL * lam_new
        lam = lam_new
        if done:
            break
    if not lam > 0.0:
        return 1.0
    return LIPSCHITZ_SAFETY * lam


@njit(**_LEAF)
def _certify(
    Xd,
    y,
    sw,
    weighted,
    X_offset,
    centered,
    x,
    w,
    l1,
    l2,
    positive,
    gap,
    pen,
    proj,
):
    """Copy ``x`` into ``w`` (rounding to its dtype); return ``(exact, gap at w)``.

    When the copy is exact (float64, or no coefficient changed) the known ``gap``
    is returned without another pass; otherwise the gap is recomputed at ``w``.
    """
    p = x.shape[0]
    exact = True
    for j in range(p):
        w[j] = x[j]
        if w[j] != x[j]:
            exact = False
    if exact:
        return True, gap
    xr = w.astype(np.float64)
    r = np.empty(y.shape[0])
    rw = np.empty(y.shape[0])
    g = np.empty(p)
    _residual(Xd, y, xr, X_offset, centered, r)
    _, gap_w = _grad_gap(
        Xd,
        y,
        sw,
        weighted,
        X_offset,
        centered,
        xr,
        r,
        g,
        rw,
        l1,
        l2,
        positive,
        pen,
        proj,
    )
    return False, gap_w


# --------------------------------------------------------------------------------------
# Kernel


@njit(**ENTRY)
def fista_enet(
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
    lips,
    pen,
):
    """FISTA with adaptive restart on the elastic net, dense or CSC.

    Same inputs as :func:`._cd.cd_enet` plus ``lips``, a float64 array of length 1
    holding the Lipschitz constant ``L`` of ``Z^T W Z`` (in/out: estimated by
    power iteration from ``seed`` when ``lips[0] <= 0``, so a path estimates it
    once; doubled in place if found too small). ``col_sq``, ``xsw``, ``sw_sum``,
    ``random`` and ``screen`` are accepted for signature compatibility and unused.
    In/out: ``w``. Returns ``(gap, tol_gap, n_iter, converged)`` with the CD
    certificate ``gap <= tol * y^T W y``; ``n_iter`` counts FISTA iterations
    (two passes over the data each) and is 0 if ``w`` is already optimal.
    With ``pen`` (not None), penalty factors and bounds ``pen = (pf, lo, hi)`` as in
    :func:`._cd.cd_enet` (the proximal step clips to the box).
    """
    n = y.shape[0]
    p = w.shape[0]
    y_norm2 = 0.0
    for i in range(n):
        y_norm2 += (sw[i] * y[i] * y[i]) if weighted else (y[i] * y[i])
    tol_gap = tol * y_norm2

    # float64 iterates whatever the dtype of w: float32 iterates stall once the
    # steps fall below float32 resolution. The certificate is for w itself (below).
    x = w.astype(np.float64)
    x_old = x.copy()
    r = np.empty(n)
    rw = np.empty(n)
    g = np.empty(p)
    g_old = np.empty(p)
    g_y = np.empty(p)
    z = np.empty(p)  # extrapolated point
    proj = _pen_setup(Xd, y, sw, weighted, X_offset, centered, col_sq, pen)
    _residual(Xd, y, x, X_offset, centered, r)
    F, gap = _grad_gap(
        Xd,
        y,
        sw,
        weighted,
        X_offset,
        centered,
        x,
        r,
        g,
        rw,
        l1,
        l2,
        positive,
        pen,
        proj,
    )
    if gap <= tol_gap:
        return gap, tol_gap, 0, True

    if not lips[0] > 0.0:
        lips[0] = lipschitz(Xd, n, p, sw, weighted, X_offset, centered, seed)
    L = lips[0]
    for j in range(p):
        z[j] = x[j]
        g_y[j] = g[j]
    t = 1.0
    momentum = False
    converged = False
    n_iter = max_iter
    target = tol_gap  # tightened if rounding x to w's dtype loses the certificate
    for it in range(max_iter):
        F_old = F
        gap_old = gap
        step = 1.0 / L
        thr = step * l1
        for j in range(p):
            x_old[j] = x[j]
            g_old[j] = g[j]
            # the proximal step is the CD update with ||z_j||^2 = 1 and penalties
            # scaled by the step
            x[j] = _update(z[j] + step * g_y[j], thr, 1.0, step * l2, positive, pen, j)
        _residual(Xd, y, x, X_offset, centered, r)
        F, gap = _grad_gap(
            Xd,
            y,
            sw,
            weighted,
            X_offset,
            centered,
            x,
            r,
            g,
            rw,
            l1,
            l2,
            positive,
            pen,
            proj,
        )
        if gap <= target:
            ok, gap_w = _certify(
                Xd,
                y,
                sw,
                weighted,
                X_offset,
                centered,
                x,
                w,
                l1,
                l2,
                positive,
                gap,
                pen,
                proj,
            )
            if ok or gap_w <= tol_gap:
                gap = gap_w
                converged = True
                n_iter = it + 1
                break
            target *= 0.25
        if momentum and F > F_old:
            # function restart: reject the iterate, drop the momentum (the next,
            # plain, step is always accepted, so rounding cannot stall the loop)
            reject = True
        elif not momentum and F > F_old + 1e-9 * abs(F_old):
            # a plain proximal-gradient step with step 1/L cannot increase the
            # objective (beyond rounding): L was underestimated
            L *= 2.0
            lips[0] = L
            reject = True
        else:
            reject = False
        if reject:
            for j in range(p):
                x[j] = x_old[j]
                g[j] = g_old[j]
                z[j] = x[j]
                g_y[j] = g[j]
            F = F_old
            gap = gap_old
            t = 1.0
            momentum = False
            continue
        # gradient restart (O'Donoghue & Candes 2015, eq. 13): the step points
        # against the momentum
        dot = 0.0
        for j in range(p):
            dot += (z[j] - x[j]) * (x[j] - x_old[j])
        if dot > 0.0:
            t = 1.0
        t_new = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
        beta = (t - 1.0) / t_new
        t = t_new
        for j in range(p):
            z[j] = x[j] + beta * (x[j] - x_old[j])
            g_y[j] = g[j] + beta * (g[j] - g_old[j])
        momentum = beta > 0.0
    if not converged:
        _, gap = _certify(
            Xd,
            y,
            sw,
            weighted,
            X_offset,
            centered,
            x,
            w,
            l1,
            l2,
            positive,
            gap,
            pen,
            proj,
        )
    return gap, tol_gap, n_iter, converged
