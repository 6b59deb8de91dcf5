"""Scaling hyperparameter search out: joblib's dask backend on a local dask.distributed cluster.

GridSearchCV(n_jobs=2) with the loky backend is tested next to each estimator (test_estimator.py,
test_add_task.py); here the models cross to dask worker processes, as they would to other machines.
"""

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import GridSearchCV

from gate_sklearn import GATERegressor
from gate_sklearn.metrics import nan_neg_root_mean_squared_error_scorer

distributed = pytest.importorskip("distributed")

TINY = dict(
    hidden_size=16, depth=2, latent_dim=4, task_hidden_size=16, max_iter=3, early_stopping=False, random_state=0
)


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    with cluster, distributed.Client(cluster) as client:
        yield client


@pytest.fixture(scope="module")
def data():
    from gate_sklearn.datasets import load_esol

    frame = load_esol().frame.iloc[:80].reset_index(drop=True)
    y = pd.DataFrame({"logS": frame.logSolubility, "length": frame.smiles.str.len().astype(float)})
    y.loc[::3, "length"] = np.nan
    return frame.smiles, y


def test_grid_search_on_a_dask_cluster(client, data):
    X, y = data
    grid = {"mapping_weight": [0.0, 0.3]}
    with joblib.parallel_config(backend="dask"):
        search = GridSearchCV(GATERegressor(**TINY), grid, cv=2, scoring=nan_neg_root_mean_squared_error_scorer)
        search.fit(X, y)
    local = GridSearchCV(GATERegressor(**TINY), grid, cv=2, scoring=nan_neg_root_mean_squared_error_scorer).fit(X, y)
    # Same folds, same seeds: the workers trained the same models as this process does.
    np.testing.assert_allclose(search.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"], rtol=1e-4)
    assert np.isfinite(search.best_estimator_.predict(X)).all()
    assert len(client.scheduler_info()["workers"]) == 2


def test_task_addition_search_on_a_dask_cluster(client, data):
    X, y = data
    pretrained = GATERegressor(**TINY).fit(X, y)
    target = pd.Series(X.str.count("C").astype(float), name="n_carbon")
    with joblib.parallel_config(backend="dask"):
        search = GridSearchCV(GATERegressor(pretrained=pretrained, **TINY), {"private_branch_size": [0, 8]}, cv=2)
        search.fit(X, target)
    assert search.best_estimator_.tasks_ == ["logS", "length", "n_carbon"]
    assert pretrained.tasks_ == ["logS", "length"]  # shipped to the workers, never modified
