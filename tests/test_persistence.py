"""Pickle, joblib (also in a fresh process) and the safe save/load format."""

import json
import pickle
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import joblib
import numpy as np
import pytest

from gate_sklearn import GATERegressor
from gate_sklearn._persistence import FORMAT_VERSION, _metadata_digest
from gate_sklearn.exceptions import ModelFileError, ModelVersionWarning
from gate_sklearn.featurize import InvalidSMILESWarning

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


def _rewrite(path, out, metadata_change=None, weights=None, reseal=False):
    """Copy a model file with changed metadata or weights; ``reseal`` recomputes the checksums."""
    with zipfile.ZipFile(path) as archive:
        metadata = json.loads(archive.read("metadata.json"))
        original_weights = archive.read("weights.pt")
    if metadata_change:
        metadata.update(metadata_change)
    if reseal:
        import hashlib

        metadata["weights_sha256"] = hashlib.sha256(original_weights if weights is None else weights).hexdigest()
        metadata["metadata_sha256"] = _metadata_digest(metadata)
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("metadata.json", json.dumps(metadata))
        archive.writestr("weights.pt", original_weights if weights is None else weights)


def test_newer_or_unknown_format_is_refused(model_and_data, tmp_path):
    model, _ = model_and_data
    model.save(tmp_path / "m.gate")
    _rewrite(tmp_path / "m.gate", tmp_path / "newer.gate", {"format_version": FORMAT_VERSION + 1})
    with pytest.raises(ModelFileError, match=f"format version {FORMAT_VERSION + 1}.*Upgrade gate_sklearn"):
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


def test_edited_metadata_is_refused(model_and_data, tmp_path):
    # A hand-edited target scaling would silently shift every prediction: the metadata has its own checksum.
    model, _ = model_and_data
    model.save(tmp_path / "m.gate")
    with zipfile.ZipFile(tmp_path / "m.gate") as archive:
        fitted = json.loads(archive.read("metadata.json"))["fitted"]
    fitted["y_mean_"][0] += 1.0
    _rewrite(tmp_path / "m.gate", tmp_path / "edited.gate", {"fitted": fitted})
    with pytest.raises(ModelFileError, match="metadata .* does not match its recorded checksum"):
        GATERegressor.load(tmp_path / "edited.gate")


def test_unreadable_weights_are_refused(model_and_data, tmp_path):
    model, _ = model_and_data
    model.save(tmp_path / "m.gate")
    _rewrite(tmp_path / "m.gate", tmp_path / "garbage.gate", weights=b"not a tensor archive", reseal=True)
    with pytest.raises(ModelFileError, match="weights cannot be read"):
        GATERegressor.load(tmp_path / "garbage.gate")


def test_version_1_files_still_load(model_and_data, tmp_path):
    model, X = model_and_data
    model.save(tmp_path / "m.gate")
    with zipfile.ZipFile(tmp_path / "m.gate") as archive:
        metadata = json.loads(archive.read("metadata.json"))
    del metadata["metadata_sha256"]
    with zipfile.ZipFile(tmp_path / "v1.gate", "w") as archive, zipfile.ZipFile(tmp_path / "m.gate") as source:
        archive.writestr("metadata.json", json.dumps(dict(metadata, format_version=1)))
        archive.writestr("weights.pt", source.read("weights.pt"))
    np.testing.assert_array_equal(GATERegressor.load(tmp_path / "v1.gate").predict(X), model.predict(X))


def test_other_library_versions_warn_on_load(model_and_data, tmp_path):
    model, X = model_and_data
    model.save(tmp_path / "m.gate")
    with zipfile.ZipFile(tmp_path / "m.gate") as archive:
        versions = json.loads(archive.read("metadata.json"))["versions"]
    old = dict(versions, torch="2.2.0", gate_sklearn="0.0.1")
    _rewrite(tmp_path / "m.gate", tmp_path / "old.gate", {"versions": old}, reseal=True)
    with pytest.warns(ModelVersionWarning, match=r"gate_sklearn 0.0.1 \(now .*\), torch 2.2.0 \(now") as caught:
        loaded = GATERegressor.load(tmp_path / "old.gate")
    assert caught[0].filename == __file__  # points at the user's load() call
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        GATERegressor.load(tmp_path / "m.gate")  # same versions: silent


def test_other_library_versions_warn_on_unpickling(model_and_data, monkeypatch):
    import gate_sklearn._persistence

    model, X = model_and_data
    current = gate_sklearn._persistence.library_versions()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pickle.loads(pickle.dumps(model))  # same versions: silent
    monkeypatch.setattr(gate_sklearn._persistence, "library_versions", lambda: dict(current, torch="2.2.0"))
    data = pickle.dumps(model)
    monkeypatch.undo()
    with pytest.warns(ModelVersionWarning, match=r"pickled GATERegressor was saved under torch 2.2.0"):
        restored = pickle.loads(data)
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))


