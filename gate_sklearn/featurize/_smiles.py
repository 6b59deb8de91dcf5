"""SMILES input: container checks, parsing with RDKit, and the invalid-molecule policy."""

import numbers
import warnings
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd
from rdkit import Chem
from rdkit.rdBase import BlockLogs

from ..utils._parallel import parallel_map_chunks

ON_INVALID_OPTIONS = ("raise", "nan")

# Bad rows quoted in full in an error message; the exception object keeps all of them.
_MAX_ROWS_IN_MESSAGE = 100


class InvalidSMILESError(ValueError):
    """Raised when some input rows are not valid molecules and ``on_invalid="raise"``.

    Attributes
    ----------
    rows : list of int
        Positions (0-based, in input order) of every invalid row.
    smiles : list
        The offending input values, aligned with ``rows``.
    reasons : list of str
        Why each row was rejected, aligned with ``rows``.
    """

    def __init__(self, rows, smiles, reasons):
        self.rows = list(rows)
        self.smiles = list(smiles)
        self.reasons = list(reasons)
        super().__init__(_describe_invalid(self.rows, self.smiles, self.reasons))

    def __reduce__(self):
        # Keep the exception picklable, so it crosses joblib process boundaries intact.
        return type(self), (self.rows, self.smiles, self.reasons)


class InvalidSMILESWarning(UserWarning):
    """Warned once per call when invalid rows are skipped under ``on_invalid="nan"``."""


def _describe_invalid(rows, smiles, reasons):
    n = len(rows)
    lines = [f"{n} invalid SMILES (row: value -> reason):"]
    for row, value, reason in zip(rows[:_MAX_ROWS_IN_MESSAGE], smiles, reasons):
        lines.append(f"  row {row}: {value!r} -> {reason}")
    if n > _MAX_ROWS_IN_MESSAGE:
        lines.append(f"  ... and {n - _MAX_ROWS_IN_MESSAGE} more (all of them are in the exception's `.rows`).")
    return "\n".join(lines)


def check_on_invalid(on_invalid):
    """Validate an ``on_invalid`` parameter value and return it."""
    if on_invalid not in ON_INVALID_OPTIONS:
        raise ValueError(f"on_invalid must be one of {ON_INVALID_OPTIONS}, got {on_invalid!r}.")
    return on_invalid


def check_smiles_input(X):
    """Turn a supported container of SMILES into a 1-D object array, or raise ``TypeError``.

    Accepted: list, tuple, 1-D :class:`numpy.ndarray`, (n, 1) ndarray,
    :class:`pandas.Series` and one-column :class:`pandas.DataFrame`. The
    elements are not checked here: non-strings become invalid rows in
    :func:`parse_smiles`, so that they follow the ``on_invalid`` policy.

    Parameters
    ----------
    X : list, tuple, ndarray, Series or DataFrame
        The molecules, one SMILES per row.

    Returns
    -------
    ndarray of shape (n_samples,), dtype object
    """
    if isinstance(X, str):
        raise TypeError(
            "Expected a sequence of SMILES (list, tuple, 1-D array, Series or one-column DataFrame), "
            "got a single string. Wrap it in a list: [smiles]."
        )
    if isinstance(X, pd.DataFrame):
        if X.shape[1] != 1:
            raise TypeError(
                f"A DataFrame of SMILES must have exactly one column, got {X.shape[1]} "
                f"({list(X.columns)[:5]}). Select the SMILES column, e.g. df['smiles']."
            )
        values = X.iloc[:, 0].to_numpy(dtype=object)
    elif isinstance(X, pd.Series):
        values = X.to_numpy(dtype=object)
    elif isinstance(X, (list, tuple)):
        values = np.empty(len(X), dtype=object)
        values[:] = list(X)
    elif isinstance(X, np.ndarray):
        if X.ndim == 2 and X.shape[1] == 1:
            X = X[:, 0]
        if X.ndim != 1:
            raise TypeError(
                f"A SMILES array must be 1-D (or have one column), got shape {X.shape}. "
                "For a numeric feature matrix use featurizer='precomputed'."
            )
        values = X.astype(object)
    else:
        raise TypeError(
            "Expected SMILES as a list, tuple, 1-D numpy array, pandas Series or one-column "
            f"DataFrame, got {type(X).__name__}."
        )
    return values


def _is_missing(value):
    # value != value is NaN's test that works for any number (np.isnan fails on ints beyond int64).
    return value is None or (isinstance(value, numbers.Real) and value != value)


def diagnose_invalid(value):
    """Explain why ``value`` is not a molecule (only called on failures, so it may be slow).

    RDKit's own log is blocked meanwhile (and restored after): the package's
    error or warning, which names the row, is what the user sees.
    """
    if _is_missing(value):
        return "missing value"
    if not isinstance(value, str):
        return f"not a string (got {type(value).__name__})"
    if not value.strip():
        return "empty string"
    with BlockLogs():
        mol = Chem.MolFromSmiles(value, sanitize=False)
        if mol is None:
            return "SMILES syntax error"
        if mol.GetNumAtoms() == 0:
            return "no atoms"
        problems = Chem.DetectChemistryProblems(mol)
    if problems:
        return problems[0].Message()
    return "RDKit could not sanitize the molecule"


