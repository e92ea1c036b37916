"""Newton steps on a stable support and sign pattern, with their Cholesky helpers."""

import numpy as np
from numba import njit
from numba.extending import overload

from ._colops import _LEAF, _ZERO, _fold, _is_csc, col_axpy, col_nnz

#: Largest support for which :func:`_newton` builds and solves its k x k system
#: (at most n as well). At k = 470, n = 500 (Toeplitz at alpha_max/100) the
#: Gram product, the factor and a few dozen downdates cost about one pass over
#: the data.
NEWTON_MAX = 1024


#: A Newton step is tried only if it costs at most this many working-set epochs
#: (see :func:`_newton`) ...
NEWTON_EPOCHS = 50


#: ... and at most this many times without success per alpha.
NEWTON_FAILS = 100


#: Cost model of a Newton step, in multiples of a CD multiply-add (an epoch costs
#: one per stored entry of the working set, two on the support). Dense data: the
#: k x k Gram product (BLAS, k^2 n multiply-adds) and the Cholesky factor (k^3 / 6
#: in a vectorised loop) run faster per flop than CD's column updates. CSC data:
#: the Gram is accumulated row by row over the support's entries (one scattered
#: multiply-add per pair of entries in a row, NEWTON_PAIR each).
NEWTON_GEMM = 1.0 / 6.0
NEWTON_CHOL = 1.0 / 15.0
NEWTON_PAIR = 2.0


#: Ridge added to the Newton system, relative to its largest diagonal entry:
#: min(NEWTON_RIDGE, 0.1 tol) when the support reaches the rank bound of Z_A,
#: NEWTON_RIDGE_FULL below it. Tuned on LassoCV: on leukemia's folds at
#: tol=1e-4, 1e-10 to 1e-3 gave 824 to 990 epochs per 100-alpha fold path, 1e-5
#: about 500 (none: 829); at tol=1e-8 a ridge of 1e-5 cost 2.8x on riboflavin.
NEWTON_RIDGE = 1e-5
NEWTON_RIDGE_FULL = 1e-12


@njit(**_LEAF)
def _sign_changed(w, ws, n_ws, sgn):
    """Record the signs of ``w`` on the working set in ``sgn``; return True if any
    differs from the recorded one (a new support or sign pattern)."""
    changed = False
    for m in range(n_ws):
        j = ws[m]
        v = np.int8(0)
        if w[j] > 0.0:
            v = np.int8(1)
        elif w[j] < 0.0:
            v = np.int8(-1)
        if v != sgn[j]:
            changed = True
            sgn[j] = v
    return changed


# ---- the Newton system by layout: cost, (H, g) and the residual update --------------


def newton_cost(Xd, idx, k, n):
    """Cost of :func:`_newton`'s system and solve on ``idx[:k]``, in CD
    multiply-adds (jitted code only)."""
    raise NotImplementedError


def newton_system(Xd, idx, k, R, S, sw, weighted, X_offset, centered, zsum):
    """``(H, g, Zs)``: ``H = Z_A^T W Z_A``, ``g = Z_A^T W r`` (``r = R``, folded;
    ``S = sum_i sw_i r_i``) and what :func:`newton_apply` needs (jitted code only)."""
    raise NotImplementedError


def newton_apply(Xd, idx, k, delta, Zs, R, X_offset, centered):
    """``r -= Z_A delta`` (jitted code only)."""
    raise NotImplementedError


@njit(**_LEAF)
def _cost_csc(X_indices, X_indptr, idx, k, n):
    count = np.zeros(n, dtype=np.int64)
    nnz = 0
    for a in range(k):
        j = idx[a]
        nnz += X_indptr[j + 1] - X_indptr[j]
        for q in range(X_indptr[j], X_indptr[j + 1]):
            count[X_indices[q]] += 1
    pairs = 0.0
    for i in range(n):
        pairs += 0.5 * count[i] * (count[i] + 1)
    return NEWTON_PAIR * pairs + NEWTON_CHOL * k * k * k + 3.0 * nnz + 2.0 * n


@njit(**_LEAF)
def _system_dense(X, n, idx, k, R, sw, weighted, X_offset, centered):
    # Z_A (k x n, one centred column per row) and its weighted copy; the Gram
    # matrix and Z_A^T W r are BLAS products
    Zs = np.zeros((k, n))
    for a in range(k):
        j = idx[a]
        row = Zs[a]
        col = X[j * n : (j + 1) * n]
        for i in range(n):
            row[i] += col[i]
        if centered:
            mu = X_offset[j]
            for i in range(n):
                row[i] -= mu
    if weighted:
        Zw = Zs * sw
    else:
        Zw = Zs
    H = np.dot(Zw, Zs.T)
    g = np.dot(Zw, R)
    return H, g, Zs


