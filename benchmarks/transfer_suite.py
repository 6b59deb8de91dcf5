"""Task addition across families of targets, and how an added task should start.

Families (``harness.FAMILIES``): *critical* (Tc, Pc, Vc, omega, Hvap at Tb of physprop, pre-trained
on Tb, Tm, logP), *solution* (ESOL, FreeSolv, Lipophilicity added to the same pre-trained model;
their molecules matched to physprop by canonical SMILES, so no target test molecule is pre-trained
on) and *weak* (the same solution targets on a model pre-trained on the melting point alone, a
source that says little about them). physprop's evaluation columns are dropped before anything else.

For each split kind and seed every target's test part (20 %) is fixed, the pre-training uses every
molecule with a source label outside all targets' test parts, and each method trains on the first
25, 100, ... labels of the target's training part; sizes below 300 are drawn ``--repeats`` times
(other training molecules, same test part), and paired differences between methods are reported
over those draws.

Methods (``harness.METHODS``): ``stl`` (the package's single-task model), ``pretrain_head`` (a new
head on the frozen embedding of a conventionally pre-trained model), ``gate_nearest`` (task addition
with the nearest-chart start), ``gate_add`` (task addition with the package defaults, which choose
the start on the new labels), ``gate_shipped`` (task addition from the model shipped with the
package, whose corpus holds out every target molecule), ``gate_five_starts`` (the choice widened to
the two starts trained on the regression loss alone, ``harness.FIVE_STARTS``), ``gate_scratch`` (the
choice widened to a private embedding learned from scratch, ``harness.WITH_SCRATCH``), and the others
the harness offers (forests, joint retraining, chemprop) with ``--methods``.

Usage::

    python benchmarks/transfer_suite.py --splits random --seeds 0 --sizes 25 100 --repeats 3 \\
        --max-source-molecules 6000 --pretrain-max-iter 50 --cache-dir .cache/suite
    python benchmarks/transfer_suite.py --quick            # minutes; writes *_quick files

Methods that do not read the split's pre-training (single-task, forests, the shipped model) run once
per target, split, seed, size and draw, and are reported under every family that asks that target.

Writes ``results/transfer_suite/<name>.{md,json}`` (``--results-name``) after every run; a stopped
run resumes from its JSON.
"""

import argparse
import json
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402

SMALL = 300  # sizes below this are repeated
BASELINES = ("stl", "pretrain_head")  # learning alone, and the plainest use of the pre-training
# Choices of start wider than the defaults', and how the report names them.
WIDER_CHOICES = {
    "gate_five_starts": "choosing among five starts (two unaligned)",
    "gate_scratch": "the choice widened to a fresh private embedding",
}


def run_key(run):
    return (run["split"], run["seed"], run["family"], run["target"], run["size"], run["repeat"], run["method"])


def relative(runs, frame):
    table = pd.DataFrame(runs)
    sd = {t: float(frame[t].std()) for t in set(table.target)}
    return table.assign(relative_rmse=table.rmse / table.target.map(sd))


def family_table(table):
    """Mean relative RMSE per family, size and method (targets averaged after their repeats)."""
    cell = table.groupby(["family", "size", "method", "target"], sort=False).relative_rmse.mean()
    return cell.groupby(["family", "size", "method"], sort=False).mean().unstack("method")


def paired_differences(table, method="gate_add", against=BASELINES):
    """``method`` against the better of ``against``, per target and size: mean, sd, count and worst over draws."""
    wide = table.pivot_table(
        index=["family", "target", "size", "split", "seed", "repeat"], columns="method", values="rmse", sort=False
    )
    if not {method, *against} <= set(wide.columns):
        return None
    best = wide[list(against)].min(axis=1)
    change = (wide[method] / best - 1).rename("change")
    return change.groupby(["family", "target", "size"], sort=False).agg(["mean", "std", "count", "max"])


def change_rows(changes):
    """Markdown rows of :func:`paired_differences`: mean ± sd over the draws, the worst draw, the count."""
    lines = ["| family | target | size | change | worst | draws |", "|---|---|---:|---:|---:|---:|"]
    for (family, target, size), row in changes.iterrows():
        sd = "" if row["count"] < 2 else f" ± {100 * row['std']:.1f}"
        lines.append(f"| {family} | {target} | {size} | {100 * row['mean']:+.1f}{sd} % | {100 * row['max']:+.1f} % "
                     f"| {int(row['count'])} |")  # fmt: skip
    return lines


