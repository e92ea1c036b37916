"""scikit-learn's estimator API checks on fastlasso's multi-task estimators.

Expected failures, with their reason, are listed below; every other check of
scikit-learn 1.9.1 must pass.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from fastlasso import (
    MultiTaskElasticNet,
    MultiTaskElasticNetCV,
    MultiTaskLasso,
    MultiTaskLassoCV,
)

# The check's CV problem selects alpha = alpha_max / 1000 on 45 x 30 data (near
# interpolation): scikit-learn's MultiTaskLasso does not converge there in 1000
# epochs (gap ~1e-3 vs tolerance ~5e-9) and passes only because its cyclic
# iterates are the same for weights and repeated rows. fastlasso certifies both
# fits (gap <= tol) after ~350 epochs, but its working sets / Anderson steps
# take rounding-dependent decisions, so the two certified answers differ by
# ~1e-4 (predictions 6e-5) where the check asks 1e-7.
_SW_REASON = (
    "weights vs repeated rows: both fits certified to tol, not bit-identical "
    "iterates (ill-conditioned alpha_max/1000 fold problem)"
)
EXPECTED_FAILED_CHECKS = {
    name: {
        "check_sample_weight_equivalence_on_dense_data": _SW_REASON,
        "check_sample_weight_equivalence_on_sparse_data": _SW_REASON,
    }
    for name in ("MultiTaskLassoCV", "MultiTaskElasticNetCV")
}


@parametrize_with_checks(
    [
        MultiTaskLasso(),
        MultiTaskElasticNet(),
        MultiTaskElasticNet(selection="random", random_state=0),
        MultiTaskLassoCV(cv=3, alphas=5),
        MultiTaskElasticNetCV(cv=3, alphas=5, l1_ratio=[0.5, 1.0]),
    ],
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS.get(
        type(est).__name__, {}
    ),
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