def _parse_chunk(values):
    """Parse a chunk of SMILES; returns (mols, failures) with failures as (position, reason)."""
    mols, failures = [], []
    with BlockLogs():  # our error message is the one the user sees, not RDKit's stderr
        for i, value in enumerate(values):
            mol = Chem.MolFromSmiles(value) if isinstance(value, str) else None
            if mol is None or mol.GetNumAtoms() == 0:
                failures.append((i, diagnose_invalid(value)))
                mol = None
            mols.append(mol)
    return mols, failures


@dataclass
class ParsedMolecules:
    """RDKit molecules parsed from input rows, aligned with them.

    Attributes
    ----------
    mols : list of rdkit.Chem.Mol or None
        One entry per input row; ``None`` where the row was invalid.
    valid : ndarray of bool, shape (n_samples,)
        Which rows hold a molecule.
    invalid_rows : list of int
        Positions of the invalid rows.
    reasons : list of str
        Why each invalid row was rejected.
    """

    mols: list
    valid: np.ndarray
    invalid_rows: list
    reasons: list


def parse_smiles(X, *, on_invalid="raise", n_jobs=None, verbose=0):
    """Parse SMILES into RDKit molecules under an explicit invalid-input policy.

    Parameters
    ----------
    X : list, tuple, ndarray, Series or one-column DataFrame
        SMILES strings, one molecule per row.
    on_invalid : {"raise", "nan"}, default="raise"
        ``"raise"``: one :class:`InvalidSMILESError` naming every bad row index,
        its value and the reason. ``"nan"``: keep going; invalid rows get
        ``None`` and one :class:`InvalidSMILESWarning` names them.
        Missing values (``None``, NaN), non-strings, empty strings and SMILES
        RDKit cannot parse or sanitize are all invalid.
    n_jobs : int, default=None
        Parallel workers (joblib); the result does not depend on it.
    verbose : int, bool or dict, default=0
        Progress bar (a dict is passed to tqdm).

    Returns
    -------
    ParsedMolecules
        Molecules aligned with the rows of ``X`` and the validity mask.

    Examples
    --------
    >>> from gate_sklearn.featurize import parse_smiles
    >>> import warnings
    >>> with warnings.catch_warnings(record=True):  # one InvalidSMILESWarning names row 1
    ...     parsed = parse_smiles(["CCO", "not a molecule", "c1ccccc1"], on_invalid="nan")
    >>> parsed.valid.tolist()
    [True, False, True]
    >>> parsed.reasons
    ['SMILES syntax error']
    """
    check_on_invalid(on_invalid)
    values = check_smiles_input(X)
    chunks, invalid_rows, reasons = map_smiles_chunks(
        _parse_chunk, values, on_invalid=on_invalid, n_jobs=n_jobs, verbose=verbose, desc="Parsing SMILES"
    )
    mols = [mol for chunk in chunks for mol in chunk]
    valid = np.ones(len(values), dtype=bool)
    valid[invalid_rows] = False
    return ParsedMolecules(mols=mols, valid=valid, invalid_rows=invalid_rows, reasons=reasons)


def _validity_chunk(values):
    return None, _parse_chunk(values)[1]  # the molecules are dropped as soon as each chunk is parsed


def check_smiles(X, *, on_invalid="raise", n_jobs=None, verbose=0):
    """Which rows of ``X`` are valid SMILES, under ``on_invalid``, keeping no molecule in memory.

    Returns ``(values, valid)``: the rows as an array (see :func:`check_smiles_input`) and the
    boolean validity mask. Raises or warns as :func:`parse_smiles` does.
    """
    check_on_invalid(on_invalid)
    values = check_smiles_input(X)
    _, invalid_rows, _ = map_smiles_chunks(
        _validity_chunk, values, on_invalid=on_invalid, n_jobs=n_jobs, verbose=verbose, desc="Checking SMILES"
    )
    valid = np.ones(len(values), dtype=bool)
    valid[invalid_rows] = False
    return values, valid


def _sized(func, chunk):
    return func(chunk), len(chunk)


def map_smiles_chunks(func, values, *, on_invalid, n_jobs=None, verbose=0, desc=None):
    """Run ``func`` over chunks of SMILES and apply the invalid-row policy to all of them at once.

    ``func(chunk)`` returns ``(payload, failures)`` with failures as
    ``(position in chunk, reason)``. Returns the payloads in order, and the
    input-wide positions and reasons of the invalid rows (after raising or
    warning as ``on_invalid`` says).
    """
    results = parallel_map_chunks(partial(_sized, func), values, n_jobs=n_jobs, verbose=verbose, desc=desc)
    payloads, rows, reasons, offset = [], [], [], 0
    for (payload, failures), size in results:
        rows.extend(offset + i for i, _ in failures)
        reasons.extend(reason for _, reason in failures)
        payloads.append(payload)
        offset += size
    report_invalid(rows, list(values[rows]) if rows else [], reasons, on_invalid)
    return payloads, rows, reasons


def report_invalid(rows, smiles, reasons, on_invalid, stacklevel=3):
    """Raise or warn about invalid rows according to ``on_invalid``.

    ``stacklevel`` is passed to :func:`warnings.warn` (1 is this function): 3, the default, points at
    the caller of the function that called this one.
    """
    if not len(rows):
        return
    if on_invalid == "raise":
        raise InvalidSMILESError(rows, smiles, reasons)
    warnings.warn(
        _describe_invalid(list(rows), list(smiles), list(reasons))
        + "\nContinuing without them (on_invalid='nan'): their output rows are NaN.",
        InvalidSMILESWarning,
        stacklevel=stacklevel,
    )
