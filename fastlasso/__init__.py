"""fastlasso: fast, exact Lasso and ElasticNet, a drop-in for scikit-learn.

``from fastlasso import Lasso, ElasticNet, lasso_path, enet_path`` gives
scikit-learn 1.9's estimators and path functions (same objective, parameters,
attributes, warnings and errors), solved by Numba coordinate-descent kernels that
are compiled on first use and cached on disk. Importing compiles nothing, and the
public names are imported on first access (so ``fastlasso --help`` does not load
numba and scikit-learn).
"""

from importlib import import_module

__version__ = "0.1.0"

_WHERE = {
    "ElasticNet": ".linear_model",
    "ElasticNetCV": ".linear_model",
    "Lasso": ".linear_model",
    "LassoCV": ".linear_model",
    "LogisticRegression": ".linear_model",
    "LogisticRegressionCV": ".linear_model",
    "MultiTaskElasticNet": ".linear_model",
    "MultiTaskElasticNetCV": ".linear_model",
    "MultiTaskLasso": ".linear_model",
    "MultiTaskLassoCV": ".linear_model",
    "Ridge": ".linear_model",
    "RidgeCV": ".linear_model",
    "ridge_path": ".linear_model",
    "enet_path": "._enet_path",
    "lasso_path": "._enet_path",
    "logistic_path": ".linear_model",
    "reference_solution": "._reference",
}

__all__ = sorted([*_WHERE, "__version__"])


def __getattr__(name):
    if name in _WHERE:
        value = getattr(import_module(_WHERE[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_WHERE))