def worse_cells(changes):
    """How many cells of :func:`paired_differences` are on average more than 2 % worse, and which."""
    worse = changes[changes["mean"] > 0.02]
    named = f" ({', '.join(f'{f} {t} {s}' for f, t, s in worse.index)})" if len(worse) else ""
    return f"{len(worse)} of {len(changes)}{named}."


def suite_margin(families, method, against="chemprop_finetune"):
    """``method`` against ``against`` over the suite: the mean relative RMSE over every family and size
    both ran, and its relative change (the target asks for at least 10 % below chemprop fine-tuned)."""
    if not {method, against} <= set(families.columns):
        return None
    both = families[[method, against]].dropna()
    mine, theirs = both[method].mean(), both[against].mean()
    return mine, theirs, mine / theirs - 1, len(both)


def leave_one_family_out(families, alternative):
    """For the start of an added task, the defaults against ``alternative``: chosen on the other families,
    does the choice hold on the one left out?"""
    lines = []
    if not {"gate_add", alternative} <= set(families.columns):
        return lines
    by_family = families.groupby(level="family")[["gate_add", alternative]].mean()
    for left_out in by_family.index:
        others = by_family.drop(index=left_out).mean()
        chosen = "gate_add" if others["gate_add"] <= others[alternative] else alternative
        other = alternative if chosen == "gate_add" else "gate_add"
        holds = by_family.loc[left_out, chosen] <= by_family.loc[left_out, other]
        lines.append(
            f"| {left_out} | {harness.METHODS[chosen]} ({others[chosen]:.3f} against {others[other]:.3f}) | "
            f"{by_family.loc[left_out, chosen]:.3f} against {by_family.loc[left_out, other]:.3f} | "
            f"{'yes' if holds else 'no'} |"
        )
    return lines


