"""Rebuilding a shipped model from scratch: corpus, descriptors, pre-training, manifest.

Every step writes its result into a work directory and is skipped when run
again with the same settings; the pre-training itself checkpoints after every
epoch (``GATERegressor(checkpoint_dir=...)``), so an interrupted build resumes
where it stopped. With the same settings and seed the build gives the same
model, to within float rounding on CPU.
"""

import json
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd

from .._persistence import library_versions
from ._corpus import PHYSPROP_TASKS, build_corpus
from ._descriptors import DESCRIPTORS, DESCRIPTOR_TASKS, compute_descriptors
from ._registry import _MODELS_DIR, file_sha256

# Molecules whose predictions the manifest records, to check a loaded model against.
REFERENCE_SMILES = (
    "CC(=O)Nc1ccc(O)cc1",
    "CN1CCC[C@H]1c1cccnc1",
    "CC(=O)Oc1ccccc1C(=O)O",
    "Cn1cnc2c1c(=O)n(C)c(=O)n2C",
    "CCN(CC)CCNC(=O)c1ccc(N)cc1",
    "Clc1ccc(cc1)C(c1ccccc1)N1CCNCC1",
    "CCCCCCCC",
    "O=C1CCCCC1",
)


def _write_atomically(path, write):
    partial = path.with_name(path.name + ".partial")
    write(partial)
    partial.replace(path)


def _stage(work_dir, name, settings, compute, verbose):
    """Run ``compute`` (-> DataFrame) unless ``work_dir`` holds its result for the same ``settings``."""
    table, record = work_dir / f"{name}.csv.gz", work_dir / f"{name}.json"
    if table.exists() and record.exists() and json.loads(record.read_text()) == settings:
        if verbose:
            print(f"{name}: reusing {table}")
        return pd.read_csv(table)
    frame = compute()
    _write_atomically(table, lambda p: frame.to_csv(p, index=False, compression="gzip"))
    record.write_text(json.dumps(settings))
    return pd.read_csv(table)  # the same floats as a resumed build reads


