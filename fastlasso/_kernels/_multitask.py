"""Block coordinate descent for the multi-task elastic net (:func:`mt_enet`).

The kernel minimises, over ``W`` of shape (n_features, n_tasks) (row ``j`` holds
feature j's coefficients for every task),

    P(W) = 0.5 * sum_t sum_i sw_i * (Y_ti - z_i @ W[:, t])**2
           + sum_j pf_j * (l1 * ||W_j||_2 + 0.5 * l2 * ||W_j||_2**2)

with ``Z = X - 1 @ X_offset.T`` centred implicitly, as the single-task kernels
(see the package docstring). The residual is stored task-major, ``R[t]`` being
task t's residual (a contiguous vector, so ``col_dot`` / ``col_axpy`` serve every
task), with one centring offset ``s[t]`` per task: ``r_t = R[t] + s[t]``.

One update visits feature j's row (Simon, Friedman, Hastie 2013, "A blockwise
descent algorithm for group-penalized multiresponse and multinomial regression",
arXiv:1311.6529): ``g = Z_j^T W r + col_sq_j W_j`` over the tasks, then block
soft-thresholding ``W_j = g * max(1 - l1 pf_j / ||g||, 0) / (col_sq_j + l2 pf_j)``.

Certificate: the multi-task duality gap of scikit-learn's
``enet_coordinate_descent_multi_task`` (formulation A: the residual, augmented by
``-sqrt(l2 pf_j) W_j``, rescaled into the dual-feasible set
``||Z_j^T theta - l2 pf_j W_j||_2 <= l1 pf_j``, i.e. by ``l1 / max_j
(||XtA_j|| / pf_j)``); features with ``pf_j = 0`` are handled by projecting the
residual onto the orthogonal complement of their columns (``proj``; the gap is
in :mod:`._mt_gap`). Stop when
``gap <= tol * sum_t sum_i sw_i Y_ti**2``.

Speed-ups (each leaves the certificate, hence the answer, unchanged): working
sets ranked by the gap-safe distance (Massias, Gramfort, Salmon 2018, celer, for
the multi-task Lasso), group gap-safe screening (Ndiaye et al. 2017,
arXiv:1703.07285, eq. 2.2), Anderson extrapolation of the working-set iterates
(Bertrand & Massias 2021; skglm), warm starts along the path.
"""

import numpy as np
from numba import njit

from ._anderson import _solve_small
from ._colops import _LEAF, _ZERO, ENTRY, col_axpy, col_nnz
from ._epoch import _xorshift
from ._mt_gap import _mt_dots, _mt_flush, _mt_gap, _mt_gap_from
from ._screening import _smallest


@njit(**_LEAF)
def _mt_fold(R, s):
    """Fold the per-task offsets ``s`` into ``R`` (``r_t = R[t] + s[t]``)."""
    for t in range(R.shape[0]):
        if s[t] != 0.0:
            row = R[t]
            for i in range(R.shape[1]):
                row[i] += s[t]
            s[t] = 0.0


@njit(**_LEAF)
def _mt_setup(Xd, Y, sw, weighted, X_offset, centered, xsw, sw_sum, W):
    """Residual ``R = Y - Z W`` (task-major, folded), ``sum sw Y**2`` and
    ``zsum_j = sum_i sw_i z_ij``."""
    T, n = Y.shape
    p = W.shape[0]
    R = np.empty((T, n))  # float64 residual even for float32 data
    for t in range(T):
        for i in range(n):
            R[t, i] = Y[t, i]
    s = np.zeros(T)
    for j in range(p):
        for t in range(T):
            if W[j, t] != 0.0:
                col_axpy(Xd, j, -W[j, t], R[t])
                if centered:
                    s[t] += W[j, t] * X_offset[j]
    _mt_fold(R, s)
    y_norm2 = 0.0
    for t in range(T):
        for i in range(n):
            yi = Y[t, i]
            y_norm2 += (sw[i] * yi * yi) if weighted else yi * yi
    zsum = np.empty(p)
    for j in range(p):
        zsum[j] = xsw[j] - (X_offset[j] * sw_sum if centered else 0.0)
    return R, y_norm2, zsum


