"""benchopt solver: fastlasso for the Lasso and the L1 logistic regression benchmarks.

Copy (or link) this file into the ``solvers/`` folder of a benchopt benchmark
in the format of benchopt's ``benchmark_lasso`` (objective ``0.5 ||y - X w -
b||^2 + lmbd ||w||_1``, ``set_objective(X, y, lmbd, fit_intercept)``, result
``beta`` with the intercept last when fitted) or ``benchmark_logreg_l1``
(objective ``sum_i log(1 + exp(-y_i x_i^T w)) + lmbd ||w||_1``, y in {-1, 1},
``set_objective(X, y, lmbd)``, result ``beta``). Which one is read from the
benchmark objective's name (``"logistic"`` in it; without ``"lasso"`` in it,
labels in {-1, 1} mean logistic).

Sampling: ``"tolerance"``: benchopt calls ``run(tol)`` with decreasing ``tol``
and fastlasso stops at a duality gap ``<= tol * ||y - mean(y)||^2`` (Lasso) or
``<= tol * P(0)`` (logistic), so each point of the curve is a certified fit.
``warm_up`` runs one fit so that Numba's compilation (or cache load) is not
timed.
"""

import warnings

import numpy as np
from benchopt import BaseSolver


class Solver(BaseSolver):
    name = "fastlasso"
    sampling_strategy = "tolerance"
    requirements = ["pip::fastlasso"]
    references = [
        "fastlasso: working-set coordinate descent with gap-safe screening and "
        "Anderson extrapolation (Numba)"
    ]

    def skip(self, X, y, lmbd, fit_intercept=False, **kwargs):
        return False, None

    def set_objective(self, X, y, lmbd, fit_intercept=False, **kwargs):
        from scipy import sparse

        obj = getattr(self, "_objective", None)
        name = str(getattr(obj, "name", "")).lower()
        labels = np.unique(np.asarray(y))
        self.logistic = "logistic" in name or (
            "lasso" not in name and set(labels.tolist()) == {-1.0, 1.0}
        )
        if sparse.issparse(X):
            X = sparse.csc_matrix(X, dtype=np.float64)
        else:
            X = np.asfortranarray(X, dtype=np.float64)
        self.X, self.y, self.lmbd = X, np.asarray(y), float(lmbd)
        self.fit_intercept = bool(fit_intercept)
        n = X.shape[0]
        if self.logistic:
            from fastlasso import LogisticRegression

            self.est = LogisticRegression(
                C=1.0 / self.lmbd,
                l1_ratio=1.0,
                solver="saga",  # passes scikit-learn's check of l1_ratio
                fit_intercept=self.fit_intercept,
                max_iter=1000,
            )
        else:
            from fastlasso import Lasso

            self.est = Lasso(
                alpha=self.lmbd / n,
                fit_intercept=self.fit_intercept,
                max_iter=100_000,
            )

    def warm_up(self):
        self.run_once(1.0)  # compiles (or loads) the kernels, untimed

    def run(self, tol):
        self.est.set_params(tol=max(float(tol), 1e-14))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ConvergenceWarning at loose tol
            self.est.fit(self.X, self.y)

    def get_result(self):
        w = np.ravel(self.est.coef_).astype(np.float64)
        if self.fit_intercept:
            w = np.append(w, np.ravel(self.est.intercept_)[0])
        return dict(beta=w)
