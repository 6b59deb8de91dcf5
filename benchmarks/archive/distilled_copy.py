"""Screen a prototype of task addition that fine-tunes a distilled copy of the shared embedding.

Why
---
A frozen embedding cannot learn from the added task's labels; multi-task learning retrained with
the target can, at 40 to 150 times the fit (``docs/task_addition_evidence.md``, "Joint retraining
with few labels"). This prototype asks whether an added task can get an embedding trained with its
labels at a fraction of that cost, without touching the frozen model:

* the added task's private branch is a trainable deep copy of the shared embedding, and its
  encoder, copied from the nearest frozen task as ``chart_init="nearest"`` does, reads the branch
  instead of the shared embedding (its weights are moved to the branch's columns);
* a distillation term keeps the copy faithful to the sources: every frozen task's encoder and head,
  applied to the copied embedding, must reproduce that task's frozen prediction (mean squared gap
  on the standardised scale, weight ``--distill-weight``), on the labelled molecules and on
  ``--unlabelled`` source molecules added as unlabelled rows;
* the four alignment weights are 0 (the frozen charts are computed from the shared embedding, the
  new chart from the copy, so the terms compare different inputs).

The copy is the package's ``chart_init="fine_tune"``; the distillation term is a monkeypatch of the
loss, active only inside :func:`distilled_copy`, and is not in the package.

Protocol
--------
The validation parts of ``benchmarks/default_search.py`` (each target's training part cut into an
inner pool and a validation part, at random or, with ``--validation scaffold``, by whole scaffold
groups; the test parts are never read), the pre-trained GATE models of ``task_addition.py``
(``--cache-dir``), the first 25 / 100 molecules of the pool. Variants: ``default`` (the shipped
``add_task``) and ``copy_u<n>_w<w>`` (the prototype with ``n`` unlabelled source molecules, drawn
from the split's pre-training molecules outside the target's pool and validation part, and
distillation weight ``w``; ``--copies n:w ...``; ``n:w:r`` also sets the learning rate to ``r``,
``_lr<r>`` in the name, in place of ``"auto"``'s 3e-4 for a copy), every one trained for the
package's default 100 epochs. For the prototype, the distillation gap at the end of training (mean over the last 10
batches, unweighted) says how far the copy moved from the frozen embedding.

Usage::

    python benchmarks/archive/distilled_copy.py --cache-dir .cache/task_addition                # ~10 min on 2 cores
    python benchmarks/archive/distilled_copy.py --validation scaffold --copies 300:1 300:0 2000:1 --sizes 100 ...

Writes ``results/archive/distilled_copy/distilled_copy[_scaffold].{md,json}`` (``--results-name``).
"""

import argparse
import contextlib
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the benchmarks' shared harness
import default_search  # noqa: E402
import harness  # noqa: E402
from harness import TARGETS, Split, add_pretraining_arguments  # noqa: E402

from gate_sklearn.datasets import load_physprop  # noqa: E402
from gate_sklearn.nn.losses import GATELoss  # noqa: E402

NO_ALIGNMENT = {"autoencoder_weight": 0.0, "consistency_weight": 0.0, "mapping_weight": 0.0, "distance_weight": 0.0}


@contextlib.contextmanager
def distilled_copy(weight):
    """Within this block, an addition with ``chart_init="fine_tune"`` also pays the distillation term.

    ``chart_init="fine_tune"`` builds the prototype's copy: the new task's branch is a trainable copy
    of the shared embedding, read by the copied encoder. Yields the list to which every training
    batch's distillation gap is appended (unweighted).
    """
    gaps = []
    loss = GATELoss.forward

    def loss_with_distillation(self, outputs, y, network, trainable_tasks=None):
        total, terms = loss(self, outputs, y, network, trainable_tasks)
        gap = total.new_zeros(())
        for k in trainable_tasks or ():
            copied = outputs["private"][k]
            for j, task in enumerate(network.tasks[: network.n_frozen]):
                gap = gap + ((task.head(task.encode(copied))[:, 0] - outputs["y"][:, j].detach()) ** 2).mean()
        gaps.append(float(gap.detach()))
        return total + weight * gap, terms

    GATELoss.forward = loss_with_distillation
    try:
        yield gaps
    finally:
        GATELoss.forward = loss


