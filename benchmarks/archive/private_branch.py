"""Width of the task-private branch for add_task: a quick comparison on physprop.

Protocol
--------
* ``load_physprop()``; targets ``Tc_K``, ``Pc_bar``, ``omega_PSRK``, each split
  80/20 at random with ``--seed``. Pre-training on ``Tb_K``, ``Tm_K``,
  ``logP`` over every source-labelled molecule except all targets' test
  molecules (up to 40 epochs, early stopping with patience 8), default
  architecture.
* Per target: a single-task ``GATERegressor`` (defaults, up to 100 epochs)
  and ``GATERegressor(pretrained=..., private_branch_size=w)`` for each width
  ``w`` in ``--widths`` (defaults, up to 100 epochs), RMSE on the test part,
  relative RMSE (RMSE / sd of the target), wall time of the fit, and the
  Spearman correlation of ``return_std`` with the absolute error.

Usage::

    python benchmarks/archive/private_branch.py     # about 15 min on 2 cores; writes results/archive/private_branch/private_branch.{md,json}
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr

from gate_sklearn import GATERegressor
from gate_sklearn.datasets import load_physprop

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the benchmarks' shared harness
import harness  # noqa: E402  (result files)

SOURCES = ["Tb_K", "Tm_K", "logP"]
TARGETS = ["Tc_K", "Pc_bar", "omega_PSRK"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--widths", type=int, nargs="+", default=[0, 100, 300])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    started = time.perf_counter()
    frame = load_physprop().frame
    rng = np.random.default_rng(args.seed)
    test = {}
    for target in TARGETS:
        rows = np.flatnonzero(frame[target].notna().to_numpy())
        rng.shuffle(rows)
        test[target] = np.sort(rows[: len(rows) // 5])
    sources = frame[SOURCES].copy()
    sources.iloc[np.unique(np.concatenate(list(test.values())))] = np.nan
    keep = sources.notna().any(axis=1).to_numpy()
    common = dict(random_state=args.seed, device="cpu")
    t0 = time.perf_counter()
    pretrained = GATERegressor(max_iter=40, n_iter_no_change=8, **common).fit(
        frame.smiles[keep].reset_index(drop=True), sources[keep].reset_index(drop=True)
    )
    print(f"pre-training: {time.perf_counter() - t0:.0f} s, {pretrained.n_iter_} epochs", flush=True)

    runs = []
    for target in TARGETS:
        train = np.setdiff1d(np.flatnonzero(frame[target].notna().to_numpy()), test[target])
        X_train, y_train = frame.smiles.iloc[train], frame[target].iloc[train]
        X_test, y_test = frame.smiles.iloc[test[target]], frame[target].iloc[test[target]].to_numpy()
        for width in [None, *args.widths]:
            t0 = time.perf_counter()
            if width is None:
                model = GATERegressor(max_iter=100, **common).fit(X_train, y_train)
                prediction, spread = model.predict(X_test), None
            else:
                model = GATERegressor(pretrained=pretrained, private_branch_size=width, max_iter=100, **common)
                prediction, spread = model.fit(X_train, y_train).predict(X_test, return_std=True)
            rmse = float(np.sqrt(np.mean((prediction - y_test) ** 2)))
            run = {
                "target": target,
                "method": "single-task" if width is None else f"add_task, branch {width}",
                "rmse": rmse,
                "relative_rmse": rmse / float(frame[target].std()),
                "fit_s": time.perf_counter() - t0,
                "n_iter": model.n_iter_,
                "spearman_std_vs_abs_error": None
                if spread is None
                else float(spearmanr(spread, np.abs(prediction - y_test)).statistic),
            }
            runs.append(run)
            print(json.dumps(run), flush=True)

    lines = [
        f"# Private branch width for add_task (physprop, seed {args.seed})",
        "",
        "| method | " + " | ".join(TARGETS) + " | mean relative RMSE | mean fit time (s) |",
        "|---|" + "---|" * (len(TARGETS) + 2),
    ]
    for method in dict.fromkeys(r["method"] for r in runs):
        mine = [r for r in runs if r["method"] == method]
        cells = [f"{r['rmse']:.3g}" for r in mine]
        lines.append(
            f"| {method} | {' | '.join(cells)} | {np.mean([r['relative_rmse'] for r in mine]):.3f} "
            f"| {np.mean([r['fit_s'] for r in mine]):.1f} |"
        )
    lines += ["", f"Command: `python {' '.join(sys.argv)}`; total {(time.perf_counter() - started) / 60:.1f} min."]
    table = "\n".join(lines)
    print(table)
    harness.result_path("private_branch", ".md").write_text(table + "\n")
    harness.result_path("private_branch", ".json").write_text(json.dumps({"args": vars(args), "runs": runs}, indent=2) + "\n")


if __name__ == "__main__":
    main()