def report(runs, frame, args, minutes, complete, commands=None):
    table = relative(runs, frame)
    commands = commands or [" ".join(sys.argv)]
    lines = harness.report_title("Task addition across families of targets", complete)
    lines += [
        f"Command{'s' if len(commands) > 1 else ''}: {'; '.join(f'`python {c}`' for c in commands)}. Run time{'' if complete else ' so far'}: {minutes:.1f} min on 2 "
        f"CPU cores. Splits {', '.join(args.splits)}; seeds {', '.join(map(str, args.seeds))}; sizes "
        f"{', '.join(map(harness.size_label, args.sizes))} (each below {SMALL} drawn {args.repeats} times); "
        "pre-training on "
        f"{args.max_source_molecules or 'all'} source molecules for {args.pretrain_max_iter} epochs; target models "
        f"with the package defaults{'' if args.max_iter is None else f' and max_iter={args.max_iter}'}.",
        "",
        "Mean relative RMSE (RMSE / sd of the target; targets averaged after their draws), lower is better:",
        "",
    ]
    families = family_table(table)
    methods = [m for m in harness.METHODS if m in families.columns]
    lines += ["| family | size | " + " | ".join(harness.METHODS[m] for m in methods) + " |",
              "|---|---:|" + "---:|" * len(methods)]  # fmt: skip
    for (family, size), row in families.iterrows():
        best = row[methods].min()
        cells = [f"**{row[m]:.3f}**" if row[m] == best else f"{row[m]:.3f}" for m in methods]
        lines.append(f"| {family} | {size} | " + " | ".join(cells) + " |")
    changes = paired_differences(table)
    if changes is not None:
        lines += [
            "",
            "Task addition (defaults) against the better of single-task and the frozen-embedding head, per "
            "draw: RMSE change (negative: task addition is better), mean ± sd over the draws, and the worst draw:",
            "",
            *change_rows(changes),
            "",
            f"Cells where task addition is on average more than 2 % worse than that baseline: {worse_cells(changes)}",
        ]
    shipped = paired_differences(table, "gate_shipped", ("gate_add",))
    if shipped is not None:
        by_family = shipped.groupby(level=["family", "size"], sort=False)["mean"].mean()
        lines += [
            "",
            "Task addition from the shipped model against task addition from the suite's own pre-training "
            "(both with the package defaults), per draw: RMSE change (negative: the shipped model is better), "
            "mean over the targets of each family, then per target:",
            "",
            "| family | size | change |",
            "|---|---:|---:|",
        ]
        lines += [f"| {f} | {size} | {100 * v:+.1f} % |" for (f, size), v in by_family.items()]
        lines += ["", *change_rows(shipped)]
        against = paired_differences(table, "gate_shipped")
        if against is not None:
            lines += ["", "From the shipped model, cells on average more than 2 % worse than the better of "
                      f"single-task and the frozen-embedding head: {worse_cells(against)}"]
    margins = [(m, suite_margin(families, m)) for m in ("gate_add", "gate_shipped")]
    margins = [(m, margin) for m, margin in margins if margin is not None]
    if margins:
        lines += ["", f"Against {harness.METHODS['chemprop_finetune']} on the same sources, over the suite (mean "
                  "relative RMSE over the families and sizes both ran):", "",
                  "| method | its mean | chemprop's | change | cells |", "|---|---:|---:|---:|---:|"]  # fmt: skip
        lines += [f"| {harness.METHODS[m]} | {a:.3f} | {b:.3f} | {100 * c:+.1f} % | {n} |" for m, (a, b, c, n) in margins]
        for method, _ in margins:
            paired = paired_differences(table, method, ("chemprop_finetune",))
            by_family = paired.groupby(level=["family", "size"], sort=False)["mean"].mean()
            lines += ["", f"{harness.METHODS[method]} against chemprop fine-tuned, per draw: RMSE change (negative: "
                      "GATE is better), mean over the targets of each family:", "", "| family | size | change |",
                      "|---|---:|---:|", *[f"| {f} | {size} | {100 * v:+.1f} % |" for (f, size), v in by_family.items()]]  # fmt: skip
    for method, choice in (("gate_add", '`chart_init="auto"`'), *WIDER_CHOICES.items()):
        chosen = table[table.method == method]
        if "start" not in table or chosen.empty:
            continue
        starts = chosen.groupby(["family", "size"], sort=False).start.value_counts().unstack(fill_value=0)
        lines += ["", f"Starts chosen ({choice}), runs per family and size:", "",
                  "| family | size | " + " | ".join(starts.columns) + " |", "|---|---:|" + "---:|" * len(starts.columns)]
        lines += [f"| {f} | {s} | " + " | ".join(str(v) for v in row) + " |" for (f, s), row in starts.iterrows()]
    for wider_method, wider in WIDER_CHOICES.items():
        changes = paired_differences(table, wider_method)
        if changes is None:
            continue
        lines += ["", f"{wider.capitalize()} against the better of single-task and the frozen-embedding head, per "
                  "draw:", "", *change_rows(changes), "",
                  f"Cells on average more than 2 % worse than that baseline: {worse_cells(changes)}"]  # fmt: skip
        against_defaults = paired_differences(table, wider_method, ("gate_add",))
        if against_defaults is not None:
            by_family = against_defaults.groupby(level=["family", "size"], sort=False)["mean"].mean()
            lines += ["", f"{wider.capitalize()} against the defaults, per draw: RMSE change (negative: the "
                      "wider choice is better), mean over the targets of each family:", "",
                      "| family | size | change |", "|---|---:|---:|",
                      *[f"| {f} | {size} | {100 * v:+.1f} % |" for (f, size), v in by_family.items()]]  # fmt: skip
    for alternative in ("gate_nearest", *WIDER_CHOICES):
        lofo = leave_one_family_out(families, alternative)
        if lofo:
            lines += ["", f"Leave one family out, the defaults against {harness.METHODS[alternative]}: the one with "
                      "the lower mean over the other families, and whether it is also no worse on the family left out:",
                      "", "| family left out | chosen on the others | on the left-out family | holds |",
                      "|---|---|---|---|"]  # fmt: skip
            lines += lofo
    lines += ["", "Mean fit time per run (s):", ""]
    times = table.groupby(["family", "method"], sort=False).fit_s.mean().unstack("method")
    lines += ["| family | " + " | ".join(harness.METHODS[m] for m in methods) + " |", "|---|" + "---:|" * len(methods)]
    lines += [f"| {f} | " + " | ".join(f"{row[m]:.1f}" for m in methods) + " |" for f, row in times.iterrows()]
    lines += ["", "Per target (relative RMSE, mean over draws and seeds):", ""]
    per_target = table.pivot_table(
        index=["family", "target", "size"], columns="method", values="relative_rmse", sort=False
    )
    lines += ["| family | target | size | " + " | ".join(harness.METHODS[m] for m in methods) + " |",
              "|---|---|---:|" + "---:|" * len(methods)]  # fmt: skip
    for (family, target, size), row in per_target.iterrows():
        lines.append(f"| {family} | {target} | {size} | " + " | ".join(f"{row[m]:.3f}" for m in methods) + " |")
    return "\n".join(lines) + "\n"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--splits", nargs="+", default=["random", "scaffold"], choices=["random", "scaffold"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--families", nargs="+", default=list(harness.FAMILIES), choices=list(harness.FAMILIES))
    parser.add_argument("--sizes", nargs="+", default=["25", "100", "all"], help="label budgets; 'all' for all")
    parser.add_argument("--repeats", type=int, default=10, help=f"draws of each size below {SMALL}")
    parser.add_argument("--methods", nargs="+", default=["stl", "pretrain_head", "gate_nearest", "gate_add"],
                        choices=list(harness.METHODS))  # fmt: skip
    parser.add_argument("--max-iter", type=int, default=None, help="epochs for the target models (default: package)")
    parser.add_argument("--trees", type=int, default=500)
    parser.add_argument("--chemprop-bin", default="chemprop")
    parser.add_argument("--chemprop-epochs", type=int, default=50)
    parser.add_argument("--chemprop-pretrain-epochs", type=int, default=50)
    harness.add_pretraining_arguments(parser)
    parser.add_argument("--results-name", default="transfer_suite")
    parser.add_argument("--quick", action="store_true", help="one seed, two targets, tiny budget")
    args = parser.parse_args()
    if args.quick:
        args.splits, args.seeds, args.sizes, args.repeats = ["random"], [0], ["25"], 2
        args.max_source_molecules, args.pretrain_max_iter, args.max_iter = 600, 3, 3
        args.results_name += "_quick"
    args.sizes = [None if s == "all" else int(s) for s in args.sizes]
    return args


