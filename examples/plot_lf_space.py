"""
The locally flat space, visualised
==================================

Every task has its own latent chart; GATE maps each chart into one shared,
locally flat (LF) space and trains the charts to agree on where a molecule
lands there. :meth:`~gate_sklearn.GATERegressor.transform` returns those LF
coordinates: a learned molecular fingerprint. Projected to two dimensions and
coloured by each property, it shows how the space orders molecules by what the
model learned.
"""

# %%
import matplotlib.pyplot as plt
import pandas as pd
from sklearn.decomposition import PCA

from gate_sklearn import GATERegressor
from gate_sklearn.datasets import load_esol, load_lipophilicity

parts = [
    load_esol().frame[["smiles", "logSolubility"]],
    load_lipophilicity().frame[["smiles", "lipo"]].iloc[:1200].rename(columns={"lipo": "logD"}),
]
table = pd.concat(parts, ignore_index=True).groupby("smiles", sort=False).first().reset_index()
model = GATERegressor(hidden_size=64, latent_dim=16, max_iter=25, random_state=0)
model.fit(table.smiles, table[["logSolubility", "logD"]])

# %%
# ``transform`` gives (n_molecules, latent_dim) coordinates; PCA keeps two.
lf = model.transform(table.smiles)
xy = PCA(n_components=2, random_state=0).fit_transform(lf)
print(lf.shape)

fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), sharex=True, sharey=True)
for ax, task in zip(axes, ["logSolubility", "logD"]):
    measured = table[task].notna().to_numpy()
    ax.scatter(xy[~measured, 0], xy[~measured, 1], s=4, color="lightgray", label="not measured")
    points = ax.scatter(xy[measured, 0], xy[measured, 1], s=6, c=table.loc[measured, task], cmap="viridis")
    fig.colorbar(points, ax=ax, label=task)
    ax.set(title=f"LF space coloured by {task}", xlabel="PC 1")
    ax.legend(loc="lower right", fontsize=8)
axes[0].set_ylabel("PC 2")
fig.tight_layout()

# %%
# The LF coordinates work as features for any other estimator, e.g. a ridge
# regression of solubility on them.
from sklearn.linear_model import RidgeCV  # noqa: E402
from sklearn.model_selection import cross_val_score  # noqa: E402

measured = table.logSolubility.notna().to_numpy()
scores = cross_val_score(RidgeCV(), lf[measured], table.logSolubility[measured], cv=5)
print(f"ridge on LF coordinates, cross-validated R^2: {scores.mean():.2f} (in-sample features: optimistic)")
