"""Penalised logistic regression: proximal Newton on the weighted elastic-net kernels.

Objective (scikit-learn's for every solver of ``LogisticRegression``), over the
coefficients ``W`` (one row per class; a single row for two classes) and the
unpenalised intercepts ``b``::

    P(W, b) = sum_i c_i * loss_i(W x_i + b) + l1 * ||W||_1 + l2 / 2 * ||W||_F^2

with ``c_i = C * s_i`` (``s`` the sample weights times the class weights),
``l1 = l1_ratio`` and ``l2 = 1 - l1_ratio``; ``loss_i`` is the binomial
log-loss for two classes and the multinomial (softmax) log-loss otherwise.

Algorithm (glmnet: Friedman, Hastie, Tibshirani 2010, JSS 33(1), section 3;
newGLMNET: Yuan, Ho, Lin 2012; the proximal Newton view: Lee, Sun, Saunders
2014). Each outer iteration replaces the loss, one class at a time, by its
second-order expansion in that class's row: a weighted least-squares problem with
weights ``h_i = c_i p_ik (1 - p_ik)`` and working response
``z_i = eta_ik - c_i (p_ik - y_ik) / h_i``. That subproblem *is* the weighted
elastic net of :mod:`fastlasso._kernels` (working sets, gap-safe screening,
Anderson acceleration; implicit centring under the weights ``h`` gives the exact
Newton step of the intercept), solved by :func:`fastlasso._path.solve_path` to an
accuracy tied to the current gap. A backtracking (Armijo) line search on the full
objective makes every step a descent step. After each outer iteration the
intercepts are minimised exactly (Newton in ``b`` alone, O(n K) per step).
Nothing here is compiled: the kernels are the ones the Lasso uses.

Certificate. The dual of the problem is, with ``U = c * (Y - Q)`` and the rows
``Q_i`` of ``Q`` on the probability simplex,

    D(Q) = - sum_i c_i sum_k Q_ik log Q_ik - g*(X^T U),   sum_i U_ik = 0 (intercept)

(``g*`` the conjugate of the elastic-net penalty: ``sum (|v| - l1)_+^2 / (2 l2)``,
or the indicator of ``|v| <= l1`` when ``l2 = 0``). The dual point is built from
the fitted probabilities ``Q = P``, made to satisfy the intercept constraint and,
for the Lasso penalty, scaled into the dual feasible set; ``P - D`` bounds the
suboptimality (:mod:`fastlasso._logistic_dual`, which also handles penalty
factors, unpenalised features and bounds). The solver stops when
``gap <= tol * P_null`` with ``P_null`` the objective of the intercept-only model
(``W = 0``).
"""

from __future__ import annotations

import threading
import warnings
from contextlib import contextmanager
from numbers import Integral

import numpy as np
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import ThreadpoolController

from ._logistic_problem import LogisticProblem
from ._path import Design, canonical_csc, solve_path

__all__ = ["LogisticProblem", "auto_Cs", "fit_logistic", "logistic_path", "min_C"]

#: Inner solves stop at this fraction of the current outer duality gap.
INNER_FRACTION = 0.1
#: ... and at most at this relative gap of the subproblem (its own scale).
INNER_CAP = 1e-2
#: Floor on p (1 - p) in the Newton weights (glmnet clamps p to [1e-5, 1 - 1e-5]).
H_FLOOR = 1e-10
_INNER_MAX_ITER = 1000
#: Stop after this many outer iterations without a smaller gap (rounding floor).
STALL_ITERATIONS = 5
#: Sweeps between two Anderson extrapolations (multinomial).
ANDERSON_MEMORY = 5
#: Smallest working set; its subproblem is solved to this fraction of the gap.
#: 20, not 10: a first set of 10 on a 10-feature solution (toeplitz 500 x 20000,
#: L1) missed one feature and cost a third full ``X^T U`` pass; measured 21.7 ->
#: 14.9 ms there, 41.4 -> 31.5 ms at 110 features, leukemia 6.2 -> 5.6 ms (30: no
#: further gain).
WS_START = 20
WS_INNER = 0.3
#: Growth of a working set that the solution filled.
WS_GROW = 4
#: Dense Newton subproblems on at most this many features, with at least this
#: many samples per feature, are solved on their weighted Gram matrix. Never
#: sparse ones: scipy's ``X^T H X`` costs ~3.4 ns per pair of entries sharing a
#: row (a sum of squared row counts: 3.5e5 for news20's 20 densest columns,
#: 4 ms), more than the inner coordinate descent it saves; measured news20 L1 at
#: 10 / 100 features 60.8 -> 51.5 / 161.5 -> 113.3 ms.
GRAM_MAX_FEATURES = 500
GRAM_MIN_RATIO = 10


