"""Featurization throughput against RDKit's own SMILES parse rate, measured in one run.

Usage::

    python benchmarks/featurize.py            # 100,000 SMILES
    python benchmarks/featurize.py --n 20000  # quicker

The molecules are the bundled real data sets (Lipophilicity, ESOL, FreeSolv),
cycled to the requested count. No result is cached between the steps: every
rate includes parsing the SMILES from text. Prints a table and writes it to
``benchmarks/results/featurize/featurize.md`` (and ``.json``).
"""

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
from rdkit import Chem, rdBase

import gate_sklearn
from gate_sklearn.datasets import load_esol, load_freesolv, load_lipophilicity
from gate_sklearn.featurize import MorganFingerprint, smiles_to_graphs


sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402  (result files)

def real_smiles(n):
    pool = []
    for loader in (load_lipophilicity, load_esol, load_freesolv):
        pool.extend(loader().frame["smiles"].tolist())
    reps = -(-n // len(pool))
    return (pool * reps)[:n]


def best_rate(func, n_items, repeats):
    """Items per second of the fastest of ``repeats`` runs (the least disturbed by other load)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return n_items / min(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000, help="number of SMILES (default 100000)")
    parser.add_argument("--repeats", type=int, default=2, help="runs per measurement; the best counts")
    args = parser.parse_args()

    smiles = real_smiles(args.n)
    n_atoms = np.mean([Chem.MolFromSmiles(s).GetNumAtoms() for s in smiles[:5000]])

    def rdkit_parse():
        with rdBase.BlockLogs():
            for s in smiles:
                Chem.MolFromSmiles(s)

    rates = {"RDKit MolFromSmiles (reference)": best_rate(rdkit_parse, len(smiles), args.repeats)}
    rates["graph featurizer, n_jobs=1"] = best_rate(lambda: smiles_to_graphs(smiles), len(smiles), args.repeats)
    rates["graph featurizer, n_jobs=2"] = best_rate(
        lambda: smiles_to_graphs(smiles, n_jobs=2), len(smiles), args.repeats
    )
    rates["Morgan counts (r=2, 2048), n_jobs=1"] = best_rate(
        lambda: MorganFingerprint().transform(smiles), len(smiles), args.repeats
    )
    rates["Morgan counts (r=2, 2048), n_jobs=2"] = best_rate(
        lambda: MorganFingerprint(n_jobs=2).transform(smiles), len(smiles), args.repeats
    )

    parse_rate = rates["RDKit MolFromSmiles (reference)"]
    lines = [
        "# Featurization throughput",
        "",
        f"{len(smiles):,} real SMILES (Lipophilicity + ESOL + FreeSolv, cycled; {n_atoms:.1f} heavy atoms on average), "
        f"best of {args.repeats} runs, {os.cpu_count()} CPU cores, Python {platform.python_version()}, "
        f"RDKit {rdBase.rdkitVersion}, gate_sklearn {gate_sklearn.__version__}.",
        "Every rate includes parsing the SMILES; the ratio is the rate over RDKit's bare parse rate.",
        "",
        "| step | molecules / s | ratio to RDKit parse |",
        "|---|---:|---:|",
    ]
    for name, rate in rates.items():
        lines.append(f"| {name} | {rate:,.0f} | {rate / parse_rate:.2f} |")
    lines += ["", "Command: `python benchmarks/featurize.py" + (f" --n {args.n}" if args.n != 100_000 else "") + "`"]
    report = "\n".join(lines)
    print(report)
    harness.result_path("featurize", ".md").write_text(report + "\n")
    harness.result_path("featurize", ".json").write_text(
        json.dumps({"n_smiles": len(smiles), "rates_per_s": rates, "ratio_to_parse": {
            k: v / parse_rate for k, v in rates.items()}}, indent=2) + "\n"
    )


if __name__ == "__main__":
    main()
