"""NaN-aware regression metrics and scorers.

In multi-task data a NaN target means "not measured". scikit-learn's metrics
reject NaN, so cross-validating a multi-task model on holed targets would fail
or score NaN. These metrics ignore the missing entries task by task, then
average over tasks; the scorers plug into ``cross_val_score`` and
``GridSearchCV`` as ``scoring=``.

Examples
--------
>>> import numpy as np
>>> from gate_sklearn.metrics import nan_r2_score
>>> y_true = np.array([[1.0, np.nan], [2.0, 10.0], [3.0, 20.0]])
>>> y_pred = np.array([[1.0, 5.0], [2.0, 10.0], [3.0, 20.0]])
>>> float(nan_r2_score(y_true, y_pred))
1.0
"""

import numpy as np
from sklearn.metrics import make_scorer

__all__ = [
    "nan_mean_absolute_error",
    "nan_mean_squared_error",
    "nan_r2_score",
    "nan_root_mean_squared_error",
    "nan_r2_scorer",
    "nan_neg_mean_absolute_error_scorer",
    "nan_neg_mean_squared_error_scorer",
    "nan_neg_root_mean_squared_error_scorer",
]


def _as_2d(y_true, y_pred):
    y_true = np.asarray(y_true, dtype=float)
    y_pred = np.asarray(y_pred, dtype=float)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred have different shapes: {y_true.shape} and {y_pred.shape}.")
    if y_true.ndim == 1:
        y_true, y_pred = y_true[:, None], y_pred[:, None]
    if y_true.ndim != 2:
        raise ValueError(f"Targets must be 1-D or 2-D, got {y_true.ndim} dimensions.")
    # A pair counts only where both the measurement and the prediction exist
    # (a NaN prediction is an invalid molecule under on_invalid="nan").
    return y_true, y_pred, ~(np.isnan(y_true) | np.isnan(y_pred))


def _reduce(per_task, multioutput):
    if isinstance(multioutput, str):
        if multioutput == "raw_values":
            return per_task
        if multioutput == "uniform_average":
            finite = per_task[~np.isnan(per_task)]
            return float(np.mean(finite)) if finite.size else float("nan")
        raise ValueError(f"multioutput must be 'raw_values', 'uniform_average' or weights, got {multioutput!r}.")
    weights = np.asarray(multioutput, dtype=float)
    keep = ~np.isnan(per_task)
    return float(np.average(per_task[keep], weights=weights[keep])) if keep.any() else float("nan")


def _per_task(y_true, y_pred, mask, func):
    return np.array(
        [func(y_true[m, k], y_pred[m, k]) if (m := mask[:, k]).any() else np.nan for k in range(y_true.shape[1])]
    )


def nan_mean_squared_error(y_true, y_pred, *, multioutput="uniform_average"):
    """Mean squared error over the measured entries of each task, averaged over tasks.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_tasks)
        Measurements; NaN where not measured.
    y_pred : array-like of the same shape
        Predictions; NaN entries (invalid molecules) are skipped too.
    multioutput : {"uniform_average", "raw_values"} or array-like of shape (n_tasks,)
        How to combine tasks. Tasks with no pair are NaN in ``raw_values`` and
        left out of the averages.

    Returns
    -------
    float or ndarray of shape (n_tasks,)
    """
    y_true, y_pred, mask = _as_2d(y_true, y_pred)
    return _reduce(_per_task(y_true, y_pred, mask, lambda t, p: np.mean((t - p) ** 2)), multioutput)


def nan_root_mean_squared_error(y_true, y_pred, *, multioutput="uniform_average"):
    """Root mean squared error per task (over measured entries), averaged over tasks.

    Parameters and returns as in :func:`nan_mean_squared_error`.
    """
    y_true, y_pred, mask = _as_2d(y_true, y_pred)
    return _reduce(_per_task(y_true, y_pred, mask, lambda t, p: np.sqrt(np.mean((t - p) ** 2))), multioutput)


def nan_mean_absolute_error(y_true, y_pred, *, multioutput="uniform_average"):
    """Mean absolute error per task (over measured entries), averaged over tasks.

    Parameters and returns as in :func:`nan_mean_squared_error`.
    """
    y_true, y_pred, mask = _as_2d(y_true, y_pred)
    return _reduce(_per_task(y_true, y_pred, mask, lambda t, p: np.mean(np.abs(t - p))), multioutput)


def _r2(t, p):
    total = np.sum((t - t.mean()) ** 2)
    residual = np.sum((t - p) ** 2)
    if total == 0:
        # scikit-learn's convention for a constant target: 1 if perfect, else 0.
        return 1.0 if residual == 0 else 0.0
    return 1.0 - residual / total


def nan_r2_score(y_true, y_pred, *, multioutput="uniform_average"):
    """Coefficient of determination per task (over measured entries), averaged over tasks.

    Equals :func:`sklearn.metrics.r2_score` when nothing is missing.

    Parameters and returns as in :func:`nan_mean_squared_error`.
    """
    y_true, y_pred, mask = _as_2d(y_true, y_pred)
    per_task = np.array(
        [_r2(y_true[m, k], y_pred[m, k]) if (m := mask[:, k]).sum() >= 2 else np.nan for k in range(y_true.shape[1])]
    )
    return _reduce(per_task, multioutput)


nan_r2_scorer = make_scorer(nan_r2_score)
nan_neg_mean_squared_error_scorer = make_scorer(nan_mean_squared_error, greater_is_better=False)
nan_neg_root_mean_squared_error_scorer = make_scorer(nan_root_mean_squared_error, greater_is_better=False)
nan_neg_mean_absolute_error_scorer = make_scorer(nan_mean_absolute_error, greater_is_better=False)