@njit(**_LEAF)
def _system_csc(
    X_data, X_indices, X_indptr, idx, k, R, S, sw, weighted, X_offset, centered, zsum
):  # fmt: skip
    """The support's entries transposed to rows (CSR of X_A, columns in support
    order), then ``H`` accumulated row by row: sum_i c_i^2 / 2 multiply-adds for
    c_i entries in row i, never a dense n x k block. Centring is the rank-two
    correction ``- mu_b zsum_a - mu_a zsum_b - mu_a mu_b sum(sw)``."""
    n = R.shape[0]
    ptr = np.zeros(n + 1, dtype=np.int64)
    for a in range(k):
        j = idx[a]
        for q in range(X_indptr[j], X_indptr[j + 1]):
            ptr[X_indices[q] + 1] += 1
    for i in range(n):
        ptr[i + 1] += ptr[i]
    cols = np.empty(ptr[n], dtype=np.int64)
    vals = np.empty(ptr[n])
    fill = ptr[:n].copy()
    g = np.empty(k)
    for a in range(k):
        j = idx[a]
        acc = 0.0
        for q in range(X_indptr[j], X_indptr[j + 1]):
            i = X_indices[q]
            m = fill[i]
            cols[m] = a
            vals[m] = X_data[q]
            fill[i] = m + 1
            acc += X_data[q] * ((sw[i] * R[i]) if weighted else R[i])
        g[a] = acc - (X_offset[j] * S if centered else 0.0)
    H = np.zeros((k, k))
    sw_sum = 0.0
    for i in range(n):
        wi = sw[i] if weighted else 1.0
        sw_sum += wi
        for u in range(ptr[i], ptr[i + 1]):
            a = cols[u]
            xa = wi * vals[u]
            for v in range(u, ptr[i + 1]):
                H[a, cols[v]] += xa * vals[v]  # a <= cols[v]: upper triangle
    for a in range(k):
        mu_a = X_offset[idx[a]] if centered else 0.0
        for b in range(a, k):
            h = H[a, b]
            if centered:
                mu_b = X_offset[idx[b]]
                h -= mu_b * zsum[idx[a]] + mu_a * zsum[idx[b]] + mu_a * mu_b * sw_sum
            H[a, b] = h
            H[b, a] = h
    return H, g, np.empty((0, 0))


@njit(**_LEAF)
def _apply_dense(delta, Zs, R, k, n):
    for a in range(k):  # R -= delta @ Zs (a loop: one BLAS instance fewer to compile)
        da = delta[a]
        if da != 0.0:
            for i in range(n):
                R[i] -= da * Zs[a, i]


@overload(newton_cost, jit_options=_LEAF)
def _ol_newton_cost(Xd, idx, k, n):
    if _is_csc(Xd):
        return lambda Xd, idx, k, n: _cost_csc(Xd[1], Xd[2], idx, k, n)
    return lambda Xd, idx, k, n: (
        NEWTON_GEMM * k * k * n + NEWTON_CHOL * k * k * k + 3.0 * k * n
    )


@overload(newton_system, jit_options=_LEAF)
def _ol_newton_system(Xd, idx, k, R, S, sw, weighted, X_offset, centered, zsum):
    if _is_csc(Xd):

        def csc(Xd, idx, k, R, S, sw, weighted, X_offset, centered, zsum):
            return _system_csc(
                Xd[0], Xd[1], Xd[2], idx, k, R, S, sw, weighted, X_offset,
                centered, zsum,
            )  # fmt: skip

        return csc

    def dense(Xd, idx, k, R, S, sw, weighted, X_offset, centered, zsum):
        return _system_dense(Xd[0], Xd[1], idx, k, R, sw, weighted, X_offset, centered)

    return dense


@overload(newton_apply, jit_options=_LEAF)
def _ol_newton_apply(Xd, idx, k, delta, Zs, R, X_offset, centered):
    if _is_csc(Xd):

        def csc(Xd, idx, k, delta, Zs, R, X_offset, centered):
            shift = 0.0
            for a in range(k):
                if delta[a] != 0.0:
                    col_axpy(Xd, idx[a], -delta[a], R)
                    if centered:
                        shift += delta[a] * X_offset[idx[a]]
            if shift != 0.0:
                _fold(R, shift, R.shape[0])

        return csc
    return lambda Xd, idx, k, delta, Zs, R, X_offset, centered: _apply_dense(
        delta, Zs, R, k, R.shape[0]
    )


# ---- the step ------------------------------------------------------------------------


