"""Inference: the network run on any number of molecules in bounded memory, invalid rows accounted for."""

import functools
import warnings

import numpy as np
import torch
from sklearn.utils import _safe_indexing
from sklearn.utils.validation import _num_samples, check_is_fitted

from . import _inputs
from .featurize import InvalidSMILESWarning, check_smiles_input
from .featurize._smiles import diagnose_invalid, report_invalid
from .utils._progress import progress_bar

# Rows featurized and run through the network at once by predict and transform.
INFERENCE_CHUNK = 10_000


def task_columns(estimator, tasks):
    """Network columns of ``tasks`` (None: ``output_tasks_``), and whether a single name (not a list) was given."""
    if tasks is None:
        return [estimator.tasks_.index(t) for t in estimator.output_tasks_], None
    names = [tasks] if isinstance(tasks, str) else list(tasks)
    if not names:
        raise ValueError(f"tasks=[] selects nothing; name at least one of {estimator.tasks_} (or pass None).")
    unknown = [t for t in names if t not in estimator.tasks_]
    if unknown:
        raise ValueError(f"Unknown task(s) {unknown}; this model predicts {estimator.tasks_}.")
    return [estimator.tasks_.index(t) for t in names], isinstance(tasks, str)


def forward(estimator, X, read, width):
    """Run the fitted network on X in eval mode and return a (n_samples, width) float64 array.

    ``read(outputs)`` picks a (n, width) tensor from each batch's outputs.
    X is featurized and run ``INFERENCE_CHUNK`` rows at a time, so memory
    does not grow with the number of molecules beyond the input and the
    result. Rows of invalid molecules are NaN (``on_invalid="nan"``), or
    one error names every one of them (``"raise"``).
    """
    check_is_fitted(estimator, "net_")
    architecture = estimator._architecture()
    estimator.net_.module_.eval()
    if architecture.featurizer == "precomputed":
        if not (hasattr(X, "iloc") or isinstance(X, (np.ndarray, list))):
            X = np.asarray(X)  # any other array-like: sliced as an array
        n_rows = _num_samples(X)
        take = functools.partial(_safe_indexing, X)
    else:
        smiles = check_smiles_input(X)
        n_rows = len(smiles)
        take = smiles.__getitem__
    out = np.full((n_rows, width), np.nan)
    bad_rows, bad_values, reasons = [], [], []
    starts = range(0, max(n_rows, 1), INFERENCE_CHUNK)
    one_chunk = len(starts) == 1
    for start in progress_bar(starts, verbose=0 if one_chunk else estimator.verbose, desc="Predicting", unit="chunk"):
        part = take(slice(start, start + INFERENCE_CHUNK))
        if bad_rows and estimator.on_invalid == "raise":
            # The answer is an error now: only look for the remaining bad rows, for its message.
            valid = _inputs.validity_only(part)
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", InvalidSMILESWarning)  # one warning for all chunks, below
                verbose = (estimator.verbose or 0) if one_chunk else 0  # several chunks: one bar over chunks
                inputs, valid = _inputs.featurize(
                    estimator, architecture, part, reset=False, on_invalid="nan", verbose=verbose, first_row=start
                )
            if valid.any():
                out[start : start + len(valid)][valid] = run_network(estimator, architecture, inputs, read)
        for i in np.flatnonzero(~valid):
            bad_rows.append(start + int(i))
            bad_values.append(part[i])
            reasons.append(diagnose_invalid(part[i]))
    report_invalid(bad_rows, bad_values, reasons, estimator.on_invalid, stacklevel=4)  # the user's predict()
    return out


def run_network(estimator, architecture, inputs, read):
    """``read`` of the network's outputs for featurized inputs, batch by batch, as float64."""
    net = estimator.net_
    with torch.no_grad():
        batches = _inputs.inference_batches(architecture, inputs, estimator.batch_size)
        return np.concatenate([read(net.infer(batch)).cpu().double().numpy() for batch, _ in batches])
