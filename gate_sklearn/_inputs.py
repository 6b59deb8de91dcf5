"""Model input: validating X and dispatching it to the featurizer, datasets and batching."""

import functools
import warnings

import numpy as np
import torch
from sklearn.utils.validation import _num_samples, validate_data

from ._architecture import ARCHITECTURE_PARAMS
from ._targets import check_targets, rows_text
from .featurize import InvalidSMILESWarning, MorganFingerprint, check_smiles, parse_smiles, smiles_to_graphs
from .training import DenseDataset, GraphDataset, collate_frozen_items, collate_graph_items
from .utils._json import to_python

FEATURIZERS = ("graph", "morgan", "precomputed")


def check_feature_matrix(estimator, X, *, reset, first_row=0):
    """A precomputed feature matrix as float32, with errors that say which rows are not finite.

    ``first_row`` is the input position of X's first row (X is a chunk of a larger input).
    """
    try:
        X = validate_data(estimator, X, reset=reset, dtype=np.float32, ensure_min_samples=1, ensure_all_finite=False)
    except ValueError as error:
        if "could not convert" in str(error):
            raise ValueError(
                f"featurizer='precomputed' expects a numeric feature matrix, but X holds text ({error}). "
                "For SMILES use featurizer='graph' or 'morgan'."
            ) from None
        raise
    bad = np.flatnonzero(~np.isfinite(X).all(axis=1))
    if bad.size:
        raise ValueError(
            f"The feature matrix has NaN or infinite values in rows {rows_text(bad + first_row)}; impute or drop them "
            "first (e.g. sklearn.impute.SimpleImputer in a Pipeline)."
        )
    return X


def featurize(estimator, architecture, X, *, reset, on_invalid, verbose, first_row=0, per_batch=False):
    """Turn X into model inputs for its valid rows.

    Returns ``(inputs, valid)``: a list of graphs or a float32 matrix for the
    valid rows, and the boolean validity mask over all rows. ``estimator`` is
    where a precomputed matrix's ``n_features_in_`` is checked (and set, with
    ``reset``). ``per_batch`` (graphs only): the valid rows' SMILES instead of
    their graphs, which the batches featurize as training draws them.
    """
    if architecture.featurizer == "precomputed":
        matrix = check_feature_matrix(estimator, X, reset=reset, first_row=first_row)
        return matrix, np.ones(_num_samples(X), dtype=bool)
    if architecture.graphs and per_batch:
        values, valid = check_smiles(X, on_invalid=on_invalid, n_jobs=estimator.n_jobs, verbose=verbose)
        return [str(value) for value in values[valid]], valid
    if architecture.graphs:
        graphs, valid = smiles_to_graphs(X, on_invalid=on_invalid, n_jobs=estimator.n_jobs, verbose=verbose)
        return [g for g in graphs if g is not None], valid
    fingerprints = MorganFingerprint(
        radius=architecture.morgan_radius,
        fp_size=architecture.morgan_size,
        on_invalid=on_invalid,
        n_jobs=estimator.n_jobs,
        verbose=verbose,
    ).transform(X)
    valid = ~np.isnan(fingerprints).any(axis=1)
    return fingerprints[valid], valid


def validity_only(smiles):
    """Which SMILES parse, without warning: the caller reports the invalid rows itself."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InvalidSMILESWarning)
        return parse_smiles(smiles, on_invalid="nan").valid


def dataset(architecture, inputs, y=None):
    """A torch dataset of featurized inputs and (NaN-holed, standardised) targets."""
    return GraphDataset(inputs, y) if architecture.graphs else DenseDataset(inputs, y)


def collate_fn(architecture, frozen=False):
    """How items become a batch; ``frozen``: items carry the frozen parts' cached outputs (task addition)."""
    if frozen:
        return functools.partial(collate_frozen_items, graphs=architecture.graphs)
    return collate_graph_items if architecture.graphs else None


def inference_batches(architecture, inputs, batch_size):
    """Featurized inputs in order, in large batches, for forward passes without training."""
    return torch.utils.data.DataLoader(
        dataset(architecture, inputs),
        batch_size=max(256, batch_size),
        shuffle=False,
        collate_fn=collate_fn(architecture),
    )


def take(inputs, rows):
    """The featurized inputs of ``rows`` (a matrix's rows, or a list's items)."""
    if isinstance(inputs, np.ndarray):
        return inputs[rows]
    return [inputs[i] for i in rows]


def check_fit_data(estimator, X, y, *, reset):
    """Validate X and y together and featurize X; returns ``(Y, names, ndim, inputs)`` for valid rows.

    With ``reset`` (``fit``), the architecture is fixed: ``estimator.base_params_`` is set.
    """
    n_rows = _num_samples(X)
    if n_rows < 2:
        raise ValueError(f"n_samples={n_rows}: GATERegressor needs at least 2 samples to fit.")
    # Task addition (reset=False) accepts molecules without a label: they enter the alignment terms only.
    Y, default_names, ndim = check_targets(y, allow_unlabelled=not reset)
    if Y.shape[0] != n_rows:
        raise ValueError(f"X and y have different numbers of rows: {n_rows} and {Y.shape[0]}.")
    if reset:
        estimator.base_params_ = {name: to_python(getattr(estimator, name)) for name in ARCHITECTURE_PARAMS}
    inputs, valid = featurize(
        estimator, estimator._architecture(), X, reset=reset, on_invalid=estimator.on_invalid,
        verbose=estimator.verbose or 0, per_batch=estimator.featurize_per_batch,
    )  # fmt: skip
    Y = Y[valid]
    if not valid.all():
        # dropping invalid molecules may have emptied a task or left too few rows
        check_targets(Y, allow_unlabelled=not reset)
    return Y, default_names, ndim, inputs