def build(
    name="moses-physchem",
    *,
    moses_wheel=None,
    n_moses=50_000,
    n_physprop=None,
    n_validation=2_000,
    max_iter=25,
    batch_size=128,
    random_state=0,
    work_dir="gate_pretrained_build",
    out_dir=None,
    n_jobs=None,
    verbose=1,
    estimator_params=None,
):
    """Build a pre-trained model and its manifest from scratch (resumable).

    Parameters
    ----------
    name : str, default="moses-physchem"
        The model's name: the files are ``<out_dir>/<name>.gate`` and ``.json``.
    moses_wheel : path-like, default=None
        The molsets 0.3.1 wheel (``pip download molsets==0.3.1 --no-deps``); needed when ``n_moses > 0``.
    n_moses : int, default=50_000
        MOSES molecules in the corpus, beside physprop's.
    n_physprop : int, default=None
        physprop molecules (all of those with a task value by default).
    n_validation : int, default=2_000
        Corpus molecules held out of training, on which the manifest's per-task scores are measured.
    max_iter, batch_size : int
        Training epochs (at most; early stopping applies) and batch size.
    random_state : int, default=0
        Seeds the corpus draws, the validation part and the training.
    work_dir : path-like, default="gate_pretrained_build"
        Intermediate results and training checkpoints; a build run again with it resumes.
    out_dir : path-like, default=None
        Where the model and manifest go; the package's own models directory by default.
    n_jobs : int, default=None
        Workers for canonicalisation, descriptors and featurization.
    verbose : int, default=1
        Progress bars and the per-epoch loss table.
    estimator_params : dict, default=None
        Other :class:`~gate_sklearn.GATERegressor` parameters (architecture, loss weights).

    Returns
    -------
    manifest : dict
        What ``<name>.json`` holds.
    """
    from ..estimator import GATERegressor
    from ..metrics import nan_root_mean_squared_error

    started = time.perf_counter()
    work_dir = Path(work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    out_dir = _MODELS_DIR if out_dir is None else Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    corpus_settings = {
        "n_moses": n_moses, "n_physprop": n_physprop, "random_state": random_state,
        "physprop_tasks": list(PHYSPROP_TASKS),
    }
    corpus = _stage(
        work_dir, "corpus", corpus_settings,
        lambda: build_corpus(moses_wheel, n_moses=n_moses, n_physprop=n_physprop, random_state=random_state,
                             n_jobs=n_jobs, verbose=verbose),
        verbose,
    )
    descriptors = _stage(
        work_dir, "descriptors", {**corpus_settings, "tasks": list(DESCRIPTOR_TASKS)},
        lambda: compute_descriptors(corpus["smiles"], n_jobs=n_jobs, verbose=verbose),
        verbose,
    )
    targets = pd.concat([corpus[list(PHYSPROP_TASKS)], descriptors], axis=1)
    rng = np.random.default_rng(random_state)
    validation = np.zeros(len(corpus), bool)
    validation[rng.choice(len(corpus), min(n_validation, len(corpus) // 5), replace=False)] = True

    params = {
        "max_iter": max_iter, "batch_size": batch_size, "random_state": random_state, "n_jobs": n_jobs,
        "verbose": verbose, "checkpoint_dir": str(work_dir / "checkpoints"), **(estimator_params or {}),
    }
    model = GATERegressor(**params)
    fit_started = time.perf_counter()
    model.fit(corpus["smiles"][~validation].tolist(), targets[~validation])
    fit_s = time.perf_counter() - fit_started
    # The file must not point at this machine's work directory.
    model.set_params(checkpoint_dir=None, verbose=0, n_jobs=None)

    truth = targets[validation].to_numpy()
    predicted = model.predict(corpus["smiles"][validation].tolist())
    rmse = nan_root_mean_squared_error(truth, predicted, multioutput="raw_values")
    with np.errstate(invalid="ignore"):
        spread = np.nanstd(truth, axis=0)
    groups = {task: group for task, group, _ in DESCRIPTORS} | {task: "measured (physprop)" for task in PHYSPROP_TASKS}
    scores = {
        task: {
            "group": groups[task],
            "training_values": int(targets.loc[~validation, task].notna().sum()),
            "validation_values": int(np.isfinite(truth[:, j]).sum()),
            "validation_rmse": float(rmse[j]),
            # None where too few validation values have a spread to compare with.
            "validation_r2": float(1 - (rmse[j] / spread[j]) ** 2) if spread[j] > 0 else None,
        }
        for j, task in enumerate(model.tasks_)
    }
    model_path = out_dir / f"{name}.gate"
    _write_atomically(model_path, model.save)
    manifest = {
        "name": name,
        "file": model_path.name,
        "sha256": file_sha256(model_path),
        "size_bytes": model_path.stat().st_size,
        "corpus": {
            "molecules": int(len(corpus)),
            "physprop": int((corpus["origin"] == "physprop").sum()),
            "moses": int((corpus["origin"] == "moses").sum()),
            "training": int((~validation).sum()),
            "validation": int(validation.sum()),
        },
        "build": {
            "settings": {**corpus_settings, "n_validation": n_validation, "max_iter": max_iter,
                         "batch_size": batch_size, "estimator_params": estimator_params or {}},
            "epochs": int(model.n_iter_),
            "fit_seconds": round(fit_s, 1),
            "total_seconds": round(time.perf_counter() - started, 1),
            "machine": f"{platform.machine()}, {platform.system()}",
            "versions": library_versions(),
        },
        "tasks": scores,
        "reference_predictions": {
            "smiles": list(REFERENCE_SMILES),
            "values": model.predict(list(REFERENCE_SMILES)).tolist(),
        },
    }
    _write_atomically(out_dir / f"{name}.json", lambda p: p.write_text(json.dumps(manifest, indent=1) + "\n"))
    return manifest
