"""Single-task regression: GATERegressor against a Morgan-fingerprint random forest and chemprop.

Protocol
--------
* Data sets: ESOL, FreeSolv and Lipophilicity (the bundled copies), one
  property each.
* Splits: for every seed, ``train_test_split(X, y, test_size=0.2,
  random_state=seed)``; the same split is given to every method. The score is
  the RMSE on the 20 % test part, in the target's own units; the table shows
  the mean and sample standard deviation over seeds.
* ``GATERegressor(random_state=seed)`` with its defaults (D-MPNN over SMILES,
  hidden size 300, depth 3, batch 64, Adam at 1e-3; the report states
  ``max_iter`` and ``early_stopping``), ``--max-iter`` replacing ``max_iter``
  when given.
* Random forest: ``MorganFingerprint(radius=2, fp_size=2048)`` counts into
  ``RandomForestRegressor(n_estimators=500, n_jobs=-1, random_state=seed)``.
* chemprop 2.x (when ``--chemprop-bin`` or ``chemprop`` on the PATH is found):
  its CLI on the same splits, with 10 % of the training part (drawn with the
  seed) as its validation set, default message passing (300 wide, depth 3)
  and ``--epochs`` from ``--chemprop-epochs``; ``chemprop predict`` on the test
  part and the RMSE computed here.

Wall time is that of one fit (for chemprop, the whole ``chemprop train``
process, start-up included). Throughput is molecules per second per epoch:
rows in the training part (validation rows included) times epochs run,
divided by the fit's wall time.

Usage::

    python benchmarks/single_task.py --quick      # smoke run, writes nothing
    python benchmarks/single_task.py --max-iter 30 --chemprop-epochs 30 \\
        --chemprop-bin /path/to/venv/bin/chemprop

Prints a markdown table and writes it to ``benchmarks/results/single_task/single_task.md``,
with the raw per-run numbers in ``single_task.json``.
"""

import argparse
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import rdkit
import sklearn
import torch
from sklearn.ensemble import RandomForestRegressor
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

import gate_sklearn
from gate_sklearn import GATERegressor
from gate_sklearn.datasets import load_esol, load_freesolv, load_lipophilicity
from gate_sklearn.featurize import MorganFingerprint

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402  (result files)

LOADERS = {"esol": load_esol, "freesolv": load_freesolv, "lipophilicity": load_lipophilicity}
NAMES = {"esol": "ESOL", "freesolv": "FreeSolv", "lipophilicity": "Lipophilicity"}
FOREST_REFERENCE = {"esol": 0.92, "freesolv": 1.85, "lipophilicity": 0.77}
METHODS = ("GATERegressor", "Morgan RF", "chemprop")
CHEMPROP_MARGIN = 0.05


def rmse(y_true, y_pred):
    return float(np.sqrt(np.mean((np.asarray(y_true, float) - np.asarray(y_pred, float)) ** 2)))


# -- methods ----------------------------------------------------------------------------------------


def run_gate(X_train, y_train, X_test, y_test, seed, max_iter):
    model = GATERegressor(random_state=seed, **({} if max_iter is None else {"max_iter": max_iter}))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        model.fit(X_train, y_train)
        fit_s = time.perf_counter() - start
        y_pred = model.predict(X_test)
    return {
        "rmse": rmse(y_test, y_pred),
        "fit_s": fit_s,
        "epochs": model.n_iter_,
        "throughput": len(X_train) * model.n_iter_ / fit_s,
        "best_validation_r2": model.best_validation_score_,
        "best_epoch": int(np.nanargmax(model.validation_scores_)) + 1 if model.validation_scores_ else None,
        "loss_curve": model.loss_curve_,
        "validation_r2": model.validation_scores_,
        "warnings": sorted({f"{w.category.__name__}: {w.message}" for w in caught}),
    }


def run_forest(X_train, y_train, X_test, y_test, seed, n_estimators=500):
    model = make_pipeline(
        MorganFingerprint(radius=2, fp_size=2048),
        RandomForestRegressor(n_estimators=n_estimators, n_jobs=-1, random_state=seed),
    )
    start = time.perf_counter()
    model.fit(X_train, y_train)
    fit_s = time.perf_counter() - start
    return {"rmse": rmse(y_test, model.predict(X_test)), "fit_s": fit_s}


