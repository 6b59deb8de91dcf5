"""
Multitask fitting with missing labels
=====================================

Three bundled data sets measure three properties on (almost) disjoint sets of
molecules. Put them in one target table, NaN where a property was not
measured, and fit one model on all of them: every loss term is masked, so the
missing values are simply not used.
"""

# %%
import matplotlib.pyplot as plt
import pandas as pd
from sklearn.model_selection import train_test_split

from gate_sklearn import GATERegressor
from gate_sklearn.datasets import load_esol, load_freesolv, load_lipophilicity
from gate_sklearn.metrics import nan_root_mean_squared_error

parts = [
    load_esol().frame[["smiles", "logSolubility"]],
    load_freesolv().frame[["smiles", "expt"]].rename(columns={"expt": "hydration"}),
    load_lipophilicity().frame[["smiles", "lipo"]].iloc[:1500].rename(columns={"lipo": "logD"}),
]
table = pd.concat(parts, ignore_index=True).groupby("smiles", sort=False).first().reset_index()
X, y = table.smiles, table.drop(columns="smiles")
print(f"{len(X)} molecules; share of the target table that is NaN: {y.isna().to_numpy().mean():.0%}")
print(y.notna().sum().rename("measured").to_frame().T)

# %%
# Task names come from the DataFrame's columns.
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
model = GATERegressor(hidden_size=64, max_iter=25, random_state=0).fit(X_train, y_train)
print("tasks:", model.tasks_)

# %%
# NaN-aware metrics skip the holes: each task is scored on its own molecules.
rmse = nan_root_mean_squared_error(y_test.to_numpy(), model.predict(X_test), multioutput="raw_values")
print(pd.Series(rmse, index=model.tasks_, name="test RMSE").round(3))

# %%
# Every loss term is logged per epoch: regression and the four alignment terms.
fig, ax = plt.subplots(figsize=(6, 3.5))
for name in ("regression", "autoencoder", "consistency", "mapping", "distance"):
    ax.plot(model.loss_terms_[f"train_{name}"], label=name)
ax.set(xlabel="epoch", ylabel="unweighted term", yscale="log", title="Loss terms during training")
ax.legend(fontsize=8)
fig.tight_layout()
