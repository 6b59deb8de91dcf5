"""One chemprop 2.x fit and prediction for ``throughput.py``, run in chemprop's own environment.

It imports chemprop and its dependencies only (not gate_sklearn), so it runs under the Python of a
separate chemprop installation. The network mirrors chemprop's command-line defaults, which are
also GATERegressor's sizes: bond message passing with hidden size 300 and depth 3, norm
aggregation, one feed-forward hidden layer of 300, batch 64, featurized graphs cached before the
first epoch, targets standardised. Prints one JSON line of timings.

Usage::

    python throughput_chemprop_worker.py data.csv --epochs 2
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd


def peak_rss_mib():
    """This process's peak resident set so far, in MiB (Linux).

    Read from ``/proc/self/status`` (VmHWM), which starts afresh at ``exec``; ``ru_maxrss`` does not:
    a child started from a large parent would report the parent's size.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024  # kB
    raise RuntimeError("no VmHWM in /proc/self/status: peak memory is measured on Linux only")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", help="CSV with columns smiles, y")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    import torch
    from chemprop import data, featurizers, models, nn
    from lightning import pytorch as pl

    imported_mib = peak_rss_mib()
    frame = pd.read_csv(args.data)
    smiles, y = frame.smiles.tolist(), frame[["y"]].to_numpy(float)
    torch.manual_seed(args.seed)
    featurizer = featurizers.SimpleMoleculeMolGraphFeaturizer()

    start = time.perf_counter()
    points = [data.MoleculeDatapoint.from_smi(s, target) for s, target in zip(smiles, y)]
    dataset = data.MoleculeDataset(points, featurizer)
    dataset.cache = True  # chemprop's command line caches the graphs too (unless --no-cache)
    scaler = dataset.normalize_targets()
    loader = data.build_dataloader(dataset, batch_size=64, num_workers=0, seed=args.seed)
    message_passing = nn.BondMessagePassing(d_h=300, depth=3)
    head = nn.RegressionFFN(input_dim=message_passing.output_dim, hidden_dim=300, n_layers=1,
                            output_transform=nn.UnscaleTransform.from_standard_scaler(scaler))  # fmt: skip
    model = models.MPNN(message_passing, nn.NormAggregation(), head, batch_norm=False)
    trainer = pl.Trainer(
        accelerator="cpu", devices=1, max_epochs=args.epochs, logger=False, enable_checkpointing=False,
        enable_progress_bar=False, enable_model_summary=False,
    )  # fmt: skip
    trainer.fit(model, loader)
    fit_s = time.perf_counter() - start

    start = time.perf_counter()
    test = data.MoleculeDataset([data.MoleculeDatapoint.from_smi(s) for s in smiles], featurizer)
    batches = trainer.predict(model, data.build_dataloader(test, batch_size=256, num_workers=0, shuffle=False))
    prediction = torch.cat(batches).numpy().ravel()
    predict_s = time.perf_counter() - start

    print(json.dumps({
        "fit_s": fit_s, "predict_s": predict_s, "epochs": args.epochs, "n": len(smiles),
        "train_rmse": float(np.sqrt(np.mean((prediction - y.ravel()) ** 2))),
        "rss_after_imports_mib": imported_mib, "peak_rss_mib": peak_rss_mib(), "torch_threads": torch.get_num_threads(),
        "versions": {"chemprop": __import__("chemprop").__version__, "torch": torch.__version__},
    }))  # fmt: skip


if __name__ == "__main__":
    main()
