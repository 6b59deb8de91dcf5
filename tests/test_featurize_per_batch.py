"""featurize_per_batch=True: training that holds SMILES, not graphs, and trains the same model."""

import warnings

import numpy as np
import pytest

from gate_sklearn import GATERegressor, _inputs
from gate_sklearn.featurize import InvalidSMILESError, InvalidSMILESWarning, check_smiles, graphs_from_smiles
from gate_sklearn.featurize import smiles_to_graphs

TINY = dict(hidden_size=16, depth=2, latent_dim=4, task_hidden_size=8, max_iter=3, batch_size=16, random_state=0)


@pytest.fixture(scope="module")
def data(smiles_sample):
    rng = np.random.default_rng(0)
    X = smiles_sample[:120]
    lengths = np.array([len(s) for s in X], float)
    y = np.column_stack([lengths + rng.normal(0, 1, len(X)), np.sqrt(lengths)])
    y[rng.random(len(X)) < 0.3, 1] = np.nan
    return X, y


def test_the_same_model_is_trained(data):
    X, y = data
    kept = GATERegressor(**TINY).fit(X, y)
    per_batch = GATERegressor(featurize_per_batch=True, **TINY).fit(X, y)
    np.testing.assert_allclose(per_batch.loss_curve_, kept.loss_curve_, rtol=1e-6)
    np.testing.assert_allclose(per_batch.predict(X[:40]), kept.predict(X[:40]), rtol=1e-5, atol=1e-6)


def test_an_addition_trains_the_same_task(data):
    X, y = data
    models = []
    for per_batch in (False, True):
        model = GATERegressor(featurize_per_batch=per_batch, **TINY).fit(X[:80], y[:80])
        model.add_task(X[60:], y[60:, 0] * 2, name="new", chart_init="random", max_iter=2)
        models.append(model)
    np.testing.assert_allclose(models[1].predict(X[:30], tasks="new"), models[0].predict(X[:30], tasks="new"),
                               rtol=1e-5, atol=1e-6)  # fmt: skip


def test_fit_never_holds_every_graph(data, monkeypatch):
    """Nothing featurizes the whole training set: only batches are."""
    X, y = data
    batch_sizes = []

    def whole_set_refused(*args, **kwargs):
        raise AssertionError("featurize_per_batch=True featurized every molecule at once")

    def counted(smiles):
        batch_sizes.append(len(smiles))
        return graphs_from_smiles(smiles)

    monkeypatch.setattr(_inputs, "smiles_to_graphs", whole_set_refused)
    monkeypatch.setattr("gate_sklearn.training.graphs_from_smiles", counted)
    GATERegressor(featurize_per_batch=True, **{**TINY, "max_iter": 1}).fit(X, y)
    assert batch_sizes and max(batch_sizes) <= TINY["batch_size"]
    assert sum(batch_sizes) == len(X)  # one epoch: each molecule featurized once


def test_invalid_rows_are_named_or_dropped(data):
    X, y = list(data[0][:40]), data[1][:40]
    X[3], X[17] = "not a molecule", "C1CC"
    with pytest.raises(InvalidSMILESError, match=r"(?s)row 3: .*row 17: "):
        GATERegressor(featurize_per_batch=True, **TINY).fit(X, y)
    with pytest.warns(InvalidSMILESWarning, match="row 17"):
        model = GATERegressor(featurize_per_batch=True, on_invalid="nan", **TINY).fit(X, y)
    with pytest.warns(InvalidSMILESWarning, match="row 3"):
        prediction = model.predict(X)
    assert np.isnan(prediction[[3, 17]]).all() and np.isfinite(np.delete(prediction, [3, 17], axis=0)).all()


def test_check_smiles_agrees_with_the_featurizer(smiles_sample):
    X = [*smiles_sample[:30], "", None, "C(C", "c1ccccc1"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InvalidSMILESWarning)
        _, valid = check_smiles(X, on_invalid="nan")
        graphs, expected = smiles_to_graphs(X, on_invalid="nan")
    np.testing.assert_array_equal(valid, expected)
    valid_smiles = [s for s, ok in zip(X, valid) if ok]
    for mine, theirs in zip(graphs_from_smiles(valid_smiles), [g for g in graphs if g is not None]):
        np.testing.assert_array_equal(mine.atom_features, theirs.atom_features)
        np.testing.assert_array_equal(mine.edge_index, theirs.edge_index)
