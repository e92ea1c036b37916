"""Minimal L1 logistic regression benchmark in benchopt's format (our own, after
the layout of benchopt's benchmark_logreg_l1): P(w) = sum_i log(1 + exp(-y_i
x_i^T w)) + lmbd ||w||_1, y in {-1, 1}, no intercept, lmbd = reg * lmbd_max."""

import numpy as np
from benchopt import BaseObjective


class Objective(BaseObjective):
    name = "L1 Logistic Regression"
    min_benchopt_version = "1.5"
    parameters = {"reg": [0.1, 0.02]}

    def set_data(self, X, y):
        self.X, self.y = X, y
        self.lmbd = self.reg * float(np.max(np.abs(X.T @ y))) / 2.0

    def evaluate_result(self, beta):
        z = self.y * (self.X @ beta)
        value = float(np.logaddexp(0.0, -z).sum()) + self.lmbd * float(
            np.abs(beta).sum()
        )
        return dict(value=value, support_size=int(np.count_nonzero(beta)))

    def get_one_result(self):
        return dict(beta=np.zeros(self.X.shape[1]))

    def get_objective(self):
        return dict(X=self.X, y=self.y, lmbd=self.lmbd)