@njit(**_LEAF)
def _newton(
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
    work,
    l1,
    l2,
    ws,
    n_ws,
    pen,
    n_max,
    max_epochs,
    rank,
    tol,
):
    """Step towards the exact minimiser on the current support and signs.

    With support ``A`` and signs ``sg`` fixed, the objective is the quadratic
    ``0.5 ||r||_W^2 + sum_A pf_j (l1 sg_j w_j + 0.5 l2 w_j^2)``; its minimiser is
    ``w_A + d`` with ``(Z_A^T W Z_A + l2 diag(pf_A)) d = Z_A^T W r - l2 pf_A w_A
    - l1 pf_A sg`` (one k x k solve, :func:`_feature_sign`), used here only as an
    accelerator: the duality gap still decides convergence.

    The system is built by layout (:func:`newton_system`): dense data through
    BLAS products of the centred k x n block, CSC data from the support's
    entries alone (row-wise Gram, centring as a rank-two correction), so sparse
    data with many samples gets the step too. The step is not tried when its
    cost (:func:`newton_cost`) exceeds ``max_epochs`` working-set epochs (the
    stored entries of the working set, twice on the support). It is refused
    when ``k`` is 0 or above ``min(n_max, n)``. ``rank`` bounds the rank of
    ``Z_A`` (samples of nonzero weight, minus one when centred) and ``tol`` is
    the solve's; they set the ridge (``NEWTON_RIDGE``). Returns ``(status, s,
    S, work, cost)``: status 1 accepted (``w`` and ``R`` updated in place), 0
    refused or rejected, -1 too costly; unless too costly, ``r = R + s`` is
    folded into ``R`` (``s = work = 0``); ``cost`` is the step's cost in
    working-set epochs (the caller waits as long before the next one).
    """
    n = R.shape[0]
    k = 0
    ep_cost = 0.0
    for m in range(n_ws):
        nnz = col_nnz(Xd, ws[m])
        ep_cost += nnz
        if w[ws[m]] != 0.0:
            ep_cost += nnz
            k += 1
    idx = np.empty(k, dtype=np.int64)
    k = _ZERO
    for m in range(n_ws):
        if w[ws[m]] != 0.0:
            idx[k] = ws[m]
            k += 1
    cost = newton_cost(Xd, idx, k, n) / max(ep_cost, 1.0)
    if cost > max_epochs:
        return -1, s, S, work, cost
    if s != 0.0:
        _fold(R, s, n)
        s = 0.0
        work = _ZERO
    if k == 0 or k > n_max or k > n:
        return 0, s, S, work, cost
    H, g, Zs = newton_system(Xd, idx, k, R, S, sw, weighted, X_offset, centered, zsum)
    w_a = np.empty(k)
    for a in range(k):
        j = idx[a]
        pfj = pen[0][j] if pen is not None else 1.0
        sg = 1.0 if w[j] > 0.0 else -1.0
        w_a[a] = w[j]
        g[a] -= l2 * pfj * w[j] + l1 * pfj * sg
        H[a, a] += l2 * pfj
    # A tiny ridge keeps the system solvable when k reaches the rank of Z_A
    # (|support| ~ n): the step then runs along the null space of Z_A, where the
    # residual is fixed and the l1 norm falls, until a coefficient reaches 0;
    # (H + eps I) d = g still makes d a descent direction with the minimum
    # along it at t >= 1.
    # Only then: elsewhere the ridge would only damp an exact step (1e-5 cost
    # 2.8x on riboflavin's LassoCV at tol=1e-8).
    diag_max = 0.0
    for a in range(k):
        diag_max = max(diag_max, H[a, a])
    ridge = NEWTON_RIDGE_FULL
    if k >= rank:
        ridge = min(NEWTON_RIDGE, max(0.1 * tol, NEWTON_RIDGE_FULL))
    L = H.copy()
    for a in range(k):
        L[a, a] += ridge * diag_max
    if not _cholesky(L, k):
        return 0, s, S, work, cost
    if not _feature_sign(H, L, g, w_a, idx, k, pen):
        return 0, s, S, work, cost
    delta = np.empty(k)
    for a in range(k):
        j = idx[a]
        old = w[j]
        w[j] = w_a[a]
        da = w[j] - old  # the stored change (float32 data: rounded)
        delta[a] = da
        S -= da * zsum[j]
    newton_apply(Xd, idx, k, delta, Zs, R, X_offset, centered)
    return 1, s, S, work, cost


