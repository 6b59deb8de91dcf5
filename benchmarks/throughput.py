"""Training and prediction speed and peak memory of GATERegressor and chemprop 2.x, on the same molecules.

Each fit runs in a fresh process, so that its peak resident memory is its own: GATERegressor here,
chemprop through ``throughput_chemprop_worker.py`` under the Python of a chemprop installation
(``--chemprop-python``; chemprop's rows are left out without it). Both networks have hidden size
300, depth 3, norm aggregation and batch 64, and train a fixed number of epochs (no early
stopping, no validation part) on one target: the Crippen logP RDKit computes for each molecule.

- fit throughput: molecule-epochs per second, from SMILES to a trained model (featurization
  included, as a user pays it);
- predict throughput: molecules per second, from SMILES to predictions of the same molecules;
- peak memory: the process's peak resident set, and the same above what its imports hold.

The same run measures featurization against RDKit's own parse rate, serially and with two
workers, on the first molecules (as ``featurize.py`` does on the bundled sets), and the peak
memory of one-epoch GATERegressor fits at ``--memory-sizes`` (20k and 200k molecules) with
``featurize_per_batch=True`` and without, and the fit time of ``distributed=True`` under torchrun
(two processes of one thread each) against one process of two threads, at ``--parallel-sizes``.

The molecules are drawn from the MOSES training set (``--moses-wheel``, the molsets 0.3.1 wheel:
``pip download molsets==0.3.1 --no-deps``); without it, from the bundled sets and physprop, cycled
when a size exceeds them (``--quick`` uses those, 200 molecules, one epoch).

Usage::

    python benchmarks/throughput.py --moses-wheel molsets-0.3.1-py3-none-any.whl \\
        --chemprop-python /path/to/chemprop-env/bin/python          # about 1 h on 2 cores
    python benchmarks/throughput.py --quick

Resumable: a run already in the results file (same size, tool and epochs) is kept, not repeated
(``--quick`` always starts afresh).
Writes ``results/throughput/<name>.{md,json}``.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from rdkit import Chem, rdBase
from rdkit.Chem import Crippen

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import harness  # noqa: E402
from featurize import best_rate  # noqa: E402

CHEMPROP_WORKER = HERE / "throughput_chemprop_worker.py"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--epochs", type=int, default=2, help="epochs per fit (default 2)")
    parser.add_argument("--moses-wheel", help="molsets 0.3.1 wheel to draw the molecules from")
    parser.add_argument("--chemprop-python", help="Python of an environment with chemprop 2.x")
    parser.add_argument("--featurize-molecules", type=int, default=20000)
    parser.add_argument("--memory-sizes", type=int, nargs="*", default=[20000, 200000],
                        help="GATERegressor fits of one epoch, with and without featurize_per_batch")
    parser.add_argument("--memory-modes", nargs="+", default=["per_batch", "in_memory"],
                        choices=["per_batch", "in_memory"])  # fmt: skip
    parser.add_argument("--parallel-sizes", type=int, nargs="*", default=[10000],
                        help="data-parallel fits (two processes) at these sizes; none: skip")
    parser.add_argument("--remeasure", nargs="+", default=[], choices=["featurization", "runs"],
                        help="measure these again even when the results hold them (runs: GATERegressor against "
                             "chemprop; the earlier ones are kept in the results as superseded)")
    parser.add_argument("--results-name", default="throughput")
    parser.add_argument("--quick", action="store_true", help="200 bundled molecules, one epoch")
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # internal: one GATERegressor fit on this CSV
    parser.add_argument("--per-batch", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-predict", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--distributed", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.epochs, args.featurize_molecules, args.memory_sizes = [200], 1, 200, [200]
        args.parallel_sizes = [200]
        args.results_name += "_quick"
    return args


def molecules(n, moses_wheel, seed=0):
    """``n`` SMILES that RDKit parses, in a fixed random order, and their Crippen logP."""
    if moses_wheel:
        from gate_sklearn.pretrained._corpus import read_moses

        pool = read_moses(moses_wheel)
    else:
        from gate_sklearn.datasets import load_esol, load_freesolv, load_lipophilicity, load_physprop

        pool = [s for loader in (load_physprop, load_lipophilicity, load_esol, load_freesolv)
                for s in loader().frame.smiles]  # fmt: skip
    order = np.random.default_rng(seed).permutation(len(pool))
    chosen, values = [], []
    with rdBase.BlockLogs():
        for i in order:
            mol = Chem.MolFromSmiles(pool[i])
            if mol is not None:
                chosen.append(pool[i])
                values.append(Crippen.MolLogP(mol))
            if len(chosen) == n:
                break
    repeats = -(-n // len(chosen))  # a small pool is cycled
    return pd.DataFrame({"smiles": (chosen * repeats)[:n], "y": (values * repeats)[:n]})


def run_process(command, env=None):
    """Run ``command`` (``env``: extra variables); its last stdout line, as JSON (the worker measures its own peak memory)."""
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **(env or {})})
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, command))} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def gate_worker(args):
    """One fit and prediction of GATERegressor on ``args.worker`` (CSV); prints a JSON line."""
    import torch

    from gate_sklearn import GATERegressor
    from throughput_chemprop_worker import peak_rss_mib

    # chemprop's imports (Lightning's) load torch._dynamo; torch otherwise loads it when a process builds
    # its first optimizer, inside fit. Loaded here before the clock starts, so neither fit time counts it.
    start = time.perf_counter()
    import torch._dynamo  # noqa: F401

    dynamo_import_s = time.perf_counter() - start
    imported = peak_rss_mib()
    frame = pd.read_csv(args.worker)
    model = GATERegressor(hidden_size=300, depth=3, aggregation="norm", batch_size=64, max_iter=args.epochs,
                          early_stopping=False, device="cpu", random_state=0,
                          featurize_per_batch=args.per_batch, distributed=args.distributed)  # fmt: skip
    smiles = frame.smiles.tolist()
    values = frame.y.to_numpy()
    del frame  # the fit's memory is what the package holds, not this table
    start = time.perf_counter()
    model.fit(smiles, values)
    fit_s = time.perf_counter() - start
    predict_s = error = None
    if not args.no_predict:
        start = time.perf_counter()
        prediction = model.predict(smiles)
        predict_s = time.perf_counter() - start
        error = harness.rmse(values, prediction)
    if args.distributed and int(os.environ["RANK"]) != 0:
        return  # the first process reports; every process trained the same model
    print(json.dumps({
        "fit_s": fit_s, "predict_s": predict_s, "epochs": int(model.n_iter_), "n": len(smiles),
        "train_rmse": error, "final_loss": model.loss_curve_[-1], "rss_after_imports_mib": imported,
        "peak_rss_mib": peak_rss_mib(),
        "torch_threads": torch.get_num_threads(), "versions": {"torch": torch.__version__},
        "torch_dynamo_import_s": dynamo_import_s,
    }))  # fmt: skip


def parse_rate(smiles):
    """RDKit's bare SMILES parse rate here and now: the yardstick that tells one run's machine from another's."""

    def parse():
        with rdBase.BlockLogs():
            for s in smiles:
                Chem.MolFromSmiles(s)

    return best_rate(parse, len(smiles), 2)


