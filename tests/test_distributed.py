"""Data-parallel pre-training: fit(distributed=True) in two CPU processes (gloo) launched by torchrun.

Every test launches ``tests/fixtures/distributed_fit.py`` the way the user guide's recipe does, and reads
what each process ended with.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gate_sklearn import GATERegressor

SCRIPT = Path(__file__).parent / "fixtures" / "distributed_fit.py"
TINY = dict(hidden_size=32, depth=2, latent_dim=8, task_hidden_size=16, batch_size=32, early_stopping=False)


@pytest.fixture(scope="module")
def two_task_data(tmp_path_factory):
    """Real molecules with two tasks, one with holes (rows that no process may treat as labelled)."""
    from rdkit import Chem
    from rdkit.Chem import Descriptors

    from gate_sklearn.datasets import load_esol

    frame = load_esol(as_frame=True).frame.iloc[:256].reset_index(drop=True)
    tpsa = [Descriptors.TPSA(Chem.MolFromSmiles(s)) for s in frame.smiles]
    data = pd.DataFrame({"smiles": frame.smiles, "logS": frame.logSolubility, "tpsa": tpsa})
    data.loc[::3, "tpsa"] = np.nan
    path = tmp_path_factory.mktemp("distributed") / "data.csv"
    data.to_csv(path, index=False)
    return path, data


def launch(data_path, params, out_dir, n_processes=2):
    """Run the fit under torchrun; one JSON per process (and the saved model) in ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    params_path = out_dir / "params.json"
    params_path.write_text(json.dumps(params))
    # One thread per process: two processes on two cores must not oversubscribe them.
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={n_processes}",
               str(SCRIPT), str(data_path), str(params_path), str(out_dir)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return [json.loads((out_dir / f"rank{rank}.json").read_text()) for rank in range(n_processes)]


def test_every_process_ends_with_the_same_model_and_the_first_saves_it(two_task_data, tmp_path):
    data_path, data = two_task_data
    params = dict(TINY, max_iter=6, random_state=0, checkpoint_dir=str(tmp_path / "checkpoints"))
    first, second = launch(data_path, params, tmp_path / "run")
    assert (first["rank"], second["rank"], first["world_size"]) == (0, 1, 2)
    # DDP averages the gradients of both shares: the weights, hence the predictions, agree bit for bit.
    np.testing.assert_array_equal(first["predictions"], second["predictions"])
    assert first["n_iter"] == second["n_iter"] == 6
    assert first["loss_curve"][-1] < first["loss_curve"][0]
    # Each process trained on its own share of the batches, so their local losses differ.
    assert first["loss_curve"] != second["loss_curve"]
    saved = GATERegressor.load(tmp_path / "run" / "model.gate")
    np.testing.assert_allclose(saved.predict(data.smiles), first["predictions"], rtol=1e-6)
    # Only the first process writes checkpoints: one run, one complete file, no interleaved writes.
    written = list((tmp_path / "checkpoints").glob("*/training.pt"))
    assert len(written) == 1


def test_without_a_process_group_fit_says_how_to_launch_before_featurizing(monkeypatch):
    for name in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"):
        monkeypatch.delenv(name, raising=False)
    model = GATERegressor(distributed=True, **TINY)
    # An invalid SMILES would fail featurization; the missing launcher is reported first.
    with pytest.raises(ValueError, match="torchrun"):
        model.fit(["CCO", "not_a_smiles"], [1.0, 2.0])


@pytest.mark.slow
def test_two_processes_train_as_well_as_one(two_task_data, tmp_path):
    """Stated tolerance: a two-process fit ends as close to a one-process fit of the same seed as two
    one-process fits of different seeds end to each other (measured: 0.06 and 0.07 of each task's
    sd, against 0.10-0.17 between seeds), and at a training loss within 20 % of it (measured: 1 %).
    """
    data_path, data = two_task_data
    params = dict(TINY, max_iter=40, random_state=0)
    parallel = np.asarray(launch(data_path, params, tmp_path / "run")[0]["predictions"])
    parallel_loss = json.loads((tmp_path / "run" / "rank0.json").read_text())["loss_curve"]
    y = data[["logS", "tpsa"]]
    alone = [GATERegressor(**dict(params, random_state=seed)).fit(data.smiles, y) for seed in (0, 1)]
    predictions = [model.predict(data.smiles) for model in alone]
    sd = np.nanstd(y.to_numpy(), axis=0)

    def gap(a, b):
        return np.sqrt(np.mean((a - b) ** 2, axis=0)) / sd

    assert parallel_loss[-1] < 0.25 * parallel_loss[0]
    assert abs(parallel_loss[-1] - alone[0].loss_curve_[-1]) < 0.2 * alone[0].loss_curve_[-1]
    assert np.all(gap(parallel, predictions[0]) < 0.2)
    assert np.all(gap(parallel, predictions[0]) < 1.5 * gap(predictions[0], predictions[1]))