class _Anderson:
    """Anderson extrapolation of the outer iterates ``(W, b)`` (Anderson 1965;
    as applied to coordinate descent by Bertrand & Massias 2021, AISTATS): every
    ``memory`` sweeps, the affine combination of the last iterates whose
    differences nearly cancel; taken only if it lowers the objective."""

    def __init__(self, memory):
        self.memory = memory
        self.points = []

    def __call__(self, pr, W, b, eta):
        self.points.append(np.concatenate([W.ravel(), b]))
        if len(self.points) < self.memory + 1:
            return eta
        X = np.array(self.points)
        self.points = []
        R = np.diff(X, axis=0)
        RR = R @ R.T
        try:
            z = np.linalg.solve(
                RR + 1e-12 * np.trace(RR) * np.eye(len(R)), np.ones(len(R))
            )
        except np.linalg.LinAlgError:
            return eta
        if not np.all(np.isfinite(z)) or z.sum() == 0:
            return eta
        weights = z / z.sum()
        x = weights @ X[1:]
        W_new = x[: W.size].reshape(W.shape)
        b_new = x[W.size :] if pr.fit_intercept else b
        eta_new = pr.linear(W_new, b_new)
        if pr.feasible(W_new) and pr.objective(eta_new, W_new) < pr.objective(eta, W):
            W[:] = W_new
            b[:] = b_new
            return eta_new
        return eta


def fit_logistic(
    problem,
    W,
    b,
    *,
    tol=1e-4,
    max_iter=100,
    verbose=0,
):
    """Proximal Newton for one ``C`` from ``(W, b)`` (both updated in place).

    Returns
    -------
    gap : float
        Duality gap of the returned point (unscaled objective).
    n_iter : int
        Outer (Newton) iterations; 0 when the start already satisfies the test.
    converged : bool
    """
    pr = problem
    tol_abs = tol * pr.null_objective()
    if pr.l1 == 0.0 or pr.p <= 2 * WS_START:
        return _fit_newton(pr, W, b, tol_abs, max_iter, verbose)
    return _fit_working_sets(pr, W, b, tol_abs, max_iter, verbose)


def _fit_working_sets(pr, W, b, tol_abs, max_iter, verbose):
    """:func:`fit_logistic` on growing working sets (Johnson & Guestrin 2015,
    Blitz; Massias, Gramfort, Salmon 2018, celer; skglm's rule for the size): the
    Newton iterations run on the columns of the support and of the features whose
    optimality conditions at zero are violated most, ``2 * nnz`` at least; the gap
    of the full problem, which costs one product ``X^T U``, decides when to stop
    and which features join."""
    eta = pr.linear(W, b)
    pr.fit_unpenalized(eta, W, b)
    gap, primal, scores = pr.gap_and_scores(eta, W)
    n_iter, size, settled = 0, WS_START, False
    while gap > tol_abs and n_iter < max_iter:
        support = np.flatnonzero(np.any(W != 0, axis=0))
        # a set the solution filled was too small: grow it 4x, else to 2 nnz
        grow = WS_GROW if support.size >= 0.9 * size else 2
        size = min(pr.p, max(size, grow * support.size))
        if size >= pr.p:  # no smaller set left: finish on the full problem
            gap, iters, _ = _fit_newton(pr, W, b, tol_abs, max_iter - n_iter, verbose)
            return gap, n_iter + iters, bool(gap <= tol_abs)
        scores[support] = np.inf
        ws = np.sort(np.argpartition(-scores, size - 1)[:size])
        sub = pr.restrict(ws)
        W_ws = np.ascontiguousarray(W[:, ws])
        # no violator was left outside the last set, or none that changed the
        # dual scaling: the full gap was the set's own, so solve this one to the
        # target at once (measured: leukemia L1 4 sets of one Newton step each
        # became 2 sets, 4.2 -> 3.6 ms; 5-15% on 11 of the 12 bench problems)
        inner_tol = 0.5 * tol_abs if settled else max(WS_INNER * gap, 0.5 * tol_abs)
        # the set holds the support: (eta, primal) are the set's too
        ws_gap, iters, _ = _fit_newton(
            sub, W_ws, b, inner_tol, max_iter - n_iter, verbose, (eta, gap, primal)
        )
        n_iter += max(iters, 1)
        W[:, ws] = W_ws
        eta = pr.linear(W, b)
        previous = gap
        gap, primal, scores = pr.gap_and_scores(eta, W)
        outside = np.ones(pr.p, dtype=bool)
        outside[ws] = False
        settled = not np.any(scores[outside] > 0.0) or gap <= ws_gap * (1 + 1e-3)
        if verbose:
            print(
                f"[logistic] working set of {size} features: objective "
                f"{primal:.10g}, gap {gap:.3e} (target {tol_abs:.3e})"
            )
        if gap > 0.5 * previous:  # the set missed violators: grow it faster
            size = min(pr.p, 2 * size)
    return gap, n_iter, bool(gap <= tol_abs)


