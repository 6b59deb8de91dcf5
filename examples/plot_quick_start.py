"""
Quick start: a first model on a bundled data set
================================================

Fit :class:`~gate_sklearn.GATERegressor` on aqueous solubility (ESOL, 1,128
molecules), predict held-out molecules, and compare with the measurements.
"""

# %%
# Load the data: SMILES strings in, measurements out.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import train_test_split

from gate_sklearn import GATERegressor
from gate_sklearn.datasets import load_esol

X, y = load_esol(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
print(f"{len(X_train)} training and {len(X_test)} test molecules, e.g. {X.iloc[0]} -> {y.iloc[0]} log(mol/L)")

# %%
# Fit. The defaults (a 300-wide D-MPNN, 100 epochs) take a few minutes on a
# laptop; a smaller network is enough to see the workflow. With fewer than
# 10,000 molecules the default ``early_stopping="auto"`` trains every epoch on
# every row, so there is no validation score, only the training loss.
model = GATERegressor(hidden_size=64, max_iter=30, random_state=0)
model.fit(X_train, y_train)
print(f"{model.n_iter_} epochs, training loss {model.loss_curve_[0]:.3f} -> {model.loss_curve_[-1]:.3f}")

# %%
# Predict and score. ``score`` is R^2; the prediction has the shape of ``y``.
y_pred = model.predict(X_test)
rmse = np.sqrt(np.mean((y_pred - y_test) ** 2))
print(f"test R^2 {model.score(X_test, y_test):.2f}, RMSE {rmse:.2f} log(mol/L)")

fig, ax = plt.subplots(figsize=(4.5, 4.5))
ax.scatter(y_test, y_pred, s=10, alpha=0.6)
lims = [min(y_test.min(), y_pred.min()), max(y_test.max(), y_pred.max())]
ax.plot(lims, lims, color="gray", lw=1)
ax.set(xlabel="measured log S", ylabel="predicted log S", title=f"ESOL test set, RMSE {rmse:.2f}")
fig.tight_layout()

# %%
# Predicting new molecules needs nothing but their SMILES.
print(model.predict(["CCO", "c1ccccc1", "CC(=O)Oc1ccccc1C(=O)O"]))
