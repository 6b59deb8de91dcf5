"""
Task addition against the usual alternatives
============================================

Pre-train a multitask GATE model on two abundant properties (solubility and
lipophilicity, 2,600 molecules), then add a scarce one, hydration free energy
(FreeSolv, 642 molecules), with :meth:`~gate_sklearn.GATERegressor.add_task`:
only the new property's modules are trained, aligned to the charts the model
already learned. Compare with a single-task model and a random forest on
Morgan fingerprints, on the same split.

The networks here are small and short-trained; ``benchmarks/task_addition.py``
runs the full comparison on physical properties.
"""

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestRegressor
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from gate_sklearn import GATERegressor
from gate_sklearn.datasets import load_esol, load_freesolv, load_lipophilicity
from gate_sklearn.featurize import MorganFingerprint

freesolv = load_freesolv().frame
X_train, X_test, y_train, y_test = train_test_split(
    freesolv.smiles, freesolv.expt.rename("hydration"), test_size=0.2, random_state=0
)
# The sources never see a test molecule of the target.
sources = pd.concat(
    [
        load_esol().frame[["smiles", "logSolubility"]],
        load_lipophilicity().frame[["smiles", "lipo"]].iloc[:1500],
    ],
    ignore_index=True,
)
sources = sources[~sources.smiles.isin(set(X_test))]

# %%
# Pre-train once on the abundant properties.
small = dict(hidden_size=64, random_state=0)
pretrained = GATERegressor(max_iter=25, **small).fit(sources.smiles, sources[["logSolubility", "lipo"]])

# %%
# Three ways to learn the scarce property.
results, predictions = {}, {}


def run(name, fit_predict):
    start = time.perf_counter()
    predictions[name] = fit_predict()
    rmse = np.sqrt(np.mean((predictions[name] - y_test.to_numpy()) ** 2))
    results[name] = {"RMSE (kcal/mol)": rmse, "fit + predict (s)": time.perf_counter() - start}


run("task addition", lambda: pretrained.add_task(X_train, y_train, max_iter=40).predict(X_test, tasks="hydration"))
run("single-task GATE", lambda: GATERegressor(max_iter=40, **small).fit(X_train, y_train).predict(X_test))
forest = make_pipeline(MorganFingerprint(), RandomForestRegressor(n_estimators=200, random_state=0, n_jobs=-1))
run("random forest (Morgan)", lambda: forest.fit(X_train, y_train).predict(X_test))
print(pd.DataFrame(results).T.round(2))

# %%
# The source tasks are untouched by the addition: the model now predicts all three.
# How the new task started was chosen on its own labels (``chart_init="auto"``, the
# default): a copy of the source task whose predictions correlate best with them, fresh
# modules, or that copy on a fine-tuned copy of the embedding, each scored by
# cross-fitting; ``added_tasks_`` records the scores and the choice.
print(pretrained.tasks_)
start = pretrained.added_tasks_[-1]
print(f"start: {start['chart_init']}, copied from: {start['initialised_from']}")
print("validation RMSE (standardised) per start:", start["selection"]["scores"])

# %%
# Parity plots on the test molecules.
fig, axes = plt.subplots(1, 3, figsize=(10, 3.5), sharex=True, sharey=True)
lims = [y_test.min() - 1, y_test.max() + 1]
for ax, (name, pred) in zip(axes, predictions.items()):
    ax.scatter(y_test, pred, s=10, alpha=0.6)
    ax.plot(lims, lims, color="gray", lw=1)
    ax.set(title=f"{name}\nRMSE {results[name]['RMSE (kcal/mol)']:.2f}", xlabel="measured")
axes[0].set_ylabel("predicted")
fig.tight_layout()
