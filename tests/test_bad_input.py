"""The catalogue of bad and unusual input: each case gets a clear error that names the problem, or the
documented behaviour (docs/robustness.md lists the same cases with the decision taken for each)."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import RandomForestRegressor
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.utils._param_validation import InvalidParameterError

from gate_sklearn import GATERegressor
from gate_sklearn.featurize import InvalidSMILESError, InvalidSMILESWarning

TINY = dict(
    hidden_size=16, depth=2, latent_dim=4, task_hidden_size=16, max_iter=2, early_stopping=False, random_state=0
)


@pytest.fixture(scope="module")
def data():
    from gate_sklearn.datasets import load_esol

    frame = load_esol().frame.iloc[:60].reset_index(drop=True)
    y = pd.DataFrame({"logS": frame.logSolubility, "length": frame.smiles.str.len().astype(float)})
    return frame.smiles.tolist(), y


@pytest.fixture(scope="module")
def model(data):
    return GATERegressor(**TINY).fit(*data)


@pytest.fixture(scope="module")
def nan_model(data):
    return GATERegressor(on_invalid="nan", **TINY).fit(*data)


# -- SMILES that are not molecules --------------------------------------------------------------

NOT_MOLECULES = [
    ("C1CC", "SMILES syntax error"),
    ("C(C)(C)(C)(C)C", "Explicit valence"),
    ("", "empty string"),
    ("   ", "empty string"),
    (None, "missing value"),
    (float("nan"), "missing value"),
    (3, r"not a string \(got int\)"),
    (-(2**63) - 1, r"not a string \(got int\)"),  # beyond int64: found by hypothesis
    (2.5, r"not a string \(got float\)"),
    (b"CCO", r"not a string \(got bytes\)"),
]


@pytest.mark.parametrize("value, reason", NOT_MOLECULES, ids=[repr(v) for v, _ in NOT_MOLECULES])
def test_an_invalid_row_is_named_with_its_reason(model, value, reason):
    with pytest.raises(InvalidSMILESError, match=rf"row 1: .* -> {reason}") as error:
        model.predict(["CCO", value, "CCC"])
    assert error.value.rows == [1]


@pytest.mark.parametrize("value, reason", NOT_MOLECULES, ids=[repr(v) for v, _ in NOT_MOLECULES])
def test_an_invalid_row_is_a_nan_row_under_the_nan_policy(nan_model, value, reason):
    with pytest.warns(InvalidSMILESWarning, match=reason):
        pred = nan_model.predict(["CCO", value, "CCC"])
    assert pred.shape == (3, 2)
    assert np.isnan(pred[1]).all() and np.isfinite(pred[[0, 2]]).all()
    np.testing.assert_allclose(pred[[0, 2]], nan_model.predict(["CCO", "CCC"]), rtol=1e-6)


def test_invalid_rows_in_fit_are_named_or_dropped(data):
    X, y = data
    X = list(X)
    X[4], X[9] = "not a molecule", None
    with pytest.raises(InvalidSMILESError, match="row 4:.*\n.*row 9:"):
        GATERegressor(**TINY).fit(X, y)
    with pytest.warns(InvalidSMILESWarning, match="row 4"):
        GATERegressor(on_invalid="nan", **TINY).fit(X, y)



@pytest.mark.parametrize("n_jobs", [None, 2])
def test_rdkit_writes_nothing_on_stderr_and_its_logging_is_given_back(data, capfd, n_jobs):
    from rdkit import Chem

    model = GATERegressor(on_invalid="nan", n_jobs=n_jobs, **TINY).fit(*data)
    capfd.readouterr()
    with pytest.warns(InvalidSMILESWarning, match=r"row 1: 'C1CC' -> SMILES syntax error") as caught:
        pred = model.predict(["CCO", "C1CC", "not_a_smiles"])
    assert len(caught) == 1 and "row 2: 'not_a_smiles'" in str(caught[0].message)  # one warning, every row
    assert np.isnan(pred[1:]).all() and np.isfinite(pred[0]).all()
    with pytest.raises(InvalidSMILESError):
        GATERegressor(**TINY).fit(["CCO", "C1CC", "CCC"], [1.0, 2.0, 3.0])
    assert capfd.readouterr().err == ""
    # The user's own RDKit calls still log as before.
    Chem.MolFromSmiles("C1CC")
    assert "unclosed ring" in capfd.readouterr().err

def test_a_numeric_matrix_given_as_smiles_points_to_precomputed(model):
    with pytest.raises(TypeError, match="featurizer='precomputed'"):
        model.predict(np.zeros((3, 4)))


# -- unusual but valid chemistry: the documented behaviour ---------------------------------------


def test_a_10k_atom_molecule_is_predicted(model):
    # A 10,000-carbon chain: no recursion limit, no quadratic blow-up, a finite prediction.
    assert np.isfinite(model.predict(["C" * 10_000])).all()


def test_fragments_form_one_input_regardless_of_their_order(model):
    # Salts and mixtures are kept as written: every fragment enters the same graph (strip counter-ions
    # before fitting when the measurement is of the parent; docs/robustness.md shows how).
    salt = model.predict(["CC(=O)[O-].[Na+]", "[Na+].CC(=O)[O-]", "CC(=O)O"])
    np.testing.assert_allclose(salt[0], salt[1], rtol=1e-6)
    assert not np.allclose(salt[0], salt[2])


@pytest.mark.parametrize(
    "variant, parent",
    [("C[NH3+]", "CN"), ("[13CH3]O", "CO"), ("[CH2]C", "CC")],
    ids=["charge", "isotope", "radical"],
)
def test_charges_isotopes_and_radicals_are_features(model, variant, parent):
    # Formal charge, atomic mass and hydrogen count are atom features: each variant is its own input
    # (a radical differs from its parent by the hydrogen it lost; radical electrons are not a feature).
    from gate_sklearn.featurize import smiles_to_graphs

    (graph, reference), _ = smiles_to_graphs([variant, parent])
    assert not np.array_equal(graph.atom_features, reference.atom_features)
    assert np.isfinite(model.predict([variant])).all()


def test_explicit_hydrogens_are_the_same_molecule(model):
    pred = model.predict(["[H]OC([H])([H])[H]", "CO", "OC"])
    np.testing.assert_allclose(pred[0], pred[1], rtol=1e-6)
    np.testing.assert_allclose(pred[1], pred[2], rtol=1e-6)


# -- shapes and sizes ---------------------------------------------------------------------------


def test_x_and_y_of_different_lengths(data, model):
    X, y = data
    with pytest.raises(ValueError, match="different numbers of rows: 60 and 59"):
        GATERegressor(**TINY).fit(X, y.iloc[:-1])
    with pytest.raises(ValueError, match="different numbers of rows: 60 and 57"):
        model.add_task(X, y.logS.iloc[:-3].rename("new"))


@pytest.mark.parametrize("n", [0, 1])
def test_too_few_samples_to_fit(data, n):
    X, y = data
    with pytest.raises(ValueError, match=f"n_samples={n}: .* at least 2 samples"):
        GATERegressor(**TINY).fit(X[:n], y.iloc[:n])


def test_empty_and_single_row_prediction(model):
    assert model.predict([]).shape == (0, 2)
    assert model.transform([]).shape == (0, 4)
    assert model.predict(["CCO"]).shape == (1, 2)


# -- targets ------------------------------------------------------------------------------------


def _with(y, column, rows, value):
    y = y.copy()
    y[column] = y[column].astype(object) if isinstance(value, str) else y[column]
    y.loc[rows, column] = value
    return y


@pytest.mark.parametrize(
    "make_y, message",
    [
        (lambda y: _with(y, "length", slice(1, None), np.nan), "Task 'length' has 1 measured value"),
        (lambda y: _with(y, "length", slice(None), np.nan), "Task 'length' has no measured value"),
        (lambda y: _with(y, "logS", [3, 7], np.inf), "Task 'logS' has infinite values at rows 3, 7"),
        (lambda y: _with(y, "logS", [5], "n/a"), r"Task 'logS' has values that are not numbers at rows 5 \('n/a'\)"),
        (lambda y: y.set_axis(["a", "a"], axis=1), r"Task names must be unique; repeated: \['a'\]"),
        (lambda y: _with(y, ["logS", "length"], [2, 4], np.nan), "Rows 2, 4 have no measured value for any task"),
        (lambda y: np.zeros((len(y), 2, 1)), "1-D or 2-D|dim 3"),
        (lambda y: None, "requires y"),
    ],
    ids=["one label", "all NaN", "inf", "text", "duplicate names", "unlabelled rows", "3-D", "None"],
)
def test_bad_targets_are_named(data, make_y, message):
    X, y = data
    with pytest.raises(ValueError, match=message):
        GATERegressor(**TINY).fit(X, make_y(y))


def test_task_names_in_add_task(data, model):
    X, y = data
    with pytest.raises(ValueError, match=r"Task\(s\) \['logS'\] already exist"):
        model.add_task(X, y.logS)
    with pytest.raises(ValueError, match="repeated"):
        model.add_task(X, y, name=["new", "new"])
    with pytest.raises(ValueError, match="name gives 1 task name"):
        model.add_task(X, y, name="new")
    assert model.tasks_ == ["logS", "length"]  # a refused addition changes nothing


def test_unknown_or_empty_task_selection(model):
    with pytest.raises(ValueError, match=r"Unknown task\(s\) \['Tc'\]; this model predicts \['logS', 'length'\]"):
        model.predict(["CCO"], tasks=["logS", "Tc"])
    with pytest.raises(ValueError, match="selects nothing"):
        model.predict(["CCO"], tasks=[])


# -- order of calls -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.predict(["CCO"]),
        lambda m: m.transform(["CCO"]),
        lambda m: m.score(["CCO", "CC"], [1.0, 2.0]),
        lambda m: m.add_task(["CCO", "CC"], [1.0, 2.0]),
        lambda m: m.save("never-written.gate"),
    ],
    ids=["predict", "transform", "score", "add_task", "save"],
)
def test_using_an_unfitted_model(call):
    with pytest.raises(NotFittedError):
        call(GATERegressor())


def test_pretrained_must_be_a_fitted_gate_model(data):
    X, y = data
    with pytest.raises(NotFittedError, match="pretrained must be a fitted GATERegressor"):
        GATERegressor(pretrained=GATERegressor()).fit(X, y.logS)
    with pytest.raises(NotFittedError, match="pretrained must be a fitted GATERegressor"):
        GATERegressor(pretrained=FrozenEstimator(GATERegressor())).fit(X, y.logS)
    with pytest.raises(TypeError, match="got RandomForestRegressor"):
        GATERegressor(pretrained=RandomForestRegressor()).fit(X, y.logS)
    with pytest.raises(InvalidParameterError, match="pretrained"):
        GATERegressor(pretrained="model.gate").fit(X, y.logS)


# -- precomputed features -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def feature_model():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 5))
    return GATERegressor(featurizer="precomputed", **TINY).fit(X, X[:, 0] - X[:, 1])


def test_feature_matrix_of_the_wrong_width(feature_model):
    with pytest.raises(ValueError, match="X has 6 features, but GATERegressor is expecting 5"):
        feature_model.predict(np.zeros((3, 6)))


def test_non_finite_features_are_named_by_row(feature_model):
    X = np.zeros((5, 5))
    X[1, 2], X[3, 0] = np.nan, np.inf
    with pytest.raises(ValueError, match="NaN or infinite values in rows 1, 3"):
        feature_model.predict(X)


def test_text_given_as_features(feature_model):
    with pytest.raises(ValueError, match="expects a numeric feature matrix.*featurizer='graph'"):
        feature_model.predict(np.array([["CCO"] * 5]))


# -- constructor values: accepted at construction, refused at fit, with the parameter's name --------


@pytest.mark.parametrize(
    "param, value",
    [
        ("autoencoder_weight", -0.1),
        ("consistency_weight", -1),
        ("mapping_weight", float("nan")),
        ("distance_weight", "high"),
        ("batch_size", 0),
        ("max_iter", 0),
        ("hidden_size", 0),
        ("latent_dim", 2.5),
        ("learning_rate_init", 0.0),
        ("dropout", 1.0),
        ("validation_fraction", 1.0),
        ("perturbation_scale", 0),
        ("private_branch_size", -1),
        ("featurizer", "ecfp"),
        ("on_invalid", "drop"),
    ],
)
def test_bad_constructor_values_are_refused_at_fit(data, param, value):
    X, y = data
    estimator = GATERegressor(**{param: value})  # construction never validates (sklearn's rule)
    with pytest.raises(InvalidParameterError, match=f"'{param}' parameter"):
        estimator.fit(X, y)


@pytest.mark.parametrize(
    "device, message",
    [("gpu9", "is not a torch device"), ("cuda:7", "CUDA")],
)
def test_unusable_devices_are_refused_at_fit(data, device, message):
    import torch

    if device.startswith("cuda") and torch.cuda.device_count() > 7:
        pytest.skip("this machine has a cuda:7")
    X, y = data
    with pytest.raises(ValueError, match=f"device='{device}'.*{message}"):
        GATERegressor(device=device, **TINY).fit(X, y)


def test_bad_add_task_options(data, model):
    X, y = data
    with pytest.raises(InvalidParameterError, match="'batch_size' parameter of GATERegressor.add_task"):
        model.add_task(X, y.logS.rename("new"), batch_size=0)
    with pytest.raises(TypeError, match=r"unknown option\(s\) \['hidden_size'\]"):
        model.add_task(X, y.logS.rename("new"), hidden_size=8)


# -- big inputs: predict and transform stream ---------------------------------------------------


@pytest.fixture
def chunking(monkeypatch):
    """Set predict's chunk size with ``chunking.set(n)``; ``chunking.sizes`` lists each featurization's rows."""
    from gate_sklearn import _inference, _inputs

    featurize = _inputs.featurize
    state = SimpleNamespace(sizes=[], set=lambda n: monkeypatch.setattr(_inference, "INFERENCE_CHUNK", n))

    def spy(estimator, architecture, X, **kwargs):
        state.sizes.append(len(X))
        return featurize(estimator, architecture, X, **kwargs)

    monkeypatch.setattr(_inputs, "featurize", spy)
    return state


def test_predict_and_transform_stream_in_chunks(data, nan_model, chunking):
    X = data[0][:30]
    whole = nan_model.predict(X), nan_model.transform(X)
    assert chunking.sizes == [30, 30]
    chunking.set(7)
    chunking.sizes.clear()
    streamed = nan_model.predict(X), nan_model.transform(X)
    assert chunking.sizes == [7, 7, 7, 7, 2] * 2  # never all rows at once
    np.testing.assert_allclose(streamed[0], whole[0], rtol=1e-6)
    np.testing.assert_allclose(streamed[1], whole[1], rtol=1e-6, atol=1e-7)


def test_streamed_invalid_rows_keep_their_input_positions(data, model, nan_model, chunking):
    chunking.set(7)
    X = list(data[0][:30])
    for row in (3, 9, 10, 25):  # in the first, second and fourth chunk
        X[row] = "C1CC"
    with pytest.raises(InvalidSMILESError) as error:
        model.predict(X)
    assert error.value.rows == [3, 9, 10, 25]  # every bad row, numbered in the input, in one error
    with pytest.warns(InvalidSMILESWarning) as caught:
        pred = nan_model.predict(X)
    assert len(caught) == 1 and "row 25: 'C1CC'" in str(caught[0].message)
    assert caught[0].filename == __file__  # points at the caller's predict(), not into the package
    assert np.flatnonzero(np.isnan(pred).any(axis=1)).tolist() == [3, 9, 10, 25]
    assert np.isfinite(np.delete(pred, [3, 9, 10, 25], axis=0)).all()


def test_precomputed_features_stream_too(feature_model, chunking):
    X = np.random.default_rng(1).normal(size=(20, 5))
    whole = feature_model.predict(X)
    chunking.set(7)
    chunking.sizes.clear()
    np.testing.assert_allclose(feature_model.predict(X), whole, rtol=1e-6)
    assert chunking.sizes == [7, 7, 6]
    X[9, 1] = np.nan  # in the second chunk: named by its input row, not its row in the chunk
    with pytest.raises(ValueError, match="NaN or infinite values in rows 9;"):
        feature_model.predict(X)
