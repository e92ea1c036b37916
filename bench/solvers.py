"""One adapter per library: ``fit(X, y, alpha, tol) -> (coef, intercept, n_iter)``.

Every adapter fits a Lasso with an intercept and returns what the library
returns; ``problems.objective`` judges all of them the same way. ``tol`` means
whatever the library means by it (fastlasso and scikit-learn: duality gap <=
tol * ||y - mean(y)||^2; skglm and celer: their own criteria), which is why
the benchmark sweeps ``tol`` and measures time to a fixed suboptimality
instead of comparing fit times at equal ``tol``.
"""

import importlib
import warnings

__all__ = ["available_solvers"]


class _Solver:
    name = ""
    module = ""  # the module holding the library's ``Lasso``

    def __init__(self):
        self.lib = importlib.import_module(self.module)
        top = importlib.import_module(self.module.partition(".")[0])
        self.version = getattr(top, "__version__", "?")

    def fit(self, X, y, alpha, tol, max_iter):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ConvergenceWarning at loose tol
            model = self.lib.Lasso(alpha=alpha, tol=tol, max_iter=max_iter).fit(X, y)
        return model.coef_, model.intercept_, getattr(model, "n_iter_", -1)


class FastLasso(_Solver):
    name, module = "fastlasso", "fastlasso"


class SkLearn(_Solver):
    name, module = "sklearn", "sklearn.linear_model"


class SkGlm(_Solver):
    name, module = "skglm", "skglm"


class Celer(_Solver):
    name, module = "celer", "celer"


ALL_SOLVERS = (FastLasso, SkLearn, SkGlm, Celer)
REQUIRED = ("fastlasso", "sklearn")


def available_solvers(names=None):
    """Instantiate the requested solvers; optional ones are skipped if missing.

    Returns ``(solvers, skipped)`` where ``skipped`` maps name -> reason.
    """
    solvers, skipped = [], {}
    for cls in ALL_SOLVERS:
        if names is not None and cls.name not in names:
            continue
        try:
            solvers.append(cls())
        except ImportError as exc:
            if cls.name in REQUIRED:
                raise
            skipped[cls.name] = f"not importable ({exc})"
    return solvers, skipped