def visit_atoms_and_bonds(smiles, read_values):
    """Parse ``smiles`` and touch every atom and bond object through RDKit's Python API.

    With ``read_values``, also call every getter the graph featurizer calls, and drop the values:
    that is what any featurizer written against RDKit's Python API must at least pay, whatever it
    does with the numbers afterwards.
    """
    with rdBase.BlockLogs():
        for s in smiles:
            mol = Chem.MolFromSmiles(s)
            for atom in map(mol.GetAtomWithIdx, range(mol.GetNumAtoms())):
                if read_values:
                    (atom.GetAtomicNum(), atom.GetTotalDegree(), atom.GetFormalCharge(), atom.GetChiralTag(),
                     atom.GetTotalNumHs(), atom.GetHybridization(), atom.GetIsAromatic(), atom.GetMass())  # fmt: skip
            for bond in map(mol.GetBondWithIdx, range(mol.GetNumBonds())):
                if read_values:
                    (bond.GetBondType(), bond.GetStereo(), bond.GetIsConjugated(), bond.IsInRing(),
                     bond.GetBeginAtomIdx(), bond.GetEndAtomIdx())  # fmt: skip


def featurization_rates(smiles, parse):
    from gate_sklearn.featurize import smiles_to_graphs

    rates = {"RDKit MolFromSmiles (reference)": parse}
    rates["parse + visit every atom and bond object"] = best_rate(
        lambda: visit_atoms_and_bonds(smiles, False), len(smiles), 2)
    rates["parse + every RDKit call the features need, values dropped"] = best_rate(
        lambda: visit_atoms_and_bonds(smiles, True), len(smiles), 2)
    rates["graph featurizer, n_jobs=1"] = best_rate(lambda: smiles_to_graphs(smiles), len(smiles), 2)
    rates["graph featurizer, n_jobs=2"] = best_rate(lambda: smiles_to_graphs(smiles, n_jobs=2), len(smiles), 2)
    return rates


