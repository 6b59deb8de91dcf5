"""
Pipelines, grid search and cross-validation
===========================================

:class:`~gate_sklearn.GATERegressor` is a scikit-learn estimator: it goes in a
:class:`~sklearn.pipeline.Pipeline`, is cloned by
:class:`~sklearn.model_selection.GridSearchCV` and scored by
:func:`~sklearn.model_selection.cross_val_score`. Here it learns from Morgan
fingerprints computed by a transformer in front of it
(``featurizer="precomputed"``), and the search tunes the mapping weight.
"""

# %%
import matplotlib.pyplot as plt
import pandas as pd
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline

from gate_sklearn import GATERegressor
from gate_sklearn.datasets import load_esol
from gate_sklearn.featurize import MorganFingerprint

frame = load_esol().frame.iloc[:500]
X = frame.smiles
# Two related targets, so that the alignment terms have something to align.
y = pd.DataFrame({"logS": frame.logSolubility, "smiles_length_per_10": frame.smiles.str.len() / 10.0})

pipeline = make_pipeline(
    MorganFingerprint(fp_size=1024),
    GATERegressor(featurizer="precomputed", hidden_size=64, max_iter=20, random_state=0),
)
search = GridSearchCV(
    pipeline,
    {"gateregressor__mapping_weight": [0.0, 0.1, 0.5]},
    cv=KFold(3, shuffle=True, random_state=0),
)
search.fit(X, y)
print("best:", search.best_params_, f"R^2 {search.best_score_:.3f}")

# %%
results = pd.DataFrame(search.cv_results_)
fig, ax = plt.subplots(figsize=(4.5, 3.5))
ax.errorbar(
    results["param_gateregressor__mapping_weight"].astype(float),
    results["mean_test_score"],
    yerr=results["std_test_score"],
    marker="o",
)
ax.set(xlabel="mapping_weight", ylabel="cross-validated R^2 (mean of tasks)")
fig.tight_layout()

# %%
# With holes in the targets, score with the NaN-aware scorers of
# :mod:`gate_sklearn.metrics`, e.g.
# ``scoring=gate_sklearn.metrics.nan_neg_root_mean_squared_error_scorer``.
