"""Choose the package's training defaults on validation data only: the search behind the shipped defaults.

Protocol
--------
The splits, sources and pre-trained models of ``benchmarks/task_addition.py``
(``--cache-dir`` reuses them). The test part of every target is never read:
each target's *training* part is cut once more, in an order fixed by the
seed, into an inner training pool (80 %) and a validation part (20 %; with
``--validation scaffold``, whole scaffold groups, as the scaffold split cuts
its test parts). Each
candidate configuration is trained on the first 25 / 100 / all molecules of
the pool (nested, as in the learning curves) and scored by relative RMSE
(RMSE / sd of the target) on the validation part. Candidates are named
groups of parameters (``CANDIDATES``); each is run with every neural method
it applies to (single-task, pre-train + new head, task addition), so that a
training rule is judged on all of them, not only on the flagship.

Usage::

    python benchmarks/default_search.py --quick      # a minute
    python benchmarks/default_search.py --candidates default patience30 no_early_stopping --seeds 0 1 \
        --cache-dir .cache/task_addition

Writes ``results/archive/default_search/default_search.{md,json}`` (``--results-name``) after every
run: mean validation relative RMSE per candidate, method and size.
"""

import argparse
import json
import re
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402
from harness import HEAD_ONLY, NO_ALIGNMENT, TARGETS, Split, add_pretraining_arguments, rmse  # noqa: E402

from gate_sklearn.datasets import load_physprop  # noqa: E402

