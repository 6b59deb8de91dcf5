"""Learning curves on physprop: how each method does with 25, 50, 100, 200 and all labels of a target.

The protocol of ``benchmarks/task_addition.py`` (same sources, targets, splits,
pre-trained models and methods), with one more dimension: each target's
training part is cut to its first ``n`` molecules in an order fixed by the
seed, so the training sets are nested (25 within 50 within 100...), while the
test part stays the same for every size. The pre-trained models (sources minus
every target's test molecules) do not depend on the size and are trained once
per split and seed (``--cache-dir`` reuses them across runs).

Methods (``--methods``): ``stl``, ``rf``, ``rf_stacked``, ``pretrain_head``,
``gate_add`` by default; ``gate_nearest`` (task addition with the nearest-chart
start forced), ``mtl_joint`` and ``gate_joint`` (a full retraining on sources +
target for every size, slow on a CPU) on request.

Usage::

    python benchmarks/learning_curves.py --quick                  # a minute; writes *_quick.*
    python benchmarks/learning_curves.py --splits random --seeds 0 1 --cache-dir .cache/task_addition
    python benchmarks/learning_curves.py                          # 2 splits x 3 seeds: hours on 2 cores

Writes ``results/learning_curves/learning_curves.{md,json,png}`` (``--results-name``), rewritten
after every run, so an interrupted run leaves what it finished: a table of mean
relative RMSE (RMSE / sd of the target, averaged over the five targets and the
seeds) per method and size, one per split, and a plot with a log x-axis.
"""

import argparse
import json
import re
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402  (the shared protocol: splits, sources, methods)
from harness import (  # noqa: E402
    CHEMPROP_METHODS,
    METHODS,
    TARGETS,
    Split,
    add_pretraining_arguments,
    method_label,
    murcko_scaffolds,
    runs_table,
)

from gate_sklearn.datasets import load_physprop  # noqa: E402

SIZES = [25, 50, 100, 200, None]  # None: all the training labels
DEFAULT_METHODS = ["stl", "rf", "rf_stacked", "pretrain_head", "gate_add"]


def summarise(runs, frame):
    """Markdown tables (one per split) and the long table with relative RMSE."""
    table = runs_table(runs, frame)
    lines = []
    for kind in dict.fromkeys(table.split):
        part = table[table.split == kind]
        sizes = list(dict.fromkeys(part["size"]))
        lines += [
            f"## {kind} split (seeds {', '.join(map(str, sorted(part.seed.unique())))})",
            "",
            "Mean relative RMSE (RMSE / sd of the target) over the targets, each averaged over the seeds first; "
            "a cell that does not cover every target says how many it covers. `n = all`: the whole training "
            "part (80 % of the target's molecules).",
            "",
            "| method | " + " | ".join(f"n = {s}" for s in sizes) + " | mean fit time (s) |",
            "|---|" + "---:|" * (len(sizes) + 1),
        ]
        for method in [m for m in METHODS if m in set(part.method)]:
            mine = part[part.method == method]
            cells = []
            for size in sizes:
                cell = mine[mine["size"] == size]
                if cell.empty:
                    cells.append("")
                    continue
                value = cell.groupby("target").relative_rmse.mean().mean()
                targets = cell.target.nunique()
                cells.append(f"{value:.3f}" + ("" if targets == len(TARGETS) else f" ({targets} targets)"))
            lines.append(f"| {method_label(method, mine, part)} | {' | '.join(cells)} | {mine.fit_s.mean():.1f} |")
        lines.append("")
        lines += per_target(part, sizes)
    return "\n".join(lines), table


def per_target(part, sizes):
    """RMSE per target and size, in the target's units (mean over seeds)."""
    lines = ["RMSE in the target's units, per target (mean over seeds):", ""]
    lines += ["| target | method | " + " | ".join(f"n = {s}" for s in sizes) + " |"]
    lines += ["|---|---|" + "---:|" * len(sizes)]
    for target in [t for t in TARGETS if t in set(part.target)]:
        for method in [m for m in METHODS if m in set(part.method)]:
            mine = part[(part.target == target) & (part.method == method)]
            cells = [f"{mine[mine['size'] == s].rmse.mean():.3g}" if (mine["size"] == s).any() else "" for s in sizes]
            lines.append(f"| {target} | {method_label(method, mine, part)} | {' | '.join(cells)} |")
    return lines + [""]


