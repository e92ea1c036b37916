"""scikit-learn's estimator API checks on fastlasso's multi-task estimators.

No expected failures: every check of scikit-learn 1.9.1 must pass.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from fastlasso import MultiTaskElasticNet, MultiTaskLasso


@parametrize_with_checks(
    [
        MultiTaskLasso(),
        MultiTaskElasticNet(),
        MultiTaskElasticNet(selection="random", random_state=0),
    ]
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