def _fit_newton(pr, W, b, tol_abs, max_iter, verbose, start=None):
    """The outer proximal Newton loop of :func:`fit_logistic` on all of ``pr``'s
    features, to the absolute gap ``tol_abs``.

    ``start = (eta, gap, primal)``: the caller's linear predictor (modified in
    place), a gap and the objective at ``(W, b)`` with the free parameters
    already fitted. A working set starts from the full problem's gap, which
    saves one product, one intercept fit and one gap per set; that gap only
    sets the first inner target (and forces one Newton step), the set's own gap
    decides from then on."""
    if start is None:
        eta = pr.linear(W, b)
        pr.fit_unpenalized(eta, W, b)
        gap, primal = pr.gap(eta, W)
    else:
        eta, gap, primal = start
    n_iter, best, last, stalled = 0, gap, primal, 0
    fraction = INNER_FRACTION
    # the class-by-class sweeps of the multinomial converge linearly: extrapolate
    extrapolate = None if pr.binary else _Anderson(ANDERSON_MEMORY)
    while gap > tol_abs and n_iter < max_iter:
        n_iter += 1
        target = max(fraction * gap, 0.5 * tol_abs) / pr.K
        moved = False
        loss = primal - pr.penalty(W)  # the gap's, at this eta
        for k in range(pr.K):
            moved_k, loss = _newton_class(pr, W, b, eta, k, target, loss)
            moved |= moved_k
        if extrapolate is not None and moved:
            eta = extrapolate(pr, W, b, eta)
        pr.fit_unpenalized(eta, W, b)
        gap, primal = pr.gap(eta, W)
        if verbose:
            print(
                f"[logistic] iter {n_iter}: objective {primal:.10g}, gap {gap:.3e}"
                f" (target {tol_abs:.3e}), nnz {np.count_nonzero(W)}"
            )
        # no progress in the gap nor, beyond rounding, in the objective
        progress = gap < best or primal < last * (1.0 - 1e-15)
        best, last = min(best, gap), primal
        stalled = 0 if progress else stalled + 1
        if not moved:
            # the subproblems met their tolerance at the start: the gap (whose dual
            # point is scaled into the feasible set) overstates the suboptimality
            # here; ask the subproblems for more, down to rounding
            if fraction < 1e-12:
                break
            fraction *= 1e-3
        elif stalled >= STALL_ITERATIONS:
            break
    return gap, n_iter, bool(gap <= tol_abs)