NEURAL = ["stl", "pretrain_head", "gate_add"]
# Each candidate: parameters for every neural method ("all"), optionally parameters for task addition only
# ("add"), and architecture parameters ("base") that the pre-trained models are built with too.
CANDIDATES = {
    # the package's defaults before this search
    "early_stopping_10": {"all": {"max_iter": 100, "early_stopping": True, "n_iter_no_change": 10}},
    "patience30": {"all": {"max_iter": 300, "early_stopping": True, "n_iter_no_change": 30}},
    "patience50": {"all": {"max_iter": 500, "early_stopping": True, "n_iter_no_change": 50}},
    "no_early_stopping": {"all": {"max_iter": 300, "early_stopping": False}},
    "no_early_stopping_100": {"all": {"max_iter": 100, "early_stopping": False}},
    "no_early_stopping_150": {"all": {"max_iter": 150, "early_stopping": False}},
    "no_early_stopping_500": {"all": {"max_iter": 500, "early_stopping": False}},
    # task addition only, on the no-early-stopping budget
    "add_no_private_branch": {"all": {"max_iter": 300, "early_stopping": False}, "add": {"private_branch_size": 0}},
    "add_alignment_1": {
        "all": {"max_iter": 300, "early_stopping": False},
        "add": {"autoencoder_weight": 1.0, "consistency_weight": 1.0, "mapping_weight": 1.0, "distance_weight": 1.0},
    },
    "add_mapping_1": {"all": {"max_iter": 300, "early_stopping": False}, "add": {"mapping_weight": 1.0}},
    "add_sigma_0.3": {"all": {"max_iter": 300, "early_stopping": False}, "add": {"perturbation_scale": 0.3}},
    "add_no_private_branch_100": {"all": {"max_iter": 100, "early_stopping": False}, "add": {"private_branch_size": 0}},
    # the D-MPNN's readout (pre-training included), on the 100-epoch budget
    "aggregation_sum_100": {"all": {"max_iter": 100, "early_stopping": False}, "base": {"aggregation": "sum"}},
    "aggregation_norm_100": {"all": {"max_iter": 100, "early_stopping": False}, "base": {"aggregation": "norm"}},
    "aggregation_norm_add_no_private_branch_100": {
        "all": {"max_iter": 100, "early_stopping": False},
        "add": {"private_branch_size": 0},
        "base": {"aggregation": "norm"},
    },
    # where an added task starts (chart_init), on the shipped budget, readout and branch. These and the
    # options below ran when added tasks trained at 1e-3; the rate is pinned so that they still do.
    "add_chart_init_random_100": {
        "all": {"max_iter": 100, "early_stopping": False},
        "add": {"chart_init": "random", "learning_rate_init": 1e-3},
    },
    "add_chart_init_nearest_100": {
        "all": {"max_iter": 100, "early_stopping": False},
        "add": {"chart_init": "nearest", "learning_rate_init": 1e-3},
    },
    "add_nearest_branch_100": {
        "all": {"max_iter": 100, "early_stopping": False},
        "add": {"chart_init": "nearest", "private_branch_size": 100, "learning_rate_init": 1e-3},
    },
    # the added task's learning rate, on the shipped budget and start (3e-4 became the default for a copy)
    "add_lr_3e-4_100": {"all": {"max_iter": 100, "early_stopping": False}, "add": {"learning_rate_init": 3e-4}},
    "add_lr_3e-3_100": {"all": {"max_iter": 100, "early_stopping": False}, "add": {"learning_rate_init": 3e-3}},
    # a private branch beside the copy, at the copy's automatic rate (the branch candidate above ran at 1e-3)
    "add_branch_100_auto": {"all": {"max_iter": 100, "early_stopping": False}, "add": {"private_branch_size": 100}},
    # narrower branches: less capacity to learn from a few labels what does not hold on other ring systems
    "add_branch_32_auto": {"all": {"max_iter": 100, "early_stopping": False}, "add": {"private_branch_size": 32}},
    "add_branch_8_auto": {"all": {"max_iter": 100, "early_stopping": False}, "add": {"private_branch_size": 8}},
    # more optimizer steps for the copy: with 100 labels or fewer an epoch is one or two steps at 3e-4
    "add_epochs_300_auto": {"all": {"max_iter": 100, "early_stopping": False}, "add": {"max_iter": 300}},
    # regularisation of the added modules: with 25 labels the copy fits its training labels almost exactly
    "add_dropout_0.1_auto": {"all": {"max_iter": 100, "early_stopping": False}, "add": {"dropout": 0.1}},
    "add_dropout_0.3_auto": {"all": {"max_iter": 100, "early_stopping": False}, "add": {"dropout": 0.3}},
    "add_weight_decay_1e-3_auto": {"all": {"max_iter": 100, "early_stopping": False}, "add": {"weight_decay": 1e-3}},
    "add_weight_decay_1e-2_auto": {"all": {"max_iter": 100, "early_stopping": False}, "add": {"weight_decay": 1e-2}},
    # stronger alignment to the frozen charts, now that the new chart starts on one of them
    "add_alignment_1_100": {
        "all": {"max_iter": 100, "early_stopping": False},
        "add": {
            "autoencoder_weight": 1.0, "consistency_weight": 1.0, "mapping_weight": 1.0, "distance_weight": 1.0,
            "learning_rate_init": 1e-3,
        },
    },  # fmt: skip
    "add_mapping_1_100": {
        "all": {"max_iter": 100, "early_stopping": False},
        "add": {"mapping_weight": 1.0, "learning_rate_init": 1e-3},
    },
}


def pool_and_validation(split, target, scaffolds=None):
    """The target's training part cut into an inner pool (in the seed's order) and a validation part (20 %).

    With ``scaffolds`` the validation part is whole Bemis-Murcko groups of the training part (the
    largest, such as the acyclic molecules, stay in the pool), as the scaffold split cuts the test
    part: it asks how well a configuration extrapolates to other ring systems.
    """
    train = split.training_rows(target)
    if scaffolds is None:
        order = np.random.default_rng([split.seed, 3]).permutation(train)
        n_valid = int(round(0.2 * len(train)))
        return order[n_valid:], np.sort(order[:n_valid])
    valid = harness.split_rows(train, "scaffold", split.seed, scaffolds)
    pool = np.random.default_rng([split.seed, 3]).permutation(np.setdiff1d(train, valid))
    return pool, valid