def test_a_model_pickled_on_a_gpu_machine_loads_on_a_cpu(model_and_data, recwarn):
    # Simulated: the pickle says the net lives on CUDA (the tensors themselves are on the CPU here).
    # The real thing is the committed fixture below, produced on a GPU by tests/fixtures/make_gpu_fixture.py.
    import copy

    import torch

    if torch.cuda.is_available():
        pytest.skip("CUDA is available: the fallback to the CPU is not exercised here")
    model, X = model_and_data
    gpu = copy.deepcopy(model)
    gpu.net_.device, gpu.device_ = "cuda", "cuda"
    restored = pickle.loads(pickle.dumps(gpu))
    assert str(restored.net_.device) == "cpu"
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))
    restored.add_task(X, np.arange(len(X), dtype=float), name="index", max_iter=1)  # and trains on the CPU
    assert restored.device_ == "cpu"


# Models saved by earlier releases (tests/fixtures/make_saved_model_fixture.py), and on a GPU
# (tests/fixtures/make_gpu_fixture.py, folders named "<version>-cuda"): each must still load here.
SAVED_MODELS = sorted((Path(__file__).resolve().parent / "fixtures" / "saved_models").glob("*/model.json"))


def test_the_saved_model_fixtures_are_there():
    assert SAVED_MODELS, "tests/fixtures/saved_models/ holds no saved model"
    for record in SAVED_MODELS:
        missing = [s for s in (".joblib", ".gate") if not record.with_suffix(s).exists()]
        assert not missing, f"{record.parent.name}: commit model{missing[0]} too"


@pytest.mark.parametrize("record_path", SAVED_MODELS, ids=[p.parent.name for p in SAVED_MODELS])
@pytest.mark.parametrize("load", ["joblib", "gate"])
def test_models_saved_by_earlier_releases_predict_the_same(record_path, load):
    record = json.loads(record_path.read_text())
    expected = np.array(record["predictions"], dtype=float)
    path = record_path.with_suffix(f".{load}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelVersionWarning)  # saved under other versions: expected
        model = joblib.load(path) if load == "joblib" else GATERegressor.load(path, device="cpu")
        # A fixture may include an invalid SMILES, predicted as a NaN row (on_invalid="nan").
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", InvalidSMILESWarning)
            mean, std = model.predict(record["smiles"], return_std=True)
    n_invalid = int(np.isnan(expected).all(axis=1).sum())
    assert sum(issubclass(w.category, InvalidSMILESWarning) for w in caught) == (1 if n_invalid else 0)
    assert model.tasks_ == record["tasks"]
    # On the same kind of device the arithmetic is the same; a GPU's differs in the last digits.
    tolerance = 1e-4 if "device" in record else 1e-6
    np.testing.assert_allclose(mean, expected, rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(std, np.array(record["std"], dtype=float), rtol=tolerance, atol=tolerance)
    model.add_task(record["smiles"][:12], np.arange(12.0), name="index", max_iter=1)  # and trains on the CPU
    assert model.device_ == "cpu"


def test_a_pickle_from_before_a_parameter_existed_loads(model_and_data):
    # checkpoint_dir was added after models had been pickled; such pickles must still load and clone.
    from sklearn.base import clone

    model, X = model_and_data
    state = model.__getstate__()
    del state["checkpoint_dir"]
    old = GATERegressor.__new__(GATERegressor)
    old.__setstate__(state)
    assert old.get_params()["checkpoint_dir"] is None and clone(old).checkpoint_dir is None
    np.testing.assert_array_equal(old.predict(X), model.predict(X))


@pytest.fixture(scope="module")
def mean_model_and_data(model_and_data):
    """A model pooled by mean, as every model saved before ``aggregation`` existed was."""
    _, X = model_and_data
    y = np.array([len(s) for s in X], dtype=float)
    return GATERegressor(max_iter=2, aggregation="mean", **TINY).fit(X, y), X


def test_a_pickle_from_before_aggregation_existed_keeps_its_readout(mean_model_and_data):
    # Whatever the current default, an older pickle must predict as it did: with the mean readout.
    model, X = mean_model_and_data
    state = pickle.loads(pickle.dumps(model)).__getstate__()  # a copy: the fixture's network stays intact
    del state["aggregation"]
    state["base_params_"] = {k: v for k, v in state["base_params_"].items() if k != "aggregation"}
    del state["net_"].module_.embedding.__dict__["aggregation"]
    old = GATERegressor.__new__(GATERegressor)
    old.__setstate__(state)
    assert old.aggregation == "mean" and old._architecture().aggregation == "mean"
    np.testing.assert_array_equal(old.predict(X), model.predict(X))


def test_a_model_file_from_before_aggregation_existed_keeps_its_readout(mean_model_and_data, tmp_path):
    model, X = mean_model_and_data
    model.save(tmp_path / "m.gate")
    with zipfile.ZipFile(tmp_path / "m.gate") as archive:
        metadata = json.loads(archive.read("metadata.json"))
    del metadata["params"]["aggregation"]
    del metadata["fitted"]["base_params_"]["aggregation"]
    _rewrite(tmp_path / "m.gate", tmp_path / "old.gate", {k: metadata[k] for k in ("params", "fitted")}, reseal=True)
    old = GATERegressor.load(tmp_path / "old.gate")
    assert old.aggregation == "mean"
    np.testing.assert_array_equal(old.predict(X), model.predict(X))
