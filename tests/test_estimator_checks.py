"""scikit-learn's estimator API checks on fastlasso's estimators.

No expected failures: every check of scikit-learn 1.9.1 must pass.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from fastlasso import ElasticNet, Lasso

EXPECTED_FAILED_CHECKS = {}  # none (reason would be given here per check)


@parametrize_with_checks(
    [
        Lasso(),
        ElasticNet(),
        Lasso(positive=True),
        ElasticNet(selection="random", random_state=0),
    ],
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS.get(
        type(est).__name__, {}
    ),
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
