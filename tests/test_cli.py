"""The gate-sklearn command line, end to end on bundled data: fit, add-task, predict, info, errors."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gate_sklearn import GATERegressor
from gate_sklearn.cli import main

TINY = ["--set", "hidden_size=16", "--set", "depth=2", "--set", "latent_dim=4", "--set", "task_hidden_size=16"]
SHORT = ["--set", "max_iter=2", "--set", "early_stopping=false"]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """ESOL (two targets, one holed) and FreeSolv (the property to add) as users' CSV files."""
    from gate_sklearn.datasets import load_esol, load_freesolv

    root = tmp_path_factory.mktemp("cli")
    esol = load_esol().frame.iloc[:120][["smiles", "logSolubility"]].copy()
    esol["n_atoms"] = esol.smiles.str.len().astype(float)
    esol.loc[::4, "n_atoms"] = np.nan
    esol.to_csv(root / "esol.csv", index=False)
    freesolv = load_freesolv().frame.iloc[:80][["smiles", "expt"]].rename(columns={"smiles": "SMILES"})
    freesolv.to_csv(root / "freesolv.csv", index=False)
    molecules = pd.DataFrame({"id": ["a", "b", "c"], "smiles": ["CCO", "c1ccccc1", "CC(=O)O"]})
    molecules.to_csv(root / "molecules.csv", index=False)
    return root


@pytest.fixture(scope="module")
def fitted(files):
    model = files / "model.gate"
    status = main(["fit", str(files / "esol.csv"), "--targets", "logSolubility", "n_atoms", "--out", str(model),
                   "-q", *TINY, *SHORT])  # fmt: skip
    assert status == 0
    return model


def test_fit_writes_a_model_trained_as_asked(fitted):
    model = GATERegressor.load(fitted)
    assert model.tasks_ == ["logSolubility", "n_atoms"]
    assert model.n_iter_ == 2 and model.get_params()["hidden_size"] == 16


def test_add_task_then_predict(files, fitted, capsys):
    extended = files / "extended.gate"
    status = main(["add-task", str(fitted), str(files / "freesolv.csv"), "--target", "expt", "--smiles-column",
                   "SMILES", "--out", str(extended), "--set", "max_iter=2"])  # fmt: skip
    assert status == 0
    assert "now predicts ['logSolubility', 'n_atoms', 'expt']" in capsys.readouterr().err
    assert GATERegressor.load(fitted).tasks_ == ["logSolubility", "n_atoms"]  # --out: the original is kept
    assert main(["info", str(extended)]) == 0
    added = [line for line in capsys.readouterr().out.splitlines() if line.strip().startswith("expt")]
    start = GATERegressor.load(extended).added_tasks_[-1]
    assert added and "added" in added[0] and f"{start['chart_init']} start" in added[0]
    if start["initialised_from"] is not None:
        assert f"start from {start['initialised_from']} (r = " in added[0]

    out = files / "predictions.csv"
    assert main(["predict", str(extended), str(files / "molecules.csv"), "--out", str(out), "--std", "-q"]) == 0
    table = pd.read_csv(out)
    assert list(table.columns) == ["id", "smiles", "logSolubility", "logSolubility_std", "n_atoms", "n_atoms_std",
                                   "expt", "expt_std"]  # fmt: skip
    assert table.id.tolist() == ["a", "b", "c"]  # input columns and row order are kept
    expected = GATERegressor.load(extended).predict(["CCO", "c1ccccc1", "CC(=O)O"])
    np.testing.assert_allclose(table[["logSolubility", "n_atoms", "expt"]].to_numpy(), expected, rtol=1e-6)