@njit(**_LEAF)
def _mt_epoch(
    Xd, sw, weighted, X_offset, centered, col_sq, xsw, zsum, W, R, l1, l2, pf,
    random, state, ws, n_ws, s, S, work, g,
):  # fmt: skip
    """One pass of block updates over the rows ``ws[:n_ws]``.

    Keeps ``r_t = R[t] + s[t]`` and ``S[t] = sum_i sw_i r_ti`` exact (``s`` and
    ``S`` updated in place); folds ``s`` once the work since the last fold reaches
    n. Returns ``(w_max, d_w_max, work, state)``: the largest ``|W_jt|`` and
    ``|change of W_jt|`` over the pass.
    """
    T, n = R.shape
    w_max = 0.0
    d_w_max = 0.0
    dp = np.zeros(T)  # the last updated row's change, not yet in R
    jp = 0
    pend = False
    for f in range(n_ws):
        if random:
            state = _xorshift(state)
            j = ws[state % n_ws]
        else:
            j = ws[f]
        cs = col_sq[j]
        if cs == 0.0:
            continue
        _mt_dots(Xd, j, jp, dp, pend, R, sw, weighted, g)
        pend = False
        nn = 0.0
        for t in range(T):
            a = g[t]
            if centered:
                a += s[t] * xsw[j] - X_offset[j] * S[t]
            a += cs * W[j, t]
            g[t] = a
            nn += a * a
        nn = np.sqrt(nn)
        thr = l1 * pf[j]
        factor = 0.0
        if nn > thr:
            factor = (1.0 - thr / nn) / (cs + l2 * pf[j])
        for t in range(T):
            old = W[j, t]
            W[j, t] = g[t] * factor
            new = W[j, t]  # the stored (possibly float32) value
            d = new - old
            dp[t] = d
            if d != 0.0:
                pend = True
                work += col_nnz(Xd, j)
                if centered:
                    s[t] += d * X_offset[j]
                    S[t] -= d * zsum[j]
            d_w_max = max(d_w_max, abs(d))
            w_max = max(w_max, abs(new))
        if pend:
            jp = j
    _mt_flush(Xd, jp, dp, pend, R)
    if centered and work >= n:
        _mt_fold(R, s)
        work = _ZERO
    return w_max, d_w_max, work, state


@njit(**_LEAF)
def _mt_screen(rn, dual_norm, col_sq, l1, l2, pf, gap, excluded):
    """Group gap-safe sphere test: row j is zero at the optimum if
    ``(l1 pf_j - scale ||XtA_j||) / sqrt(col_sq_j + l2 pf_j) > sqrt(2 gap)``
    (``scale`` the dual rescaling); marks it in ``excluded``."""
    radius = np.sqrt(2.0 * max(gap, 0.0))
    scale = l1 / max(l1, dual_norm)
    for j in range(rn.shape[0]):
        if excluded[j]:
            continue
        if col_sq[j] == 0.0:
            excluded[j] = True
            continue
        pfj = pf[j]
        if pfj == 0.0:
            continue
        d_j = (l1 * pfj - scale * rn[j]) / np.sqrt(col_sq[j] + l2 * pfj)
        if d_j > radius:
            excluded[j] = True


@njit(**_LEAF)
def _mt_drop(Xd, W, R, excluded, X_offset, centered, zsum, s, S):
    """Zero the screened-out rows, keeping ``r = R + s`` and ``S`` exact."""
    for j in range(W.shape[0]):
        if not excluded[j]:
            continue
        for t in range(W.shape[1]):
            if W[j, t] != 0.0:
                col_axpy(Xd, j, W[j, t], R[t])
                if centered:
                    s[t] -= W[j, t] * X_offset[j]
                    S[t] += W[j, t] * zsum[j]
                W[j, t] = 0.0


