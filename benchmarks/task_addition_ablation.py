"""Why task addition wins or loses: each part of it removed or changed in turn, on physprop.

Same data, splits, sources and pre-trained models as ``task_addition.py``
(from ``harness.py``; pass the same ``--cache-dir`` to reuse its pre-trained
models). For every target, split and seed, ``add_task`` is run on the
pre-trained GATE model with one change at a time:

* each alignment term removed (its weight 0), and all four removed;
* no task-private branch;
* the perturbation scale sigma of the distance term at 0.3x and 3x;
* unlabelled molecules (as many as the target's training molecules, drawn
  from the source data) added to the alignment terms;
* where the new modules start (``chart_init``): at random, or copied from
  the nearest frozen chart, whatever the number of labels;
* a new head on the frozen embedding, on the GATE model and on a
  conventionally pre-trained (MTL) one, which separates what the embedding
  brings from what the addition brings; and the MTL head started from its
  nearest task, which separates the start from the alignment terms.

``--n-labels`` trains on the first ``n`` molecules of each training part (as
the learning curves do) instead of all of them.

Each run is read out three ways (the inference path): the direct head
``g_t(f_t(x))``, the mean of the mapped read-outs ``g_t(G_t(u_k))`` over the
source charts, and the mean of all of them. The last epoch's value of every
loss term is kept, to show which terms are active.

Usage::

    python benchmarks/task_addition_ablation.py --splits random scaffold --seeds 0 --cache-dir .cache/task_addition

Writes ``results/ablation/task_addition_ablation.{md,json}`` (``--results-name``),
rewritten after every run. ``--quick`` (a few minutes) writes
``task_addition_ablation_quick.{md,json}`` instead.
"""

import argparse
import json
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import torch

import gate_sklearn
from gate_sklearn.datasets import load_physprop

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness as protocol  # noqa: E402  (the shared protocol: splits, sources, pre-training)
from inference_paths import all_paths  # noqa: E402  (every read-out of an added task)

NO_ALIGNMENT = protocol.NO_ALIGNMENT
# name -> (pre-trained model, add_task options, extra unlabelled molecules per labelled one, description)
VARIANTS = {
    "full": ("gate", {}, 0, "add_task, the package defaults of the run (all terms; private branch 100 up to the "
             "'norm' readout, none since; a random start up to chart_init, the nearest chart since)"),
    "no_autoencoder": ("gate", {"autoencoder_weight": 0.0}, 0, "without the autoencoder term"),
    "no_consistency": ("gate", {"consistency_weight": 0.0}, 0, "without the consistency term"),
    "no_mapping": ("gate", {"mapping_weight": 0.0}, 0, "without the mapping term"),
    "no_distance": ("gate", {"distance_weight": 0.0}, 0, "without the distance term"),
    "regression_only": ("gate", dict(NO_ALIGNMENT), 0, "without any alignment term"),
    "no_branch": ("gate", {"private_branch_size": 0}, 0, "without the private branch (the default since the 'norm' readout)"),
    "branch_100": ("gate", {"private_branch_size": 100}, 0, "with a private branch of width 100"),
    "sigma_0.03": ("gate", {"perturbation_scale": 0.03}, 0, "perturbation scale 0.03 (default 0.1)"),
    "sigma_0.3": ("gate", {"perturbation_scale": 0.3}, 0, "perturbation scale 0.3"),
    "unlabelled": ("gate", {}, 1, "plus unlabelled source molecules in the alignment terms"),
    "random_start": ("gate", {"chart_init": "random"}, 0, "new modules initialised at random (chart_init='random')"),
    "nearest_start": ("gate", {"chart_init": "nearest"}, 0, "new modules copied from the nearest chart at every size"),
    "head_on_gate": ("gate", protocol.HEAD_ONLY, 0, "new head on the frozen GATE embedding (random start)"),
    "head_on_mtl": ("mtl", protocol.HEAD_ONLY, 0, "new head on a frozen MTL embedding (random start)"),
    "head_on_mtl_nearest": (
        "mtl", dict(protocol.HEAD_ONLY, chart_init="nearest"), 0,
        "new head on a frozen MTL embedding, copied from its nearest task (no alignment terms)",
    ),
}
READOUTS = ("direct", "mapped", "averaged")


def readouts(model, X):
    """Predictions of the added task in its units: direct, mean of the mapped ones, mean of all."""
    values = all_paths(model, X)
    return {"direct": values[:, 0], "mapped": values[:, 1:].mean(axis=1), "averaged": values.mean(axis=1)}


def run(split, variant, target):
    base, options, unlabelled_ratio, _ = VARIANTS[variant]
    frame = split.frame
    test = split.test[target]
    train = split.training_rows(target, split.args.n_labels)
    X = frame.smiles.iloc[train].reset_index(drop=True)
    y = frame[target].iloc[train].reset_index(drop=True)
    if unlabelled_ratio:
        # Source molecules without the target's label (never a test molecule: the source rows exclude them).
        pool = np.setdiff1d(split.source_rows, train)
        rng = np.random.default_rng(split.seed)
        extra = rng.choice(pool, min(len(pool), unlabelled_ratio * len(train)), replace=False)
        X = pd.concat([X, frame.smiles.iloc[extra]], ignore_index=True)
        y = pd.concat([y, pd.Series(np.nan, index=range(len(extra)), name=target)], ignore_index=True)
    pretrained = split.pretrained(base, **({} if base == "gate" else NO_ALIGNMENT))
    model = split.gate(pretrained=pretrained, **options)
    start = time.perf_counter()
    model.fit(X, y)
    fit_s = time.perf_counter() - start
    y_test = frame[target].iloc[test].to_numpy()
    predictions = readouts(model, frame.smiles.iloc[test].reset_index(drop=True))
    history = model.add_task_history_[target]
    result = {f"rmse_{k}": protocol.rmse(y_test, p) for k, p in predictions.items()}
    last_terms = {f"last_{k[len('train_'):]}": float(v[-1]) for k, v in history["loss_terms"].items()
                  if k.startswith("train_") and len(v)}
    return {**result, "fit_s": fit_s, "n_iter": history["n_iter"], **last_terms}