@njit(**_LEAF)
def _feature_sign(H, L, gf, w_a, idx, k, pen):
    """Feature-sign search (Lee, Battle, Raina, Ng 2007, "Efficient sparse coding
    algorithms", NIPS) from ``w_a`` (in place) on the quadratic with Hessian ``H``
    (factor ``L``, overwritten) and gradient ``gf`` (overwritten).

    Step to the minimiser on the free set F (initially A); if a coefficient would
    change sign (or leave its bounds) on the way, stop where the first one
    reaches 0 (or its bound), fix it there, drop it from F (a Cholesky downdate,
    O(|F|^2)) and step again. The objective is the quadratic all along the way
    and every step lowers it; the loop ends with a full step, the minimiser over
    F of the orthant, others fixed. This is the active-set step of homotopy /
    LARS-type solvers (Osborne, Presnell, Turlach 2000). Returns whether
    ``w_a`` moved.
    """
    free = np.arange(k)  # free[:m]: positions (in idx) of the free coefficients
    m = k
    d = np.empty(k)
    ts = np.empty(k)
    stop = np.zeros(k)
    delta = np.zeros(k)
    moved = False
    for _ in range(k):
        _chol_solve(L, m, gf, d)
        t = 1.0
        for a in range(m):
            c = free[a]
            j = idx[c]
            old = w_a[c]
            new = old + d[a]
            if not np.isfinite(new):
                t = -1.0
                break
            ts[a] = np.inf
            stop[a] = 0.0
            if new * old <= 0.0:
                ts[a] = old / (old - new)
            if pen is not None:
                if new < pen[1][j] and (pen[1][j] - old) / d[a] < ts[a]:
                    ts[a] = (pen[1][j] - old) / d[a]
                    stop[a] = pen[1][j]
                elif new > pen[2][j] and (pen[2][j] - old) / d[a] < ts[a]:
                    ts[a] = (pen[2][j] - old) / d[a]
                    stop[a] = pen[2][j]
            t = min(t, ts[a])
        if not t > 0.0:
            break
        moved = True
        full = t >= 1.0
        t_stop = t * (1.0 + 1e-12)  # ts[a] <= t_stop: coefficient a stops the step
        for a in range(m):
            c = free[a]
            old = w_a[c]
            if not full and ts[a] <= t_stop:
                w_a[c] = stop[a]  # the coefficients that stop the step land exactly
            else:
                w_a[c] = old + t * d[a]
            delta[a] = w_a[c] - old
        if full:
            break
        # gradient after the step: g -= H delta (on the free set)
        for a in range(m):
            ca = free[a]
            acc = 0.0
            for b in range(m):
                acc += H[ca, free[b]] * delta[b]
            gf[a] -= acc
        # fix the stopped coefficients, last first (positions shift)
        for a in range(m - 1, -1, -1):
            if ts[a] <= t_stop:
                _chol_delete(L, m, a, d)
                for b in range(a, m - 1):
                    free[b] = free[b + 1]
                    gf[b] = gf[b + 1]
                    ts[b] = ts[b + 1]
                m -= 1
        if m == 0:
            break
    return moved


@njit(**_LEAF)
def _cholesky(L, k):
    """In-place lower Cholesky factor of the SPD matrix ``L[:k, :k]`` (lower
    triangle read and written). Returns False if it is not numerically PD."""
    for j in range(k):
        acc = L[j, j]
        for c in range(j):
            acc -= L[j, c] * L[j, c]
        if not acc > 0.0:
            return False
        djj = np.sqrt(acc)
        L[j, j] = djj
        for i in range(j + 1, k):
            acc = L[i, j]
            for c in range(j):
                acc -= L[i, c] * L[j, c]
            L[i, j] = acc / djj
    return True


@njit(**_LEAF)
def _chol_solve(L, m, b, out):
    """``out[:m] = (L L^T)^{-1} b[:m]`` for the lower factor ``L[:m, :m]``."""
    for i in range(m):
        acc = b[i]
        for c in range(i):
            acc -= L[i, c] * out[c]
        out[i] = acc / L[i, i]
    for i in range(m - 1, -1, -1):
        acc = out[i]
        for c in range(i + 1, m):
            acc -= L[c, i] * out[c]
        out[i] = acc / L[i, i]


@njit(**_LEAF)
def _chol_delete(L, m, a, x):
    """Downdate the lower Cholesky factor ``L[:m, :m]`` of ``C`` in place to the
    factor ``L[:m-1, :m-1]`` of ``C`` without row and column ``a`` (``x`` is
    scratch of length ``m``). Removing row ``a`` of ``L`` leaves, below it, the
    block ``[l, L33]`` with ``L33 L33^T + l l^T`` to refactor: a rank-one update
    by Givens rotations, O(m^2) (Golub & Van Loan, section 6.5.4)."""
    q = m - 1 - a
    for i in range(a, m - 1):
        x[i - a] = L[i + 1, a]
        for c in range(a):
            L[i, c] = L[i + 1, c]
        for c in range(a, i + 1):
            L[i, c] = L[i + 1, c + 1]
    for i in range(q):
        r_ii = L[a + i, a + i]
        rad = np.sqrt(r_ii * r_ii + x[i] * x[i])
        c = rad / r_ii
        sn = x[i] / r_ii
        L[a + i, a + i] = rad
        for b in range(i + 1, q):
            v = (L[a + b, a + i] + sn * x[b]) / c
            L[a + b, a + i] = v
            x[b] = c * x[b] - sn * v
