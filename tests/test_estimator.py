"""GATERegressor on molecules: targets, tasks, loss terms, invalid SMILES, determinism, sklearn tools."""

import warnings

import numpy as np
import pandas as pd
import pytest
from rdkit import Chem
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from gate_sklearn import GATERegressor
from gate_sklearn.featurize import (
    InvalidSMILESError,
    InvalidSMILESWarning,
    MorganFingerprint,
)
from gate_sklearn.metrics import nan_neg_root_mean_squared_error_scorer, nan_r2_score

TINY = dict(hidden_size=32, depth=2, latent_dim=8, task_hidden_size=32, batch_size=32, random_state=0)


@pytest.fixture(scope="module")
def molecules(smiles_sample):
    """300 ESOL molecules with two related tasks; 30 % of the second one is missing."""
    from gate_sklearn.datasets import load_esol

    frame = load_esol().frame.iloc[:300]
    heavy_atoms = np.array([Chem.MolFromSmiles(s).GetNumHeavyAtoms() for s in frame.smiles], dtype=float)
    y = pd.DataFrame({"logS": frame.logSolubility.to_numpy(), "heavy_atoms": heavy_atoms})
    holes = np.random.default_rng(0).random(len(y)) < 0.3
    y.loc[holes, "heavy_atoms"] = np.nan
    return frame.smiles.reset_index(drop=True), y


@pytest.fixture(scope="module")
def fitted(molecules):
    X, y = molecules
    return GATERegressor(max_iter=15, early_stopping=False, **TINY).fit(X, y)


# -- shapes, names and units --------------------------------------------------------------------


def test_multitask_fit_predict(fitted, molecules):
    X, y = molecules
    assert fitted.tasks_ == ["logS", "heavy_atoms"]
    pred = fitted.predict(X)
    assert pred.shape == (len(X), 2) and pred.dtype == np.float64 and np.isfinite(pred).all()
    # Learned something on both tasks, NaN holes and all.
    r2 = nan_r2_score(y.to_numpy(), pred, multioutput="raw_values")
    assert (r2 > 0.4).all(), r2
    assert fitted.score(X, y) == pytest.approx(r2.mean())


def test_task_selection(fitted, molecules):
    X, _ = molecules
    full = fitted.predict(X[:10])
    np.testing.assert_array_equal(fitted.predict(X[:10], tasks="heavy_atoms"), full[:, 1])
    np.testing.assert_array_equal(fitted.predict(X[:10], tasks=["heavy_atoms", "logS"]), full[:, ::-1])
    with pytest.raises(ValueError, match=r"Unknown task\(s\) \['Tc'\]"):
        fitted.predict(X[:10], tasks=["Tc"])


def test_prediction_mirrors_y_dimensionality(molecules):
    X, y = molecules
    one_d = GATERegressor(max_iter=2, **TINY).fit(X, y.logS)
    assert one_d.tasks_ == ["logS"] and one_d.predict(X[:5]).shape == (5,)
    column = GATERegressor(max_iter=2, **TINY).fit(list(X), y[["logS"]].to_numpy())
    assert column.tasks_ == ["task_0"] and column.predict(X[:5]).shape == (5, 1)


def test_targets_are_standardised_internally(molecules):
    # Same seed, targets in other units: predictions convert exactly (up to float32 rounding).
    X, y = molecules
    base = GATERegressor(max_iter=3, early_stopping=False, **TINY).fit(X, y.logS)
    scaled = GATERegressor(max_iter=3, early_stopping=False, **TINY).fit(X, 1000 * y.logS + 300)
    np.testing.assert_allclose(scaled.predict(X), 1000 * base.predict(X) + 300, rtol=1e-4, atol=0.05)


def test_transform_gives_lf_coordinates(fitted, molecules):
    X, _ = molecules
    Z = fitted.transform(X[:20])
    assert Z.shape == (20, fitted.latent_dim) and Z.dtype == np.float64
    assert Z.std(axis=0).mean() > 1e-3  # not collapsed
    np.testing.assert_array_equal(fitted.fit_transform(X, molecules[1]).shape, (len(X), fitted.latent_dim))


# -- the loss terms -----------------------------------------------------------------------------


def test_every_term_is_logged_and_active(fitted):
    terms = fitted.loss_terms_
    for name in ("regression", "autoencoder", "consistency", "mapping", "distance"):
        values = terms[f"train_{name}"]
        assert len(values) == fitted.n_iter_ == 15
        assert np.isfinite(values).all() and values[-1] > 1e-4, (name, values[-1])
    assert terms["train_lf_spread"][-1] > 1e-3
    assert len(fitted.loss_curve_) == fitted.n_iter_ and fitted.validation_scores_ is None


