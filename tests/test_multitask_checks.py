"""scikit-learn's estimator API checks on fastlasso's multi-task estimators.

Every check of scikit-learn 1.9.1 must pass. (The sample-weight equivalence
checks of the CV classes fit a one-column y: a one-task model is solved by the
single-task solver, which passes them; see ``mt_solve_path``.)
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from fastlasso import (
    MultiTaskElasticNet,
    MultiTaskElasticNetCV,
    MultiTaskLasso,
    MultiTaskLassoCV,
)


@parametrize_with_checks(
    [
        MultiTaskLasso(),
        MultiTaskElasticNet(),
        MultiTaskElasticNet(selection="random", random_state=0),
        MultiTaskLassoCV(cv=3, alphas=5),
        MultiTaskElasticNetCV(cv=3, alphas=5, l1_ratio=[0.5, 1.0]),
    ],
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
