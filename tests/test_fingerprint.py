"""MorganFingerprint: values, invalid rows, parallel == serial, and scikit-learn conventions."""

import pickle

import numpy as np
import pandas as pd
import pytest
from rdkit import Chem
from rdkit.Chem import rdFingerprintGenerator
from sklearn.base import clone
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.utils import estimator_checks

from gate_sklearn.featurize import (
    InvalidSMILESError,
    InvalidSMILESWarning,
    MorganFingerprint,
)


def test_matches_rdkit_count_fingerprint():
    smiles = ["CCO", "c1ccccc1O", "CC(=O)Nc1ccc(O)cc1"]
    X = MorganFingerprint(radius=3, fp_size=512).transform(smiles)
    generator = rdFingerprintGenerator.GetMorganGenerator(radius=3, fpSize=512)
    expected = np.stack([generator.GetCountFingerprintAsNumPy(Chem.MolFromSmiles(s)) for s in smiles])
    assert X.shape == (3, 512) and X.dtype == np.float32
    np.testing.assert_array_equal(X, expected)
    binary = MorganFingerprint(radius=3, fp_size=512, counts=False).transform(smiles)
    np.testing.assert_array_equal(binary, np.minimum(expected, 1))


def test_radius_changes_the_output():
    a = MorganFingerprint(radius=1).transform(["CC(=O)Nc1ccc(O)cc1"])
    b = MorganFingerprint(radius=3).transform(["CC(=O)Nc1ccc(O)cc1"])
    assert b.sum() > a.sum()


def test_invalid_rows():
    fp = MorganFingerprint(fp_size=64)
    with pytest.raises(InvalidSMILESError, match="row 1: 'C1C'"):
        fp.transform(["C", "C1C"])
    with pytest.warns(InvalidSMILESWarning):
        X = fp.set_params(on_invalid="nan").transform(["C", "C1C", "CC"])
    assert np.isnan(X[1]).all() and np.isfinite(X[[0, 2]]).all()


def test_parallel_equals_serial(smiles_sample):
    serial = MorganFingerprint().transform(smiles_sample)
    parallel = MorganFingerprint(n_jobs=2).transform(smiles_sample)
    np.testing.assert_array_equal(serial, parallel)


def test_stateless_and_clone_safe():
    fp = MorganFingerprint(radius=1, fp_size=128)
    untouched = fp.transform(["CCN"])  # no fit needed
    fitted = clone(fp).fit(["C"])
    assert fitted.n_features_in_ == 1
    np.testing.assert_array_equal(fitted.transform(["CCN"]), untouched)
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.transform(["CCN"]), untouched)


def test_parameters_are_validated():
    with pytest.raises(ValueError, match="fp_size"):
        MorganFingerprint(fp_size=0).transform(["C"])
    with pytest.raises(ValueError, match="on_invalid"):
        MorganFingerprint(on_invalid="skip").fit(["C"])


def test_in_a_pipeline_with_pandas_output(smiles_sample):
    y = np.array([len(s) for s in smiles_sample], dtype=float)
    model = make_pipeline(MorganFingerprint(fp_size=256), Ridge()).fit(smiles_sample, y)
    assert model.score(smiles_sample, y) > 0.5
    frame = MorganFingerprint(fp_size=16).set_output(transform="pandas").fit_transform(pd.Series(["CC", "CO"]))
    assert list(frame.columns) == [f"morgan_{i}" for i in range(16)]


# scikit-learn skips its whole common suite for string-input estimators, so the checks that
# need no data run directly, and molecule versions of the data-dependent ones follow.
API_CHECKS = [
    estimator_checks.check_no_attributes_set_in_init,
    estimator_checks.check_parameters_default_constructible,
    estimator_checks.check_get_params_invariance,
    estimator_checks.check_set_params,
    estimator_checks.check_estimator_cloneable,
    estimator_checks.check_estimator_repr,
    estimator_checks.check_do_not_raise_errors_in_init_or_set_params,
    estimator_checks.check_mixin_order,
    estimator_checks.check_valid_tag_types,
    estimator_checks.check_estimator_tags_renamed,
]


@pytest.mark.parametrize("check", API_CHECKS, ids=lambda c: c.__name__)
def test_sklearn_api_checks(check):
    check("MorganFingerprint", MorganFingerprint())


def test_molecule_checks_fit_idempotent_and_subset_invariant(smiles_sample):
    smiles = smiles_sample[:200]
    fp = MorganFingerprint(fp_size=256)
    first = fp.fit(smiles).transform(smiles)
    params = fp.get_params()
    second = fp.fit(smiles[:50]).transform(smiles)
    np.testing.assert_array_equal(first, second)  # fit learns nothing
    assert fp.get_params() == params  # and does not touch the parameters
    # Row i's output does not depend on the other rows or on their order.
    np.testing.assert_array_equal(fp.transform(smiles[10:20]), first[10:20])
    order = np.random.default_rng(0).permutation(len(smiles))
    np.testing.assert_array_equal(fp.transform([smiles[i] for i in order]), first[order])
    assert fp.transform([]).shape == (0, 256)
