"""Cost of task addition against the number of source tasks, and whether return_std means something.

Protocol
--------
* Data: ``load_physprop()``. Target: critical temperature ``Tc_K``, split
  80/20 at random (``--seed``). Sources, in this order: ``Tb_K``, ``Tm_K``,
  ``logP``, ``density_kg_m3_CRC``, ``RI_CRC``, ``Hf_gas_kJ_mol_Yaws``,
  ``S0_gas_J_molK_Yaws``, ``Hvap298_kJ_mol`` (no critical property among
  them). The source molecules are those labelled for any of the N sources,
  minus the target's test molecules, subsampled to at most
  ``--max-source-molecules`` so that the whole run fits in a session.
* For N in 1, 2, 4, 8 sources:

  - pre-train ``GATERegressor`` on the N sources;
  - ``add_task`` the target on its training part (the timed step);
  - retrain the whole multitask model jointly on the N sources and the target
    (what a user would do without task addition; the timed comparison).

  All three use the package defaults (D-MPNN 300 wide, depth 3, batch 64)
  with early stopping off and the same number of epochs, ``--epochs``, so
  that times compare work per epoch over the data each one must see.
* Uncertainty: on the target's test molecules, the Spearman rank correlation
  between ``predict(return_std=True)``'s spread and the absolute error of the
  direct prediction.

What it checks: ``add_task`` with 8 sources within 1.5x of ``add_task``
with 1, and at most a fifth of the joint retraining time.

Usage::

    python benchmarks/add_task_cost.py            # full run; writes results/add_task_cost/add_task_cost.{md,json}
    python benchmarks/add_task_cost.py --quick    # smoke run in about a minute, writes nothing
    python benchmarks/add_task_cost.py --n-sources 1 8 --chart-init nearest random fine_tune scratch \
        --results-name add_task_cost_scratch      # the cost of a wider choice of start
"""

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from scipy.stats import spearmanr

import gate_sklearn
from gate_sklearn import GATERegressor
from gate_sklearn.datasets import load_physprop

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402  (result files)