def run(split, method, candidate, target, size, scaffolds=None):
    frame = split.frame
    pool, valid = pool_and_validation(split, target, scaffolds)
    train = np.sort(pool if size is None else pool[:size])
    params = dict(candidate.get("all", {}))
    if method == "gate_add":
        params.update(candidate.get("add", {}))
    architecture = candidate.get("base", {})
    X = frame.smiles.iloc[train].reset_index(drop=True)
    y = frame[target].iloc[train].reset_index(drop=True)
    # The pre-trained model is built (or loaded) before the clock starts: fit time is the target's alone.
    if method == "stl":
        model = split.gate(**architecture, **params)
    elif method == "pretrain_head":
        base = split.pretrained("mtl", **NO_ALIGNMENT, **architecture)
        model = split.gate(pretrained=base, **{**HEAD_ONLY, **params})
    else:
        model = split.gate(pretrained=split.pretrained("gate", **architecture), **params)
    score = fit_and_score(model, X, y, frame, target, valid)
    return {**score, "epochs": int(model.n_iter_), "n_train": len(train), "n_valid": len(valid)}


def fit_and_score(model, X, y, frame, target, valid):
    """Fit ``model`` (timed) and score it on the validation rows: RMSE, relative RMSE, fit time."""
    start = time.perf_counter()
    model.fit(X, y)
    fit_s = time.perf_counter() - start
    prediction = model.predict(frame.smiles.iloc[valid].reset_index(drop=True))
    error = rmse(frame[target].iloc[valid], prediction)
    return {"rmse": error, "relative_rmse": error / float(frame[target].std()), "fit_s": fit_s}


def summarise(runs):
    table = pd.DataFrame(runs)
    lines = [
        "Mean validation relative RMSE (RMSE / sd of the target on the held-out 20 % of each target's training "
        "part; the test parts are never used), averaged over targets after seeds; mean epochs and fit time.",
        "",
    ]
    sizes = list(dict.fromkeys(table["size"]))
    lines += ["| candidate | method | " + " | ".join(f"n = {s}" for s in sizes) + " | mean | epochs | fit (s) |"]
    lines += ["|---|---|" + "---:|" * (len(sizes) + 3)]
    for (candidate, method), mine in table.groupby(["candidate", "method"], sort=False):
        cells = [mine[mine["size"] == s].groupby("target").relative_rmse.mean().mean() for s in sizes]
        lines.append(
            f"| {candidate} | {method} | " + " | ".join(f"{c:.3f}" for c in cells)
            + f" | {np.mean(cells):.3f} | {mine.epochs.mean():.0f} | {mine.fit_s.mean():.1f} |"
        )
    return "\n".join(lines) + "\n", table


def write(runs, args, started, complete, command=None, minutes=None):
    text, table = summarise(runs)
    command = command or " ".join(sys.argv)
    minutes = (time.perf_counter() - started) / 60 if minutes is None else minutes
    header = (
        "\n".join(harness.report_title("Default search on validation data (physprop)", complete))
        + f"\nCommand: `python {command}`. Run time: "
        + (f"{minutes:.1f} min" if minutes else "not recorded")
        + f" on 2 CPU cores. Pre-training sources: {', '.join(harness.SOURCE_SETS[args.sources])}. "
        + ("Validation parts: whole Bemis-Murcko groups of each training part (the largest stay in the pool). "
           if getattr(args, "validation", "random") == "scaffold" else "")
        + "Candidates: " + "; ".join(f"`{c}` = {json.dumps(CANDIDATES[c])}" for c in args.candidates)
        + ".\n\n"
        + (f"Note: {args.note}\n\n" if getattr(args, "note", None) else "")
    )
    harness.result_path(f"{args.results_name}", ".md").write_text(header + text)
    payload = {"args": vars(args), "command": command, "minutes": minutes, "complete": complete,
               "candidates": {c: CANDIDATES[c] for c in args.candidates},
               "runs": table.to_dict(orient="records")}  # fmt: skip
    harness.result_path(f"{args.results_name}", ".json").write_text(json.dumps(payload, indent=2) + "\n")
    return header + text


