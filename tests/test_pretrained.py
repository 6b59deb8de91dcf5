"""The shipped pre-trained model: loading, checking, extending, rebuilding."""

import gzip
import io
import json
import shutil
import socket
import subprocess
import zipfile

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import cross_val_score

from gate_sklearn import GATERegressor, pretrained
from gate_sklearn.exceptions import ModelFileError
from gate_sklearn.pretrained import _registry

NAME = "moses-physchem"
TINY = {"hidden_size": 16, "depth": 2, "latent_dim": 4, "task_hidden_size": 8}


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture(scope="module")
def shipped():
    return pretrained.load(NAME)


def test_the_model_is_listed_with_its_card():
    assert NAME in pretrained.available_models()
    card = pretrained.model_card(NAME)
    assert card["sha256"] == _registry.file_sha256(_registry._MODELS_DIR / card["file"])
    assert card["size_bytes"] < 20e6
    tasks = set(card["tasks"])
    assert set(pretrained.DESCRIPTOR_TASKS) <= tasks and set(pretrained.PHYSPROP_TASKS) <= tasks
    # The pre-training never used a held-out column (studies' targets, evaluation columns) as a task.
    assert not tasks & set(pretrained.HELD_OUT_PHYSPROP_COLUMNS)


def test_the_model_files_are_not_hidden_from_git():
    """A weights file that git ignores is missing from every clone, and so from every install."""
    git = shutil.which("git")
    checkout = _registry._MODELS_DIR.parents[2]
    if git is None or not (checkout / ".git").exists():
        pytest.skip("not a git checkout")
    files = [str(path) for path in sorted(_registry._MODELS_DIR.iterdir()) if path.suffix in (".gate", ".json")]
    ignored = subprocess.run([git, "-C", str(checkout), "check-ignore", *files], capture_output=True, text=True)
    assert ignored.stdout == "", f"git ignores shipped model files: {ignored.stdout.split()}"


def test_loads_offline_and_predicts_its_reference_molecules(no_network, shipped):
    reference = pretrained.model_card(NAME)["reference_predictions"]
    predicted = shipped.predict(reference["smiles"])
    np.testing.assert_allclose(predicted, np.asarray(reference["values"]), rtol=1e-5, atol=1e-5)
    assert shipped.tasks_ == list(pretrained.model_card(NAME)["tasks"])


def test_each_load_is_an_independent_copy(shipped):
    other = pretrained.load(NAME)
    assert other is not shipped and other.net_.module_ is not shipped.net_.module_


