"""The penalised logistic problem: model, penalty, exact fits of the free
parameters (intercepts, unpenalised coefficients) and the certificate's entry.

See :mod:`fastlasso._logistic_path` for the objective and the solver, and
:mod:`fastlasso._logistic_dual` for the duality gap.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.special import logsumexp, softmax, xlogy

from ._logistic_dual import gap_and_scores

__all__ = ["LogisticProblem"]


def expit(e):
    """The logistic function ``1 / (1 + exp(-e))``, to 1 ulp of
    ``scipy.special.expit`` and 2.5x faster (30 vs 77 us at n = 16k): the
    solver evaluates it several times per Newton step. ``exp(-e)`` overflows
    to inf below e = -709, where the result rounds to 0 as it should."""
    with np.errstate(over="ignore"):
        out = np.exp(-e)
    out += 1.0
    np.reciprocal(out, out=out)
    return out


class LogisticProblem:
    """Data and penalty of one logistic fit, in the form the solver uses.

    Parameters
    ----------
    X : F-contiguous ndarray or CSC matrix of shape (n, p), float32 or float64
        Not copied, never modified.
    Y : ndarray of shape (n, K)
        One column of 0/1 labels for two classes (the positive class is the
        second one); the one-hot class indicators for K >= 3 classes.
    c : ndarray of shape (n,)
        ``C`` times the sample (and class) weights.
    l1, l2 : float
        Penalty strengths: ``l1 * |W|_1 + l2 / 2 * |W|^2``.
    fit_intercept : bool
    pen : tuple (pf, lo, hi) of float64 arrays of shape (p,), or None
        Penalty factors and bounds (:func:`fastlasso._path.make_penalty`): the
        penalty of feature ``j`` is ``pf_j (l1 |W_:j|_1 + l2 / 2 |W_:j|^2)`` and
        ``lo_j <= W_kj <= hi_j``. Unpenalised features (``pf_j = 0``) must be
        unbounded.
    """

    def __init__(self, X, Y, c, l1, l2, fit_intercept, pen=None):
        self.X, self.Y = X, np.asarray(Y, dtype=np.float64)
        self.c = np.asarray(c, dtype=np.float64)
        self.l1, self.l2 = float(l1), float(l2)
        self.fit_intercept = bool(fit_intercept)
        self.binary = self.Y.shape[1] == 1
        self.n, self.p = X.shape
        self.K = self.Y.shape[1]
        self._set_penalty(pen)

    # -- model ------------------------------------------------------------------
    def probabilities(self, eta):
        """Fitted probabilities (n, K): of the positive class when binary."""
        return expit(eta) if self.binary else softmax(eta, axis=1)

    def loss(self, eta):
        """``sum_i c_i loss_i(eta_i)``."""
        if self.binary:
            e = eta[:, 0]
            # log(1 + exp(e)) as max(e, 0) + log1p(exp(-|e|)): to 1 ulp of
            # np.logaddexp(0, e), 3-4x faster (53 vs 144-237 us at n = 16k),
            # and the line search evaluates it several times per Newton step
            per = np.log1p(np.exp(-np.abs(e)))
            per += np.maximum(e, 0.0)
            per -= self.Y[:, 0] * e
        else:
            per = logsumexp(eta, axis=1) - np.einsum("ik,ik->i", eta, self.Y)
        return float(self.c @ per)

    def _set_penalty(self, pen):
        self.pen = pen
        if pen is None:
            self.pf = self.lo = self.hi = None
            self.unpenalized = np.zeros(0, dtype=np.intp)
            return
        self.pf, self.lo, self.hi = (np.asarray(v, dtype=np.float64) for v in pen)
        self.unpenalized = np.flatnonzero(self.pf == 0)
        u = self.unpenalized
        if u.size and not self.binary:
            raise ValueError(
                "unpenalized features (penalty_factor 0) are supported for two "
                "classes only in fastlasso's logistic regression; give them a small "
                "positive penalty_factor for a multinomial model."
            )
        if np.any(np.isfinite(self.lo[u])) or np.any(np.isfinite(self.hi[u])):
            raise ValueError(
                "unpenalized features (penalty_factor 0) cannot have finite "
                "lower_bounds or upper_bounds in logistic regression; bad features "
                f"{u[np.isfinite(self.lo[u]) | np.isfinite(self.hi[u])][:10].tolist()}."
            )

    def penalty(self, W):
        if self.pf is None:
            return float(self.l1 * np.abs(W).sum() + 0.5 * self.l2 * np.vdot(W, W))
        W = np.reshape(W, (-1, self.pf.size))  # a class's row or all of W
        per = self.l1 * np.abs(W).sum(axis=0) + 0.5 * self.l2 * (W * W).sum(axis=0)
        return float(self.pf @ per)

    def feasible(self, W):
        """Whether ``W`` meets the bounds."""
        return self.pf is None or bool(np.all((W >= self.lo) & (W <= self.hi)))

    def objective(self, eta, W):
        return self.loss(eta) + self.penalty(W)

    def linear(self, W, b):
        """``eta = X W^T + b`` in float64, shape (n, K)."""
        eta = np.empty((self.n, self.K))
        for k in range(self.K):
            eta[:, k] = self.column_product(W[k])
        return eta + b

    def column_product(self, w):
        """``X @ w`` touching only the columns where ``w`` is non-zero."""
        X = self.X
        idx = np.flatnonzero(w)
        if idx.size == 0:
            return np.zeros(self.n)
        if idx.size > self.p // 4:
            out = X @ w.astype(X.dtype, copy=False)
        else:
            out = X[:, idx] @ w[idx].astype(X.dtype, copy=False)
        return np.asarray(out, dtype=np.float64).ravel()

    def null_objective(self):
        """Objective of the intercept-only model (``W = 0``, best ``b``)."""
        total = self.c.sum()
        if not self.fit_intercept:
            return total * np.log(2.0 if self.binary else self.K)
        pi = (self.c @ self.Y) / total
        if self.binary:
            pi = np.array([pi[0], 1.0 - pi[0]])
        return float(-total * xlogy(pi, pi).sum())

    # -- intercept --------------------------------------------------------------
    def fit_unpenalized(self, eta, W, b):
        """Minimise over the intercepts and the unpenalised coefficients alone
        (updates ``eta``, ``W``, ``b``): the certificate needs their optimality
        conditions ``[1, X_u]^T c (P - Y) = 0`` to rounding."""
        if self.unpenalized.size == 0:
            self.fit_intercepts(eta, b)
        else:
            self._fit_unpenalized_binary(eta, W, b)

    def _fit_unpenalized_binary(self, eta, W, b, max_steps=50):
        """Damped Newton over ``[b, W_u]`` (a smooth problem in ``|u| + 1``
        variables), with a backtracking line search on the loss."""
        u = self.unpenalized
        cols = self.X[:, u]
        A = np.asarray(cols.toarray() if sparse.issparse(cols) else cols, np.float64)
        if self.fit_intercept:
            A = np.hstack([A, np.ones((self.n, 1))])
        c, y, e = self.c, self.Y[:, 0], eta[:, 0]
        scale = np.abs(A).T @ c
        theta = np.zeros(A.shape[1])
        f = self.loss(e[:, None])
        for _ in range(max_steps):
            P = expit(e + A @ theta)
            g = A.T @ (c * (P - y))
            if np.all(np.abs(g) <= 1e-13 * scale):
                break
            H = A.T @ ((c * P * (1.0 - P))[:, None] * A)
            step = -np.linalg.lstsq(H, g, rcond=None)[0]
            t, f_max = 1.0, f + 4.0 * np.finfo(np.float64).eps * abs(f)
            while t > 1e-4:
                f_t = self.loss((e + A @ (theta + t * step))[:, None])
                if f_t <= f_max:
                    break
                t *= 0.5
            else:  # no decrease beyond rounding: at the minimum
                break
            theta += t * step
            f = f_t
        eta[:, 0] = e + A @ theta
        W[0, u] += theta[: u.size]
        if self.fit_intercept:
            b[0] += theta[-1]

    def fit_intercepts(self, eta, b, max_steps=30):
        """Minimise over ``b`` alone (Newton with halving); updates ``eta``, ``b``.

        Stops when the gradient in ``b`` is at rounding level, when the step no
        longer changes ``b``, or when no step decreases the loss.
        """
        if not self.fit_intercept:
            return
        if self.binary:
            self._fit_intercept_binary(eta, b, max_steps)
            return
        scale = self.c.sum()
        for _ in range(max_steps):
            P = self.probabilities(eta)
            g = self.c @ (P - self.Y)
            if np.max(np.abs(g)) <= 1e-13 * scale:
                return
            if self.binary:
                H = np.atleast_2d(self.c @ (P * (1.0 - P)))
            else:
                H = -(P * self.c[:, None]).T @ P
                H[np.diag_indices(self.K)] += self.c @ P
                # H is singular along the ones vector (softmax is invariant to a
                # common shift); the ones term picks the step with zero sum.
                H += np.mean(np.diag(H)) / self.K
            step = np.linalg.lstsq(H, -g, rcond=None)[0]
            size = np.max(np.abs(step))
            if size <= 1e-14 * (1.0 + np.max(np.abs(b))):
                return
            if size > 1.0:  # a trust region of one logit unit (flat loss)
                step /= size
            f0, t = self.loss(eta), 1.0
            f_max = f0 + 4.0 * np.finfo(np.float64).eps * abs(f0)  # rounding
            while self.loss(eta + t * step) > f_max:
                t *= 0.5
                if t < 1e-3:  # Newton within its trust region: at rounding level
                    return
            eta += t * step
            b += t * step

    def _fit_intercept_binary(self, eta, b, max_steps):
        """Root of the derivative ``g(t) = sum_i c_i (expit(eta_i + t) - y_i)``
        (increasing in the shift ``t``) by Newton steps of at most one logit unit,
        kept inside the bracket of the signs seen so far (bisection otherwise):
        no loss evaluations, and the minimiser up to the rounding of ``g``."""
        c, y, e = self.c, self.Y[:, 0], eta[:, 0]
        scale = c.sum()
        lo, hi, t = -np.inf, np.inf, 0.0
        for _ in range(max_steps):
            P = expit(e + t)
            g = float(c @ (P - y))
            if abs(g) <= 1e-13 * scale:
                break
            if g > 0.0:
                hi = t
            else:
                lo = t
            H = float(c @ (P * (1.0 - P)))
            step = -g / H if H > 0.0 else -np.sign(g)
            t_new = t + float(np.clip(step, -1.0, 1.0))
            if not lo < t_new < hi:  # Newton left the bracket (both ends finite)
                t_new = 0.5 * (lo + hi)
            if abs(t_new - t) <= 1e-15 * (1.0 + abs(b[0] + t)):
                break
            t = t_new
        eta[:, 0] += t
        b[0] += t

    # -- certificate ------------------------------------------------------------
    def restrict(self, cols):
        """The same problem on the columns ``cols`` of ``X`` (a working set)."""
        X = self.X[:, cols]
        if not sparse.issparse(X):
            X = np.asfortranarray(X)
        sub = LogisticProblem.__new__(LogisticProblem)
        sub.__dict__.update(self.__dict__)
        sub.X, sub.p = X, len(cols)
        if self.pen is not None:
            sub._set_penalty(tuple(v[cols] for v in self.pen))
        return sub

    def gap(self, eta, W):
        """Duality gap and primal objective at ``(W, b)`` with ``eta = X W^T + b``."""
        gap, primal, _ = self.gap_and_scores(eta, W)
        return gap, primal

    def gap_and_scores(self, eta, W):
        """:meth:`gap` and the KKT violation of each feature at zero (see
        :func:`fastlasso._logistic_dual.gap_and_scores`)."""
        return gap_and_scores(self, eta, W)
