"""Property-based tests (hypothesis): arbitrary input never gives anything but a documented error or
finite, row-aligned output; arbitrary holes in the targets train as long as each task keeps two labels."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from rdkit import Chem, rdBase

from gate_sklearn import GATERegressor
from gate_sklearn.featurize import InvalidSMILESError, InvalidSMILESWarning

TINY = dict(
    hidden_size=16, depth=2, latent_dim=4, task_hidden_size=16, max_iter=2, early_stopping=False, random_state=0
)
PROPERTY = settings(deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def pool():
    from gate_sklearn.datasets import load_esol

    return load_esol().frame.smiles.tolist()


@pytest.fixture(scope="module")
def models(pool):
    y = pd.DataFrame({"length": [len(s) for s in pool[:80]], "rings": [s.count("1") for s in pool[:80]]}, dtype=float)
    return {policy: GATERegressor(on_invalid=policy, **TINY).fit(pool[:80], y) for policy in ("raise", "nan")}


def is_molecule(value):
    """RDKit's own verdict, independent of gate_sklearn's parser: a string that parses to a molecule with atoms."""
    if not isinstance(value, str):
        return False
    with rdBase.BlockLogs():
        mol = Chem.MolFromSmiles(value)
    return mol is not None and mol.GetNumAtoms() > 0


# Real molecules, strings biased towards SMILES syntax (a few of them valid), any text, and non-strings.
MOLECULES = ["CCO", "c1ccccc1O", "CC(=O)Nc1ccc(O)cc1", "ClCCl", "C1CCCCC1", "[Na+].[Cl-]", "OC(=O)C(F)(F)F", "[2H]OC"]
SMILES_CHARACTERS = list("CNOSPFIcnos()[]=#@+-.123456789%/\\H") + ["Cl", "Br", "c1ccccc1"]
smiles_like = st.lists(st.sampled_from(SMILES_CHARACTERS), max_size=25).map("".join)
anything = st.one_of(
    st.sampled_from(MOLECULES),
    smiles_like,
    st.text(max_size=15),
    st.none(),
    st.floats(),
    st.integers(),
    st.binary(max_size=5),
)


@PROPERTY
@given(X=st.lists(anything, max_size=10))
def test_any_rows_give_a_documented_error_or_finite_aligned_predictions(models, X):
    valid = np.array([is_molecule(v) for v in X], dtype=bool)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InvalidSMILESWarning)
        pred = models["nan"].predict(X)
    assert pred.shape == (len(X), 2)
    assert np.isfinite(pred[valid]).all() and np.isnan(pred[~valid]).all()
    for i in np.flatnonzero(valid)[:3]:  # each row is its own molecule's prediction: nothing shifted
        np.testing.assert_allclose(pred[i], models["nan"].predict([X[i]])[0], rtol=1e-5, atol=1e-6)
    try:
        strict = models["raise"].predict(X)
    except InvalidSMILESError as error:
        assert error.rows == np.flatnonzero(~valid).tolist()
    else:
        assert valid.all() and np.isfinite(strict).all()


@PROPERTY
@given(index=st.integers(0, 1127), seed=st.integers(0, 2**31 - 1))
def test_any_writing_of_a_molecule_gives_the_same_prediction(models, pool, index, seed):
    mol = Chem.MolFromSmiles(pool[index])
    (rewritten,) = Chem.MolToRandomSmilesVect(mol, 1, randomSeed=seed)
    pred = models["raise"].predict([pool[index], rewritten])
    assert np.isfinite(pred).all()
    # Atom order changes the order of float32 sums only.
    np.testing.assert_allclose(pred[0], pred[1], rtol=1e-4, atol=1e-4)


FRAGMENTS = ["C", "CC", "O", "N", "c1ccccc1", "C(=O)O", "Cl", "[NH3+]", "[O-]", "S", "C1CC1"]


@PROPERTY
@given(fragments=st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=6))
def test_assembled_molecules_predict_finite_values(models, fragments):
    smiles = "".join(fragments)
    assume(is_molecule(smiles))
    assert np.isfinite(models["raise"].predict([smiles, ".".join(fragments)])).all()


@st.composite
def holed_targets(draw, n_rows=24, n_tasks=3):
    """A NaN mask over (n_rows, n_tasks) where every task keeps two labels and every row one."""
    row = st.lists(st.booleans(), min_size=n_tasks, max_size=n_tasks)
    mask = np.array(draw(st.lists(row, min_size=n_rows, max_size=n_rows)))
    for k in range(n_tasks):
        if mask[:, k].sum() < 2:
            rows = draw(st.lists(st.integers(0, n_rows - 1), min_size=2, max_size=2, unique=True))
            mask[rows, k] = True
    for i in np.flatnonzero(~mask.any(axis=1)):
        mask[i, draw(st.integers(0, n_tasks - 1))] = True
    return mask


@settings(deadline=None, max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(mask=holed_targets(), early_stopping=st.booleans(), batch_size=st.sampled_from([4, 7, 64]))
def test_any_nan_pattern_trains(pool, mask, early_stopping, batch_size):
    X = pool[:24]
    values = np.column_stack([[len(s) for s in X], [s.count("C") for s in X], [s.count("O") for s in X]]).astype(float)
    y = np.where(mask, values, np.nan)
    model = GATERegressor(**dict(TINY, early_stopping=early_stopping, batch_size=batch_size, validation_fraction=0.25))
    model.fit(X, y)
    assert np.isfinite(model.loss_curve_).all()
    assert np.isfinite(model.predict(X)).all()
