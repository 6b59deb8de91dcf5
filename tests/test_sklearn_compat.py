"""scikit-learn's common estimator checks on the numeric mode, and molecule versions on SMILES."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from gate_sklearn import GATERegressor

# Small and quick, but able to learn the checks' toy problems.
FAST = dict(hidden_size=32, depth=2, latent_dim=8, task_hidden_size=32, max_iter=60, batch_size=32, random_state=0)

# Checks expected to fail, each with its reason (kept empty unless a check is wrong for this estimator).
EXPECTED_FAILED_CHECKS = {
    # The network computes in float32, and BLAS picks kernels by matrix size, so a row's output depends on
    # the other rows of its batch at the 1e-6 level: above this check's atol of 1e-7 once the weights
    # have trained for all 60 epochs (early_stopping="auto"). Row-wise agreement (rtol 1e-5, atol 1e-6) is
    # asserted in tests/test_properties.py: each row's prediction equals its prediction alone.
    "check_methods_subset_invariance": "float32 outputs depend on the batch's size at the 1e-6 level",
}


@parametrize_with_checks(
    [GATERegressor(featurizer="precomputed", **FAST)],
    expected_failed_checks=lambda estimator: EXPECTED_FAILED_CHECKS,
)
def test_sklearn_common_checks(estimator, check):
    check(estimator)
