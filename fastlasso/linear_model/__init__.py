"""scikit-learn-compatible linear models solved by fastlasso's kernels."""

from ._coordinate_descent import ElasticNet, Lasso

__all__ = ["ElasticNet", "Lasso"]
