"""NaN-aware metrics agree with scikit-learn's where nothing is missing, and skip what is."""

import numpy as np
import pytest
from sklearn.metrics import (
    mean_absolute_error,
    mean_squared_error,
    r2_score,
    root_mean_squared_error,
)

from gate_sklearn.metrics import (
    nan_mean_absolute_error,
    nan_mean_squared_error,
    nan_r2_score,
    nan_root_mean_squared_error,
)

PAIRS = [
    (nan_r2_score, r2_score),
    (nan_mean_squared_error, mean_squared_error),
    (nan_root_mean_squared_error, root_mean_squared_error),
    (nan_mean_absolute_error, mean_absolute_error),
]


@pytest.mark.parametrize("ours, theirs", PAIRS)
def test_equal_to_sklearn_without_missing_values(ours, theirs):
    rng = np.random.default_rng(0)
    y_true, y_pred = rng.normal(size=(50, 3)), rng.normal(size=(50, 3))
    assert ours(y_true, y_pred) == pytest.approx(theirs(y_true, y_pred))
    np.testing.assert_allclose(
        ours(y_true, y_pred, multioutput="raw_values"), theirs(y_true, y_pred, multioutput="raw_values")
    )
    assert ours(y_true[:, 0], y_pred[:, 0]) == pytest.approx(theirs(y_true[:, 0], y_pred[:, 0]))


@pytest.mark.parametrize("ours, theirs", PAIRS)
def test_missing_entries_are_skipped_per_task(ours, theirs):
    rng = np.random.default_rng(1)
    y_true, y_pred = rng.normal(size=(40, 2)), rng.normal(size=(40, 2))
    holed = y_true.copy()
    holed[:10, 1] = np.nan
    per_task = ours(holed, y_pred, multioutput="raw_values")
    assert per_task[0] == pytest.approx(theirs(y_true[:, 0], y_pred[:, 0]))
    assert per_task[1] == pytest.approx(theirs(y_true[10:, 1], y_pred[10:, 1]))
    # A NaN prediction (invalid molecule) is skipped too.
    y_pred[5, 0] = np.nan
    assert ours(holed, y_pred, multioutput="raw_values")[0] == pytest.approx(
        theirs(np.delete(y_true[:, 0], 5), np.delete(y_pred[:, 0], 5))
    )


def test_task_without_pairs_is_left_out_of_the_average():
    y_true = np.array([[1.0, np.nan], [2.0, np.nan], [3.0, np.nan]])
    y_pred = np.array([[1.0, 0.0], [2.0, 0.0], [3.5, 0.0]])
    raw = nan_mean_squared_error(y_true, y_pred, multioutput="raw_values")
    assert np.isnan(raw[1]) and nan_mean_squared_error(y_true, y_pred) == pytest.approx(raw[0])


def test_shape_mismatch_is_an_error():
    with pytest.raises(ValueError, match="different shapes"):
        nan_r2_score(np.zeros(3), np.zeros((3, 1)))
