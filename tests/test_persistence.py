"""Pickle, joblib (also in a fresh process) and the safe save/load format."""

import json
import pickle
import subprocess
import sys
import zipfile

import joblib
import numpy as np
import pytest

from gate_sklearn import GATERegressor
from gate_sklearn._persistence import FORMAT_VERSION, ModelFileError

TINY = dict(hidden_size=32, depth=2, latent_dim=8, task_hidden_size=32, batch_size=32, random_state=0)


@pytest.fixture(scope="module")
def model_and_data(smiles_sample):
    X = smiles_sample[:120]
    y = np.column_stack([[len(s) for s in X], [s.count("C") for s in X]]).astype(float)
    y[::4, 1] = np.nan
    return GATERegressor(max_iter=3, **TINY).fit(X, y), X


def test_pickle_round_trip(model_and_data):
    model, X = model_and_data
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))
    assert restored.tasks_ == model.tasks_ and restored.loss_curve_ == model.loss_curve_


def _predict_in_fresh_process(tmp_path, X, load_line):
    """Predictions of X by the model that ``load_line`` loads (into ``model``) in a new interpreter."""
    (tmp_path / "smiles.json").write_text(json.dumps(list(X)))
    script = (
        "import json, numpy as np\n"
        f"d = {str(tmp_path)!r}\n"
        f"{load_line}\n"
        "np.save(d + '/pred.npy', model.predict(json.load(open(d + '/smiles.json'))))\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True)
    return np.load(tmp_path / "pred.npy")


def test_joblib_round_trip_in_a_fresh_process(model_and_data, tmp_path):
    model, X = model_and_data
    joblib.dump(model, tmp_path / "model.joblib")
    prediction = _predict_in_fresh_process(tmp_path, X, "import joblib; model = joblib.load(d + '/model.joblib')")
    np.testing.assert_array_equal(prediction, model.predict(X))


def test_safe_format_round_trip_in_a_fresh_process(model_and_data, tmp_path):
    model, X = model_and_data
    path = tmp_path / "model.gate"
    model.save(path)
    load_line = "from gate_sklearn import GATERegressor; model = GATERegressor.load(d + '/model.gate', device='cpu')"
    np.testing.assert_array_equal(_predict_in_fresh_process(tmp_path, X, load_line), model.predict(X))
    loaded = GATERegressor.load(path)
    assert loaded.get_params()["hidden_size"] == 32 and loaded.tasks_ == model.tasks_
    np.testing.assert_array_equal(loaded.y_mean_, model.y_mean_)
    assert loaded.validation_scores_ == model.validation_scores_


def test_safe_format_holds_no_pickle(model_and_data, tmp_path):
    model, _ = model_and_data
    model.save(tmp_path / "m.gate")
    with zipfile.ZipFile(tmp_path / "m.gate") as archive:
        assert sorted(archive.namelist()) == ["metadata.json", "weights.pt"]
        metadata = json.loads(archive.read("metadata.json"))
    assert metadata["format_version"] == FORMAT_VERSION
    assert set(metadata["versions"]) == {"gate_sklearn", "torch", "scikit-learn"}


def _rewrite(path, out, metadata_change=None, weights=None):
    with zipfile.ZipFile(path) as archive:
        metadata = json.loads(archive.read("metadata.json"))
        original_weights = archive.read("weights.pt")
    if metadata_change:
        metadata.update(metadata_change)
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("metadata.json", json.dumps(metadata))
        archive.writestr("weights.pt", original_weights if weights is None else weights)


def test_newer_or_unknown_format_is_refused(model_and_data, tmp_path):
    model, _ = model_and_data
    model.save(tmp_path / "m.gate")
    _rewrite(tmp_path / "m.gate", tmp_path / "newer.gate", {"format_version": FORMAT_VERSION + 1})
    with pytest.raises(ModelFileError, match="format version 2.*Upgrade gate_sklearn"):
        GATERegressor.load(tmp_path / "newer.gate")
    _rewrite(tmp_path / "m.gate", tmp_path / "other.gate", {"format": "something.else"})
    with pytest.raises(ModelFileError, match="something.else"):
        GATERegressor.load(tmp_path / "other.gate")


def test_tampered_or_truncated_file_is_refused(model_and_data, tmp_path):
    model, _ = model_and_data
    model.save(tmp_path / "m.gate")
    with zipfile.ZipFile(tmp_path / "m.gate") as archive:
        weights = bytearray(archive.read("weights.pt"))
    weights[-20] ^= 0xFF
    _rewrite(tmp_path / "m.gate", tmp_path / "tampered.gate", weights=bytes(weights))
    with pytest.raises(ModelFileError, match="checksum"):
        GATERegressor.load(tmp_path / "tampered.gate")
    data = (tmp_path / "m.gate").read_bytes()
    (tmp_path / "truncated.gate").write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match="damaged or truncated"):
        GATERegressor.load(tmp_path / "truncated.gate")


def test_save_before_fit():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        GATERegressor().save("never.gate")
