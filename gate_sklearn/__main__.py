"""The quick-start job: ``python -m gate_sklearn`` runs on bundled real data, no arguments needed.

It loads the pre-trained model shipped with the package (``moses-physchem``:
physical properties and RDKit descriptors of 67,000 molecules, none of them in
the sets below), adds each bundled data set to it as a new task with
``add_task`` (ESOL solubility, FreeSolv hydration free energy, Lipophilicity
logD; 20 % of each held out for testing, at most 800 of the rest to train, at
most 30 epochs each: a few minutes on 2 cores), and prints each task's test
RMSE next to a trivial baseline, with the time each addition took. It exits
with status 1 if an addition changed a pre-trained prediction.
"""

import argparse
import time

import numpy as np


def bundled_sets():
    """The three bundled sets as ``{task name: (SMILES, values)}``."""
    from gate_sklearn.datasets import load_esol, load_freesolv, load_lipophilicity

    return {
        "logSolubility": tuple(load_esol(return_X_y=True)),
        "hydration_free_energy": tuple(load_freesolv(return_X_y=True)),
        "logD": tuple(load_lipophilicity(return_X_y=True)),
    }


def main(argv=None):
    """Add the bundled sets to the shipped pre-trained model and print their test RMSE."""
    parser = argparse.ArgumentParser(
        prog="python -m gate_sklearn",
        description="Add the bundled ESOL, FreeSolv and Lipophilicity sets to the shipped pre-trained model.",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed of the splits and the additions")
    parser.add_argument("--max-iter", type=int, default=30, help="epochs per addition at most (default 30)")
    parser.add_argument("--max-labels", type=int, default=800, help="training labels per set at most (default 800)")
    parser.add_argument("--pretrained", default="moses-physchem", help="shipped model to start from")
    args = parser.parse_args(argv)

    from sklearn.model_selection import train_test_split

    from gate_sklearn import pretrained
    from gate_sklearn.metrics import nan_root_mean_squared_error

    start = time.perf_counter()
    model = pretrained.load(args.pretrained, device="cpu")
    card = pretrained.model_card(args.pretrained)
    print(f"Loaded {args.pretrained} in {time.perf_counter() - start:.1f} s: {len(model.tasks_)} tasks pre-trained "
          f"on {card['corpus']['molecules']:,} molecules")
    pretrained_tasks, check = list(model.tasks_), card["reference_predictions"]["smiles"]
    before = model.predict(check)
    options = {"max_iter": args.max_iter}
    print("Test RMSE (20 % held out)     add_task  training-mean baseline  labels  time  start")
    for task, (smiles, values) in bundled_sets().items():
        X_train, X_test, y_train, y_test = train_test_split(smiles, values, test_size=0.2, random_state=args.seed)
        X_train, y_train = X_train[: args.max_labels], y_train[: args.max_labels]  # already in random order
        start = time.perf_counter()
        model.add_task(X_train, np.asarray(y_train, float), name=task, random_state=args.seed, **options)
        elapsed = time.perf_counter() - start
        rmse = nan_root_mean_squared_error(np.asarray(y_test, float), model.predict(X_test, tasks=task))
        baseline = nan_root_mean_squared_error(np.asarray(y_test, float), np.full(len(y_test), np.mean(y_train)))
        added = model.added_tasks_[-1]
        chosen = added["chart_init"] + (f" ({added['initialised_from']})" if added.get("initialised_from") else "")
        print(f"  {task:<28} {rmse:8.3f}  {baseline:22.3f}  {len(X_train):6d}  {elapsed:3.0f} s  {chosen}")
    unchanged = np.array_equal(model.predict(check, tasks=pretrained_tasks), before)
    print(f"The model now predicts {len(model.tasks_)} tasks; the pre-trained ones are "
          f"{'unchanged (bit for bit)' if unchanged else 'CHANGED, which is a bug: please report it'}.")
    return 0 if unchanged else 1


if __name__ == "__main__":
    raise SystemExit(main())
