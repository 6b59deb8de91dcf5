"""Task addition against the methods a user would pick instead, on physprop.

Protocol
--------
* Data: ``load_physprop()``. Sources (pre-training): ``Tb_K``, ``Tm_K``,
  ``logP``. Targets, added one at a time: ``Tc_K``, ``Pc_bar``,
  ``Vc_cm3_mol``, ``omega_PSRK``, ``Hvap_Tb_kJ_mol``.
* Splits, per seed: for each target, 80/20 train/test over the molecules
  labelled for it, ``random`` or ``scaffold`` (Bemis-Murcko groups; groups
  larger than half the test size always go to training, the others are
  shuffled with the seed and fill the test part up to 20 %). The source data
  of that seed are the source-labelled molecules minus every target's test
  molecules (no test molecule is ever seen, not even through its source
  labels), subsampled to ``--max-source-molecules`` when given; every method
  that uses sources sees the same ones.
* Methods, all neural ones on the same backbone (D-MPNN 300 wide, depth 3,
  the package defaults) and the same budget (up to ``--max-iter`` epochs, early
  stopping on 10 % of the training part, the package's default
  hyperparameters: the search budget is one configuration per method, the
  only choice made on validation data being the epoch):

  1. ``stl``: single-task ``GATERegressor`` on the target;
  2. ``mtl_joint``: conventional multi-task learning (alignment weights 0)
     retrained on sources + target;
  3. ``pretrain_head``: multi-task learning pre-trained on the sources, then
     a new head (encoder + head MLP, randomly initialised) on the frozen
     embedding (``add_task`` with weights 0, no private branch and
     ``chart_init="random"``);
  4. ``gate_joint``: multitask GATE retrained on sources + target;
  5. ``gate_add``: GATE pre-trained on the sources, then ``add_task``
     (``GATERegressor(pretrained=...)``, package defaults);
  6. ``rf`` / ``rf_stacked``: a random forest on Morgan counts (radius 2,
     2048), and the same with the sources' predictions as extra features
     (one forest per source, trained on the source data; for molecules in a
     source forest's training set its out-of-bag prediction is used, so no
     feature is an in-sample fit);
  7. chemprop 2.x through its CLI, when ``--chemprop-bin`` (or ``chemprop``
     on the PATH) is found (its defaults: D-MPNN 300 wide, depth 3, 10 % of
     the training rows, drawn with the seed, for choosing the epoch):
     ``chemprop_stl``, single-task on the target (``--chemprop-epochs``); and
     ``chemprop_finetune``, pre-trained on the source data (multi-task
     regression over the source columns, empty where a molecule was not
     measured, ``--chemprop-pretrain-epochs``), then fine-tuned on the target
     (``chemprop train --from-foundation <pre-trained model>``: the message
     passing and readout come from the pre-trained model, the feed-forward
     head and the target's scaler are new, every weight is trained,
     ``--chemprop-epochs``).

* Metrics: RMSE in the target's units on its test part; relative RMSE (RMSE
  / sd of the target over physprop); mean +- sd over seeds. Wall time of the
  fit; for the pre-trained methods (``pretrain_head``, ``gate_add``,
  ``chemprop_finetune``), the time of the addition (the pre-training, once
  per split and seed for all five targets, is reported separately).

Usage::

    python benchmarks/task_addition.py --quick            # minutes; writes nothing
    python benchmarks/task_addition.py                    # everything (hours on 2 CPU cores)
    python benchmarks/task_addition.py --splits random --seeds 0 --max-source-molecules 8000
    python benchmarks/task_addition.py --seeds 1 --cache-dir .cache/task_addition   # keep pre-trained models

Writes ``results/task_addition/task_addition.{md,json}`` (``--results-name``), rewritten after every run, so an
interrupted run leaves what it finished.
"""

import argparse
import json
import platform
import shutil
import sys
import time
import warnings
from pathlib import Path

import torch