def plot(table, path):
    try:
        import matplotlib
    except ImportError:  # the tables are the results; the plot is optional (pip install -e ".[benchmarks]")
        print(f"matplotlib is not installed: {path.name} not drawn")
        return

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    kinds = list(dict.fromkeys(table.split))
    fig, axes = plt.subplots(1, len(kinds), figsize=(5.5 * len(kinds), 4), squeeze=False)
    for ax, kind in zip(axes[0], kinds):
        part = table[table.split == kind]
        for method in [m for m in METHODS if m in set(part.method)]:
            mine = part[part.method == method]
            # x: the mean number of training labels actually used at each size (for "all": the full part)
            points = mine.groupby("size", sort=False).agg(n=("n_train", "mean"))
            points["y"] = [
                mine[mine["size"] == s].groupby("target").relative_rmse.mean().mean() for s in points.index
            ]
            ax.plot(points.n, points.y, marker="o", label=METHODS[method])
        ax.set(xscale="log", xlabel="training labels of the target", ylabel="mean relative RMSE")
        ticks = sorted({int(round(n)) for n in part.groupby("size").n_train.mean()})
        ax.set_xticks(ticks, [str(t) for t in ticks])
        ax.minorticks_off()
        ax.set_title(f"{kind} split")
        ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def budget_text(args):
    """The training budget of a run, as recorded in its arguments (older runs lack some of them)."""
    from gate_sklearn import GATERegressor

    default = GATERegressor()
    if args.max_iter is None:
        target = f"target models with the package defaults (max_iter={default.max_iter}, " \
            f"early_stopping={default.early_stopping!r}, aggregation={default.aggregation!r})"
    else:
        target = f"up to {args.max_iter} epochs for the target models, other parameters the package's defaults"
        target += f" (aggregation={default.aggregation!r})"
    pretrain = getattr(args, "pretrain_max_iter", None) or args.max_iter
    return f"{target}; pre-training up to {pretrain} epochs with early stopping"


def add_defaults_text():
    """How task addition starts its new modules under the package defaults (recorded with each run)."""
    from gate_sklearn import GATERegressor

    default = GATERegressor()
    return (
        f"task addition with chart_init={default.chart_init!r}, learning_rate_init={default.learning_rate_init!r} "
        "(the fine-tuning baseline starts at random)"
    )


