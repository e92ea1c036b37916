"""scikit-learn-compatible linear models solved by fastlasso's kernels."""

from ._coordinate_descent import ElasticNet, Lasso
from ._cv import ElasticNetCV, LassoCV
from ._logistic import LogisticRegression, logistic_path
from ._logistic_cv import LogisticRegressionCV
from ._multitask import MultiTaskElasticNet, MultiTaskLasso
from ._multitask_cv import MultiTaskElasticNetCV, MultiTaskLassoCV
from ._ridge import Ridge, RidgeCV, ridge_path

__all__ = [
    "ElasticNet",
    "ElasticNetCV",
    "Lasso",
    "LassoCV",
    "LogisticRegression",
    "LogisticRegressionCV",
    "MultiTaskElasticNet",
    "MultiTaskElasticNetCV",
    "MultiTaskLasso",
    "MultiTaskLassoCV",
    "Ridge",
    "RidgeCV",
    "logistic_path",
    "ridge_path",
]
