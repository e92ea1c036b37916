"""Minimal Lasso benchmark in benchopt's format (our own, after the layout of
benchopt's benchmark_lasso): P(w, b) = 0.5 ||y - X w - b||^2 + lmbd ||w||_1,
lmbd = reg * lmbd_max."""

import numpy as np
from benchopt import BaseObjective


class Objective(BaseObjective):
    name = "Lasso Regression"
    min_benchopt_version = "1.5"
    parameters = {"fit_intercept": [False, True], "reg": [0.1, 0.01]}

    def set_data(self, X, y):
        self.X, self.y = X, y
        yc = y - y.mean() if self.fit_intercept else y
        self.lmbd = self.reg * float(np.max(np.abs(X.T @ yc)))

    def evaluate_result(self, beta):
        w = beta[:-1] if self.fit_intercept else beta
        b = beta[-1] if self.fit_intercept else 0.0
        r = self.y - self.X @ w - b
        primal = 0.5 * float(r @ r) + self.lmbd * float(np.abs(w).sum())
        # dual point: the residual scaled into {|X^T theta|_inf <= lmbd}
        if self.fit_intercept:
            r = r - r.mean()
        scale = min(1.0, self.lmbd / max(float(np.max(np.abs(self.X.T @ r))), 1e-300))
        yc = self.y - self.y.mean() if self.fit_intercept else self.y
        theta = scale * r
        dual = float(theta @ yc) - 0.5 * float(theta @ theta)
        return dict(
            value=primal,
            duality_gap=primal - dual,
            support_size=int(np.count_nonzero(w)),
        )

    def get_one_result(self):
        return dict(beta=np.zeros(self.X.shape[1] + self.fit_intercept))

    def get_objective(self):
        return dict(
            X=self.X, y=self.y, lmbd=self.lmbd, fit_intercept=self.fit_intercept
        )