def write(runs, pretrain, args, frame, started, complete, command=None, minutes=None):
    command = command or " ".join(sys.argv)
    minutes = (time.perf_counter() - started) / 60 if minutes is None else minutes
    text, table = summarise(runs, frame)
    header = [
        *harness.report_title("Learning curves on physprop", complete),
        # how a report was put together from several runs, when it was (kept through --render)
        *([args.note, ""] if getattr(args, "note", None) else []),
        f"Command: `python {command}`. {'Run time' if complete else 'Run time so far'}: "
        f"{minutes:.1f} min "
        "on 2 CPU cores. Protocol: `benchmarks/task_addition.py` (sources "
        f"{', '.join(harness.SOURCE_SETS[getattr(args, 'sources', 'default')])}; targets Tc_K, Pc_bar, "
        f"Vc_cm3_mol, omega_PSRK, Hvap_Tb_kJ_mol; 80/20 splits; {getattr(args, 'budget', None) or budget_text(args)}; "
        + (f"{args.add_defaults}; " if getattr(args, "add_defaults", None) else "")
        + f"{args.trees} trees per forest); training sets nested within each seed, test parts fixed.",
        "",
        *([f"Runs kept from results/learning_curves/{args.keep_runs_from}.json (not repeated here): {args.kept}.", ""]
          if getattr(args, "kept", None) else []),
    ]
    pre = [f"- {k}: " + ", ".join(f"{name} {s:.0f} s" for name, s in v.items()) for k, v in pretrain.items()]
    text = "\n".join(header) + "\n" + text + "\nPre-training (once per split and seed):\n\n" + "\n".join(pre) + "\n"
    harness.result_path(f"{args.results_name}", ".md").write_text(text)
    payload = {"args": vars(args), "command": command, "runs": table.to_dict(orient="records")}
    payload.update(pretraining_s=pretrain, minutes=minutes)
    if getattr(args, "note", None):
        payload["note"] = args.note
    harness.result_path(f"{args.results_name}", ".json").write_text(json.dumps(payload, indent=2) + "\n")
    plot(table, harness.result_path(f"{args.results_name}", ".png"))
    return text


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--splits", nargs="+", default=["random", "scaffold"], choices=["random", "scaffold"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--targets", nargs="+", default=TARGETS, choices=TARGETS)
    methods = [m for m in METHODS if m not in CHEMPROP_METHODS]  # this script has no chemprop options
    parser.add_argument("--methods", nargs="+", default=DEFAULT_METHODS, choices=methods)
    sizes = [harness.size_label(s) for s in SIZES]
    parser.add_argument("--sizes", nargs="+", default=sizes, help="label counts, or 'all'")
    parser.add_argument(
        "--max-iter", type=int, default=None, help="epochs for the target models (default: the package's default)"
    )
    add_pretraining_arguments(parser)
    parser.add_argument("--trees", type=int, default=500)
    parser.add_argument("--results-name", default="learning_curves", help="benchmarks/results/learning_curves/<name>.{md,json,png}")
    parser.add_argument(
        "--keep-runs-from",
        default=None,
        metavar="NAME",
        help="add the runs of benchmarks/results/learning_curves/NAME.json that this run does not repeat (other methods, e.g. the forests, "
        "which no package default changes; or other seeds, to pool with this run's), for its targets and sizes",
    )
    parser.add_argument(
        "--keep-methods",
        nargs="+",
        default=None,
        metavar="METHOD",
        help="with --keep-runs-from: keep only these methods' runs, and only for this run's splits and seeds "
        "(e.g. the forests of an earlier run beside neural methods retrained under new defaults)",
    )
    parser.add_argument("--quick", action="store_true", help="one seed, random split, 2 targets, small budget")
    parser.add_argument("--render", action="store_true", help="only rewrite the report from its JSON")
    args = parser.parse_args()
    if args.quick:
        args.splits, args.seeds, args.targets, args.sizes = ["random"], [0], TARGETS[:2], ["25", "100"]
        args.max_iter, args.pretrain_max_iter, args.max_source_molecules, args.trees = 3, 3, 1000, 50
        args.results_name = f"{args.results_name}_quick"
    return args


NEURAL = {"stl", "mtl_joint", "pretrain_head", "gate_joint", "gate_add", "gate_nearest"}  # the methods a training budget applies to