def _newton_class(pr, W, b, eta, k, target, loss):
    """One proximal Newton step in the coefficients of class ``k`` (in place),
    from the point whose loss is ``loss``.

    Returns whether the step moved the point, and the loss after it.
    """
    X, c = pr.X, pr.c
    P = pr.probabilities(eta)[:, k]
    h = c * np.maximum(P * (1.0 - P), H_FLOOR)
    # working response; samples of zero weight (h = 0) do not enter the subproblem
    step = np.divide(c * (P - pr.Y[:, k]), h, out=np.zeros(pr.n), where=h > 0)
    z = eta[:, k] - step
    dtype = X.dtype
    mu, zc = None, z
    if pr.fit_intercept:
        hsum = h.sum()
        mu = np.asarray(X.T @ h.astype(dtype), dtype=np.float64).ravel() / hsum
        zbar = float(h @ z) / hsum
        zc = z - zbar
    # solve_path's scalars: l1 = alpha * l1_ratio * n, l2 = alpha * (1 - l1_ratio) * n
    strength = pr.l1 + pr.l2
    scale = float(h @ (zc * zc))
    floor = target / scale if scale > 0 else 1.0
    tol_rel = min(floor, INNER_CAP)
    zc = zc.astype(dtype)
    design = gram = None
    small = pr.p <= GRAM_MAX_FEATURES and pr.n >= GRAM_MIN_RATIO * pr.p
    # the Gram kernel takes no penalty factors
    if small and pr.pen is None and not sparse.issparse(X):
        gram = _weighted_gram(X, h, zc, mu)
    else:
        offset = None if mu is None else mu.astype(dtype)
        design = Design(X, sample_weight=h, X_offset=offset)
    while True:
        # the inner solve is a means; the outer certificate decides convergence
        coefs, _, iters = solve_path(
            design,
            zc,
            [strength / pr.n],
            pr.l1 / strength,
            W[k],
            gram=gram,
            n_samples=pr.n,
            pen=pr.pen,
            max_iter=_INNER_MAX_ITER,
            tol=tol_rel,
            warn=False,
        )
        if iters[0] > 0 or tol_rel <= floor:
            break
        # the start already met the capped tolerance: ask for more
        tol_rel = max(tol_rel * 1e-3, floor)
    w_new = np.asarray(coefs[:, 0], dtype=np.float64)
    dw = w_new - W[k]
    db = (zbar - float(mu @ w_new)) - b[k] if pr.fit_intercept else 0.0
    if not np.any(dw):  # the intercepts alone are fitted exactly after the sweep
        return False, loss
    d_eta = pr.column_product(dw) + db
    grad = c * (P - pr.Y[:, k])
    f0 = loss
    pen0 = pr.penalty(W[k])
    decrease = float(grad @ d_eta) + pr.penalty(w_new) - pen0
    t = 1.0
    base = eta[:, k].copy()
    F0 = f0 + pen0
    # near the optimum the decrease falls below the rounding of the objective
    # (it is quadratic in the error, the gap linear): a step that does not
    # increase it beyond rounding is taken
    slack = 4.0 * np.finfo(np.float64).eps * (abs(f0) + abs(pen0))
    while t > 1e-8:
        eta[:, k] = base + t * d_eta
        w_t = W[k] + t * dw
        loss_t = pr.loss(eta)
        f_t = loss_t + pr.penalty(w_t)
        if f_t <= F0 + 1e-4 * t * min(decrease, 0.0) or (
            t == 1.0 and f_t <= F0 + slack
        ):
            W[k] = w_t
            b[k] += t * db
            return True, loss_t
        t *= 0.5
    eta[:, k] = base
    return False, loss


def _weighted_gram(X, h, z, mu):
    """``(Z^T H Z, Z^T H z, z^T H z)`` of a dense Newton subproblem, ``Z = X - 1
    mu^T`` (``mu``: the ``h``-weighted column means, or None), in ``X``'s dtype.
    With many more samples than features the inner solve then costs O(p^2) per
    epoch and per gap instead of O(n) per gap (glmnet's covariance updates)."""
    dtype = X.dtype
    Z = X - mu.astype(dtype) if mu is not None else X
    Zh = Z * h[:, None].astype(dtype)
    Q = np.asarray(Z.T @ Zh, dtype=np.float64)
    q = np.asarray(Zh.T @ z, dtype=np.float64)
    z = z.astype(np.float64)
    return Q.astype(dtype), q.astype(dtype), float(h @ (z * z))