def run_chemprop(chemprop_bin, X_train, y_train, X_test, y_test, seed, epochs, pretrained=None):
    """Train and predict through chemprop's CLI in a scratch folder; the RMSE is computed here.

    Parameters
    ----------
    pretrained : path, optional
        A chemprop model file (``.pt``, e.g. from :func:`pretrain_chemprop`) to fine-tune from: its
        message passing and aggregation start the new model (``chemprop train --from-foundation``),
        under a new feed-forward head and target scaler sized for ``y_train``; every weight is trained.
    """
    with tempfile.TemporaryDirectory(prefix="chemprop_bench_") as tmp:
        tmp = Path(tmp)
        _write_chemprop_split(tmp, X_train, pd.DataFrame({"y": np.asarray(y_train, float)}), seed)
        pd.DataFrame({"smiles": np.asarray(X_test), "y": np.asarray(y_test, float)}).to_csv(
            tmp / "test.csv", index=False
        )
        options = [] if pretrained is None else ["--from-foundation", str(pretrained)]
        model_path, fit_s, epochs_run = _chemprop_train(chemprop_bin, tmp, ["y"], seed, epochs, options)
        predict_cmd = [
            chemprop_bin, "predict",
            "--test-path", str(tmp / "test.csv"),
            "--smiles-columns", "smiles",
            "--model-paths", str(model_path),
            "--preds-path", str(tmp / "preds.csv"),
            "--accelerator", "cpu",
        ]  # fmt: skip
        _check_run(predict_cmd)
        preds = pd.read_csv(tmp / "preds.csv")
    return {
        "rmse": rmse(y_test, preds["y"]),
        "fit_s": fit_s,
        "epochs": epochs_run,
        "throughput": len(X_train) * epochs_run / fit_s,
    }


def pretrain_chemprop(chemprop_bin, X, Y, seed, epochs, model_path):
    """Train one multi-task chemprop regression model on the columns of ``Y`` and save it to ``model_path``.

    Parameters
    ----------
    X : sequence of str
        SMILES.
    Y : DataFrame
        One column per task; NaN where a molecule was not measured (written as an empty cell, which
        chemprop leaves out of the loss).
    model_path : path
        Where the best model (on 10 % of the rows, drawn with ``seed``) is copied, as a ``.pt`` file
        that :func:`run_chemprop` takes as ``pretrained``.

    Returns
    -------
    dict
        ``fit_s`` (the whole ``chemprop train`` process) and ``epochs`` run.
    """
    with tempfile.TemporaryDirectory(prefix="chemprop_pretrain_") as tmp:
        tmp = Path(tmp)
        _write_chemprop_split(tmp, X, Y, seed)
        # chemprop wants a test set beside train and validation: the validation part stands in (one
        # extra pass over it, its score unused) so that no source row is held out for nothing.
        shutil.copyfile(tmp / "val.csv", tmp / "test.csv")
        best, fit_s, epochs_run = _chemprop_train(chemprop_bin, tmp, list(Y.columns), seed, epochs)
        Path(model_path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(best, model_path)
    return {"fit_s": fit_s, "epochs": epochs_run}


def _write_chemprop_split(folder, X, Y, seed):
    """Write ``train.csv`` and ``val.csv`` (SMILES and ``Y``'s columns) to ``folder``, 10 % of rows for validation.

    The validation rows are drawn with ``seed``, so every chemprop run of one seed holds out the same ones.
    """
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(X))
    n_valid = int(np.ceil(0.1 * len(X)))
    frame = pd.concat([pd.DataFrame({"smiles": np.asarray(X)}), Y.reset_index(drop=True)], axis=1)
    frame.iloc[np.sort(order[n_valid:])].to_csv(folder / "train.csv", index=False)
    frame.iloc[np.sort(order[:n_valid])].to_csv(folder / "val.csv", index=False)


def _chemprop_train(chemprop_bin, folder, targets, seed, epochs, options=()):
    """``chemprop train`` on ``folder``'s train, val and test CSVs; returns (best model path, wall time, epochs run)."""
    train_cmd = [
        chemprop_bin, "train",
        "--data-path", str(folder / "train.csv"), str(folder / "val.csv"), str(folder / "test.csv"),
        "--task-type", "regression",
        "--smiles-columns", "smiles",
        "--target-columns", *targets,
        "--epochs", str(epochs),
        "--pytorch-seed", str(seed),
        "--data-seed", str(seed),
        "--accelerator", "cpu",
        "--output-dir", str(folder / "model"),
        *options,
    ]  # fmt: skip
    start = time.perf_counter()
    _check_run(train_cmd)
    fit_s = time.perf_counter() - start
    model_paths = sorted((folder / "model").rglob("best.pt"))
    if not model_paths:
        raise RuntimeError(f"chemprop train left no best.pt under {folder / 'model'}")
    return model_paths[0], fit_s, _chemprop_epochs_run(folder / "model", epochs)


def _check_run(cmd):
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{shlex.join(cmd)} failed ({done.returncode}):\n{done.stderr[-3000:]}")