def test_predict_to_standard_output_with_invalid_rows_skipped(files, fitted, capsys):
    path = files / "with_bad_rows.csv"
    pd.DataFrame({"smiles": ["CCO", "not a molecule", "CCC"]}).to_csv(path, index=False)
    assert main(["predict", str(fitted), str(path), "--tasks", "n_atoms"]) == 2  # invalid rows stop by default
    assert "row 1: 'not a molecule'" in capsys.readouterr().err
    assert main(["predict", str(fitted), str(path), "--tasks", "n_atoms", "--on-invalid", "nan"]) == 0
    captured = capsys.readouterr()
    lines = captured.out.strip().splitlines()
    assert lines[0] == "smiles,n_atoms" and lines[2] == "not a molecule,"
    assert "1 invalid molecule(s)" in captured.err
    assert "gate-sklearn: warning: 1 invalid SMILES" in captured.err and "estimator.py" not in captured.err


def test_info(fitted, capsys):
    assert main(["info", str(fitted)]) == 0
    out = capsys.readouterr().out
    assert "predicting 2 task(s)" in out and "n_atoms" in out and "hidden_size=16" in out


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["fit", "missing.csv", "--targets", "y", "--out", "m.gate"], "missing.csv: no such file"),
        (["fit", "{esol}", "--targets", "Tc", "--out", "m.gate"], r"no column\(s\) \['Tc'\]"),
        (["fit", "{esol}", "--targets", "n_atoms", "--smiles-column", "SMILES", "--out", "m.gate"], "'SMILES'"),
        (["fit", "{esol}", "--targets", "n_atoms", "--out", "m.gate", "--set", "batch_size=0"], "batch_size"),
        (["fit", "{esol}", "--targets", "n_atoms", "--out", "m.gate", "--set", "hidden=3"], "Invalid parameter"),
        (["fit", "{esol}", "--targets", "n_atoms", "--out", "m.gate", "--set", "oops"], "name=value"),
        (["predict", "{esol}", "{esol}"], "not a readable gate_sklearn model file"),
        (["predict", "{model}", "{esol}", "--tasks", "Tc"], r"Unknown task\(s\) \['Tc'\]"),
        (["add-task", "{model}", "{esol}", "--target", "n_atoms"], "already exist"),
        (["predict", "{model}", "{esol}"], r"already has column\(s\) \['logSolubility', 'n_atoms'\]"),
    ],
    ids=["no file", "no column", "no smiles column", "bad value", "unknown parameter", "bad --set", "not a model",
         "unknown task", "existing task", "would overwrite measurements"],  # fmt: skip
)
def test_errors_are_one_clear_line(files, fitted, capsys, arguments, message):
    arguments = [a.format(esol=files / "esol.csv", model=fitted) for a in arguments]
    assert main([*arguments, "-q"] if arguments[0] != "predict" else arguments) == 2
    err = capsys.readouterr().err
    assert err.startswith("gate-sklearn: error:") and "Traceback" not in err
    assert __import__("re").search(message, err)


def test_the_installed_command(fitted, files):
    command = Path(sys.executable).parent / "gate-sklearn"
    if not command.exists():
        pytest.skip("the package is not installed with its console script in this environment")
    done = subprocess.run([str(command), "info", str(fitted)], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "predicting 2 task(s)" in done.stdout
    done = subprocess.run([str(command), "fit", "x.csv"], capture_output=True, text=True, check=False)
    assert done.returncode == 2 and "--targets" in done.stderr


def test_the_quick_start_job_adds_the_bundled_sets_to_the_shipped_model(monkeypatch, capsys):
    """``python -m gate_sklearn`` (the README's main job) on small samples of its own data."""
    import gate_sklearn.__main__ as quick_start

    full = quick_start.bundled_sets

    def sample():
        return {task: (list(X[:60]), np.asarray(y[:60])) for task, (X, y) in full().items()}

    monkeypatch.setattr(quick_start, "bundled_sets", sample)
    assert quick_start.main(["--max-iter", "2"]) == 0
    out = capsys.readouterr().out
    assert "Loaded moses-physchem" in out and "tasks pre-trained on" in out
    assert all(task in out for task in ("logSolubility", "hydration_free_energy", "logD"))
    assert "the pre-trained ones are unchanged" in out
