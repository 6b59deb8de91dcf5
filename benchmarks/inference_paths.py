"""Read-outs of an added task on validation data: the direct head, the mapped paths, and guards.

Why: an added task's direct head can go far wrong on one molecule where the
mapped read-outs ``g_t(G_t(u_k))`` through the other charts stay near the
measurement (a case is in ``docs/task_addition_evidence.md``). This script
asks, on validation data only, whether a read-out that leans on the mapped
paths would be a better default.

Protocol: the splits, sources and pre-trained GATE models of
``benchmarks/task_addition.py`` (``--cache-dir`` reuses them) and the
validation parts of ``benchmarks/default_search.py`` (each target's training
part cut into an inner pool and a 20 % validation part, at random or by whole
scaffold groups; the test parts are never read). ``add_task`` with the
package defaults on the first 25 / 100 / all molecules of the pool; one fit
per run, read out every way:

* ``direct``: the head on the new chart, ``g_t(f_t(x))`` (the package's read-out);
* ``mean_mapped``: the mean of the mapped read-outs over the source charts;
* ``median_all``: the median of the direct and the mapped read-outs;
* ``guard_max`` / ``guard_q99``: the direct read-out, clipped to the median of
  the mapped ones plus or minus the largest (or 99th-percentile) gap between
  the two over the training molecules: a prediction is pulled back only when
  the paths disagree more than they ever did on the labelled molecules;
* ``range_0`` / ``range_0.25``: the direct read-out clipped to the training
  labels' range, exactly or widened by a quarter of it on each side.

Usage::

    python benchmarks/inference_paths.py --quick          # a minute; writes nothing
    python benchmarks/inference_paths.py --validation random scaffold --seeds 0 1 --cache-dir .cache/task_addition

Writes ``results/inference_paths/inference_paths.{md,json}`` (``--results-name``): mean
validation relative RMSE per read-out and size, and how often each guard
changed a prediction.
"""

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from default_search import pool_and_validation  # noqa: E402
from harness import TARGETS, Split, add_pretraining_arguments, rmse  # noqa: E402

from gate_sklearn.datasets import load_physprop  # noqa: E402
from gate_sklearn.featurize import smiles_to_graphs  # noqa: E402

READOUTS = ["direct", "mean_mapped", "median_all", "guard_max", "guard_q99", "range_0", "range_0.25"]


def all_paths(model, smiles):
    """(n, 1 + sources) predictions of the added task: the direct read-out, then one per source chart."""
    module = model.net_.module_
    target = len(model.tasks_) - 1
    sources = list(range(target))

    def read(outputs):
        return torch.cat([outputs["y"][:, [target]], module.mapped_predictions(outputs["u"], target, sources)], 1)

    graphs, valid = smiles_to_graphs(smiles)
    if not valid.all():
        raise ValueError("the benchmark's molecules are all valid SMILES")
    paths = harness.network_outputs(model, graphs, read)
    return paths * model.y_scale_[target] + model.y_mean_[target]


def readouts(valid_paths, train_paths, y_train):
    """Every read-out of the validation molecules, from the paths on validation and training molecules."""
    direct, mapped = valid_paths[:, 0], valid_paths[:, 1:]
    consensus = np.median(mapped, axis=1)
    gap = np.abs(train_paths[:, 0] - np.median(train_paths[:, 1:], axis=1))
    largest, q99 = gap.max(), np.quantile(gap, 0.99)
    low, high = y_train.min(), y_train.max()
    return {
        "direct": direct,
        "mean_mapped": mapped.mean(axis=1),
        "median_all": np.median(valid_paths, axis=1),
        "guard_max": np.clip(direct, consensus - largest, consensus + largest),
        "guard_q99": np.clip(direct, consensus - q99, consensus + q99),
        "range_0": np.clip(direct, low, high),
        "range_0.25": np.clip(direct, low - 0.25 * (high - low), high + 0.25 * (high - low)),
    }