import gate_sklearn
from gate_sklearn.datasets import load_physprop

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402  (data, splits, sources, methods, result files)
from harness import (  # noqa: E402
    CHEMPROP_METHODS,
    METHODS,
    Split,
    add_pretraining_arguments,
    murcko_scaffolds,
    report_title,
    summarise,
)


def write(runs, pretrain, args, frame, started, complete, show=True):
    text, table = summarise(runs, frame)
    header = report_title("Task addition on physprop", complete) + [
        f"Command: `python {' '.join(sys.argv)}`. {'Run time' if complete else 'Run time so far'}: "
        f"{(time.perf_counter() - started) / 60:.1f} min. "
        f"Versions: gate_sklearn {gate_sklearn.__version__}, torch {torch.__version__}, "
        f"Python {platform.python_version()}, {torch.get_num_threads()} torch threads.",
        "",
        "RMSE in the target's units (mean ± sd over seeds); relative RMSE = RMSE / sd of the target. "
        "Fit time of the pre-trained methods is the addition only; pre-training times below.",
        "",
    ]
    pre = [f"- {k}: " + ", ".join(f"{name} {s:.0f} s" for name, s in v.items()) for k, v in pretrain.items()]
    text = "\n".join(header) + "\n" + text + "\nPre-training (once per split and seed):\n\n" + "\n".join(pre) + "\n"
    if show:
        print(text)
    if not args.quick:
        payload = {"args": vars(args), "runs": table.to_dict(orient="records"), "pretraining_s": pretrain}
        harness.write_results(args.results_name, text, payload)




def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--splits", nargs="+", default=["random", "scaffold"], choices=["random", "scaffold"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--targets", nargs="+", default=harness.TARGETS, choices=harness.TARGETS)
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=list(METHODS))
    parser.add_argument(
        "--max-iter", type=int, default=None, help="epochs for the target models (default: the package's default)"
    )
    add_pretraining_arguments(parser)
    parser.add_argument("--trees", type=int, default=500)
    parser.add_argument("--chemprop-bin", default=shutil.which("chemprop"))
    parser.add_argument("--chemprop-epochs", type=int, default=50, help="chemprop epochs on the target")
    parser.add_argument(
        "--chemprop-pretrain-epochs", type=int, default=50, help="chemprop epochs on the sources (cache key)"
    )
    parser.add_argument("--results-name", default="task_addition", help="results/task_addition/<name>.{md,json}")
    parser.add_argument("--quick", action="store_true", help="one seed, random split, 2 targets, small budget")
    args = parser.parse_args()
    if args.quick:
        args.splits, args.seeds, args.targets = ["random"], [0], harness.TARGETS[:2]
        args.max_iter, args.pretrain_max_iter, args.max_source_molecules, args.trees, args.chemprop_epochs = 3, 3, 1000, 50, 3
        args.chemprop_pretrain_epochs = 3  # chemprop needs more epochs than its 2 warm-up ones
    skipped = [m for m in args.methods if m in CHEMPROP_METHODS] if not args.chemprop_bin else []
    if skipped:
        print(f"chemprop not found (--chemprop-bin): skipping {', '.join(skipped)}.", flush=True)
        args.methods = [m for m in args.methods if m not in skipped]
    return args


def main():
    args = parse_args()
    started = time.perf_counter()
    frame = load_physprop().frame
    harness.TARGETS = list(args.targets)  # the split keeps every selected target's test molecules out
    scaffolds = murcko_scaffolds(frame.smiles) if "scaffold" in args.splits else None
    runs, pretrain = [], {}
    for kind in args.splits:
        for seed in args.seeds:
            split = Split(frame, kind, seed, args, scaffolds)
            for target in harness.TARGETS:
                for method in args.methods:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore", UserWarning)
                        result = split.run(method, target)
                    run = {"split": kind, "seed": seed, "target": target, "method": method, **result}
                    runs.append(run)
                    print(json.dumps(run), flush=True)
                    pretrain[f"{kind} seed {seed}"] = dict(split.pretrain_s)
                    write(runs, pretrain, args, frame, started, complete=False, show=False)
    write(runs, pretrain, args, frame, started, complete=True)


if __name__ == "__main__":
    main()