def superseded_fit_ratios(runs):
    """GATERegressor's fit throughput over chemprop's, per size, in a list of earlier runs."""
    by_size = {}
    for r in runs:
        by_size.setdefault(r["n"], {})[r["tool"]] = r["fit_s"] / r["epochs"]
    return [(n, t["chemprop"] / t["GATERegressor"]) for n, t in sorted(by_size.items())
            if {"chemprop", "GATERegressor"} <= set(t)]  # fmt: skip


def machine_note(runs, results):
    """A sentence when ``runs`` were made while RDKit parsed at another rate than in the featurization table."""
    reference = results["featurization"]["RDKit MolFromSmiles (reference)"]
    rates = [r["parse_rate"] for r in runs if "parse_rate" in r]
    if not rates or all(abs(rate / reference - 1) < 0.1 for rate in rates):
        return []
    span = f"{min(rates):,.0f}" if min(rates) == max(rates) else f"{min(rates):,.0f}-{max(rates):,.0f}"
    return ["", f"These rows come from a run in which RDKit parsed {span} SMILES/s, "
            f"against {reference:,.0f} in the featurization table below: the machine ran at another speed, so "
            "compare these rows with each other, not with the other tables."]


def report(results, args):
    runs = sorted(results["runs"], key=lambda r: (r["n"], r["tool"]))
    lines = [
        "# Training and prediction throughput: GATERegressor and chemprop", "",
        f"Command: `python {results.get('command', ' '.join(sys.argv))}`. {os.cpu_count()} CPU cores, {platform.machine()}, "
        f"Python {platform.python_version()}, RDKit {rdBase.rdkitVersion}. Molecules: {results['molecules']}; "
        "one target (Crippen logP). Both networks: hidden size 300, depth 3, norm aggregation, batch 64, "
        "a fixed number of epochs, no validation part. Fit time runs from SMILES to a trained model "
        "(featurization included), predict time from SMILES to predictions of the same molecules. Peak "
        "memory: the fitting process's peak resident set (imports included), and above what its imports held.",
        "",
        "| molecules | tool | epochs | fit (molecule-epochs / s) | predict (molecules / s) | peak memory (MiB) "
        "| above imports (MiB) | fit (s) | predict (s) |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        lines.append(
            f"| {r['n']:,} | {r['tool']} | {r['epochs']} | {r['n'] * r['epochs'] / r['fit_s']:,.0f} | "
            f"{r['n'] / r['predict_s']:,.0f} | {r['peak_rss_mib']:,.0f} | "
            f"{r['peak_rss_mib'] - r['rss_after_imports_mib']:,.0f} | {r['fit_s']:.1f} | {r['predict_s']:.1f} |"
        )
    lines += machine_note(runs, results)
    by_size = {}
    for r in runs:
        by_size.setdefault(r["n"], {})[r["tool"]] = r
    ratios = [(n, tools["GATERegressor"], tools["chemprop"]) for n, tools in sorted(by_size.items())
              if {"GATERegressor", "chemprop"} <= set(tools)]  # fmt: skip
    if ratios:
        lines += ["", "GATERegressor over chemprop (above 1: GATERegressor is faster or lighter):", "",
                  "| molecules | fit throughput | predict throughput | peak memory, chemprop / GATE |",
                  "|---:|---:|---:|---:|"]  # fmt: skip
        for n, gate, chemprop in ratios:
            fit = (chemprop["fit_s"] / chemprop["epochs"]) / (gate["fit_s"] / gate["epochs"])
            lines.append(f"| {n:,} | {fit:.2f} | {chemprop['predict_s'] / gate['predict_s']:.2f} | "
                         f"{chemprop['peak_rss_mib'] / gate['peak_rss_mib']:.2f} |")  # fmt: skip
    elif not args.chemprop_python:
        lines += ["", "chemprop not run: no `--chemprop-python` given."]
    imports = [r["torch_dynamo_import_s"] for r in runs if "torch_dynamo_import_s" in r]
    if imports:
        lines += ["", "Neither fit time counts the one-time import of `torch._dynamo`: chemprop's imports load it "
                  "(through Lightning), and GATERegressor's worker imports it before its clock starts, where torch "
                  "would otherwise load it at the process's first optimizer, inside the first fit "
                  f"({min(imports):.1f}-{max(imports):.1f} s here, once per process)."]  # fmt: skip
    for earlier in results.get("superseded_runs", []):
        ratios = superseded_fit_ratios(earlier["runs"])
        if ratios:
            lines += ["", "Superseded: an earlier run (`python " + str(earlier["command"]) + "`) counted that import "
                      "in GATERegressor's fit time and not in chemprop's; its fit throughput ratios were "
                      + ", ".join(f"{r:.2f} at {n:,}" for n, r in ratios) + " molecules."]
    memory = sorted(results.get("memory_runs", []), key=lambda r: (r["mode"], r["n"]))
    if memory:
        lines += ["", "Training in bounded memory: GATERegressor fits of one epoch (no prediction), with "
                  "`featurize_per_batch=True` (each batch featurized as it is drawn) and without (every graph "
                  "featurized once and kept):", "",
                  "| molecules | featurize_per_batch | peak memory (MiB) | above imports (MiB) | fit (s) |",
                  "|---:|---|---:|---:|---:|"]  # fmt: skip
        for r in memory:
            lines.append(f"| {r['n']:,} | {r['mode'] == 'per_batch'} | {r['peak_rss_mib']:,.0f} | "
                         f"{r['peak_rss_mib'] - r['rss_after_imports_mib']:,.0f} | {r['fit_s']:.1f} |")  # fmt: skip
        lines += machine_note(memory, results)
        for mode in ("per_batch", "in_memory"):
            mine = [r for r in memory if r["mode"] == mode]
            if len(mine) >= 2:
                small, large = mine[0], mine[-1]
                lines += ["", f"featurize_per_batch={mode == 'per_batch'}: peak memory at {large['n']:,} molecules "
                          f"is {large['peak_rss_mib'] / small['peak_rss_mib']:.2f} times that at {small['n']:,}."]
    parallel = sorted(results.get("parallel_runs", []), key=lambda r: (r["n"], r["processes"]))
    if parallel:
        lines += ["", "Data-parallel training on this machine: `distributed=True` under `torchrun --nproc_per_node=2` "
                  "(two processes of one thread, each featurizing every molecule and training on half of each "
                  "batch) against one process of two threads; fit only, same settings:", "",
                  "| molecules | processes x threads | fit (s) | fit (molecule-epochs / s) | final training loss |",
                  "|---:|---|---:|---:|---:|"]  # fmt: skip
        for r in parallel:
            lines.append(f"| {r['n']:,} | {r['processes']} x {r['torch_threads']} | {r['fit_s']:.1f} | "
                         f"{r['n'] * r['epochs'] / r['fit_s']:,.0f} | {r['final_loss']:.4f} |")  # fmt: skip
        lines += machine_note(parallel, results)
    rates = results["featurization"]
    parse = rates["RDKit MolFromSmiles (reference)"]
    lines += ["", f"Featurization of the first {results['featurize_molecules']:,} molecules (best of 2 runs; every "
              "rate includes the parse), measured by "
              f"`python {results.get('featurization_command', results.get('command'))}`:", "", "| step | molecules / s | ratio to RDKit parse |", "|---|---:|---:|"]
    lines += [f"| {name} | {rate:,.0f} | {rate / parse:.2f} |" for name, rate in rates.items()]
    floor = rates.get("parse + every RDKit call the features need, values dropped")
    if floor:
        lines += ["", "The two middle rows bound any featurizer written against RDKit's Python API: parsing, "
                  "then fetching each atom and bond object, then the one call per feature value the graph "
                  f"features need (enum-valued ones cost most), with nothing stored, runs at {floor / parse:.2f} "
                  "of the bare parse rate. The graph featurizer runs at "
                  f"{rates['graph featurizer, n_jobs=1'] / floor:.2f} of that bound."]
    return "\n".join(lines) + "\n"


