"""Cost of starting from the shipped pre-trained model: loading it, and adding a property with 200 labels.

Loading is timed twice: in a fresh Python process (imports included, what a user's first call
costs) and again in the same process. The additions use the package defaults (the start chosen on
the labels) on 200 labels drawn from each target's training part, three draws per target; the
targets are the suite's (``harness.suite_frame``), whose molecules the shipped model never saw.
Its accuracy against the suite's own pre-training is in the transfer suite (method
``gate_shipped``).

Usage::

    python benchmarks/pretrained_model.py                 # about 5 min on 2 cores
    python benchmarks/pretrained_model.py --quick

Writes ``results/pretrained_model/<name>.{md,json}``.
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402

from gate_sklearn import pretrained  # noqa: E402

COLD_LOAD = (
    "import time; start = time.perf_counter(); from gate_sklearn import pretrained; "
    "pretrained.load({name!r}, device='cpu'); print(time.perf_counter() - start)"
)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--name", default=harness.SHIPPED_MODEL)
    parser.add_argument("--targets", nargs="+", default=["Tc_K", "Hvap_Tb_kJ_mol", "ESOL_logS", "Lipo_logD"])
    parser.add_argument("--labels", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--results-name", default="pretrained_model")
    parser.add_argument("--quick", action="store_true", help="one target, one draw, 2 epochs")
    args = parser.parse_args()
    if args.quick:
        args.targets, args.repeats, args.results_name = args.targets[:1], 1, args.results_name + "_quick"
    return args


def main():
    args = parse_args()
    cold = [float(subprocess.run([sys.executable, "-c", COLD_LOAD.format(name=args.name)], capture_output=True,
                                 text=True, check=True).stdout) for _ in range(3)]  # fmt: skip
    warm = []
    for _ in range(3):
        start = time.perf_counter()
        pretrained.load(args.name, device="cpu")
        warm.append(time.perf_counter() - start)
    frame = harness.suite_frame()
    rng = np.random.default_rng(0)
    runs = []
    for target in args.targets:
        rows = np.flatnonzero(frame[target].notna().to_numpy())
        for repeat in range(args.repeats):
            order = rng.permutation(rows)
            train, test = order[: args.labels], order[args.labels :]
            model = pretrained.load(args.name, device="cpu")
            options = {"max_iter": 2} if args.quick else {}
            start = time.perf_counter()
            model.add_task(frame.smiles.iloc[train].tolist(), frame[target].iloc[train].to_numpy(), name=target,
                           random_state=repeat, **options)  # fmt: skip
            fit_s = time.perf_counter() - start
            y_test = frame[target].iloc[test].to_numpy()
            error = harness.rmse(y_test, model.predict(frame.smiles.iloc[test].tolist(), tasks=target))
            runs.append({"target": target, "repeat": repeat, "fit_s": fit_s, "rmse": error,
                         "relative_rmse": error / float(np.std(y_test)), "n_test": len(test),
                         "start": model.added_tasks_[-1]["chart_init"]})  # fmt: skip
            print(json.dumps(runs[-1]), flush=True)
    card = pretrained.model_card(args.name)
    lines = [
        "# Starting from the shipped pre-trained model", "",
        f"Command: `python {' '.join(sys.argv)}`, 2 CPU cores. Model `{args.name}`: {card['size_bytes'] / 1e6:.1f} MB, "
        f"{len(card['tasks'])} tasks, pre-trained on {card['corpus']['molecules']:,} molecules.", "",
        f"Loading: {np.mean(cold):.2f} s in a fresh process, imports included (max {max(cold):.2f} s over 3); "
        f"{np.mean(warm):.2f} s once gate_sklearn is imported (max {max(warm):.2f} s).", "",
        f"`add_task` with {args.labels} labels (package defaults, the start chosen on the labels), "
        f"{args.repeats} draws per target:", "",
        "| target | fit (s), mean | fit (s), max | test RMSE, mean | RMSE / sd, mean | starts chosen |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for target in args.targets:
        mine = [r for r in runs if r["target"] == target]
        starts = ", ".join(sorted({r["start"] for r in mine}))
        lines.append(f"| {target} | {np.mean([r['fit_s'] for r in mine]):.1f} | {max(r['fit_s'] for r in mine):.1f} | "
                     f"{np.mean([r['rmse'] for r in mine]):.3f} | {np.mean([r['relative_rmse'] for r in mine]):.3f} | "
                     f"{starts} |")  # fmt: skip
    text = "\n".join(lines) + "\n"
    harness.write_results(args.results_name, text, {"args": vars(args), "cold_load_s": cold, "warm_load_s": warm,
                                                    "runs": runs})  # fmt: skip
    print(text)


if __name__ == "__main__":
    main()