def run(split, target, size, variant, scaffolds):
    frame = split.frame
    pool, valid = default_search.pool_and_validation(split, target, scaffolds)
    train = np.sort(pool[:size])
    X = frame.smiles.iloc[train].reset_index(drop=True)
    y = frame[target].iloc[train].reset_index(drop=True)
    n_unlabelled, weight, learning_rate = (0, None, None) if variant == "default" else variant
    if n_unlabelled:
        candidates = np.setdiff1d(split.source_rows, np.concatenate([pool, valid]))
        extra = np.random.default_rng([split.seed, 7]).choice(candidates, n_unlabelled, replace=False)
        X = pd.concat([X, frame.smiles.iloc[extra]], ignore_index=True)
        y = pd.concat([y, pd.Series(np.nan, index=range(n_unlabelled), name=target)], ignore_index=True)
    # The default is the nearest-chart copy on the frozen embedding, as it was when this screen ran; the
    # prototype trained at the copy's rate then, 3e-4.
    options = {"chart_init": "nearest"}
    if variant != "default":
        options = dict(NO_ALIGNMENT, chart_init="fine_tune", learning_rate_init=learning_rate or 3e-4)
    model = split.gate(pretrained=split.pretrained("gate"), **options)
    patch = contextlib.nullcontext([]) if variant == "default" else distilled_copy(weight)
    with patch as gaps, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        score = default_search.fit_and_score(model, X, y, frame, target, valid)
    return {**score, "n_train": len(train), "n_unlabelled": n_unlabelled, "n_valid": len(valid),
            "distillation_gap": float(np.mean(gaps[-10:])) if gaps else None}  # fmt: skip


def report(runs, args, minutes):
    table = pd.DataFrame(runs)
    sizes = list(dict.fromkeys(table["size"]))
    lines = [
        "# Distilled copy of the shared embedding: a screen on validation parts (physprop)",
        "",
        f"Command: `python {' '.join(sys.argv)}`. Run time: {minutes:.1f} min on 2 CPU cores. Validation "
        f"parts: {'whole scaffold groups' if args.validation == 'scaffold' else 'at random'} (20 % of each "
        f"target's training part); seeds {', '.join(map(str, args.seeds))}. `copy_u<n>_w<w>`: the prototype "
        "with n unlabelled source molecules and distillation weight w (module docstring); gap: its distillation "
        "term at the end of training (standardised units, unweighted).",
        "",
        "Mean validation relative RMSE over the targets (each averaged over the seeds first) and mean fit time:",
        "",
        "| variant | " + " | ".join(f"n = {s}" for s in sizes) + " | fit (s) | gap |",
        "|---|" + "---:|" * (len(sizes) + 2),
    ]
    for variant, mine in table.groupby("variant", sort=False):
        cells = [mine[mine["size"] == s].groupby("target").relative_rmse.mean().mean() for s in sizes]
        gap = mine.distillation_gap.mean() if mine.distillation_gap.notna().any() else None
        lines.append(
            f"| {variant} | " + " | ".join(f"{c:.3f}" for c in cells)
            + f" | {mine.fit_s.mean():.1f} | {'' if gap is None else f'{gap:.2g}'} |"
        )  # fmt: skip
    lines += ["", "Per target (relative RMSE, mean over seeds):", ""]
    per_target = table.pivot_table(index=["size", "target"], columns="variant", values="relative_rmse", sort=False)
    lines += ["| size | target | " + " | ".join(per_target.columns) + " |", "|---|---|" + "---:|" * per_target.shape[1]]
    lines += [f"| {s} | {t} | " + " | ".join(f"{v:.3f}" for v in row) + " |" for (s, t), row in per_target.iterrows()]
    text = "\n".join(lines) + "\n"
    payload = {"args": vars(args), "command": " ".join(sys.argv), "minutes": minutes, "runs": runs}
    harness.write_results(args.results_name, text, payload)
    return text


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--validation", default="random", choices=["random", "scaffold"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1])
    parser.add_argument("--targets", nargs="+", default=TARGETS, choices=TARGETS)
    parser.add_argument("--sizes", nargs="+", type=int, default=[25, 100])
    parser.add_argument(
        "--copies", nargs="+", default=["300:1", "300:0"], metavar="N:W[:R]",
        help="one prototype variant each: N unlabelled source molecules, distillation weight W, learning rate R",
    )  # fmt: skip
    add_pretraining_arguments(parser)
    parser.add_argument("--results-name", default=None, help="default: distilled_copy[_scaffold]")
    args = parser.parse_args()
    args.results_name = args.results_name or "distilled_copy" + ("_scaffold" if args.validation == "scaffold" else "")
    args.trees, args.max_iter = 0, None  # Split's forests are not used; the package's default budget
    started = time.perf_counter()
    frame = load_physprop().frame
    harness.TARGETS[:] = list(TARGETS)  # test rows of every target stay out of the pre-training
    scaffolds = harness.murcko_scaffolds(frame.smiles) if args.validation == "scaffold" else None
    copies = {}
    for spec in args.copies:
        n, w, *rate = spec.split(":")
        name = f"copy_u{n}_w{w}" + (f"_lr{rate[0]}" if rate else "")
        copies[name] = (int(n), float(w), float(rate[0]) if rate else None)
    variants = {"default": "default", **copies}
    runs = []
    for seed in args.seeds:
        split = Split(frame, "random", seed, args, None)
        for target in args.targets:
            for size in args.sizes:
                for name, variant in variants.items():
                    record = {"seed": seed, "target": target, "size": str(size), "variant": name,
                              **run(split, target, size, variant, scaffolds)}  # fmt: skip
                    runs.append(record)
                    print(json.dumps(record), flush=True)
    print(report(runs, args, (time.perf_counter() - started) / 60))


if __name__ == "__main__":
    main()