TARGET = "Tc_K"
SOURCES = (
    "Tb_K",
    "Tm_K",
    "logP",
    "density_kg_m3_CRC",
    "RI_CRC",
    "Hf_gas_kJ_mol_Yaws",
    "S0_gas_J_molK_Yaws",
    "Hvap298_kJ_mol",
)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=30, help="epochs of every training run (default 30)")
    parser.add_argument("--max-source-molecules", type=int, default=6000, help="subsample of source molecules")
    parser.add_argument("--n-sources", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--chart-init", nargs="+", default=["auto"], help="add_task's chart_init: a name, or starts")
    parser.add_argument("--results-name", default="add_task_cost")
    parser.add_argument("--quick", action="store_true", help="1 and 2 sources, 800 molecules, 2 epochs; no files")
    args = parser.parse_args()
    args.chart_init = args.chart_init[0] if len(args.chart_init) == 1 else tuple(args.chart_init)
    if args.quick:
        args.epochs, args.max_source_molecules, args.n_sources = 2, 800, [1, 2]
    return args


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def main():
    args = parse_args()
    started = time.perf_counter()
    frame = load_physprop().frame
    rng = np.random.default_rng(args.seed)
    labelled = np.flatnonzero(frame[TARGET].notna().to_numpy())
    rng.shuffle(labelled)
    n_test = len(labelled) // 5
    test_rows, train_rows = np.sort(labelled[:n_test]), np.sort(labelled[n_test:])
    X_target, y_target = frame.smiles.iloc[train_rows], frame[TARGET].iloc[train_rows]
    X_test, y_test = frame.smiles.iloc[test_rows].to_numpy(), frame[TARGET].iloc[test_rows].to_numpy()
    settings = dict(max_iter=args.epochs, early_stopping=False, random_state=args.seed, device="cpu")

    rows = []
    for n_sources in args.n_sources:
        sources = list(SOURCES[:n_sources])
        has_source = frame[sources].notna().any(axis=1).to_numpy().copy()
        has_source[test_rows] = False  # no test molecule is seen, not even through its source labels
        source_rows = np.flatnonzero(has_source)
        if len(source_rows) > args.max_source_molecules:
            source_rows = np.sort(rng.choice(source_rows, args.max_source_molecules, replace=False))
        X_source = frame.smiles.iloc[source_rows].reset_index(drop=True)
        y_source = frame[sources].iloc[source_rows].reset_index(drop=True)

        model, pretrain_s = timed(lambda: GATERegressor(**settings).fit(X_source, y_source))
        _, add_s = timed(
            lambda: model.add_task(
                X_target, y_target, max_iter=args.epochs, early_stopping=False, chart_init=args.chart_init
            )
        )
        prediction, spread = model.predict(X_test, tasks=TARGET, return_std=True)
        error = np.abs(prediction - y_test)

        joint_rows = np.union1d(source_rows, train_rows)
        y_joint = frame[[*sources, TARGET]].iloc[joint_rows].reset_index(drop=True)  # test rows excluded
        joint, joint_s = timed(
            lambda: GATERegressor(**settings).fit(frame.smiles.iloc[joint_rows].reset_index(drop=True), y_joint)
        )
        joint_error = joint.predict(X_test, tasks=TARGET) - y_test
        row = {
            "n_sources": n_sources,
            "source_molecules": len(source_rows),
            "target_molecules": len(train_rows),
            "pretrain_s": pretrain_s,
            "add_task_s": add_s,
            "joint_s": joint_s,
            "add_task_rmse": float(np.sqrt(np.mean(error**2))),
            "joint_rmse": float(np.sqrt(np.mean(joint_error**2))),
            "spearman_std_vs_abs_error": float(spearmanr(spread, error).statistic),
        }
        rows.append(row)
        print(json.dumps(row), flush=True)

    table = report(rows, args, time.perf_counter() - started)
    print(table)
    if not args.quick:
        harness.result_path(args.results_name, ".md").write_text(table + "\n")
        payload = {"args": vars(args), "runs": rows, "versions": versions()}
        harness.result_path(args.results_name, ".json").write_text(json.dumps(payload, indent=2) + "\n")


def versions():
    return {
        "gate_sklearn": gate_sklearn.__version__,
        "torch": torch.__version__,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {torch.get_num_threads()} torch threads",
    }


def report(rows, args, total_s):
    frame = pd.DataFrame(rows)
    base = frame.loc[frame.n_sources == frame.n_sources.min(), "add_task_s"].iloc[0]
    lines = [
        f"# Task addition cost ({TARGET}, {args.epochs} epochs per run, seed {args.seed}, "
        f"chart_init={args.chart_init!r})",
        "",
        "| sources | source molecules | pre-train (s) | add_task (s) | add_task / add_task(1 source) "
        "| joint retrain (s) | add_task / joint | add_task RMSE (K) | joint RMSE (K) | Spearman(std, abs err) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in frame.itertuples():
        lines.append(
            f"| {r.n_sources} | {r.source_molecules} | {r.pretrain_s:.1f} | {r.add_task_s:.1f} "
            f"| {r.add_task_s / base:.2f} | {r.joint_s:.1f} | {r.add_task_s / r.joint_s:.3f} "
            f"| {r.add_task_rmse:.1f} | {r.joint_rmse:.1f} | {r.spearman_std_vs_abs_error:.2f} |"
        )
    last = frame.iloc[-1]
    lines += [
        "",
        f"Target molecules (training part): {int(last.target_molecules)}. Targets: add_task with "
        f"{int(last.n_sources)} sources within 1.5x of 1 source: "
        f"{'met' if last.add_task_s <= 1.5 * base else 'NOT met'} ({last.add_task_s / base:.2f}x); "
        f"at most a fifth of joint retraining: {'met' if (frame.add_task_s <= frame.joint_s / 5).all() else 'NOT met'}.",
        "",
        f"Versions: {versions()}. Command: `python {' '.join(sys.argv)}`. Total run time {total_s / 60:.1f} min.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