def _chemprop_epochs_run(model_dir, requested):
    """Epochs chemprop ran, from its Lightning metrics log (``requested`` if there is none)."""
    logs = sorted(model_dir.rglob("metrics.csv"))
    if logs:
        epochs = pd.read_csv(logs[0]).get("epoch")
        if epochs is not None and epochs.notna().any():
            return int(epochs.max()) + 1
    return requested


def chemprop_version(chemprop_bin):
    python = Path(chemprop_bin).with_name("python")
    if not python.exists():
        python = Path(sys.executable)
    done = subprocess.run(
        [str(python), "-c", "import chemprop; print(chemprop.__version__)"], capture_output=True, text=True
    )
    return done.stdout.strip() if done.returncode == 0 else "unknown"


# -- report -----------------------------------------------------------------------------------------


def summarise(runs, dataset, method, key):
    values = [r[key] for r in runs if r["dataset"] == dataset and r["method"] == method and r.get(key) is not None]
    if not values:
        return None
    return float(np.mean(values)), (float(np.std(values, ddof=1)) if len(values) > 1 else 0.0), len(values)


def verdict(runs, dataset):
    """Whether GATERegressor met both targets on one data set, with the numbers behind it."""
    gate = summarise(runs, dataset, "GATERegressor", "rmse")
    forest = summarise(runs, dataset, "Morgan RF", "rmse")
    chemprop = summarise(runs, dataset, "chemprop", "rmse")
    if gate is None or forest is None:
        return "not measured"
    beats_forest = gate[0] < forest[0]
    parts = [f"beats the forest: {'yes' if beats_forest else 'no'} ({gate[0]:.3f} vs {forest[0]:.3f})"]
    if chemprop is None:
        close_to_chemprop = False
        parts.append("within 5 % of chemprop: not measured (chemprop not run)")
    else:
        ratio = gate[0] / chemprop[0]
        close_to_chemprop = ratio <= 1 + CHEMPROP_MARGIN
        parts.append(
            f"within 5 % of chemprop: {'yes' if close_to_chemprop else 'no'} (GATE / chemprop = {ratio:.3f})"
        )
    met = beats_forest and close_to_chemprop
    return f"**{'met' if met else 'not met'}** — " + "; ".join(parts)


def gate_defaults(args):
    """GATERegressor's budget in this run: its defaults, with --max-iter in place of max_iter when given."""
    default = GATERegressor()
    max_iter = default.max_iter if args.max_iter is None else args.max_iter
    return f"max_iter={max_iter}, early_stopping={default.early_stopping!r}"


def report(runs, args, command, versions, have_chemprop, n_trees, total_s):
    lines = [
        "# Single-task regression: GATERegressor vs Morgan random forest vs chemprop",
        "",
        f"Test RMSE (target units) on 80/20 random splits, seeds {', '.join(map(str, args.seeds))}: "
        "mean ± sample sd over seeds. Wall time is per fit (training only); throughput is training-part "
        "rows × epochs run / fit time (molecules per second per epoch).",
        "",
        f"Settings: GATERegressor defaults ({gate_defaults(args)})"
        + f"; forest n_estimators={n_trees}"
        + (f"; chemprop --epochs {args.chemprop_epochs}" if have_chemprop else "; chemprop not run")
        + ".",
        "",
        "| data set | method | RMSE | wall time / fit (s) | epochs run | throughput (mol/s/epoch) |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for dataset in args.datasets:
        for method in METHODS:
            score = summarise(runs, dataset, method, "rmse")
            if score is None:
                continue
            fit_s = summarise(runs, dataset, method, "fit_s")
            epochs = summarise(runs, dataset, method, "epochs")
            rate = summarise(runs, dataset, method, "throughput")
            lines.append(
                f"| {NAMES[dataset]} | {method} | {score[0]:.3f} ± {score[1]:.3f} | {fit_s[0]:.1f} | "
                + (f"{epochs[0]:.1f} | {rate[0]:.0f} |" if epochs else "– | – |")
            )
    lines += [
        "",
        "Forest reference RMSE from one earlier run: "
        + ", ".join(f"{NAMES[d]} {FOREST_REFERENCE[d]}" for d in args.datasets)
        + ".",
        "",
        "## Targets",
        "",
        "Target: beat the forest on all three and be within 5 % of chemprop "
        "(GATE mean RMSE < forest mean RMSE, and GATE mean RMSE ≤ 1.05 × chemprop mean RMSE).",
        "",
    ]
    lines += [f"* {NAMES[d]}: {verdict(runs, d)}" for d in args.datasets]
    gate_warnings = sorted({w for r in runs if r["method"] == "GATERegressor" for w in r.get("warnings", [])})
    if gate_warnings:
        lines += ["", "Warnings raised by GATERegressor:", ""] + [f"* `{w}`" for w in gate_warnings]
    lines += [
        "",
        "## Run",
        "",
        f"Command: `{command}`",
        "",
        f"Machine: {os.cpu_count()} CPU cores, no GPU, {platform.platform()}, Python {platform.python_version()}. "
        f"Total time {total_s / 60:.1f} min. Load average (1, 5, 15 min) when written: "
        + ", ".join(f"{v:.2f}" for v in os.getloadavg())
        + " (timings are only comparable on an otherwise idle machine).",
        "",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()) + ".",
    ]
    return "\n".join(lines)