def render(name):
    """Rewrite a report from its JSON (runs recorded before the "default" candidate got its explicit name)."""
    payload = json.loads(harness.result_path(f"{name}", ".json").read_text())
    rename = {"default": "early_stopping_10"}
    runs = [{**run, "candidate": rename.get(run["candidate"], run["candidate"])} for run in payload["runs"]]
    args = argparse.Namespace(**payload["args"])
    args.candidates = [rename.get(c, c) for c in args.candidates]
    args.sources = getattr(args, "sources", "default")
    args.note = payload.get("note") or payload["args"].get("note")
    command = payload.get("command") or (
        f"benchmarks/default_search.py --candidates {' '.join(args.candidates)} --methods {' '.join(args.methods)} "
        f"--seeds {' '.join(map(str, args.seeds))} --sizes {' '.join(args.sizes)} --cache-dir {args.cache_dir} "
        f"--results-name {name}"
    )
    minutes = payload.get("minutes")
    if minutes is None:  # runs from before the JSON recorded it: read it from the report
        found = re.search(r"Run time: ([\d.]+) min", harness.result_path(f"{name}", ".md").read_text())
        minutes = float(found.group(1)) if found else 0
    print(write(runs, args, None, payload.get("complete", True), command, minutes))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--candidates", nargs="+", default=list(CANDIDATES), choices=list(CANDIDATES))
    parser.add_argument("--methods", nargs="+", default=NEURAL, choices=NEURAL)
    parser.add_argument("--splits", nargs="+", default=["random"], choices=["random", "scaffold"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1])
    parser.add_argument("--targets", nargs="+", default=TARGETS, choices=TARGETS)
    parser.add_argument("--sizes", nargs="+", default=["25", "100", "all"])
    parser.add_argument(
        "--validation", default="random", choices=["random", "scaffold"],
        help="how the validation part is cut from each training part: at random, or whole scaffold groups",
    )
    add_pretraining_arguments(parser)
    parser.add_argument("--results-name", default="default_search")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--render", action="store_true", help="only rewrite the report from its JSON")
    args = parser.parse_args()
    if args.render:
        render(args.results_name)
        return
    if args.quick:
        args.seeds, args.targets, args.sizes, args.candidates = [0], TARGETS[:1], ["25"], ["early_stopping_10", "patience30"]
        args.pretrain_max_iter, args.max_source_molecules, args.results_name = 3, 1000, f"{args.results_name}_quick"
    args.trees = 0  # Split's forests are not used here
    args.max_iter = None  # each candidate sets its own budget
    started = time.perf_counter()
    frame = load_physprop().frame
    harness.TARGETS[:] = list(TARGETS)  # test rows of every target stay out of the pre-training
    needs_scaffolds = "scaffold" in args.splits or args.validation == "scaffold"
    scaffolds = harness.murcko_scaffolds(frame.smiles) if needs_scaffolds else None
    inner_scaffolds = scaffolds if args.validation == "scaffold" else None
    runs = []
    for kind in args.splits:
        for seed in args.seeds:
            split = Split(frame, kind, seed, args, scaffolds)
            for target in args.targets:
                for size in args.sizes:
                    for name in args.candidates:
                        for method in args.methods:
                            with warnings.catch_warnings():
                                warnings.simplefilter("ignore", UserWarning)
                                n_labels = None if size == "all" else int(size)
                                result = run(split, method, CANDIDATES[name], target, n_labels, inner_scaffolds)
                            record = {"split": kind, "seed": seed, "target": target, "size": size,
                                      "candidate": name, "method": method, **result}  # fmt: skip
                            runs.append(record)
                            print(json.dumps(record), flush=True)
                            write(runs, args, started, complete=False)
    print(write(runs, args, started, complete=True))


if __name__ == "__main__":
    main()
