"""Plots for the task-addition evidence: the headline comparison and the locally flat space.

1. ``results/task_addition/task_addition.png`` (``--output-name``): mean relative RMSE per method on each split,
   one dot per seed, from the JSON files ``task_addition.py`` wrote (or
   ``learning_curves.py``: its runs on all the training labels are this
   protocol's); the combined table (mean +- sd over seeds, and which seeds
   each method ran) goes to ``results/task_addition/<name>_summary.md``.
2. ``results/task_addition/lf_projection.png``: a 2-D PCA projection of ``transform`` (the
   locally flat coordinates) of physprop molecules under a GATE model
   pre-trained on the sources with one target added by ``add_task``, coloured
   by each source property and by the added target.

Usage::

    python benchmarks/plot_task_addition.py                       # both plots
    python benchmarks/plot_task_addition.py --results task_addition task_addition_scaffold_seed0 \\
        --cache-dir .cache/task_addition                          # reuse task_addition.py's models
    python benchmarks/plot_task_addition.py --results learning_curves_norm learning_curves_scaffold_norm \\
        joint_retraining_random --skip-projection                # the headline under the current defaults

The projection needs a pre-trained model: from ``--cache-dir`` when
``task_addition.py`` left one there (random split, seed 0), else one is
trained here on ``--max-source-molecules`` source molecules (minutes).
"""

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402

from gate_sklearn.datasets import load_physprop  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness as protocol  # noqa: E402


def plot_comparison(names, output_name):
    runs = []
    for name in names:
        # learning_curves.py files hold every training size: the full training part is this protocol's
        saved = json.loads(protocol.result_path(f"{name}", ".json").read_text())["runs"]
        runs += [run for run in saved if run.get("size", "all") == "all"]
    table = pd.DataFrame(runs).drop(columns="size", errors="ignore")
    table = table.drop_duplicates(["split", "seed", "target", "method"], keep="last")
    frame = load_physprop().frame
    # The combined table over every results file given (mean +- sd over seeds), next to the plot.
    text, _ = protocol.summarise(table.drop(columns="relative_rmse", errors="ignore").to_dict("records"), frame)
    sources = ", ".join(f"`{name}.json`" for name in names)
    protocol.result_path(f"{output_name}_summary", ".md").write_text(
        f"# Task addition on physprop: all seeds\n\nCombined by `python {' '.join(sys.argv)}` from {sources}.\n"
        "RMSE in the target's units (mean ± sd over seeds); relative RMSE = RMSE / sd of the target.\n\n" + text
    )
    table["relative_rmse"] = table.rmse / table.target.map({t: frame[t].std() for t in protocol.TARGETS})
    # One value per (split, seed, method): the mean over the targets, only where all five were run.
    complete = table.groupby(["split", "seed", "method"]).filter(lambda g: g.target.nunique() == len(protocol.TARGETS))
    per_seed = complete.groupby(["split", "seed", "method"]).relative_rmse.mean().reset_index()
    splits = list(dict.fromkeys(per_seed.split))
    fig, axes = plt.subplots(1, len(splits), figsize=(7 * len(splits), 4), squeeze=False)
    for ax, split in zip(axes[0], splits):
        part = per_seed[per_seed.split == split]
        methods = [m for m in protocol.METHODS if m in set(part.method)]
        means = [part[part.method == m].relative_rmse.mean() for m in methods]
        colors = ["tab:red" if m == "gate_add" else "tab:gray" for m in methods]
        ax.barh(range(len(methods)), means, color=colors, alpha=0.7)
        for i, m in enumerate(methods):
            values = part[part.method == m].relative_rmse
            ax.scatter(values, [i] * len(values), color="black", s=12, zorder=3)
        # a bar over one seed beside means over three says so
        labels = [protocol.method_label(m, part[part.method == m], part) for m in methods]
        ax.set_yticks(range(len(methods)), labels)
        ax.invert_yaxis()
        seeds = ", ".join(map(str, sorted(part.seed.unique())))
        ax.set_title(f"{split} split (seeds {seeds})")
        ax.set_xlabel("mean relative RMSE, 5 targets (lower is better)")
        # The axis reaches the highest seed; a method far behind the others (single-task on scaffolds
        # with the mean readout) is clipped, its value written in.
        highest = [part[part.method == m].relative_rmse.max() for m in methods]
        ordered = sorted(highest)
        limit = max(ordered) if len(ordered) < 2 or ordered[-1] < 2 * ordered[-2] else 1.3 * ordered[-2]
        ax.set_xlim(0, limit * 1.12)
        for i, (value, top) in enumerate(zip(means, highest)):
            ax.text(min(top, limit), i, f"  {value:.3f}", va="center", fontsize=8)
    fig.tight_layout()
    path = protocol.result_path(f"{output_name}", ".png")
    fig.savefig(path, dpi=120)
    print(f"wrote {path}")


def plot_projection(args, path, target="Tc_K"):
    frame = load_physprop().frame
    split = protocol.Split(frame, "random", 0, args, scaffolds=None)
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        base = split.pretrained("gate")
        test = split.test[target]
        train = np.setdiff1d(np.flatnonzero(frame[target].notna().to_numpy()), test)
        model = split.gate(pretrained=base).fit(
            frame.smiles.iloc[train].reset_index(drop=True), frame[target].iloc[train].reset_index(drop=True)
        )
    # Molecules shown: a sample of the source data and every molecule measured for the target.
    rng = np.random.default_rng(0)
    shown = np.union1d(rng.choice(split.source_rows, min(3000, len(split.source_rows)), replace=False),
                       np.flatnonzero(frame[target].notna().to_numpy()))
    lf = model.transform(frame.smiles.iloc[shown].reset_index(drop=True))
    keep = np.isfinite(lf).all(axis=1)
    xy = PCA(n_components=2, random_state=0).fit_transform(lf[keep])
    shown = shown[keep]
    properties = [*protocol.SOURCES, target]
    fig, axes = plt.subplots(1, len(properties), figsize=(4.2 * len(properties), 4))
    for ax, prop in zip(axes, properties):
        values = frame[prop].iloc[shown].to_numpy()
        has = np.isfinite(values)
        ax.scatter(xy[~has, 0], xy[~has, 1], s=2, color="lightgray")
        points = ax.scatter(xy[has, 0], xy[has, 1], c=values[has], s=4, cmap="viridis")
        fig.colorbar(points, ax=ax, shrink=0.8)
        role = "added by add_task" if prop == target else "source"
        ax.set_title(f"{prop} ({role}, {has.sum()} molecules)", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle("Locally flat space (transform), PCA to 2-D; grey: not measured for that property", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    print(f"wrote {path} ({time.perf_counter() - started:.0f} s)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--results", nargs="+", default=["task_addition"], help="names of runs in benchmarks/results/task_addition/ (without .json)")
    parser.add_argument("--cache-dir", default=None)
    parser.add_argument("--max-source-molecules", type=int, default=None)
    parser.add_argument("--max-iter", type=int, default=100)
    parser.add_argument("--skip-projection", action="store_true")
    parser.add_argument(
        "--output-name", default="task_addition", help="writes <name>.png and <name>_summary.md in benchmarks/results/task_addition/"
    )
    args = parser.parse_args()
    plot_comparison(args.results, args.output_name)
    if not args.skip_projection:
        plot_projection(args, protocol.result_path("lf_projection", ".png"))


if __name__ == "__main__":
    main()
