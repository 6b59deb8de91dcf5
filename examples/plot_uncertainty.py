"""
Uncertainty from the spread over charts
=======================================

``predict(X, return_std=True)`` reads each task through the other tasks'
charts as well as its own (``g_t(G_t(u_k))`` for every other task ``k``) and
returns the spread of those readings. It costs one forward pass and needs a
model with at least two tasks. How well does it rank the errors, next to the
usual (and three times dearer) alternative, the spread of an ensemble of
models trained with different seeds?
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy.stats import spearmanr
from sklearn.model_selection import train_test_split

from gate_sklearn import GATERegressor
from gate_sklearn.datasets import load_esol, load_freesolv, load_lipophilicity

parts = [
    load_esol().frame[["smiles", "logSolubility"]],
    load_freesolv().frame[["smiles", "expt"]].rename(columns={"expt": "hydration"}),
    load_lipophilicity().frame[["smiles", "lipo"]].iloc[:600].rename(columns={"lipo": "logD"}),
]
table = pd.concat(parts, ignore_index=True).groupby("smiles", sort=False).first().reset_index()
X_train, X_test, y_train, y_test = train_test_split(
    table.smiles, table.drop(columns="smiles"), test_size=0.25, random_state=0
)
models = [GATERegressor(hidden_size=64, max_iter=20, random_state=seed).fit(X_train, y_train) for seed in range(3)]

# %%
# The chart spread of the first model, and the ensemble's spread over three.
mean, chart_std = models[0].predict(X_test, return_std=True)
ensemble = np.stack([m.predict(X_test) for m in models])
ensemble_std = ensemble.std(axis=0)

rows = []
for k, task in enumerate(models[0].tasks_):
    measured = y_test[task].notna().to_numpy()
    error = np.abs(mean[measured, k] - y_test[task].to_numpy()[measured])
    rows.append(
        {
            "task": task,
            "test molecules": int(measured.sum()),
            "Spearman(chart spread, error)": spearmanr(chart_std[measured, k], error).statistic,
            "Spearman(ensemble spread, error)": spearmanr(ensemble_std[measured, k], error).statistic,
        }
    )
print(pd.DataFrame(rows).round(2).to_string(index=False))

# %%
# Mean absolute error of hydration free energy by quarter of each spread: a
# useful estimate puts the large errors in the top quarter.
k = models[0].tasks_.index("hydration")
measured = y_test["hydration"].notna().to_numpy()
error = np.abs(mean[measured, k] - y_test["hydration"].to_numpy()[measured])
fig, ax = plt.subplots(figsize=(5.5, 3.6))
for offset, (name, spread) in enumerate([("chart spread", chart_std), ("ensemble spread", ensemble_std)]):
    spread = spread[measured, k]
    quarter = np.clip(np.digitize(spread, np.quantile(spread, [0.25, 0.5, 0.75])), 0, 3)
    ax.bar(np.arange(4) + 0.4 * offset, [error[quarter == q].mean() for q in range(4)], width=0.4, label=name)
ax.set(xticks=np.arange(4) + 0.2, xticklabels=["lowest", "2nd", "3rd", "highest"], xlabel="quarter of spread",
       ylabel="mean absolute error (kcal/mol)", title="Hydration free energy")  # fmt: skip
ax.legend()
fig.tight_layout()

# %%
# On these data sets both signals are weak (see the rank correlations printed
# above): the chart spread costs one training, the ensemble's spread three, and
# neither is a reliable error bar here. Use the chart spread to order molecules
# for a second look; train an ensemble when the ranking matters.