@njit(**_LEAF)
def _mt_select(
    W, rn, excluded, dual_norm, l1, l2, pf, col_sq, scores, ws, target, prev
):
    """Working set into ``ws``: the support and the unpenalized rows first, then
    the rows closest to dual-active by the gap-safe distance
    ``(l1 pf_j - scale ||XtA_j||) / sqrt(col_sq_j + l2 pf_j)`` (celer's
    multi-task rule). Size ``max(target, 2 |support|)``, or ``4 |support|`` when
    the support fills 90% of the previous set (size ``prev``): the set was too
    small, and doubling from ``ws_start`` took 8 full gaps to reach a support
    of 1400 rows (alpha_max / 100, p = 10000, 20 tasks); at most the rows not
    screened out. Returns ``(n_ws, n_support)``."""
    p, T = W.shape
    scale = l1 / max(l1, dual_norm)
    n_alive = 0
    n_supp = 0
    for j in range(p):
        if excluded[j]:
            scores[j] = np.inf
            continue
        n_alive += 1
        nz = pf[j] == 0.0
        for t in range(T):
            if W[j, t] != 0.0:
                nz = True
                break
        if nz:
            n_supp += 1
            scores[j] = -np.inf
        else:
            sc = (l1 * pf[j] - scale * rn[j]) / np.sqrt(col_sq[j] + l2 * pf[j])
            # NaN (non-finite data) would break the selection's comparisons
            scores[j] = sc if sc == sc else np.inf
    if n_alive == 0:
        return 0, 0
    grow = 4 if prev > 0 and n_supp >= 0.9 * prev else 2
    size = min(n_alive, max(target, grow * n_supp))
    return _smallest(scores, size, ws), n_supp


@njit(**_LEAF)
def _mt_objective(R, s, sw, weighted, V, ws, n_ws, l1, l2, pf):
    """Objective at a point that is ``V[m]`` on row ``ws[m]``, zero elsewhere,
    whose residual is ``R + s``."""
    T, n = R.shape
    acc = 0.0
    for t in range(T):
        for i in range(n):
            r = R[t, i] + s[t]
            acc += (sw[i] * r * r) if weighted else r * r
    pen = 0.0
    for m in range(n_ws):
        nrm2 = 0.0
        for t in range(T):
            nrm2 += V[m * T + t] * V[m * T + t]
        pen += pf[ws[m]] * (l1 * np.sqrt(nrm2) + 0.5 * l2 * nrm2)
    return 0.5 * acc + pen


@njit(**_LEAF)
def _mt_anderson(
    Xd, sw, weighted, X_offset, centered, zsum, W, R, s, S, l1, l2, pf, ws, n_ws,
    buf, K,
):  # fmt: skip
    """Anderson extrapolation of the last ``K + 1`` working-set iterates in
    ``buf`` (rows: iterates, flattened ``W[ws[m], t]`` at ``m * T + t``).

    Bertrand & Massias (2021): with ``U_k = w^{k+1} - w^k`` solve
    ``(U U^T) z = 1``, ``c = z / sum(z)``, ``w_acc = sum_k c_k w^{k+1}``; kept
    only if it lowers the objective. Updates ``W``, ``R``, ``s``, ``S`` in place
    on acceptance; returns whether it was accepted.
    """
    T = W.shape[1]
    m_tot = n_ws * T
    C = np.empty((K, K))
    for a in range(K):
        for b in range(a, K):
            acc = 0.0
            for m in range(m_tot):
                acc += (buf[a + 1, m] - buf[a, m]) * (buf[b + 1, m] - buf[b, m])
            C[a, b] = acc
            C[b, a] = acc
    z, ok = _solve_small(C, np.ones(K))
    tot = z.sum()
    if not ok or tot == 0.0 or not np.isfinite(tot):
        return False
    cell = np.empty(1, dtype=W.dtype)
    V = np.zeros(m_tot)
    for k in range(K):
        c = z[k] / tot
        for m in range(m_tot):
            V[m] += c * buf[k + 1, m]
    for m in range(m_tot):
        cell[0] = V[m]  # the values W can hold (float32 data: rounded)
        V[m] = cell[0]
    R_acc = R.copy()
    s_acc = s.copy()
    S_acc = S.copy()
    for m in range(n_ws):
        j = ws[m]
        for t in range(T):
            d = V[m * T + t] - W[j, t]
            if d != 0.0:
                col_axpy(Xd, j, -d, R_acc[t])
                if centered:
                    s_acc[t] += d * X_offset[j]
                    S_acc[t] -= d * zsum[j]
    cur = np.empty(m_tot)
    for m in range(n_ws):
        for t in range(T):
            cur[m * T + t] = W[ws[m], t]
    if _mt_objective(R_acc, s_acc, sw, weighted, V, ws, n_ws, l1, l2, pf) >= (
        _mt_objective(R, s, sw, weighted, cur, ws, n_ws, l1, l2, pf)
    ):
        return False
    R[:, :] = R_acc
    s[:] = s_acc
    S[:] = S_acc
    for m in range(n_ws):
        for t in range(T):
            W[ws[m], t] = V[m * T + t]
    return True