def test_zero_alignment_weights_give_plain_multitask_learning(molecules):
    X, y = molecules
    mtl = GATERegressor(
        max_iter=2, autoencoder_weight=0, consistency_weight=0, mapping_weight=0, distance_weight=0, **TINY
    ).fit(X, y)
    assert {k for k in mtl.loss_terms_ if k.startswith("train_")} == {"train_regression", "train_lf_spread"}
    # The total loss is then the regression loss alone.
    np.testing.assert_allclose(mtl.loss_curve_, mtl.loss_terms_["train_regression"], rtol=1e-6)


def test_early_stopping_records_validation_and_keeps_best(molecules):
    X, y = molecules
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # stopping early is not an interrupt (skorch stops both the same way)
        model = GATERegressor(max_iter=100, early_stopping=True, n_iter_no_change=3, **TINY).fit(X, y)
    scores = model.validation_scores_
    assert len(scores) == model.n_iter_ < 100  # it did stop early
    assert model.best_validation_score_ == pytest.approx(max(scores))


def test_validation_part_without_labels_of_a_task_is_quiet():
    """A small validation part may miss a task entirely: no "Mean of empty slice" warning, task skipped."""
    from gate_sklearn.callbacks import ValidationR2

    y_valid = np.array([[1.0, np.nan, 2.0], [3.0, np.nan, np.nan], [5.0, np.nan, 4.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scorer = ValidationR2(y_valid).initialize()
    np.testing.assert_allclose(scorer.total_ss_, [8.0, 0.0, 2.0])
    assert scorer.has_labels_.tolist() == [True, False, True]


def test_early_stopping_auto_needs_a_large_training_set(molecules, monkeypatch):
    from gate_sklearn import _settings

    assert _settings.uses_early_stopping("auto", 10_001) and not _settings.uses_early_stopping("auto", 10_000)
    assert _settings.uses_early_stopping(True, 5) and not _settings.uses_early_stopping(False, 10**6)
    X, y = molecules
    small = GATERegressor(max_iter=4, n_iter_no_change=1, **TINY).fit(X, y)  # 300 rows: all of them train
    assert small.early_stopping == "auto" and small.validation_scores_ is None and small.n_iter_ == 4
    # The same rule above the threshold holds out a validation part: the 10 % part stays out of training.
    monkeypatch.setattr(_settings, "EARLY_STOPPING_AUTO_MIN_SAMPLES", len(X) - 1)
    large = GATERegressor(max_iter=4, n_iter_no_change=1, **TINY).fit(X, y)
    assert large.validation_scores_ is not None and len(large.validation_scores_) == large.n_iter_


# -- invalid molecules --------------------------------------------------------------------------


def test_invalid_smiles_raise_by_default(molecules):
    X, y = molecules
    bad = X.copy()
    bad[[3, 17]] = ["C1CC", "xyz"]
    with pytest.raises(InvalidSMILESError, match="row 3: 'C1CC'") as info:
        GATERegressor(max_iter=1, **TINY).fit(bad, y)
    assert info.value.rows == [3, 17]


def test_invalid_smiles_nan_policy(molecules):
    X, y = molecules
    bad = X.copy()
    bad[[3, 17]] = ["C1CC", "xyz"]
    model = GATERegressor(max_iter=2, on_invalid="nan", **TINY)
    with pytest.warns(InvalidSMILESWarning, match="2 invalid SMILES"):
        model.fit(bad, y)
    with pytest.warns(InvalidSMILESWarning):
        pred = model.predict(["CCO", "not smiles", "c1ccccc1"])
    assert np.isnan(pred[1]).all() and np.isfinite(pred[[0, 2]]).all()
    with pytest.warns(InvalidSMILESWarning):
        assert np.isnan(model.transform(["nope"])).all()


# -- determinism, cloning, fitted state ---------------------------------------------------------


def test_same_random_state_same_predictions(molecules):
    X, y = molecules
    a = GATERegressor(max_iter=3, **TINY).fit(X, y).predict(X)
    b = GATERegressor(max_iter=3, **TINY).fit(X, y).predict(X)
    np.testing.assert_array_equal(a, b)
    c = GATERegressor(max_iter=3, **{**TINY, "random_state": 1}).fit(X, y).predict(X)
    assert not np.array_equal(a, c)


def test_same_random_state_same_predictions_across_processes(tmp_path):
    # Thread-dependent accumulation order (e.g. the backward of advanced indexing) would show here.
    import subprocess
    import sys

    script = (
        "import sys, numpy as np\n"
        "from gate_sklearn import GATERegressor\n"
        "from gate_sklearn.datasets import load_esol\n"
        "X, y = load_esol(return_X_y=True)\n"
        f"model = GATERegressor(max_iter=3, **{TINY!r}).fit(X[:200], y[:200])\n"
        "np.save(sys.argv[1], model.predict(X[:200]))\n"
    )
    for run in ("a", "b"):
        subprocess.run([sys.executable, "-c", script, str(tmp_path / f"{run}.npy")], check=True)
    np.testing.assert_array_equal(np.load(tmp_path / "a.npy"), np.load(tmp_path / "b.npy"))


def test_fit_leaves_global_torch_rng_alone(molecules):
    import torch

    X, y = molecules
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    GATERegressor(max_iter=1, **TINY).fit(X, y)
    assert torch.equal(torch.rand(3), expected)


def test_predictions_do_not_depend_on_batch_composition(fitted, molecules):
    X, _ = molecules
    full = fitted.predict(X)
    np.testing.assert_allclose(fitted.predict(X[40:50]), full[40:50], rtol=1e-5, atol=1e-6)
    order = np.random.default_rng(0).permutation(len(X))
    np.testing.assert_allclose(fitted.predict(X[order]), full[order], rtol=1e-5, atol=1e-6)


def test_not_fitted_and_clone(molecules):
    X, _ = molecules
    model = GATERegressor(**TINY)
    for method in (model.predict, model.transform):
        with pytest.raises(NotFittedError):
            method(X[:3])
    fitted = GATERegressor(max_iter=1, **TINY).fit(*molecules)
    fresh = clone(fitted)
    assert not hasattr(fresh, "net_") and fresh.get_params() == fitted.get_params()


def test_morgan_featurizer(molecules):
    X, y = molecules
    model = GATERegressor(featurizer="morgan", morgan_size=256, max_iter=10, **TINY).fit(X, y)
    assert model.net_.module_.embedding.layers[0].in_features == 256
    assert nan_r2_score(y.to_numpy(), model.predict(X)) > 0.3


def test_bad_parameters_are_detected_at_fit(molecules):
    X, y = molecules
    with pytest.raises(ValueError, match="distance_weight"):
        GATERegressor(distance_weight=-1).fit(X, y)
    with pytest.raises(ValueError, match="batch_size"):
        GATERegressor(batch_size=0).fit(X, y)
    with pytest.raises(ValueError, match="different numbers of rows"):
        GATERegressor(**TINY).fit(X[:10], y[:11])


# -- scikit-learn tools -------------------------------------------------------------------------


def test_pipeline_with_precomputed_features(molecules):
    X, y = molecules
    model = make_pipeline(
        MorganFingerprint(fp_size=128), StandardScaler(), GATERegressor(featurizer="precomputed", max_iter=5, **TINY)
    )
    model.fit(X, y)
    assert model.predict(X[:4]).shape == (4, 2)
    assert np.isfinite(model.score(X, y))


def test_read_only_feature_matrix_is_accepted_quietly(molecules):
    # joblib hands workers read-only memmaps under GridSearchCV(n_jobs>1); torch cannot share those.
    X, y = molecules
    features = MorganFingerprint(fp_size=64).fit_transform(X[:60]).astype(np.float32)
    features.flags.writeable = False
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = GATERegressor(featurizer="precomputed", max_iter=2, **TINY).fit(features, y.iloc[:60])
        assert np.isfinite(model.predict(features)).all()


def test_cross_val_score_on_holed_targets(molecules):
    X, y = molecules
    model = GATERegressor(max_iter=3, **TINY)
    cv = KFold(3, shuffle=True, random_state=0)
    r2 = cross_val_score(model, X, y, cv=cv)
    rmse = cross_val_score(model, X, y, cv=cv, scoring=nan_neg_root_mean_squared_error_scorer)
    assert np.isfinite(r2).all() and np.isfinite(rmse).all() and (rmse < 0).all()


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_grid_search(molecules, n_jobs):
    X, y = molecules
    search = GridSearchCV(
        GATERegressor(max_iter=2, **TINY), {"distance_weight": [0.0, 1.0]}, cv=2, n_jobs=n_jobs
    ).fit(X, y)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.best_estimator_.predict(X[:3]).shape == (3, 2)


def test_collapse_of_the_lf_space_is_reported():
    from types import SimpleNamespace

    from skorch.history import History

    from gate_sklearn import ChartCollapseWarning
    from gate_sklearn._fitting import history_record

    history = History()
    for epoch, spread in enumerate([0.5, 0.2, 1e-5]):
        history.new_epoch()
        history.record("epoch", epoch + 1)
        history.record("train_loss", 1.0)
        history.record("train_regression", 1.0)
        history.record("train_lf_spread", spread)
    with pytest.warns(ChartCollapseWarning, match="collapsed"):
        record = history_record(SimpleNamespace(history=history, interrupted_=False))
    assert record["loss_terms"]["train_lf_spread"] == [0.5, 0.2, 1e-5]