def main():
    args = parse_args()
    started = time.perf_counter()
    frame = harness.suite_frame()
    targets = [t for spec in harness.FAMILIES.values() for t in spec["targets"]]
    targets = list(dict.fromkeys(targets))
    path = harness.result_path(args.results_name, ".json")
    runs = json.loads(path.read_text())["runs"] if path.exists() and not args.quick else []
    done = {run_key(r) for r in runs}
    previous = json.loads(path.read_text()) if runs else {}
    previous_minutes = previous.get("minutes", 0.0)
    # The invocations whose runs the file holds, in order (a resumed or widened run adds its own).
    commands = list(dict.fromkeys(previous.get("commands", []) + [" ".join(sys.argv)]))

    def write(complete):
        minutes = previous_minutes + (time.perf_counter() - started) / 60
        text = report(runs, frame, args, minutes, complete, commands)
        payload = {"args": vars(args), "commands": commands, "minutes": minutes, "runs": runs}
        harness.write_results(args.results_name, text, payload)
        return text

    for kind in args.splits:
        scaffolds = harness.murcko_scaffolds(frame.smiles) if kind == "scaffold" else None
        for seed in args.seeds:
            splits = {}
            for family in args.families:
                spec = harness.FAMILIES[family]
                if spec["sources"] not in splits:
                    options = argparse.Namespace(**{**vars(args), "sources": spec["sources"]})
                    splits[spec["sources"]] = harness.Split(frame, kind, seed, options, scaffolds, targets, "suite")
                split = splits[spec["sources"]]
                for target in spec["targets"][:2] if args.quick else spec["targets"]:
                    for size in args.sizes:
                        small = size is not None and size < SMALL
                        for repeat in range(args.repeats if small else 1):
                            for method in args.methods:
                                key = (kind, seed, family, target, harness.size_label(size), repeat, method)
                                if key in done:
                                    continue
                                run = dict(zip(("split", "seed", "family", "target", "size", "repeat", "method"), key))
                                same = [r for r in runs if method in harness.FAMILY_INDEPENDENT
                                        and all(r[k] == v for k, v in run.items() if k != "family")]
                                if same:  # the same model on the same data: reported for this family too
                                    runs.append({**same[0], "family": family, "copied_from": same[0]["family"]})
                                    done.add(key)
                                    continue
                                result = split.run(method, target, size, repeat=repeat)
                                runs.append({**run, **result, "pretrain_s": dict(split.pretrain_s)})
                                done.add(key)
                                print(json.dumps({k: v for k, v in runs[-1].items() if k != "pretrain_s"}), flush=True)
                                write(complete=False)
    print(write(complete=True))


if __name__ == "__main__":
    main()