#: Inner epochs sweep the whole working set once every ``_FULL_EVERY`` epochs and
#: only its non-zero rows in between (glmnet's active-set cycling, Friedman,
#: Hastie, Tibshirani 2010, section 2.6): a zero row that stays zero costs a
#: column's worth of dot products and no update. Measured (n = 200, p = 10000,
#: 20 tasks, about half of the working set non-zero; single runs, shared
#: machine): alpha_max / 100 at tol 1e-4 0.70 s (every epoch full) -> 0.50 s
#: (every 3rd); the 100-alpha path at tol 1e-6 8.6 -> 6.4 s; with the fused
#: epochs, every 2nd / 3rd / 5th: path 5.9 / 5.6 / 5.2 s, alpha_max / 100
#: 0.50 / 0.45 / 0.44 s, for the same number of epochs (2100-2125 on the path).
_FULL_EVERY = 5


@njit(**_LEAF)
def _mt_support(W, ws, n_ws, act):
    """The rows of ``ws[:n_ws]`` with a non-zero coefficient, in order, into
    ``act``; returns their number."""
    T = W.shape[1]
    n_act = 0
    for m in range(n_ws):
        j = ws[m]
        for t in range(T):
            if W[j, t] != 0.0:
                act[n_act] = j
                n_act += 1
                break
    return n_act


@njit(**_LEAF)
def _mt_inner(
    Xd, Y, sw, weighted, X_offset, centered, col_sq, xsw, zsum, W, R, l1, l2, pf,
    proj, random, state, ws, n_ws, s, S, work, XtA, rn, K, epochs, max_iter, tol,
    inner_tol, g, parts,
):  # fmt: skip
    """Block-CD epochs on ``ws[:n_ws]`` (every ``_FULL_EVERY``-th over all of
    it, the others over its non-zero rows) until the restricted gap is at most
    ``inner_tol`` (or ``max_iter`` epochs in all), with Anderson extrapolation
    every ``K`` epochs. The restricted gap is evaluated after an epoch whose
    largest change is at most ``tol`` times the largest coefficient (scikit-learn's
    test), after an extrapolation, and on the last epoch. Returns ``(work, state,
    epochs)``."""
    T = W.shape[1]
    n_buf = 0
    buf = np.empty((K + 1, n_ws * T) if K > 0 else (1, 1))
    act = np.empty(n_ws, dtype=np.int64)
    n_in = 0
    while epochs < max_iter:
        rows, n_rows = ws, n_ws
        if n_in % _FULL_EVERY != 0:
            n_act = _mt_support(W, ws, n_ws, act)
            if n_act > 0:
                rows, n_rows = act, n_act
        w_max, d_w_max, work, state = _mt_epoch(
            Xd, sw, weighted, X_offset, centered, col_sq, xsw, zsum, W, R, l1, l2,
            pf, random, state, rows, n_rows, s, S, work, g,
        )  # fmt: skip
        n_in += 1
        epochs += 1
        check = False
        if K > 0:
            for m in range(n_ws):
                for t in range(T):
                    buf[n_buf, m * T + t] = W[ws[m], t]
            n_buf += 1
            if n_buf == K + 1:
                _mt_anderson(
                    Xd, sw, weighted, X_offset, centered, zsum, W, R, s, S, l1, l2,
                    pf, ws, n_ws, buf, K,
                )  # fmt: skip
                n_buf = 0
                check = True
        if w_max == 0.0 or d_w_max <= tol * w_max or check or epochs == max_iter:
            _mt_fold(R, s)
            work = _ZERO
            gap_in, _ = _mt_gap(
                Xd, Y, sw, weighted, X_offset, centered, W, R, l1, l2, pf, proj, ws,
                n_ws, XtA, rn, parts,
            )  # fmt: skip
            if gap_in <= inner_tol:
                break
    return work, state, epochs