def kept_runs(args, sizes):
    """Runs from an earlier results file that this run does not repeat, for its targets and sizes.

    A run is kept when its method is not run now, or its split and seed are not: the forests of an
    earlier run (no package default touches them), or other seeds to pool with this one. Neural runs
    are kept only from a run with the same training budget. With ``--keep-methods``, only those methods'
    runs are kept, for this run's splits and seeds. Returns the runs and their pre-training times.
    """
    if not args.keep_runs_from:
        return [], {}
    payload = json.loads(harness.result_path(f"{args.keep_runs_from}", ".json").read_text())
    labels = {harness.size_label(s) for s in sizes}
    repeated = {(kind, seed, method) for kind in args.splits for seed in args.seeds for method in args.methods}
    kept = [
        {k: v for k, v in run.items() if k != "relative_rmse"}
        for run in payload["runs"]
        if run["target"] in args.targets and run["size"] in labels
        and (run["split"], run["seed"], run["method"]) not in repeated
    ]  # fmt: skip
    if args.keep_methods:
        kept = [
            run for run in kept
            if run["method"] in args.keep_methods and run["split"] in args.splits and run["seed"] in args.seeds
        ]  # fmt: skip
    their_budget = payload["args"].get("budget") or budget_text(argparse.Namespace(**payload["args"]))
    if their_budget != args.budget and any(run["method"] in NEURAL for run in kept):
        raise SystemExit(
            f"results/learning_curves/{args.keep_runs_from}.json trained its networks with another budget ({their_budget}) "
            f"than this run ({args.budget}): run its neural methods again here (--methods)"
        )
    groups = sorted({(run["split"], run["seed"], run["method"]) for run in kept})
    described = "; ".join(
        f"{kind} seed {seed}: {', '.join(m for k, s, m in groups if (k, s) == (kind, seed))}"
        for kind, seed in dict.fromkeys((k, s) for k, s, _ in groups)
    )
    args.kept = f"{described} — from `{payload['command']}`"
    print(f"kept {len(kept)} runs ({described})", flush=True)
    kept_splits = {f"{kind} seed {seed}" for kind, seed, _ in groups}
    pretrain = {k: v for k, v in payload.get("pretraining_s", {}).items() if k in kept_splits}
    return kept, pretrain


def main():
    args = parse_args()
    started = time.perf_counter()
    frame = load_physprop().frame
    if args.render:  # rewrite the tables and plot from a finished run's JSON
        payload = json.loads(harness.result_path(f"{args.results_name}", ".json").read_text())
        runs = [{k: v for k, v in run.items() if k != "relative_rmse"} for run in payload["runs"]]
        TARGETS[:] = [t for t in TARGETS if t in {run["target"] for run in runs}]
        previous = payload["args"]
        vars(args).update({k: v for k, v in previous.items() if k not in ("render", "results_name")})
        args.note = payload.get("note")
        command = payload.get("command") or (  # results written before the command was recorded
            f"{Path(__file__).relative_to(Path.cwd()) if Path.cwd() in Path(__file__).parents else __file__} "
            f"--splits {' '.join(previous['splits'])} --seeds {' '.join(map(str, previous['seeds']))}"
            + (f" --cache-dir {previous['cache_dir']}" if previous.get("cache_dir") else "")
        )
        minutes = payload.get("minutes")
        if minutes is None:  # read back from the report of the run
            report = harness.result_path(f"{args.results_name}", ".md").read_text()
            minutes = float(re.search(r"Run time(?: so far)?: ([\d.]+) min", report).group(1))
        print(write(runs, payload["pretraining_s"], args, frame, started, True, command, minutes))
        return
    args.budget = budget_text(args)  # recorded: a later --render must not read newer defaults
    args.add_defaults = add_defaults_text()
    targets = list(args.targets)
    harness.TARGETS[:] = targets  # the shared protocol reads the target list (test rows of every target)
    TARGETS[:] = targets
    sizes = [None if s == "all" else int(s) for s in args.sizes]
    scaffolds = murcko_scaffolds(frame.smiles) if "scaffold" in args.splits else None
    runs, pretrain = kept_runs(args, sizes)
    for kind in args.splits:
        for seed in args.seeds:
            split = Split(frame, kind, seed, args, scaffolds)
            for target in targets:
                for size in sizes:
                    for method in args.methods:
                        with warnings.catch_warnings():
                            warnings.simplefilter("ignore", UserWarning)
                            result = split.run(method, target, n_labels=size)
                        run = {"split": kind, "seed": seed, "target": target, "size": harness.size_label(size),
                               "method": method, **result}  # fmt: skip
                        runs.append(run)
                        print(json.dumps(run), flush=True)
                        # Beside the kept runs' pre-training times (another method's model, say), not in place of them.
                        pretrain[f"{kind} seed {seed}"] = {**pretrain.get(f"{kind} seed {seed}", {}), **split.pretrain_s}
                        write(runs, pretrain, args, frame, started, complete=False)
    print(write(runs, pretrain, args, frame, started, complete=True))


if __name__ == "__main__":
    main()
