"""Prediction at scale: throughput and peak memory of ``predict`` on up to a million SMILES.

Usage::

    python benchmarks/predict_scale.py           # 10k, 100k and 1M SMILES (about 9 minutes on 2 cores)
    python benchmarks/predict_scale.py --quick   # 5k and 20k SMILES (about 2 minutes)

The molecules are real: every molecule of ``load_physprop()`` (20,695) written
as many different random SMILES as needed (RDKit's ``MolToRandomSmilesVect``,
seeded), so the strings are distinct, valid and of realistic size. The models
have the default architecture (D-MPNN, hidden size 300, depth 3, latent 64;
and the same with ``featurizer="morgan"``), fitted for one epoch: throughput
does not depend on the weights. The largest size runs with the graph model and
the most workers (memory against size); the middle one also with one worker
and with the Morgan model. The network's own rate (on graphs featurized
beforehand) is measured too: it bounds what featurization speed-ups can give.

Each size is predicted in a fresh process, which reports its wall time and the
peak resident memory *added* by ``predict`` (the peak is reset just before the
call through ``/proc/self/clear_refs``; the input list is already in memory
then). The reference rate is RDKit's bare ``MolFromSmiles`` over the same
strings, single process, measured in the same run. Writes
``benchmarks/results/predict_scale/predict_scale.md`` and ``.json`` (``*_quick.*`` with
``--quick``).
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import joblib
import numpy as np
from rdkit import Chem, rdBase


sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # noqa: E402  (result files)

def random_smiles(n, seed=0):
    """``n`` distinct SMILES: each physprop molecule written as random SMILES, round-robin."""
    from gate_sklearn.datasets import load_physprop

    pool = load_physprop().frame.smiles.tolist()
    per_molecule = -(-n // len(pool))
    variants = [Chem.MolToRandomSmilesVect(Chem.MolFromSmiles(s), per_molecule, randomSeed=seed) for s in pool]
    # Round-robin, so any prefix of the list covers the chemistry evenly.
    return [v[k] for k in range(per_molecule) for v in variants if k < len(v)][:n], pool


def rdkit_parse_rate(smiles):
    with rdBase.BlockLogs():
        start = time.perf_counter()
        for s in smiles:
            Chem.MolFromSmiles(s)
        return len(smiles) / (time.perf_counter() - start)


def _rss_kib(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def worker(model_path, smiles_path, n, n_jobs):
    """Predict the first ``n`` SMILES of the file in this process; print one JSON line."""
    import torch

    model = joblib.load(model_path)
    model.set_params(n_jobs=n_jobs)
    with open(smiles_path) as handle:
        smiles = [next(handle).rstrip("\n") for _ in range(n)]
    model.predict(smiles[:100])  # warm-up: lazy imports, first allocations
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")  # reset the peak resident set size (VmHWM) to the current one
    before = _rss_kib("VmRSS")
    samples, done = [], threading.Event()

    def sample():  # resident memory every 20 ms, to see whether it trends up over the run
        while not done.wait(0.02):
            samples.append(_rss_kib("VmRSS"))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start = time.perf_counter()
    pred = model.predict(smiles)
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    peak = _rss_kib("VmHWM")
    tenth = max(1, len(samples) // 10)
    record = {
        "n": n,
        "featurizer": model.featurizer,
        "n_jobs": n_jobs,
        "seconds": seconds,
        "rate": n / seconds,
        "rss_before_mib": before / 1024,
        "peak_added_mib": (peak - before) / 1024,
        # Highest resident memory (above `before`) in the first and in the last tenth of the run.
        "first_tenth_mib": (max(samples[:tenth], default=before) - before) / 1024,
        "last_tenth_mib": (max(samples[-tenth:], default=before) - before) / 1024,
        "output_mib": pred.nbytes / 2**20,
        "finite": int(np.isfinite(pred).sum()),
        "torch_threads": torch.get_num_threads(),
    }
    print(json.dumps(record))


def run_worker(model_path, smiles_path, n, n_jobs):
    command = [sys.executable, __file__, "--worker", model_path, smiles_path, str(n), str(n_jobs)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"worker for n={n} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def network_rate(model, smiles):
    """Molecules per second of the forward pass alone, on graphs featurized beforehand."""
    from gate_sklearn.featurize import smiles_to_graphs

    graphs, _ = smiles_to_graphs(smiles)
    harness.network_outputs(model, graphs, lambda outputs: outputs["y"])  # warm-up
    start = time.perf_counter()
    harness.network_outputs(model, graphs, lambda outputs: outputs["y"])
    return len(graphs) / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--n-jobs", type=int, nargs="+", default=[1, 2], help="featurization workers to compare")
    parser.add_argument("--quick", action="store_true", help="5k and 20k SMILES")
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        model_path, smiles_path, n, n_jobs = args.worker
        return worker(model_path, smiles_path, int(n), int(n_jobs))
    sizes = [5_000, 20_000] if args.quick else sorted(args.sizes)
    started = time.perf_counter()

    from gate_sklearn import GATERegressor, __version__

    smiles, pool = random_smiles(max(sizes))
    print(f"{len(smiles):,} SMILES generated from {len(pool):,} molecules in {time.perf_counter() - started:.0f} s")
    n_reference = min(len(smiles), 200_000)
    parse_rate = rdkit_parse_rate(smiles[:n_reference])
    print(f"RDKit MolFromSmiles: {parse_rate:,.0f} molecules/s over {n_reference:,} SMILES")

    y = np.random.default_rng(0).normal(size=500)
    settings = dict(max_iter=1, early_stopping=False, random_state=0)
    models = {f: GATERegressor(featurizer=f, **settings).fit(pool[:500], y) for f in ("graph", "morgan")}
    forward_rate = network_rate(models["graph"], smiles[:n_reference // 10])
    print(f"D-MPNN forward pass alone: {forward_rate:,.0f} molecules/s")
    most = max(args.n_jobs)
    middle = sizes[len(sizes) // 2]  # 100,000 by default (20,000 with --quick)
    plan = [("graph", n, most) for n in sizes]
    plan += [("graph", middle, j) for j in args.n_jobs if j != most] + [("morgan", middle, j) for j in args.n_jobs]

    records = []
    with tempfile.TemporaryDirectory() as tmp:
        smiles_path = os.path.join(tmp, "smiles.txt")
        with open(smiles_path, "w") as handle:
            handle.write("\n".join(smiles) + "\n")
        del smiles
        for featurizer, model in models.items():
            joblib.dump(model, os.path.join(tmp, f"{featurizer}.joblib"))
        for featurizer, n, n_jobs in plan:
            record = run_worker(os.path.join(tmp, f"{featurizer}.joblib"), smiles_path, n, n_jobs)
            record["ratio_to_parse"] = record["rate"] / parse_rate
            records.append(record)
            print(
                f"{featurizer:6s} n={n:>9,} n_jobs={n_jobs}: {record['seconds']:7.1f} s, {record['rate']:6,.0f} "
                f"molecules/s ({record['ratio_to_parse']:.2f} x RDKit parse), "
                f"peak memory added {record['peak_added_mib']:.0f} MiB"
            )
    total = time.perf_counter() - started
    write_results(records, parse_rate, forward_rate, n_reference, len(pool), total, __version__, args.quick)


def write_results(records, parse_rate, forward_rate, n_reference, n_pool, total, version, quick):
    scaling = [r for r in records if r["featurizer"] == "graph" and r["n_jobs"] == records[0]["n_jobs"]]
    best = max((r for r in records if r["featurizer"] == "graph"), key=lambda r: r["rate"])
    lines = [
        "# Prediction at scale",
        "",
        f"Real molecules ({n_pool:,} from `load_physprop()`) written as distinct random SMILES; default architecture "
        f"(hidden 300, depth 3, latent 64), one task. {os.cpu_count()} CPU cores, Python {platform.python_version()}, "
        f"RDKit {rdBase.rdkitVersion}, gate_sklearn {version}. Each row is a fresh process; *peak added* is the peak "
        "resident memory during `predict` above the memory held before it (model and input SMILES included there).",
        "",
        f"Reference: RDKit `MolFromSmiles`, one process, {n_reference:,} of the same SMILES: "
        f"**{parse_rate:,.0f} molecules/s**. The D-MPNN forward pass alone (graphs featurized beforehand, "
        f"{n_reference // 10:,} molecules): {forward_rate:,.0f} molecules/s ({forward_rate / parse_rate:.2f} x parse).",
        "",
        "| model | SMILES | n_jobs | seconds | molecules / s | ratio to RDKit parse | memory before (MiB) "
        "| peak added (MiB) | added, first / last tenth of the run (MiB) | output (MiB) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in records:
        lines.append(
            f"| {r['featurizer']} | {r['n']:,} | {r['n_jobs']} | {r['seconds']:.1f} | {r['rate']:,.0f} "
            f"| {r['ratio_to_parse']:.2f} | {r['rss_before_mib']:.0f} | {r['peak_added_mib']:.0f} "
            f"| {r['first_tenth_mib']:.0f} / {r['last_tenth_mib']:.0f} | {r['output_mib']:.1f} |"
        )
    lines += [
        "",
        f"Peak memory added by `predict` (graph model, n_jobs={scaling[0]['n_jobs']}) from {scaling[0]['n']:,} to "
        f"{scaling[-1]['n']:,} SMILES: {scaling[0]['peak_added_mib']:.0f} -> {scaling[-1]['peak_added_mib']:.0f} MiB; "
        f"over the largest run, {scaling[-1]['first_tenth_mib']:.0f} MiB at most in its first tenth and "
        f"{scaling[-1]['last_tenth_mib']:.0f} MiB in its last (a trend up would mean memory grows with the input). "
        f"Best graph-model throughput: {best['rate']:,.0f} molecules/s (n_jobs={best['n_jobs']}), "
        f"{best['ratio_to_parse']:.2f} x RDKit's parse rate (target: at least 0.5).",
        "",
        f"Run time {total / 60:.1f} min. Command: `python benchmarks/predict_scale.py{' --quick' if quick else ''}`",
    ]
    text = "\n".join(lines) + "\n"
    print("\n" + text)
    stem = "predict_scale_quick" if quick else "predict_scale"
    harness.result_path(f"{stem}", ".md").write_text(text)
    payload = {"parse_rate": parse_rate, "forward_rate": forward_rate, "records": records, "minutes": total / 60}
    harness.result_path(f"{stem}", ".json").write_text(json.dumps(payload, indent=1))


if __name__ == "__main__":
    main()