@njit(**_LEAF)
def _mt_store(W, k, nz_ptr, nz_idx, nz_val):
    """Append the non-zero rows of ``W`` as step ``k`` of a row-sparse path; the
    buffers double when full. Returns ``(nz_idx, nz_val)``."""
    p, T = W.shape
    start = nz_ptr[k]
    m = start
    for j in range(p):
        nz = False
        for t in range(T):
            if W[j, t] != 0.0:
                nz = True
                break
        if not nz:
            continue
        if m == nz_idx.shape[0]:
            bigger_idx = np.empty(2 * m + 1, dtype=nz_idx.dtype)
            bigger_val = np.empty((2 * m + 1, T), dtype=nz_val.dtype)
            bigger_idx[:m] = nz_idx[:m]
            bigger_val[:m] = nz_val[:m]
            nz_idx, nz_val = bigger_idx, bigger_val
        nz_idx[m] = j
        for t in range(T):
            nz_val[m, t] = W[j, t]
        m += 1
    nz_ptr[k + 1] = m
    return nz_idx, nz_val


@njit(**ENTRY)
def mt_enet(
    Xd, Y, sw, weighted, X_offset, centered, col_sq, xsw, sw_sum, W, l1s, l2s,
    max_iter, tol, random, seeds, screen, ws_start, anderson_k, pf, proj,
):  # fmt: skip
    """Multi-task elastic net along a path, warm-started from ``W`` (in: the
    start, shape (n_features, n_tasks); out: the last solution).

    ``Y`` is the (centred) target, task-major (n_tasks, n_samples); ``pf`` the
    penalty factors (ones for scikit-learn's model); ``proj`` the unpenalized
    cross products of :func:`_mt_project` (empty arrays when every ``pf_j > 0``).
    Each alpha ``k`` (penalties ``l1s[k]``, ``l2s[k]``) ends when the duality gap
    of the full problem is at most ``tol * sum sw Y**2``. With ``ws_start > 0``
    and ``l1 > 0`` each outer iteration solves a working set (support plus the
    best-scored rows, size ``max(ws_start, 2 |support|)``, doubled when the gap
    fails to halve) to ``max(0.1 gap, 0.3 target)``; otherwise epochs sweep every
    row not screened out (scikit-learn's algorithm). ``max_iter`` bounds the
    epochs of each alpha.

    Returns ``(gaps, tol_gap, n_iters, converged, nz_ptr, nz_idx, nz_val)``: the
    solutions as row-sparse blocks, alpha ``k`` holding rows
    ``nz_idx[nz_ptr[k]:nz_ptr[k + 1]]`` with values ``nz_val[...]`` (n_tasks wide).
    """
    p, T = W.shape
    n_alphas = l1s.shape[0]
    R, y_norm2, zsum = _mt_setup(
        Xd, Y, sw, weighted, X_offset, centered, xsw, sw_sum, W
    )
    tol_gap = tol * y_norm2
    s = np.zeros(T)
    S = np.zeros(T)
    g = np.empty(T)
    all_cols = np.arange(p)
    XtA = np.empty((p, T))
    rn = np.empty(p)
    parts = np.zeros(6)  # the last gap's ingredients (_mt_gap_from)
    excluded = np.zeros(p, dtype=np.bool_)
    scores = np.empty(p)
    ws = np.empty(p, dtype=np.int64)
    K = max(anderson_k, 0)
    gaps = np.empty(n_alphas)
    n_iters = np.zeros(n_alphas, dtype=np.int64)
    conv = np.zeros(n_alphas, dtype=np.bool_)
    nz_ptr = np.zeros(n_alphas + 1, dtype=np.int64)
    nz_idx = np.empty(max(min(p * n_alphas, 256), 1), dtype=np.int64)
    nz_val = np.empty((nz_idx.shape[0], T), dtype=W.dtype)
    for k in range(n_alphas):
        l1 = l1s[k]
        l2 = l2s[k]
        state = (seeds[k] % 4294967295) + 1
        work = _ZERO
        for i in range(p):
            excluded[i] = False
        for t in range(T):
            S[t] = 0.0
        if k > 0 and l1 > 0.0 and l2 == 0.0 and l2s[k - 1] == 0.0:
            # the previous alpha ended on a full gap at this very W (Lasso):
            # its parts give the gap at the new l1 without a pass over the data
            gap = _mt_gap_from(parts, l1, 0.0)
            dual_norm = parts[5]
        else:
            gap, dual_norm = _mt_gap(
                Xd, Y, sw, weighted, X_offset, centered, W, R, l1, l2, pf, proj,
                all_cols, p, XtA, rn, parts,
            )  # fmt: skip
        for t in range(T):  # S = sum_i sw_i r_ti for the epochs' centring
            acc = 0.0
            for i in range(R.shape[1]):
                acc += sw[i] * R[t, i] if weighted else R[t, i]
            S[t] = acc
        epochs = 0
        converged = gap <= tol_gap
        use_ws = ws_start > 0 and l1 > 0.0
        # no extrapolation for l1 = 0 (as plain CD for the single-task ridge):
        # the gap test then waits for scikit-learn's coefficient test, which at
        # a tight tol gives scikit-learn's precision
        k_acc = K if l1 > 0.0 else 0
        ws_size = 0
        prev_gap = gap
        while not converged and epochs < max_iter:
            if screen and l1 > 0.0:
                _mt_screen(rn, dual_norm, col_sq, l1, l2, pf, gap, excluded)
                _mt_drop(Xd, W, R, excluded, X_offset, centered, zsum, s, S)
            if use_ws:
                grow = 2 * ws_size if gap > 0.5 * prev_gap else 0
                n_ws, _ = _mt_select(
                    W, rn, excluded, dual_norm, l1, l2, pf, col_sq, scores, ws,
                    max(ws_start, grow), ws_size,
                )  # fmt: skip
                inner_tol = max(0.1 * gap, 0.3 * tol_gap)
            else:
                n_ws = 0
                for j in range(p):
                    if not excluded[j]:
                        ws[n_ws] = j
                        n_ws += 1
                inner_tol = tol_gap
            ws_size = max(ws_size, n_ws)
            if n_ws > 0:
                work, state, epochs = _mt_inner(
                    Xd, Y, sw, weighted, X_offset, centered, col_sq, xsw, zsum, W, R,
                    l1, l2, pf, proj, random, state, ws, n_ws, s, S, work, XtA, rn,
                    k_acc, epochs, max_iter, tol, inner_tol, g, parts,
                )  # fmt: skip
            _mt_fold(R, s)
            work = _ZERO
            prev_gap = gap
            gap, dual_norm = _mt_gap(
                Xd, Y, sw, weighted, X_offset, centered, W, R, l1, l2, pf, proj,
                all_cols, p, XtA, rn, parts,
            )  # fmt: skip
            converged = gap <= tol_gap
            if n_ws == 0:
                break
        gaps[k] = gap
        n_iters[k] = epochs
        conv[k] = converged
        nz_idx, nz_val = _mt_store(W, k, nz_ptr, nz_idx, nz_val)
    m = nz_ptr[n_alphas]
    return gaps, tol_gap, n_iters, conv, nz_ptr, nz_idx[:m], nz_val[:m]
