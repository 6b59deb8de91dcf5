"""Morgan count fingerprints as a stateless scikit-learn transformer."""

import numbers
from functools import partial

import numpy as np
from rdkit.Chem import rdFingerprintGenerator
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import Interval, StrOptions

from ._smiles import (
    ON_INVALID_OPTIONS,
    _parse_chunk,
    check_smiles_input,
    map_smiles_chunks,
)


def _morgan_chunk(values, radius, fp_size, counts, dtype):
    """Fingerprints of a chunk of SMILES; invalid rows are left as NaN (or 0 for integer dtypes)."""
    generator = rdFingerprintGenerator.GetMorganGenerator(radius=radius, fpSize=fp_size)
    as_numpy = generator.GetCountFingerprintAsNumPy if counts else generator.GetFingerprintAsNumPy
    mols, failures = _parse_chunk(values)
    out = np.zeros((len(values), fp_size), dtype=dtype)
    for i, mol in enumerate(mols):
        if mol is not None:
            out[i] = as_numpy(mol)
    if np.issubdtype(out.dtype, np.floating):
        out[[i for i, _ in failures]] = np.nan
    return out, failures


class MorganFingerprint(TransformerMixin, BaseEstimator):
    """Morgan (ECFP-like) count fingerprints of SMILES, computed with RDKit.

    Stateless: ``fit`` only validates the parameters, and ``transform`` can be
    called without it. The output of ``n_jobs > 1`` equals the serial output
    exactly.

    Parameters
    ----------
    radius : int, default=2
        Radius of the circular atom environments (2 gives ECFP4-like bits).
    fp_size : int, default=2048
        Length of the folded fingerprint.
    counts : bool, default=True
        Count how often each environment occurs (``True``) or only whether it
        does (``False``).
    dtype : numpy dtype, default=np.float32
        Output dtype. Floating dtypes let invalid rows be NaN.
    on_invalid : {"raise", "nan"}, default="raise"
        ``"raise"``: an :class:`InvalidSMILESError` naming every invalid row.
        ``"nan"``: invalid rows become rows of NaN, with one warning.
    n_jobs : int, default=None
        Parallel workers (joblib, via scikit-learn's ``Parallel``).
    verbose : int, bool or dict, default=0
        Progress bar; a dict is passed to tqdm as keyword arguments.

    Attributes
    ----------
    n_features_in_ : int
        Always 1 after ``fit``: one SMILES column.

    Examples
    --------
    >>> from gate_sklearn.featurize import MorganFingerprint
    >>> X = MorganFingerprint(fp_size=1024).transform(["CCO", "c1ccccc1"])
    >>> X.shape
    (2, 1024)
    """

    _parameter_constraints = {
        "radius": [Interval(numbers.Integral, 0, None, closed="left")],
        "fp_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "counts": ["boolean"],
        "dtype": "no_validation",
        "on_invalid": [StrOptions(set(ON_INVALID_OPTIONS))],
        "n_jobs": [None, numbers.Integral],
        "verbose": ["verbose", dict, "boolean"],
    }

    def __init__(
        self, radius=2, fp_size=2048, counts=True, dtype=np.float32, on_invalid="raise", n_jobs=None, verbose=0
    ):
        self.radius = radius
        self.fp_size = fp_size
        self.counts = counts
        self.dtype = dtype
        self.on_invalid = on_invalid
        self.n_jobs = n_jobs
        self.verbose = verbose

    def fit(self, X, y=None):
        """Validate the parameters and the input container; nothing is learned.

        Parameters
        ----------
        X : list, tuple, ndarray, Series or one-column DataFrame
            SMILES strings.
        y : None
            Ignored.

        Returns
        -------
        self : MorganFingerprint
        """
        self._validate_params()
        check_smiles_input(X)
        self.n_features_in_ = 1
        return self

    def transform(self, X):
        """Compute the fingerprints.

        Parameters
        ----------
        X : list, tuple, ndarray, Series or one-column DataFrame
            SMILES strings.

        Returns
        -------
        ndarray of shape (n_samples, fp_size)
        """
        self._validate_params()
        values = check_smiles_input(X)
        dtype = np.dtype(self.dtype)
        blocks, _, _ = map_smiles_chunks(
            partial(_morgan_chunk, radius=self.radius, fp_size=self.fp_size, counts=self.counts, dtype=dtype),
            values,
            on_invalid=self.on_invalid,
            n_jobs=self.n_jobs,
            verbose=self.verbose,
            desc="Morgan fingerprints",
        )
        return np.concatenate(blocks) if blocks else np.zeros((0, self.fp_size), dtype=dtype)

    def get_feature_names_out(self, input_features=None):
        """Names of the fingerprint columns, ``morgan_0 ... morgan_{fp_size - 1}``.

        Parameters
        ----------
        input_features : None
            Ignored (there is one SMILES column).

        Returns
        -------
        ndarray of str
        """
        return np.asarray([f"morgan_{i}" for i in range(self.fp_size)], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.two_d_array = False
        tags.input_tags.one_d_array = True
        tags.input_tags.string = True
        return tags
