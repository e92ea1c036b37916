"""One adapter per library.

``fit(X, y, alpha, l1_ratio, tol, max_iter) -> (coef, intercept, n_iter)``
fits one Lasso (``l1_ratio == 1``) or ElasticNet with an intercept through
the library's estimator, with its default options.

``path(X, y, alphas, l1_ratio, tol, max_iter) -> (coefs, intercepts)`` solves
the whole path (``coefs`` is n_features x n_alphas) with the library's own
path routine: ``X`` and ``y`` are centred once (dense only, inside the timed
call) and the routine, which fits no intercept, is run on the centred data;
the intercepts are then ``mean(y) - mean(X) @ w``. Every routine warm-starts
each alpha from the previous solution.

Every adapter returns what the library returns; ``problems.objective`` judges
all of them the same way. ``tol`` means whatever the library means by it
(fastlasso and scikit-learn: duality gap <= tol * ||y - mean(y)||^2; skglm and
celer: their own criteria), which is why the benchmark sweeps ``tol`` and
measures time to a fixed suboptimality instead of comparing fit times at equal
``tol``.
"""

import importlib
import warnings

import numpy as np

__all__ = ["ALL_SOLVERS", "available_solvers", "make_solver"]


def _centre(X, y):
    if not isinstance(X, np.ndarray):
        raise TypeError("the path benchmark centres X, so X must be dense")
    x_mean, y_mean = X.mean(axis=0), y.mean()
    return np.asfortranarray(X - x_mean), y - y_mean, x_mean, y_mean


class _Solver:
    name = ""
    module = ""  # the module holding the library's ``Lasso`` / ``ElasticNet``

    def __init__(self):
        self.lib = importlib.import_module(self.module)
        top = importlib.import_module(self.module.partition(".")[0])
        self.version = getattr(top, "__version__", "?")

    def estimator(self, alpha, l1_ratio, tol, max_iter):
        if l1_ratio == 1.0:
            return self.lib.Lasso(alpha=alpha, tol=tol, max_iter=max_iter)
        return self.lib.ElasticNet(
            alpha=alpha, l1_ratio=l1_ratio, tol=tol, max_iter=max_iter
        )

    def fit(self, X, y, alpha, l1_ratio, tol, max_iter):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ConvergenceWarning at loose tol
            model = self.estimator(alpha, l1_ratio, tol, max_iter).fit(X, y)
        return model.coef_, model.intercept_, getattr(model, "n_iter_", -1)

    def path(self, X, y, alphas, l1_ratio, tol, max_iter):
        Xc, yc, x_mean, y_mean = _centre(X, y)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            coefs = self._path(Xc, yc, alphas, l1_ratio, tol, max_iter)
        return coefs, y_mean - x_mean @ coefs


class _SkLearnLike(_Solver):
    def _path(self, Xc, yc, alphas, l1_ratio, tol, max_iter):
        _, coefs, _ = self.lib.enet_path(
            Xc, yc, l1_ratio=l1_ratio, alphas=alphas, tol=tol, max_iter=max_iter
        )
        return coefs


class FastLasso(_SkLearnLike):
    name, module = "fastlasso", "fastlasso"


class SkLearn(_SkLearnLike):
    name, module = "sklearn", "sklearn.linear_model"


class SkGlm(_Solver):
    name, module = "skglm", "skglm"

    def _path(self, Xc, yc, alphas, l1_ratio, tol, max_iter):
        est = self.estimator(alphas[0], l1_ratio, tol, max_iter)
        est.fit_intercept = False
        _, coefs, *_ = est.path(Xc, yc, alphas)
        return coefs


class Celer(_Solver):
    name, module = "celer", "celer"

    def _path(self, Xc, yc, alphas, l1_ratio, tol, max_iter):
        _, coefs, *_ = self.lib.celer_path(
            Xc,
            yc,
            "lasso",
            alphas=alphas,
            l1_ratio=l1_ratio,
            tol=tol,
            max_iter=max_iter,
        )
        return coefs


ALL_SOLVERS = {cls.name: cls for cls in (FastLasso, SkLearn, SkGlm, Celer)}
REQUIRED = ("fastlasso", "sklearn")


def make_solver(name):
    return ALL_SOLVERS[name]()


def available_solvers(names=None):
    """Check which requested solvers import; optional ones are skipped if not.

    Returns ``(solvers, skipped)``: the importable solver instances, in the
    order of ``ALL_SOLVERS``, and a dict name -> reason for the others.
    """
    solvers, skipped = [], {}
    for name, cls in ALL_SOLVERS.items():
        if names is not None and name not in names:
            continue
        try:
            solvers.append(cls())
        except ImportError as exc:
            if name in REQUIRED:
                raise
            skipped[name] = f"not importable ({exc})"
    return solvers, skipped