def test_an_altered_file_is_refused(tmp_path, monkeypatch):
    folder = tmp_path / "models"
    folder.mkdir()
    for suffix in (".gate", ".json"):
        shutil.copy(_registry._MODELS_DIR / f"{NAME}{suffix}", folder)
    data = bytearray((folder / f"{NAME}.gate").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (folder / f"{NAME}.gate").write_bytes(bytes(data))
    monkeypatch.setattr(_registry, "_MODELS_DIR", folder)
    with pytest.raises(ModelFileError, match="checksum"):
        pretrained.load(NAME)


def test_an_unknown_name_says_which_exist():
    with pytest.raises(ValueError, match=f"No shipped pre-trained model named 'nope'.*{NAME}"):
        pretrained.load("nope")
    with pytest.raises(ValueError, match=f"pretrained.*{NAME}"):  # the parameter check names the options
        GATERegressor(pretrained="nope").fit(["CCO", "CCC", "CCN"], [1.0, 2.0, 3.0])


def test_add_task_on_a_small_set_leaves_the_pretrained_tasks_alone(no_network, shipped, smiles_sample):
    model = pretrained.load(NAME)
    X = smiles_sample[:60]
    rng = np.random.default_rng(0)
    y = np.asarray([len(s) for s in X], float) + rng.normal(scale=0.5, size=len(X))
    before = model.predict(smiles_sample[60:80])
    model.add_task(X, y, name="length", max_iter=3, random_state=0)
    assert model.tasks_[-1] == "length" and model.added_tasks_[-1]["name"] == "length"
    assert np.array_equal(model.predict(smiles_sample[60:80], tasks=shipped.tasks_), before)
    assert np.array_equal(shipped.predict(smiles_sample[60:80]), before)  # the other copy is untouched


def test_a_shipped_model_by_name_under_cross_validation(no_network, smiles_sample):
    X = smiles_sample[:45]
    y = np.asarray([s.count("C") for s in X], float)
    scores = cross_val_score(GATERegressor(pretrained=NAME, max_iter=2, random_state=0), X, y, cv=3)
    assert scores.shape == (3,) and np.all(np.isfinite(scores))
    model = GATERegressor(pretrained=NAME, max_iter=2, random_state=0).fit(X, y)
    assert model.predict(X[:5]).shape == (5,)  # the added task only
    assert model.get_params()["pretrained"] == NAME


def test_the_command_line_adds_a_task_to_the_shipped_model(tmp_path, smiles_sample):
    from gate_sklearn.cli import main

    X = smiles_sample[:30]
    pd.DataFrame({"smiles": X, "y": np.arange(30.0)}).to_csv(tmp_path / "new.csv", index=False)
    out = tmp_path / "with_y.gate"
    assert main(["add-task", "--pretrained", NAME, str(tmp_path / "new.csv"), "--target", "y", "--out", str(out),
                 "--set", "max_iter=2", "-q"]) == 0
    assert GATERegressor.load(out).tasks_[-1] == "y"
    assert main(["add-task", "--pretrained", NAME, str(tmp_path / "new.csv"), "--target", "y", "-q"]) == 2


# -- rebuilding ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fake_wheel(tmp_path_factory):
    """A wheel-shaped zip holding a small MOSES training file, as the molsets wheel does."""
    pytest.importorskip("chemicals")
    # Amides unlikely to be in physprop, then paracetamol and nicotine, which are in the bundled sets.
    smiles = [f"Cc1ccc(cc1)C(=O)N{'C' * k}C(=O)N1CCOCC1" for k in range(1, 13)]
    smiles += ["CC(=O)Nc1ccc(O)cc1", "CN1CCCC1c1cccnc1"] * 5
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb") as handle:
        handle.write(("SMILES\n" + "\n".join(smiles) + "\n").encode())
    path = tmp_path_factory.mktemp("wheel") / "molsets-0.3.1-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("moses/dataset/data/train.csv.gz", buffer.getvalue())
    return path


def _tiny_build(wheel, work_dir, out_dir):
    from gate_sklearn.pretrained._build import build

    return build(
        "tiny", moses_wheel=wheel, n_moses=8, n_physprop=120, n_validation=30, max_iter=2, work_dir=work_dir,
        out_dir=out_dir, verbose=0, estimator_params=TINY,
    )


def test_the_build_is_reproducible_and_resumable(fake_wheel, tmp_path):
    first = _tiny_build(fake_wheel, tmp_path / "work1", tmp_path / "out1")
    again = _tiny_build(fake_wheel, tmp_path / "work2", tmp_path / "out2")  # from scratch, same seed
    resumed = _tiny_build(fake_wheel, tmp_path / "work1", tmp_path / "out3")  # restored from the checkpoint
    for other in (again, resumed):
        np.testing.assert_allclose(
            other["reference_predictions"]["values"], first["reference_predictions"]["values"], atol=1e-5
        )
    # Paracetamol and nicotine are in the bundled sets: never drawn from the MOSES file.
    corpus = pd.read_csv(tmp_path / "work1" / "corpus.csv.gz")
    assert first["corpus"] == {**first["corpus"], "physprop": 120, "moses": 8, "molecules": 128}
    assert not set(corpus["smiles"]) & pretrained.held_out_smiles()
    model = _registry.load_checked(tmp_path / "out1" / "tiny.gate", first["sha256"])
    assert model.tasks_ == list(pretrained.PHYSPROP_TASKS) + list(pretrained.DESCRIPTOR_TASKS)
    assert json.loads((tmp_path / "out1" / "tiny.json").read_text())["sha256"] == first["sha256"]


def test_held_out_molecules_cover_the_bundled_sets_and_the_held_out_columns():
    pytest.importorskip("chemicals")
    from gate_sklearn.datasets import load_esol, load_physprop
    from gate_sklearn.pretrained._corpus import canonical_smiles

    held = pretrained.held_out_smiles()
    esol = canonical_smiles(load_esol().frame["smiles"])
    assert set(esol) <= held
    frame = load_physprop().frame
    for column in ("Tc_K", "Hvap_Tb_kJ_mol"):
        assert set(canonical_smiles(frame.loc[frame[column].notna(), "smiles"])) <= held
    # The evaluation columns are held out by name; their values are read by no test.
    from gate_sklearn.datasets import PHYSPROP_EVALUATION_COLUMNS
    from gate_sklearn.pretrained._corpus import HELD_OUT_PHYSPROP_COLUMNS

    assert set(PHYSPROP_EVALUATION_COLUMNS) <= set(HELD_OUT_PHYSPROP_COLUMNS)


def test_descriptors_are_nan_where_rdkit_has_no_value():
    values = pretrained.compute_descriptors(["CCO", "not a molecule", "[Cs+].[Cl-]"])
    assert values.shape == (3, len(pretrained.DESCRIPTOR_TASKS))
    assert values.iloc[0].notna().all() and values.iloc[1].isna().all()
    assert np.isfinite(values.to_numpy()[~values.isna().to_numpy()]).all()
    assert values.loc[0, "h_bond_donors"] == 1 and values.loc[0, "aromatic_rings"] == 0