# -- main -------------------------------------------------------------------------------------------


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", nargs="+", choices=list(LOADERS), default=list(LOADERS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--max-iter", type=int, default=None, help="GATERegressor max_iter (default: its default)")
    parser.add_argument("--methods", nargs="+", choices=METHODS, default=list(METHODS))
    parser.add_argument("--results-name", default="single_task", help="benchmarks/results/single_task/<name>.{md,json}")
    parser.add_argument("--chemprop-bin", default=None, help="chemprop executable (default: `chemprop` on PATH)")
    parser.add_argument("--chemprop-epochs", type=int, default=50, help="chemprop --epochs (default 50)")
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: seed 0, 3 epochs each, 50 trees; writes no files"
    )
    args = parser.parse_args()
    if args.quick:
        args.seeds, args.max_iter, args.chemprop_epochs = [0], 3, 3
    return args


def main():
    args = parse_args()
    command = "python " + shlex.join(["benchmarks/single_task.py"] + sys.argv[1:])
    chemprop_bin = (args.chemprop_bin or shutil.which("chemprop")) if "chemprop" in args.methods else None
    if chemprop_bin and not shutil.which(chemprop_bin):
        print(f"chemprop executable {chemprop_bin!r} not found; skipping chemprop", file=sys.stderr)
        chemprop_bin = None
    versions = {
        "gate_sklearn": gate_sklearn.__version__,
        "torch": torch.__version__,
        "rdkit": rdkit.__version__,
        "scikit-learn": sklearn.__version__,
        "chemprop": chemprop_version(chemprop_bin) if chemprop_bin else "not run",
    }
    n_trees = 50 if args.quick else 500

    runs = []
    started = time.perf_counter()
    for dataset in args.datasets:
        X, y = LOADERS[dataset](return_X_y=True)
        for seed in args.seeds:
            X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=seed)
            methods = {
                "GATERegressor": lambda: run_gate(X_train, y_train, X_test, y_test, seed, args.max_iter),
                "Morgan RF": lambda: run_forest(X_train, y_train, X_test, y_test, seed, n_trees),
            }
            if chemprop_bin:
                methods["chemprop"] = lambda: run_chemprop(
                    chemprop_bin, X_train, y_train, X_test, y_test, seed, args.chemprop_epochs
                )
            for method, run in [(m, r) for m, r in methods.items() if m in args.methods]:
                result = {"dataset": dataset, "seed": seed, "method": method, "n_train": len(X_train),
                          "n_test": len(X_test)}  # fmt: skip
                try:
                    result.update(run())
                except Exception as exc:  # one failed run is recorded, the rest go on
                    result["error"] = f"{type(exc).__name__}: {exc}"
                runs.append(result)
                shown = f"rmse={result['rmse']:.3f} fit={result['fit_s']:.1f}s" if "rmse" in result else result["error"]
                print(f"[{time.perf_counter() - started:7.0f}s] {dataset} seed={seed} {method}: {shown}", flush=True)
                if not args.quick:  # rewritten after every run, so an interrupted run leaves its results
                    write_results(runs, args, command, versions, chemprop_bin, n_trees, started, complete=False)

    text = report(runs, args, command, versions, chemprop_bin is not None, n_trees, time.perf_counter() - started)
    print("\n" + text)
    if not args.quick:
        write_results(runs, args, command, versions, chemprop_bin, n_trees, started, complete=True)


def write_results(runs, args, command, versions, chemprop_bin, n_trees, started, complete):
    text = report(runs, args, command, versions, chemprop_bin is not None, n_trees, time.perf_counter() - started)
    if not complete:
        text = "**Partial results: the run had not finished when this was written.**\n\n" + text
    harness.result_path(f"{args.results_name}", ".md").write_text(text + "\n")
    settings = {"datasets": args.datasets, "seeds": args.seeds, "gate_defaults": gate_defaults(args),
                "chemprop_epochs": args.chemprop_epochs if chemprop_bin else None, "forest_n_estimators": n_trees}  # fmt: skip
    payload = {"command": command, "complete": complete, "cpu_cores": os.cpu_count(),
               "platform": platform.platform(), "versions": versions, "settings": settings, "runs": runs}  # fmt: skip
    harness.result_path(f"{args.results_name}", ".json").write_text(json.dumps(payload, indent=2) + "\n")


if __name__ == "__main__":
    main()
