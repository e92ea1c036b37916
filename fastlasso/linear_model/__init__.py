"""scikit-learn-compatible linear models solved by fastlasso's kernels."""

from ._coordinate_descent import ElasticNet, Lasso
from ._ridge import Ridge, RidgeCV, ridge_path

__all__ = ["ElasticNet", "Lasso", "Ridge", "RidgeCV", "ridge_path"]