def min_C(X, Y, s, l1_ratio, fit_intercept, pen=None):
    """Smallest ``C`` at which some coefficient is non-zero (``W = 0`` optimal below).

    At ``W = 0`` with the optimal intercept, the gradient of the loss is
    ``C X^T (s (P0 - Y))``; zero is optimal while its largest entry is at most
    ``l1_ratio`` (with penalty factors: ``l1_ratio * pf_j``, over the penalised
    features, at ``P0`` of the optimal intercept and unpenalised coefficients,
    which do not depend on ``C``).
    """
    s = np.asarray(s, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    if pen is not None:
        pr = LogisticProblem(X, Y, s, 1.0, 0.0, fit_intercept, pen)
        W, b = np.zeros((pr.K, pr.p)), np.zeros(pr.K)
        eta = np.zeros((pr.n, pr.K))
        pr.fit_unpenalized(eta, W, b)
        P0 = pr.probabilities(eta)
    elif fit_intercept:
        P0 = np.broadcast_to((s @ Y) / s.sum(), Y.shape)
    else:
        P0 = np.full(Y.shape, 0.5 if Y.shape[1] == 1 else 1.0 / Y.shape[1])
    G = np.asarray(X.T @ (s[:, None] * (Y - P0)).astype(X.dtype), dtype=np.float64)
    G = np.abs(G).max(axis=1) if G.size else np.zeros(0)
    if pen is not None:
        pf = np.asarray(pen[0], dtype=np.float64)
        G = np.divide(G, pf, out=np.zeros_like(G), where=pf > 0)
    gmax = float(G.max()) if G.size else 0.0
    if l1_ratio <= 0 or gmax == 0.0:
        raise ValueError(
            "min_C is defined for an L1 part (l1_ratio > 0) and a target that is "
            "not constant; got l1_ratio="
            f"{l1_ratio} and max |X^T (y - p0)| = {gmax}."
        )
    return l1_ratio / gmax


def auto_Cs(X, Y, s, l1_ratio, fit_intercept, n_Cs, eps, pen=None):
    """glmnet's grid in ``C``: ``n_Cs`` values from :func:`min_C` (the first
    feature enters) up to ``1 / eps`` times it, increasing (warm starts go that
    way)."""
    c0 = min_C(X, Y, s, l1_ratio, fit_intercept, pen)
    return c0 * np.geomspace(1.0, 1.0 / eps, int(n_Cs))


def logistic_path(
    X,
    Y,
    s,
    Cs,
    l1_ratio,
    *,
    fit_intercept=True,
    coef=None,
    tol=1e-4,
    max_iter=100,
    verbose=0,
    early_stop=False,
    pen=None,
):
    """Warm-started fits over ``Cs`` (in the given order).

    Parameters
    ----------
    X : F-contiguous ndarray or CSC matrix (n, p), float32 or float64
    Y : ndarray (n, K)
        0/1 labels of the positive class (K = 1) or one-hot classes (K >= 3).
    s : ndarray (n,)
        Sample weights times class weights.
    Cs : sequence of float
    l1_ratio : float in [0, 1]
    coef : ndarray (K, p + fit_intercept) or None
        Starting point (intercepts in the last column when fitted).
    early_stop : bool
        Stop the path early, as glmnet does, once the fraction of the null
        deviance explained exceeds 0.999 or improves by less than 1e-5 from one
        ``C`` to the next (saturated fits of separable data); the returned
        ``Cs`` are then the ones fitted.
    pen : tuple (pf, lo, hi) or None
        Penalty factors and bounds (see :class:`LogisticProblem`).

    Returns
    -------
    coefs : ndarray (n_Cs, K, p + fit_intercept), float64
    Cs : ndarray (n_Cs,)
    n_iter : ndarray (n_Cs,) of int32
    gaps : ndarray (n_Cs,)
        Duality gaps (unscaled objective).
    """
    Cs = np.asarray(Cs, dtype=np.float64).ravel()
    if np.any(~np.isfinite(Cs)) or np.any(Cs <= 0):
        raise ValueError(f"Cs must be positive and finite; got {Cs}.")
    Y = np.asarray(Y, dtype=np.float64)
    K, p = Y.shape[1], X.shape[1]
    W = np.zeros((K, p))
    b = np.zeros(K)
    if coef is not None:
        coef = np.asarray(coef, dtype=np.float64).reshape(K, -1)
        W[:] = coef[:, :p]
        if fit_intercept:
            b[:] = coef[:, p]
    if pen is not None:  # a warm start from outside the bounds
        np.clip(W, pen[1], pen[2], out=W)
    with _single_threaded_blas():
        return _path(X, Y, s, Cs, l1_ratio, W, b, fit_intercept, tol, max_iter,
                     verbose, early_stop, pen)  # fmt: skip


_BLAS = {"controller": None, "limiter": None, "depth": 0}
_BLAS_LOCK = threading.Lock()


@contextmanager
def _single_threaded_blas():
    """BLAS limited to one thread while any path runs, restored when the last one
    ends. Counted, because paths run in parallel threads (CV) and nested
    ``threadpool_limits`` contexts would each restore what the other set (and
    leave BLAS single-threaded); one ``ThreadpoolController`` per process, since
    building one rescans the loaded libraries (0.3-3.9 ms, a third of a small
    fit)."""
    with _BLAS_LOCK:
        if _BLAS["depth"] == 0:
            if _BLAS["controller"] is None:
                _BLAS["controller"] = ThreadpoolController()
            _BLAS["limiter"] = _BLAS["controller"].limit(limits=1, user_api="blas")
        _BLAS["depth"] += 1
    try:
        yield
    finally:
        with _BLAS_LOCK:
            _BLAS["depth"] -= 1
            if _BLAS["depth"] == 0:
                _BLAS["limiter"].restore_original_limits()
                _BLAS["limiter"] = None


def _path(
    X, Y, s, Cs, l1_ratio, W, b, fit_intercept, tol, max_iter, verbose, early_stop,
    pen,
):  # fmt: skip
    """The loop of :func:`logistic_path` (BLAS single-threaded: the products here
    are matrix-vector ones, for which threads cost more than they give on the
    problem sizes of this package, and CV runs folds in parallel threads)."""
    out, iters, gaps = [], [], []
    null_dev = prev_ratio = None
    for C in Cs:
        pr = LogisticProblem(X, Y, C * s, l1_ratio, 1.0 - l1_ratio, fit_intercept, pen)
        gap, n_iter, converged = fit_logistic(
            pr, W, b, tol=tol, max_iter=max_iter, verbose=verbose
        )
        if not converged:
            warnings.warn(
                f"fastlasso's logistic solver did not reach the duality-gap "
                f"tolerance for C={C:.6g}: gap {gap:.3e} after {n_iter} Newton "
                f"iterations (max_iter={max_iter}"
                + ("" if n_iter >= max_iter else "; the gap stopped decreasing")
                + "). Increase max_iter or tol, or scale the features."
                + (
                    " The gap is infinite: the unpenalized features (penalty_factor"
                    " 0) and the intercept may separate the classes, and then no "
                    "minimiser exists."
                    if np.isinf(gap)
                    else ""
                ),
                ConvergenceWarning,
                stacklevel=3,
            )
        row = np.hstack([W, b[:, None]]) if fit_intercept else W.copy()
        out.append(row)
        iters.append(n_iter)
        gaps.append(gap)
        if early_stop:
            dev = pr.loss(pr.linear(W, b)) / C
            if null_dev is None:
                null_dev = pr.null_objective() / C
            ratio = 1.0 - dev / null_dev if null_dev > 0 else 1.0
            if ratio > 0.999 or (prev_ratio is not None and ratio - prev_ratio < 1e-5):
                break
            prev_ratio = ratio
    n_done = len(out)
    return (
        np.array(out),
        Cs[:n_done],
        np.asarray(iters, dtype=np.int32),
        np.asarray(gaps),
    )


def default_Cs(Cs):
    """scikit-learn's grid for an integer ``Cs``: ``logspace(-4, 4, Cs)``."""
    if isinstance(Cs, Integral):
        return np.logspace(-4, 4, Cs)
    return np.asarray(Cs, dtype=np.float64)


def check_design(X):
    """F-contiguous dense or canonical CSC (the kernels' layouts)."""
    if sparse.issparse(X):
        return canonical_csc(X)
    return np.asfortranarray(X)
