"""fastlasso: fast, exact Lasso and ElasticNet, a drop-in for scikit-learn.

``from fastlasso import Lasso, ElasticNet, lasso_path, enet_path`` gives
scikit-learn 1.9's estimators and path functions (same objective, parameters,
attributes, warnings and errors), solved by Numba coordinate-descent kernels that
are compiled on first use and cached on disk. Importing compiles nothing.
"""

from ._path import enet_path, lasso_path
from .linear_model import (
    ElasticNet,
    ElasticNetCV,
    Lasso,
    LassoCV,
    Ridge,
    RidgeCV,
    ridge_path,
)

__version__ = "0.1.0"

__all__ = [
    "ElasticNet",
    "ElasticNetCV",
    "Lasso",
    "LassoCV",
    "Ridge",
    "RidgeCV",
    "__version__",
    "enet_path",
    "lasso_path",
    "ridge_path",
]