def main(argv=None):
    args = parse_args(argv)
    if args.worker:
        return gate_worker(args)
    path = harness.result_path(args.results_name, ".json")
    results = json.loads(path.read_text()) if path.exists() and not args.quick else {"runs": []}
    results.setdefault("memory_runs", [])
    frame = molecules(max(args.sizes + args.memory_sizes), args.moses_wheel)
    results["molecules"] = ("MOSES training set, random draw" if args.moses_wheel
                            else "physprop and the bundled sets, random draw, cycled where too few")  # fmt: skip
    featurize_smiles = frame.smiles[: min(args.featurize_molecules, len(frame))].tolist()
    # Every run records the parse rate of the invocation that made it: rows from invocations on a
    # slower or busier machine are then visible as such in the report.
    here = parse_rate(featurize_smiles)
    if "runs" in args.remeasure and results["runs"]:
        results["superseded_runs"] = results.get("superseded_runs", []) + [
            {"command": results.get("command"), "runs": results["runs"]}]
        results["runs"] = []
        results["command"] = " ".join(sys.argv)
    if ("featurization" in args.remeasure or "featurization" not in results
            or results.get("featurize_molecules") != len(featurize_smiles)):
        results["featurize_molecules"] = len(featurize_smiles)
        results["featurization"] = featurization_rates(featurize_smiles, here)
        results["featurization_command"] = " ".join(sys.argv)
    results.setdefault("command", " ".join(sys.argv))
    tools = {"GATERegressor": [sys.executable, str(Path(__file__).resolve())]}
    if args.chemprop_python:
        tools["chemprop"] = [args.chemprop_python, str(CHEMPROP_WORKER)]
    with tempfile.TemporaryDirectory(prefix="throughput_") as scratch:
        for n in args.sizes:
            data = Path(scratch) / f"molecules_{n}.csv"
            frame.iloc[:n].to_csv(data, index=False)
            for tool, command in tools.items():
                done = any(r["n"] == n and r["tool"] == tool and r["epochs"] == args.epochs for r in results["runs"])
                if done:
                    continue
                option = ["--worker", str(data)] if tool == "GATERegressor" else [str(data)]
                run = {"tool": tool, "parse_rate": here, **run_process([*command, *option, "--epochs", str(args.epochs)])}
                results["runs"].append(run)
                print(json.dumps(run), flush=True)
                harness.write_results(args.results_name, report(results, args), results)
        for n in args.memory_sizes:
            data = Path(scratch) / f"molecules_{n}.csv"
            frame.iloc[:n].to_csv(data, index=False)
            for mode in args.memory_modes:
                if any(r["n"] == n and r["mode"] == mode for r in results["memory_runs"]):
                    continue
                command = [*tools["GATERegressor"], "--worker", str(data), "--epochs", "1", "--no-predict"]
                run = {"mode": mode, "parse_rate": here, **run_process(command + (["--per-batch"] if mode == "per_batch" else []))}
                results["memory_runs"].append(run)
                print(json.dumps(run), flush=True)
                harness.write_results(args.results_name, report(results, args), results)
        for n in args.parallel_sizes:
            data = Path(scratch) / f"molecules_{n}.csv"
            frame.iloc[:n].to_csv(data, index=False)
            worker = ["--worker", str(data), "--epochs", str(args.epochs), "--no-predict"]
            launches = {1: tools["GATERegressor"] + worker,
                        2: [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
                            str(Path(__file__).resolve()), *worker, "--distributed"]}  # fmt: skip
            for processes, command in launches.items():
                if any(r["n"] == n and r["processes"] == processes for r in results.setdefault("parallel_runs", [])):
                    continue
                # Two processes of one thread each on two cores: set before torch starts in them.
                env = {"OMP_NUM_THREADS": "1"} if processes > 1 else {}
                run = {"processes": processes, "parse_rate": here, **run_process(command, env)}
                results["parallel_runs"].append(run)
                print(json.dumps(run), flush=True)
                harness.write_results(args.results_name, report(results, args), results)
    text = report(results, args)
    harness.write_results(args.results_name, text, results)
    print(text)


if __name__ == "__main__":
    main()