def summarise(runs, frame):
    table = pd.DataFrame(runs)
    sd = {t: float(frame[t].std()) for t in protocol.TARGETS}
    for readout in READOUTS:
        table[f"relative_{readout}"] = table[f"rmse_{readout}"] / table.target.map(sd)
    lines = []
    for kind in dict.fromkeys(table.split):
        part = table[table.split == kind]
        seeds = ", ".join(map(str, sorted(part.seed.unique())))
        lines += [
            f"## {kind} split (seeds {seeds})",
            "",
            "Mean relative RMSE over the targets, by read-out; then the direct read-out's relative RMSE per "
            "target, the mean fit time and the last epoch's regression, consistency and distance terms.",
            "",
            "| variant | direct | mapped | averaged | " + " | ".join(protocol.TARGETS)
            + " | fit (s) | regression | consistency | distance |",
            "|---|" + "---|" * (3 + len(protocol.TARGETS) + 4),
        ]
        for variant in [v for v in VARIANTS if v in set(part.variant)]:
            mine = part[part.variant == variant]
            means = [mine.groupby("target")[f"relative_{r}"].mean().mean() for r in READOUTS]
            per_target = [mine[mine.target == t].relative_direct.mean() for t in protocol.TARGETS]
            terms = [mine.get(f"last_{k}", pd.Series(dtype=float)).mean() for k in ("regression", "consistency", "distance")]
            complete = "" if set(mine.target) == set(protocol.TARGETS) else " (partial)"
            lines.append(
                f"| {variant}{complete} | " + " | ".join(f"{m:.3f}" for m in means) + " | "
                + " | ".join("" if np.isnan(v) else f"{v:.3f}" for v in per_target)
                + f" | {mine.fit_s.mean():.1f} | "
                + " | ".join("" if np.isnan(v) else f"{v:.3g}" for v in terms) + " |"
            )
        lines.append("")
    return "\n".join(lines), table


def write(runs, args, frame, started, complete):
    text, table = summarise(runs, frame)
    variants = "\n".join(f"- `{name}`: {spec[3]}" for name, spec in VARIANTS.items() if name in args.variants)
    header = protocol.report_title("Task addition ablation on physprop", complete) + [
        f"Command: `python {' '.join(sys.argv)}`. {'Run time' if complete else 'Run time so far'}: "
        f"{(time.perf_counter() - started) / 60:.1f} min "
        f"(pre-trained models reused from the cache are not re-timed). Versions: gate_sklearn "
        f"{gate_sklearn.__version__}, torch {torch.__version__}, Python {platform.python_version()}, "
        f"{torch.get_num_threads()} torch threads.",
        "",
        "Relative RMSE = RMSE / sd of the target over physprop. Protocol, splits and pre-trained models as in "
        "`task_addition.py`; "
        + (f"the first {args.n_labels} molecules of each training part" if args.n_labels else "all training labels")
        + ". Variants:",
        "",
        variants,
        "",
    ]
    text = "\n".join(header) + "\n" + text
    protocol.result_path(f"{args.results_name}", ".md").write_text(text)
    payload = {"args": vars(args), "runs": table.to_dict(orient="records")}
    protocol.result_path(f"{args.results_name}", ".json").write_text(json.dumps(payload, indent=2) + "\n")
    return text


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--splits", nargs="+", default=["random", "scaffold"], choices=["random", "scaffold"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument("--targets", nargs="+", default=protocol.TARGETS, choices=protocol.TARGETS)
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("--max-iter", type=int, default=100)
    parser.add_argument("--n-labels", type=int, default=None, help="first n training molecules of each target")
    parser.add_argument("--max-source-molecules", type=int, default=None)
    parser.add_argument("--cache-dir", default=None, help="pre-trained models shared with task_addition.py")
    parser.add_argument("--results-name", default="task_addition_ablation")
    parser.add_argument("--quick", action="store_true", help="random split, 2 targets, 3 variants, tiny budget")
    args = parser.parse_args()
    if args.quick:
        args.splits, args.seeds, args.targets = ["random"], [0], protocol.TARGETS[:2]
        args.variants = ["full", "no_mapping", "head_on_mtl"]
        args.max_iter, args.max_source_molecules, args.cache_dir = 3, 1000, None
        args.results_name = "task_addition_ablation_quick"
    started = time.perf_counter()
    frame = load_physprop().frame
    protocol.TARGETS = list(args.targets)
    scaffolds = protocol.murcko_scaffolds(frame.smiles) if "scaffold" in args.splits else None
    runs = []
    for kind in args.splits:
        for seed in args.seeds:
            split = protocol.Split(frame, kind, seed, args, scaffolds)
            for target in protocol.TARGETS:
                for variant in args.variants:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore", UserWarning)
                        result = run(split, variant, target)
                    runs.append({"split": kind, "seed": seed, "target": target, "variant": variant, **result})
                    print(json.dumps(runs[-1]), flush=True)
                    write(runs, args, frame, started, complete=False)
    print(write(runs, args, frame, started, complete=True))


if __name__ == "__main__":
    main()
