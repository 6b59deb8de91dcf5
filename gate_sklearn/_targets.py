"""Multi-task targets: validation with errors that name tasks and rows, task names, standardisation."""

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_array

_MAX_LISTED = 20


def rows_text(indices):
    """Row numbers for an error message: the first few, and how many in all."""
    indices = list(indices)
    shown = ", ".join(str(i) for i in indices[:_MAX_LISTED])
    return shown + (f", ... ({len(indices)} rows in all)" if len(indices) > _MAX_LISTED else "")


def task_names_of(y, n_tasks):
    """Task names from a DataFrame's columns or a Series' name, else ``task_0, task_1, ...``."""
    if isinstance(y, pd.DataFrame):
        names = [str(c) for c in y.columns]
    elif isinstance(y, pd.Series) and y.name is not None:
        names = [str(y.name)]
    else:
        names = [f"task_{k}" for k in range(n_tasks)]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"Task names must be unique; repeated: {duplicates}.")
    return names


def check_targets(y, *, min_labels=2, allow_unlabelled=False):
    """Validate a 1-D or 2-D target with NaN for "not measured".

    Parameters
    ----------
    y : array-like of shape (n_samples,) or (n_samples, n_tasks)
        Targets; NaN marks a missing measurement.
    min_labels : int
        Fewest measured values a task may have.
    allow_unlabelled : bool
        Accept rows with no measured value (task addition uses them in the
        alignment terms only).

    Returns
    -------
    Y : ndarray of shape (n_samples, n_tasks), float64
    names : list of str
    ndim : int
        1 or 2, the dimensionality ``predict`` mirrors.

    Raises
    ------
    ValueError
        For strings, infinities, an all-NaN task, a task with fewer than
        ``min_labels`` labels, or rows with no label at all (unless
        ``allow_unlabelled``); the message names
        the task and the rows.
    """
    if y is None:
        raise ValueError("GATERegressor requires y to be passed, but the target y is None.")
    raw = y
    if isinstance(y, pd.DataFrame):
        task_names_of(y, y.shape[1])  # repeated column names, before check_array's less specific message
    try:
        Y = check_array(
            y, ensure_2d=False, dtype=np.float64, ensure_all_finite=False, input_name="y", ensure_min_samples=1
        )
    except ValueError as error:
        message = _non_numeric_message(raw) or f"y must be numeric (NaN for missing measurements): {error}"
        raise ValueError(message) from None
    ndim = Y.ndim
    if ndim == 1:
        Y = Y[:, None]
    elif ndim != 2:
        raise ValueError(f"y must be 1-D or 2-D, got shape {Y.shape}.")
    names = task_names_of(raw, Y.shape[1])
    for k, name in enumerate(names):
        column = Y[:, k]
        infinite = np.flatnonzero(np.isinf(column))
        if infinite.size:
            raise ValueError(f"Task {name!r} has infinite values at rows {rows_text(infinite)}; use NaN for missing.")
        n_labels = int(np.sum(~np.isnan(column)))
        if n_labels == 0:
            raise ValueError(f"Task {name!r} has no measured value (all NaN); drop it.")
        if n_labels < min_labels:
            raise ValueError(f"Task {name!r} has {n_labels} measured value(s); at least {min_labels} are needed.")
    unlabelled = np.flatnonzero(np.isnan(Y).all(axis=1))
    if unlabelled.size and not allow_unlabelled:
        raise ValueError(
            f"Rows {rows_text(unlabelled)} have no measured value for any task; drop them (they carry no label)."
        )
    return Y, names, ndim


def _non_numeric_message(y):
    """Which task and rows hold values that are not numbers, or None when that is not the problem."""
    try:
        frame = pd.DataFrame(y) if not isinstance(y, pd.Series) else y.to_frame()
    except (ValueError, TypeError):
        return None
    if frame.ndim != 2:
        return None
    names = task_names_of(y, frame.shape[1]) if isinstance(y, (pd.DataFrame, pd.Series)) else None
    for k in range(frame.shape[1]):
        column = frame.iloc[:, k]
        numbers = pd.to_numeric(column, errors="coerce")
        bad = np.flatnonzero(numbers.isna().to_numpy() & column.notna().to_numpy())
        if bad.size:
            name = names[k] if names else f"task_{k}"
            examples = ", ".join(repr(v) for v in column.iloc[bad[:3]])
            return (
                f"Task {name!r} has values that are not numbers at rows {rows_text(bad)} ({examples}); "
                "use NaN (or leave the cell empty) for a missing measurement."
            )
    return None


def standardisation(Y):
    """Per-task mean and scale over the measured values (scale 1 for a constant task)."""
    mean = np.nanmean(Y, axis=0)
    scale = np.nanstd(Y, axis=0)
    scale[~(scale > 0)] = 1.0
    return mean, scale