def summarise(table):
    lines = []
    for validation, part in table.groupby("validation", sort=False):
        sizes = list(dict.fromkeys(part["size"]))
        lines += [
            f"## {validation} validation parts (seeds {', '.join(map(str, sorted(part.seed.unique())))})",
            "",
            "Mean validation relative RMSE over the targets (each averaged over seeds first), and the share of "
            "validation predictions the read-out moved away from the direct one.",
            "",
            "| read-out | " + " | ".join(f"n = {s}" for s in sizes) + " | mean | predictions changed |",
            "|---|" + "---:|" * (len(sizes) + 2),
        ]
        for readout in READOUTS:
            mine = part[part.readout == readout]
            cells = [mine[mine["size"] == s].groupby("target").relative_rmse.mean().mean() for s in sizes]
            lines.append(
                f"| {readout} | " + " | ".join(f"{c:.3f}" for c in cells)
                + f" | {np.mean(cells):.3f} | {mine.changed.mean():.1%} |"
            )
        lines.append("")
    return "\n".join(lines)


def write(rows, args, started, complete):
    table = pd.DataFrame(rows)
    minutes = (time.perf_counter() - started) / 60
    text = (
        "\n".join(harness.report_title("Read-outs of an added task on validation data (physprop)", complete))
        + f"\nCommand: `python {' '.join(sys.argv)}`. Run time: {minutes:.1f} min on 2 CPU cores. "
        + "`add_task` with the package defaults on the random split's pre-trained GATE models; read-outs as in "
        + "the script's docstring.\n\n"
        + summarise(table)
    )
    if not args.quick:
        harness.result_path(f"{args.results_name}", ".md").write_text(text)
        payload = {"args": vars(args), "command": " ".join(sys.argv), "minutes": minutes, "runs": rows}
        harness.result_path(f"{args.results_name}", ".json").write_text(json.dumps(payload, indent=2) + "\n")
    return text


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--validation", nargs="+", default=["random", "scaffold"], choices=["random", "scaffold"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1])
    parser.add_argument("--targets", nargs="+", default=TARGETS, choices=TARGETS)
    parser.add_argument("--sizes", nargs="+", default=["25", "100", "all"])
    add_pretraining_arguments(parser)
    parser.add_argument("--results-name", default="inference_paths")
    parser.add_argument("--quick", action="store_true", help="one seed, two targets, tiny budget; writes nothing")
    args = parser.parse_args()
    args.trees, args.max_iter = 0, None  # no forests here; target models with the package's budget
    if args.quick:
        args.seeds, args.targets, args.sizes = [0], TARGETS[:2], ["25"]
        args.max_iter, args.pretrain_max_iter, args.max_source_molecules = 3, 3, 1000
    started = time.perf_counter()
    frame = load_physprop().frame
    scaffolds = harness.murcko_scaffolds(frame.smiles) if "scaffold" in args.validation else None
    rows = []
    for validation in args.validation:
        for seed in args.seeds:
            split = Split(frame, "random", seed, args, scaffolds)
            base = split.pretrained("gate")
            for target in args.targets:
                pool, valid = pool_and_validation(split, target, scaffolds if validation == "scaffold" else None)
                y_valid = frame[target].iloc[valid].to_numpy()
                for size in args.sizes:
                    train = np.sort(pool if size == "all" else pool[: int(size)])
                    X_train = frame.smiles.iloc[train].reset_index(drop=True)
                    y_train = frame[target].iloc[train].reset_index(drop=True)
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore", UserWarning)
                        model = split.gate(pretrained=base).fit(X_train, y_train)
                    valid_paths = all_paths(model, frame.smiles.iloc[valid].reset_index(drop=True))
                    found = readouts(valid_paths, all_paths(model, X_train), y_train.to_numpy())
                    sd = float(frame[target].std())
                    for readout, prediction in found.items():
                        rows.append({
                            "validation": validation, "seed": seed, "target": target, "size": size,
                            "readout": readout, "relative_rmse": rmse(y_valid, prediction) / sd,
                            "changed": float(np.mean(prediction != valid_paths[:, 0])),
                        })  # fmt: skip
                    print(validation, seed, target, size, {r["readout"]: round(r["relative_rmse"], 3)
                                                          for r in rows[-len(found):]}, flush=True)  # fmt: skip
                    write(rows, args, started, complete=False)
    print(write(rows, args, started, complete=True))


if __name__ == "__main__":
    main()
