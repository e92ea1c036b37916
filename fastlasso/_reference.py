"""Reference-grade solutions: optima certified to a relative duality gap of 1e-12.

``reference_solution(X, y, alpha)`` gives the optimum ``P*`` of a Lasso /
ElasticNet (multi-task when ``y`` is 2-d; with ``model="logistic"``, of a
binary penalised logistic regression) to an accuracy that makes it usable as
the ``P*`` of other projects' benchmarks: the returned point comes with a
duality gap that this module recomputes in float64 with numpy, independently
of the kernels' own stopping test.

Method. The working-set coordinate-descent solver runs at ``tol=1e-14``
(float64). If the recomputed gap is still above ``target_gap``, the solution is
*polished* on its support ``S`` with signs ``s``: for the (elastic-net) Lasso the
optimality conditions restricted to ``S`` are linear,

    (Z_S^T Z_S + n l2 I) w_S = Z_S^T y_c - n l1 s,

(``Z`` the centred design, ``l1 = alpha l1_ratio``, ``l2 = alpha (1 -
l1_ratio)``), solved directly; for the logistic loss the smooth problem on
``S`` is minimised by a few damped Newton steps. The polished point is kept only
if its recomputed gap is smaller, so the certificate never gets worse.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.special import expit

__all__ = [
    "ReferenceSolution",
    "enet_duality_gap",
    "multitask_duality_gap",
    "reference_solution",
]

#: Relative duality gap a reference must reach to count as certified.
TARGET_GAP = 1e-12


@dataclass
class ReferenceSolution:
    """A certified optimum.

    Attributes
    ----------
    coef : ndarray of shape (n_features,) (multi-task: (n_tasks, n_features))
    intercept : float (multi-task: ndarray of shape (n_tasks,))
    objective : float
        ``P(coef, intercept)`` (the objective stated by ``reference_solution``).
    dual_objective : float
        ``D(theta)`` at the dual point built from the residual, ``D <= P*``.
    gap : float
        ``objective - dual_objective`` >= ``P - P*`` (absolute).
    scale : float
        The normaliser of ``rel_gap``: the objective of the null model
        (``coef = 0``, best intercept), i.e. ``||y - mean(y)||^2 / (2 n)`` for
        the Lasso and ElasticNet with an intercept.
    rel_gap : float
        ``gap / scale``; ``certified`` is ``rel_gap <= target_gap``.
    rel_gap_objective : float
        ``gap / objective``: the relative accuracy of ``objective`` as ``P*``.
    certified : bool
    n_iter : int
        Iterations of the solver (epochs or Newton steps), polish excluded.
    method : str
        ``"cd"`` or ``"cd+polish"`` (``"newton"`` / ``"newton+polish"``;
        ``"bcd"`` for the multi-task Lasso).
    """

    coef: np.ndarray
    intercept: float
    objective: float
    dual_objective: float
    gap: float
    scale: float
    rel_gap: float
    rel_gap_objective: float
    certified: bool
    n_iter: int
    method: str
    info: dict = field(default_factory=dict)


def _as_design(X):
    if sparse.issparse(X):
        X = sparse.csc_matrix(X, dtype=np.float64)
        X.sort_indices()
        return X
    return np.asfortranarray(X, dtype=np.float64)


def enet_duality_gap(X, y, w, alpha, l1_ratio=1.0, fit_intercept=True):
    """Primal objective, dual objective and best intercept for ``w``, in float64.

    ``P(w, b) = 1/(2n) ||y - X w - b||^2 + alpha l1_ratio ||w||_1
    + alpha (1 - l1_ratio)/2 ||w||^2`` at the best intercept ``b`` for ``w``
    (``b = 0`` without intercept). The dual point is the residual rescaled into
    the dual feasible set (as scikit-learn does), so ``D <= P* <= P``.

    Returns
    -------
    primal, dual, intercept : float
    """
    n = X.shape[0]
    w = np.asarray(w, dtype=np.float64).ravel()
    r = np.asarray(y, dtype=np.float64) - np.asarray(X @ w).ravel()
    b = float(r.mean()) if fit_intercept else 0.0
    r = r - b
    yc = np.asarray(y, dtype=np.float64) - (float(np.mean(y)) if fit_intercept else 0)
    l1, l2 = alpha * l1_ratio * n, alpha * (1.0 - l1_ratio) * n
    # sum(r) = 0 with an intercept, so X^T r is the centred design's
    xtr = np.asarray(X.T @ r).ravel() - l2 * w
    dual_norm = float(np.max(np.abs(xtr))) if xtr.size else 0.0
    r2, w2, w1 = float(r @ r), float(w @ w), float(np.abs(w).sum())
    const = l1 / dual_norm if dual_norm > l1 else 1.0
    primal = 0.5 * r2 + l1 * w1 + 0.5 * l2 * w2
    dual = -0.5 * r2 * const**2 + const * float(r @ yc) - 0.5 * l2 * w2 * const**2
    return primal / n, dual / n, b


def multitask_duality_gap(X, Y, W, alpha, l1_ratio=1.0, fit_intercept=True):
    """Primal, dual objective and best intercepts of a multi-task (elastic-net)
    Lasso point ``W`` (n_tasks, n_features), in float64.

    ``P(W, b) = 1/(2n) ||Y - X W^T - b||_F^2 + alpha l1_ratio sum_j ||W_:j||_2
    + alpha (1 - l1_ratio)/2 ||W||_F^2``; the dual point is the residual scaled
    so that ``max_j ||X_j^T theta - n l2 W_:j||_2 <= n l1`` (scikit-learn's).
    """
    n = X.shape[0]
    W = np.asarray(W, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    R = Y - np.asarray(X @ W.T)
    b = R.mean(axis=0) if fit_intercept else np.zeros(Y.shape[1])
    R = R - b
    Yc = Y - Y.mean(axis=0) if fit_intercept else Y
    l1, l2 = alpha * l1_ratio * n, alpha * (1.0 - l1_ratio) * n
    XtA = np.asarray(X.T @ R) - l2 * W.T
    dual_norm = float(np.max(np.linalg.norm(XtA, axis=1))) if XtA.size else 0.0
    const = l1 / dual_norm if dual_norm > l1 else 1.0
    r2, w2 = float(np.sum(R * R)), float(np.sum(W * W))
    l21 = float(np.sum(np.linalg.norm(W, axis=0)))
    primal = 0.5 * r2 + l1 * l21 + 0.5 * l2 * w2
    dual = -0.5 * const**2 * (r2 + l2 * w2) + const * float(np.sum(R * Yc))
    return primal / n, dual / n, b


def _multitask(X, Y, alpha, l1_ratio, fit_intercept, tol, max_iter, target_gap):
    from sklearn.exceptions import ConvergenceWarning

    from .linear_model import MultiTaskElasticNet

    est = MultiTaskElasticNet(
        alpha=alpha,
        l1_ratio=l1_ratio,
        fit_intercept=fit_intercept,
        tol=tol,
        max_iter=max_iter,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, Y)
    W = np.asarray(est.coef_, dtype=np.float64).copy()
    primal, dual, b = multitask_duality_gap(X, Y, W, alpha, l1_ratio, fit_intercept)
    Yc = Y - Y.mean(axis=0) if fit_intercept else Y
    scale = 0.5 * float(np.sum(Yc * Yc)) / X.shape[0]
    return W, b, primal, dual, scale, int(est.n_iter_), "bcd"


def _columns(X, idx, fit_intercept):
    """Dense (centred if ``fit_intercept``) columns ``idx`` of ``X``."""
    Z = X[:, idx]
    Z = np.asarray(Z.toarray() if sparse.issparse(Z) else Z, dtype=np.float64)
    return Z - Z.mean(axis=0) if fit_intercept else Z


def _polish_enet(X, y, w, alpha, l1_ratio, fit_intercept):
    """Solve the optimality conditions on the support of ``w`` with its signs."""
    S = np.flatnonzero(w)
    if S.size == 0:
        return None
    n = X.shape[0]
    Z = _columns(X, S, fit_intercept)
    yc = y - y.mean() if fit_intercept else y
    A = Z.T @ Z
    A[np.diag_indices_from(A)] += n * alpha * (1.0 - l1_ratio)
    rhs = Z.T @ yc - n * alpha * l1_ratio * np.sign(w[S])
    try:
        wS = np.linalg.solve(A, rhs)
        # one step of iterative refinement (A can be ill-conditioned)
        wS += np.linalg.solve(A, rhs - A @ wS)
    except np.linalg.LinAlgError:
        wS = np.linalg.lstsq(A, rhs, rcond=None)[0]
    out = np.zeros_like(w)
    out[S] = wS
    return out


def _enet(X, y, alpha, l1_ratio, fit_intercept, tol, max_iter, target_gap):
    from sklearn.exceptions import ConvergenceWarning

    from .linear_model import ElasticNet

    est = ElasticNet(
        alpha=alpha,
        l1_ratio=l1_ratio,
        fit_intercept=fit_intercept,
        tol=tol,
        max_iter=max_iter,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    w = np.asarray(est.coef_, dtype=np.float64).ravel().copy()
    primal, dual, b = enet_duality_gap(X, y, w, alpha, l1_ratio, fit_intercept)
    yc = y - y.mean() if fit_intercept else y
    scale = 0.5 * float(yc @ yc) / X.shape[0]
    method = "cd"
    if (primal - dual) > target_gap * scale:
        w2 = _polish_enet(X, y, w, alpha, l1_ratio, fit_intercept)
        if w2 is not None:
            p2, d2, b2 = enet_duality_gap(X, y, w2, alpha, l1_ratio, fit_intercept)
            if p2 - d2 < primal - dual:
                w, primal, dual, b, method = w2, p2, d2, b2, "cd+polish"
    return w, b, primal, dual, scale, int(est.n_iter_), method


def _logistic_problem(X, y, C, l1_ratio, fit_intercept):
    from ._logistic_path import LogisticProblem

    classes = np.unique(y)
    if classes.size != 2:
        raise ValueError(
            "reference_solution(model='logistic') needs exactly two classes in y; "
            f"got {classes.size}."
        )
    Y = (np.asarray(y) == classes[1]).astype(np.float64)[:, None]
    c = np.full(X.shape[0], float(C))
    return LogisticProblem(X, Y, c, l1_ratio, 1.0 - l1_ratio, fit_intercept)


def _polish_logistic(pr, w, b, n_steps=30):
    """Damped Newton on the support of ``w`` (signs fixed): the smooth problem
    ``sum c_i loss_i + l1 s^T w_S + l2/2 |w_S|^2`` (plus the intercept)."""
    S = np.flatnonzero(w)
    if S.size == 0:
        return None
    Z = pr.X[:, S]
    Z = np.asarray(Z.toarray() if sparse.issparse(Z) else Z, dtype=np.float64)
    if pr.fit_intercept:
        Z = np.hstack([Z, np.ones((pr.n, 1))])
    s = np.sign(w[S])
    theta = np.concatenate([w[S], [b]]) if pr.fit_intercept else w[S].copy()
    m = S.size
    y, c = pr.Y[:, 0], pr.c

    def f(t):
        e = Z @ t
        return (
            float(c @ (np.logaddexp(0.0, e) - y * e))
            + pr.l1 * float(s @ t[:m])
            + 0.5 * pr.l2 * float(t[:m] @ t[:m])
        )

    for _ in range(n_steps):
        p = expit(Z @ theta)
        g = Z.T @ (c * (p - y))
        g[:m] += pr.l1 * s + pr.l2 * theta[:m]
        H = (Z * (c * p * (1.0 - p))[:, None]).T @ Z
        H[np.arange(m), np.arange(m)] += pr.l2
        step = np.linalg.lstsq(H, -g, rcond=None)[0]
        f0, t = f(theta), 1.0
        while f(theta + t * step) > f0 + 4 * np.finfo(float).eps * abs(f0):
            t *= 0.5
            if t < 1e-6:
                break
        else:
            theta = theta + t * step
            if np.max(np.abs(t * step)) <= 1e-15 * (1.0 + np.max(np.abs(theta))):
                break
            continue
        break
    out = np.zeros_like(w)
    out[S] = theta[:m]
    return out, (float(theta[m]) if pr.fit_intercept else 0.0)


def _logistic(X, y, C, l1_ratio, fit_intercept, tol, max_iter, target_gap):
    from ._logistic_path import fit_logistic

    pr = _logistic_problem(X, y, C, l1_ratio, fit_intercept)
    W, bb = np.zeros((1, pr.p)), np.zeros(1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, n_iter, _ = fit_logistic(pr, W, bb, tol=tol, max_iter=max_iter)
    w, b = W[0].copy(), float(bb[0])
    gap, primal = pr.gap(pr.linear(W, bb), W)
    scale = pr.null_objective()
    method = "newton"
    if gap > target_gap * scale:
        out = _polish_logistic(pr, w, b)
        if out is not None:
            W2, b2 = out[0][None, :], np.array([out[1]])
            eta = pr.linear(W2, b2)
            pr.fit_intercepts(eta, b2)
            g2, p2 = pr.gap(eta, W2)
            if g2 < gap:
                w, b, gap, primal, method = W2[0], float(b2[0]), g2, p2, "newton+polish"
    return w, b, primal, primal - gap, scale, int(n_iter), method


def reference_solution(
    X,
    y,
    alpha: float | None = None,
    *,
    l1_ratio: float = 1.0,
    model: str = "lasso",
    C: float | None = None,
    fit_intercept: bool = True,
    tol: float = 1e-14,
    max_iter: int = 100_000,
    target_gap: float = TARGET_GAP,
) -> ReferenceSolution:
    """Optimum of a Lasso / ElasticNet / L1 logistic problem with a certificate.

    ``model="lasso"`` (the ElasticNet when ``l1_ratio < 1``) minimises scikit-
    learn's objective

        P(w, b) = 1/(2 n) ||y - X w - b||^2 + alpha l1_ratio ||w||_1
                  + alpha (1 - l1_ratio) / 2 ||w||^2;

    with a 2-d ``y`` (n_samples, n_tasks) it is the multi-task (elastic-net)
    Lasso, ``1/(2n) ||Y - X W^T - b||_F^2 + alpha l1_ratio sum_j ||W_:j||_2 +
    alpha (1 - l1_ratio)/2 ||W||_F^2`` (block coordinate descent at ``tol``, no
    polish); ``model="logistic"`` (binary ``y``, any two labels, the second in sorted
    order is the positive class) minimises scikit-learn's
    ``LogisticRegression`` objective

        P(w, b) = C sum_i log(1 + exp(-y_i (x_i w + b))) + l1_ratio ||w||_1
                  + (1 - l1_ratio) / 2 ||w||^2.

    Parameters
    ----------
    X : array-like or sparse matrix of shape (n_samples, n_features)
        Converted to float64 (Fortran order or CSC): the reference is always
        computed in float64.
    y : array-like of shape (n_samples,) or (n_samples, n_tasks)
    alpha : float
        Penalty strength of the Lasso / ElasticNet (> 0).
    l1_ratio : float in (0, 1], default=1.0
    model : {"lasso", "logistic"}, default="lasso"
    C : float
        Inverse penalty strength of the logistic model (> 0).
    fit_intercept : bool, default=True
        The intercept is never penalised.
    tol : float, default=1e-14
        Stopping tolerance of the solver before the polish (fastlasso's meaning:
        duality gap <= ``tol * ||y_c||^2`` for the Lasso, ``tol *`` the null
        objective for the logistic model).
    max_iter : int, default=100000
    target_gap : float, default=1e-12
        Relative duality gap (``gap / scale``, see ``ReferenceSolution``) the
        solution must reach to be ``certified``; a polish runs if the solver
        alone does not reach it.

    Returns
    -------
    ReferenceSolution
        Coefficients, intercept, objective, dual objective, absolute and
        relative duality gaps (the relative gap is ``gap`` over the objective of
        the null model ``w = 0``, ``||y - mean(y)||^2 / (2 n)`` for the Lasso),
        ``certified`` and the method used. No exception when the target is
        missed: check ``certified``.
    """
    X = _as_design(X)
    y = np.asarray(y)
    multitask = model == "lasso" and y.ndim == 2
    if y.shape[:1] != X.shape[:1] or y.ndim != (2 if multitask else 1):
        raise ValueError(
            f"y must be 1-d (2-d for the multi-task Lasso) with X.shape[0] = "
            f"{X.shape[0]} rows; got shape {y.shape}."
        )
    if not 0.0 < l1_ratio <= 1.0:
        raise ValueError(f"l1_ratio must be in (0, 1]; got {l1_ratio}.")
    if model == "lasso":
        if alpha is None or not alpha > 0:
            raise ValueError(f"alpha must be a positive float; got {alpha!r}.")
        y = np.asarray(y, dtype=np.float64)
        args = (X, y, float(alpha), l1_ratio, fit_intercept, tol, max_iter)
        solve = _multitask if multitask else _enet
        w, b, primal, dual, scale, n_iter, method = solve(*args, target_gap)
    elif model == "logistic":
        if C is None or not C > 0:
            raise ValueError(f"C must be a positive float; got {C!r}.")
        args = (X, y, float(C), l1_ratio, fit_intercept, tol, min(max_iter, 1000))
        w, b, primal, dual, scale, n_iter, method = _logistic(*args, target_gap)
    else:
        raise ValueError(f"model must be 'lasso' or 'logistic'; got {model!r}.")
    gap = max(primal - dual, 0.0)
    rel = gap / scale if scale > 0 else gap
    return ReferenceSolution(
        coef=w,
        intercept=b if multitask else float(b),
        objective=float(primal),
        dual_objective=float(dual),
        gap=float(gap),
        scale=float(scale),
        rel_gap=float(rel),
        rel_gap_objective=float(gap / primal) if primal > 0 else float(gap),
        certified=bool(rel <= target_gap),
        n_iter=n_iter,
        method=method,
        info={"model": model, "alpha": alpha, "C": C, "l1_ratio": l1_ratio},
    )
