"""Task addition: freezing, invariance of the existing tasks, names, history, persistence, pretrained=."""

import pickle
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.utils._param_validation import InvalidParameterError

from gate_sklearn import GATERegressor
from gate_sklearn.featurize import collate_graphs, smiles_to_graphs
from gate_sklearn.nn import LOSS_TERMS, MLPEncoder, TaskModules

# One start (the nearest chart) unless a test says otherwise: chart_init="auto" trains every start
# several times, and its choice has tests of its own (test_start_selection.py).
TINY = dict(hidden_size=32, depth=2, latent_dim=8, task_hidden_size=32, batch_size=32, random_state=0,
            chart_init="nearest")  # fmt: skip
ADD = dict(max_iter=4, early_stopping=False)


@pytest.fixture(scope="module")
def data():
    """200 ESOL molecules: two source tasks and two cheap, related targets to add."""
    from gate_sklearn.datasets import load_esol

    frame = load_esol().frame.iloc[:200].reset_index(drop=True)
    X = frame.smiles
    sources = pd.DataFrame({"logS": frame.logSolubility, "length": X.str.len().astype(float)})
    targets = pd.DataFrame({"n_carbon": X.str.count("C").astype(float), "n_oxygen": X.str.count("O").astype(float)})
    return X, sources, targets


@pytest.fixture(scope="module")
def pretrained(data):
    X, sources, _ = data
    return GATERegressor(max_iter=4, early_stopping=False, dropout=0.2, **TINY).fit(X, sources)


@pytest.fixture
def model(pretrained):
    return pickle.loads(pickle.dumps(pretrained))


def _state(model):
    return {k: v.detach().clone() for k, v in model.net_.module_.state_dict().items()}


# -- freezing and invariance ----------------------------------------------------------------------


def test_existing_parameters_and_predictions_do_not_change_bit_for_bit(model, data):
    X, _, targets = data
    before_state, before_pred, before_lf = _state(model), model.predict(X), model.transform(X)
    model.add_task(X, targets["n_carbon"], **ADD)
    after_state = _state(model)
    assert all(torch.equal(before_state[k], after_state[k]) for k in before_state)
    assert set(after_state) > set(before_state)  # the new task's modules were added
    after_pred = model.predict(X)
    assert after_pred.shape == (len(X), 3)
    np.testing.assert_array_equal(after_pred[:, :2], before_pred)
    np.testing.assert_array_equal(model.transform(X), before_lf)
    # and the new task was actually trained
    assert np.corrcoef(after_pred[:, 2], targets["n_carbon"])[0, 1] > 0.3


def test_optimizer_holds_only_the_new_parameters(model, data):
    X, _, targets = data
    model.add_task(X, targets["n_carbon"], private_branch_size=16, **ADD)
    module = model.net_.module_
    new_params = {id(p) for p in module.tasks[2].parameters()}
    optimized = {id(p) for group in model.net_.optimizer_.param_groups for p in group["params"]}
    assert optimized == new_params
    assert module.tasks[2].branch is not None  # the private branch is part of the new task
    assert not any(p.requires_grad for p in module.embedding.parameters())
    assert not any(p.requires_grad for task in module.tasks[:2] for p in task.parameters())


def test_frozen_modules_stay_in_eval_mode_whenever_they_run(model, data):
    X, _, targets = data
    module = model.net_.module_
    frozen = [module.embedding] + [part for task in module.tasks for part in (task.encoder, task.head, task.transfer)]
    seen = []
    hooks = [m.register_forward_pre_hook(lambda m, args: seen.append(m.training)) for m in frozen]
    try:
        model.add_task(X, targets["n_carbon"], **ADD)
    finally:
        for hook in hooks:
            hook.remove()
    # The frozen heads run in every batch (4 epochs x 7 batches x 2 tasks), all in eval mode.
    assert len(seen) >= 4 * 7 * 2 and not any(seen)
    module.train()
    assert module.tasks[2].training and not module.tasks[0].training and not module.embedding.training


def test_frozen_embedding_runs_once_per_molecule_not_once_per_epoch(model, data):
    X, _, targets = data
    module = model.net_.module_
    molecules_embedded = []
    hook = module.embedding.register_forward_hook(lambda m, args, out: molecules_embedded.append(len(out)))
    try:
        model.add_task(X, targets["n_carbon"], **ADD)
    finally:
        hook.remove()
    # Cached once for training and validation rows together; 4 epochs would otherwise embed them 4 times.
    assert sum(molecules_embedded) == len(X)
    assert model.add_task_history_["n_carbon"]["n_iter"] == 4


def test_frozen_parts_build_no_autograd_graph(model, data):
    X, _, targets = data
    model.add_task(X, targets["n_carbon"], private_branch_size=8, **ADD)
    module = model.net_.module_.train()
    batch = collate_graphs(smiles_to_graphs(X[:16])[0])
    outputs = module(batch)
    assert outputs["h"].grad_fn is None
    # frozen charts are standardised with their stored statistics, the new one with the batch's
    means = [mean for mean, _ in outputs["lf_stats"]]
    assert [m.grad_fn is None for m in means] == [True, True, False]
    assert [p is None for p in outputs["private"]] == [True, True, False]


def test_cached_frozen_outputs_give_the_same_forward_pass(model, data):
    X, _, targets = data
    model.add_task(X, targets["n_carbon"], private_branch_size=8, **ADD)
    model.add_task(X, targets["n_oxygen"], private_branch_size=0, **ADD)  # the first one, with its branch, is frozen
    module = model.net_.module_.eval()
    batch = collate_graphs(smiles_to_graphs(X[:32])[0])
    with torch.no_grad():
        plain = module(batch)
        cached = module(batch, frozen=module.frozen_outputs(batch))
    for key in ("h", "z", "u", "y"):
        torch.testing.assert_close(cached[key], plain[key], rtol=0, atol=1e-6)
    assert cached["private"][2] is not None and cached["private"][3] is None


def test_addition_on_a_fingerprint_model_uses_the_cache_too(data):
    X, sources, targets = data
    model = GATERegressor(featurizer="morgan", max_iter=3, early_stopping=False, **TINY).fit(X, sources)
    before = model.predict(X)
    module = model.net_.module_
    molecules_embedded = []
    hook = module.embedding.register_forward_hook(lambda m, args, out: molecules_embedded.append(len(out)))
    try:
        model.add_task(X, targets["n_carbon"], private_branch_size=16, **ADD)
    finally:
        hook.remove()
    assert sum(molecules_embedded) == len(X)
    after = model.predict(X)
    np.testing.assert_array_equal(after[:, :2], before)
    assert np.corrcoef(after[:, 2], targets["n_carbon"])[0, 1] > 0.3


def test_unlabelled_molecules_are_accepted_and_enter_the_alignment_terms_only(model, data):
    X, _, targets = data
    y = targets["n_carbon"].copy()
    y.iloc[120:] = np.nan  # 80 molecules without the new property
    model.add_task(X, y, max_iter=3, early_stopping=True, validation_fraction=0.2)
    assert np.isfinite(model.add_task_history_["n_carbon"]["validation_scores"]).all()
    assert np.isfinite(model.predict(X, tasks="n_carbon")).all()
    # In the loss, the regression and mapping terms ignore them; consistency counts them.
    module = model.net_.module_.eval()
    batch = collate_graphs(smiles_to_graphs(X[110:130])[0])
    loss = model.net_.criterion_
    y_std = np.full((20, 3), np.nan)
    y_std[:, 2] = (targets["n_carbon"].iloc[110:130] - model.y_mean_[2]) / model.y_scale_[2]
    holed = y_std.copy()
    holed[10:, 2] = np.nan
    with torch.no_grad():
        outputs = module(batch)
        _, full = loss(outputs, torch.tensor(y_std, dtype=torch.float32), module, [2])
        _, part = loss(outputs, torch.tensor(holed, dtype=torch.float32), module, [2])
    labelled_mse = float(((outputs["y"][:10, 2].double().numpy() - y_std[:10, 2]) ** 2).mean())
    assert part["regression"] == pytest.approx(labelled_mse, rel=1e-5)
    assert part["regression"] != pytest.approx(full["regression"], rel=1e-5)
    assert part["consistency"] == full["consistency"]


def test_unlabelled_rows_are_still_refused_by_fit(data):
    X, sources, _ = data
    y = sources.copy()
    y.iloc[[3, 7]] = np.nan
    with pytest.raises(ValueError, match="Rows 3, 7 have no measured value"):
        GATERegressor(max_iter=1).fit(X, y)


def test_every_term_is_trained_and_recorded_per_added_task(model, data):
    X, _, targets = data
    model.add_task(X, targets, max_iter=5, early_stopping=True, validation_fraction=0.2)
    for name in ("n_carbon", "n_oxygen"):
        record = model.add_task_history_[name]
        assert record["n_iter"] == len(record["loss_curve"]) >= 1
        assert len(record["validation_scores"]) == record["n_iter"]
        for term in LOSS_TERMS:
            assert np.isfinite(record["loss_terms"][f"train_{term}"]).all()
    assert model.add_task_history_["n_carbon"] is model.add_task_history_["n_oxygen"]
    # fit's own history is untouched by the addition
    assert model.n_iter_ == 4
    assert [spec["name"] for spec in model.added_tasks_] == ["n_carbon", "n_oxygen"]


# -- names and options ----------------------------------------------------------------------------


def test_task_names(model, data):
    X, _, targets = data
    model.add_task(X, targets["n_carbon"].to_numpy(), **ADD)  # unnamed: next free task_k
    model.add_task(X, targets["n_oxygen"], **ADD)  # a Series' name
    model.add_task(X, targets["n_oxygen"].to_numpy(), name="oxygen_again", **ADD)
    model.add_task(X, targets.to_numpy(), name=["a", "b"], **ADD)
    assert model.tasks_ == ["logS", "length", "task_2", "n_oxygen", "oxygen_again", "a", "b"]
    assert model.predict(X[:5]).shape == (5, 7)
    assert model.predict(X[:5], tasks="a").shape == (5,)


def test_name_already_used_is_refused_and_model_unchanged(model, data):
    X, _, targets = data
    with pytest.raises(ValueError, match=r"\['logS'\] already exist"):
        model.add_task(X, targets["n_carbon"], name="logS", **ADD)
    with pytest.raises(ValueError, match="repeated"):
        model.add_task(X, targets.to_numpy(), name=["a", "a"], **ADD)
    with pytest.raises(ValueError, match="2 task name"):
        model.add_task(X, targets["n_carbon"], name=["a", "b"], **ADD)
    assert model.tasks_ == ["logS", "length"]
    assert model.net_.module_.n_tasks == 2


def test_options_are_validated_and_do_not_change_the_estimator(model, data):
    X, _, targets = data
    params = model.get_params()
    with pytest.raises(TypeError, match="unknown option.*'epochs'"):
        model.add_task(X, targets["n_carbon"], epochs=3)
    with pytest.raises(InvalidParameterError, match="max_iter"):
        model.add_task(X, targets["n_carbon"], max_iter=0)
    model.add_task(X, targets["n_carbon"], max_iter=2, learning_rate_init=0.01, early_stopping=False)
    assert model.add_task_history_["n_carbon"]["n_iter"] == 2
    assert model.get_params() == params


def _interrupt_at(monkeypatch, epoch):
    """Raise KeyboardInterrupt in the first training batch of ``epoch`` (as Ctrl-C would)."""
    from gate_sklearn.callbacks import LossTermLogger

    def on_batch_end(self, net, training=False, **kwargs):
        if training and len(net.history) == epoch:
            raise KeyboardInterrupt

    monkeypatch.setattr(LossTermLogger, "on_batch_end", on_batch_end, raising=False)


def test_a_failed_addition_leaves_the_model_as_it_was(model, data, monkeypatch):
    from gate_sklearn.training import GATENet

    X, _, targets = data
    before = model.predict(X)

    def failing(self, *args, **kwargs):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(GATENet, "fit", failing)
    with pytest.raises(RuntimeError, match="out of memory"):
        model.add_task(X, targets["n_carbon"], **ADD)
    module = model.net_.module_
    assert model.tasks_ == ["logS", "length"] and module.n_tasks == 2 and module.n_frozen == 0
    assert all(p.requires_grad for p in module.parameters())
    np.testing.assert_array_equal(model.predict(X), before)


def test_an_interrupt_before_the_first_epoch_ends_changes_nothing(model, data, monkeypatch):
    X, _, targets = data
    before = model.predict(X)
    _interrupt_at(monkeypatch, epoch=1)
    with pytest.raises(KeyboardInterrupt):
        model.add_task(X, targets["n_carbon"], **ADD)
    assert model.tasks_ == ["logS", "length"] and model.net_.module_.n_tasks == 2
    np.testing.assert_array_equal(model.predict(X), before)
    monkeypatch.undo()
    model.add_task(X, targets["n_carbon"], **ADD)  # and the next addition is wired correctly
    assert model.tasks_[-1] == "n_carbon" and model.net_.module_.n_tasks == 3


def test_a_later_interrupt_keeps_the_best_weights_so_far(model, data, monkeypatch):
    X, _, targets = data
    before = model.predict(X)
    _interrupt_at(monkeypatch, epoch=3)
    with pytest.warns(UserWarning, match="interrupted after 2 complete epoch"):
        model.add_task(X, targets["n_carbon"], max_iter=10, early_stopping=True)
    record = model.add_task_history_["n_carbon"]
    assert record["interrupted"] and record["n_iter"] == 2
    np.testing.assert_array_equal(model.predict(X)[:, :2], before)
    assert np.isfinite(model.predict(X)[:, 2]).all()


def test_add_task_needs_a_fitted_model(data):
    X, _, targets = data
    with pytest.raises(NotFittedError):
        GATERegressor(**TINY).add_task(X, targets["n_carbon"])


# -- where an added task starts ------------------------------------------------------------------

# A learning rate this small leaves the modules where they started: predictions after one epoch are
# the initial ones.
NO_STEP = dict(max_iter=1, early_stopping=False, learning_rate_init=1e-12)


def test_nearest_start_is_the_least_squares_line_of_the_best_correlated_task(model, data):
    X, _, _ = data
    # A property that is an exact (decreasing) straight line of the "length" task's predictions.
    target = pd.Series(5.0 - 3.0 * model.predict(X, tasks="length"), name="new")
    model.add_task(X, target, **NO_STEP)  # the default start
    start = model.added_tasks_[-1]
    assert start["chart_init"] == "nearest" and start["initialised_from"] == "length"
    assert start["initial_correlation"] == pytest.approx(-1.0, abs=1e-5)
    np.testing.assert_allclose(model.predict(X, tasks="new"), target, rtol=0, atol=1e-4 * target.std())


def test_random_start_does_not_copy(model, data):
    X, _, _ = data
    target = pd.Series(5.0 - 3.0 * model.predict(X, tasks="length"), name="new")
    model.add_task(X, target, chart_init="random", **NO_STEP)
    start = model.added_tasks_[-1]
    assert (start["chart_init"], start["initialised_from"], start["initial_correlation"]) == ("random", None, None)
    # an untrained random head is nowhere near the line
    error = np.abs(model.predict(X, tasks="new") - target).mean()
    assert error > 0.3 * target.std()


def test_too_few_labels_to_rank_the_charts_start_at_random(model, data):
    X, _, targets = data
    y = targets["n_carbon"].copy()
    y.iloc[2:] = np.nan  # unlabelled molecules do not count
    model.add_task(X, y, **NO_STEP)
    assert model.added_tasks_[-1]["chart_init"] == "random"
    y.iloc[2] = 7.0
    model.add_task(X, y.rename("three"), **NO_STEP)
    assert model.added_tasks_[-1]["chart_init"] == "nearest"


def test_auto_learning_rate_fine_tunes_a_copy_with_smaller_steps(model, data):
    X, _, targets = data
    ONE = {"max_iter": 1, "early_stopping": False}

    def used():  # the rate Adam actually stepped with, and the one recorded
        return model.net_.optimizer_.param_groups[0]["lr"], model.added_tasks_[-1]["learning_rate"]

    assert model.learning_rate_init == "auto" and model.net_.optimizer_.param_groups[0]["lr"] == 1e-3  # fit
    model.add_task(X, targets["n_carbon"].rename("copied"), **ONE)
    assert model.added_tasks_[-1]["chart_init"] == "nearest" and used() == (3e-4, 3e-4)
    model.add_task(X, targets["n_carbon"].rename("random"), chart_init="random", **ONE)
    assert used() == (1e-3, 1e-3)
    model.add_task(X, targets["n_carbon"].rename("given"), learning_rate_init=0.02, **ONE)
    assert used() == (0.02, 0.02)
    # tasks added together share one optimizer: one of them starting at random takes the larger step
    few = targets["n_oxygen"].copy()
    few.iloc[2:] = np.nan
    both = pd.DataFrame({"a": targets["n_carbon"], "b": few})
    model.add_task(X, both, **ONE)
    assert [t["chart_init"] for t in model.added_tasks_[-2:]] == ["nearest", "random"] and used() == (1e-3, 1e-3)


def test_nearest_start_copies_the_widths_and_never_a_private_branch(model, data, tmp_path):
    X, _, targets = data
    # the copy has the copied modules' width (32), not task_hidden_size's
    model.add_task(X, targets["n_carbon"], task_hidden_size=16, **NO_STEP)
    assert model.added_tasks_[-1]["chart_init"] == "nearest" and model.added_tasks_[-1]["task_hidden_size"] == 32
    model.add_task(X, targets["n_oxygen"], chart_init="random", task_hidden_size=16, **NO_STEP)
    assert model.added_tasks_[-1]["task_hidden_size"] == 16
    # a task with a private branch is never the one copied, even when it predicts the labels exactly
    model.add_task(X, targets["n_oxygen"].rename("branched"), private_branch_size=8, max_iter=30, early_stopping=False)
    model.add_task(X, targets["n_oxygen"].rename("again"), **NO_STEP)
    assert model.added_tasks_[-1]["initialised_from"] in ("logS", "length", "n_carbon", "n_oxygen")
    # the safe format rebuilds every added task with the width it was trained with
    model.save(tmp_path / "m.gate")
    np.testing.assert_array_equal(GATERegressor.load(tmp_path / "m.gate").predict(X[:10]), model.predict(X[:10]))


def test_start_from_copies_the_chart_and_silences_a_private_branch():
    torch.manual_seed(0)
    source = TaskModules(12, 4, 16).eval()
    branch = MLPEncoder(n_features=5, hidden_size=3)
    new = TaskModules(12, 4, 16, branch=branch).start_from(source, slope=-2.0, intercept=0.5).eval()
    h, x = torch.randn(10, 12), torch.randn(10, 5)
    with torch.no_grad():
        z_source, z_new = source.encode(h), new.encode(h, branch(x))
        torch.testing.assert_close(z_new, z_source)
        torch.testing.assert_close(new.to_lf(z_new)[0], source.to_lf(z_source)[0])
        torch.testing.assert_close(new.head(z_new), 0.5 - 2.0 * source.head(z_source))
    assert new.encoder[0].weight[:, 12:].abs().sum() == 0
    # the branch still learns: its first-layer weights get a gradient
    new.train()
    new.head(new.encode(h, branch(x))).sum().backward()
    assert new.encoder[0].weight.grad[:, 12:].abs().sum() > 0
    with pytest.raises(ValueError, match="same widths"):
        TaskModules(12, 4, 8).start_from(source, 1.0, 0.0)


# -- uncertainty ----------------------------------------------------------------------------------


def test_return_std_reads_the_other_charts(model, data):
    X, _, targets = data
    model.add_task(X, targets["n_carbon"], **ADD)
    mean, std = model.predict(X[:20], return_std=True)
    np.testing.assert_array_equal(mean, model.predict(X[:20]))
    assert std.shape == mean.shape and np.isfinite(std).all() and (std >= 0).all()
    assert (std > 0).any()
    one_mean, one_std = model.predict(X[:20], tasks="n_carbon", return_std=True)
    np.testing.assert_array_equal(one_std, std[:, 2])
    single = GATERegressor(max_iter=1, **TINY).fit(X, targets["n_carbon"])
    assert single.predict(X[:5]).shape == (5,)
    with pytest.raises(ValueError, match="single task"):
        single.predict(X[:5], return_std=True)
    # a second task makes predictions 2-D and gives the first one a second opinion
    single.add_task(X, targets["n_oxygen"], max_iter=1)
    assert single.predict(X[:5]).shape == (5, 2)
    assert single.predict(X[:5], return_std=True)[1].shape == (5, 2)


# -- persistence ----------------------------------------------------------------------------------


def test_pickle_and_safe_format_after_addition_and_further_additions(model, data, tmp_path):
    X, _, targets = data
    model.add_task(X, targets["n_carbon"], private_branch_size=8, **ADD)
    expected = model.predict(X)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(model)).predict(X), expected)
    model.save(tmp_path / "model.gate")
    loaded = GATERegressor.load(tmp_path / "model.gate", device="cpu")
    np.testing.assert_array_equal(loaded.predict(X), expected)
    assert loaded.added_tasks_ == model.added_tasks_
    loaded.add_task(X, targets["n_oxygen"], **ADD)
    np.testing.assert_array_equal(loaded.predict(X)[:, :3], expected)


def test_numpy_scalar_parameters_are_saved(data, tmp_path):
    X, sources, targets = data
    params = dict(TINY, hidden_size=np.int64(16), dropout=np.float64(0.0))
    model = GATERegressor(max_iter=1, **params).fit(X, sources)
    model.add_task(X, targets["n_carbon"], max_iter=1, private_branch_size=np.int64(4))
    model.save(tmp_path / "numpy.gate")
    np.testing.assert_array_equal(GATERegressor.load(tmp_path / "numpy.gate").predict(X), model.predict(X))


def test_addition_after_loading_in_a_fresh_process(model, data, tmp_path):
    import joblib

    X, _, targets = data
    joblib.dump((model, X[:50], targets["n_carbon"][:50]), tmp_path / "model.joblib")
    script = f"""
import joblib, numpy as np
model, X, y = joblib.load({str(tmp_path / "model.joblib")!r})
before = model.predict(X)
model.add_task(X, y, max_iter=2, early_stopping=False)
assert np.array_equal(model.predict(X)[:, :2], before)
print(model.tasks_)
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert "n_carbon" in out.stdout


# -- pretrained= ----------------------------------------------------------------------------------


def test_pretrained_fit_leaves_the_source_model_alone(pretrained, data):
    X, _, targets = data
    state, prediction = _state(pretrained), pretrained.predict(X)
    model = GATERegressor(pretrained=pretrained, **ADD).fit(X, targets["n_carbon"])
    assert pretrained.tasks_ == ["logS", "length"]
    assert all(torch.equal(v, _state(pretrained)[k]) for k, v in state.items())
    np.testing.assert_array_equal(pretrained.predict(X), prediction)
    assert model.net_.module_ is not pretrained.net_.module_
    # predict gives the added task, mirroring y; the sources stay reachable and unchanged
    assert model.output_tasks_ == ["n_carbon"] and model.predict(X).shape == (len(X),)
    np.testing.assert_array_equal(model.predict(X, tasks=["logS", "length"]), prediction)
    assert model.n_iter_ == ADD["max_iter"]
    assert np.isfinite(model.score(X, targets["n_carbon"]))


def test_pretrained_with_several_targets_predicts_them_in_order(pretrained, data):
    X, _, targets = data
    model = GATERegressor(pretrained=pretrained, **ADD).fit(X, targets)
    assert model.predict(X).shape == (len(X), 2)
    assert model.tasks_ == ["logS", "length", "n_carbon", "n_oxygen"]


def test_clone_shares_the_pretrained_model_and_is_unfitted(pretrained, data):
    X, _, targets = data
    estimator = GATERegressor(pretrained=pretrained, **ADD)
    copy = clone(estimator)
    assert copy.pretrained is pretrained
    fitted = estimator.fit(X, targets["n_carbon"])
    again = clone(fitted)
    assert again.pretrained is pretrained and not hasattr(again, "net_")


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_cross_validation_and_grid_search_over_pretrained(pretrained, data, n_jobs):
    X, _, targets = data
    estimator = GATERegressor(pretrained=pretrained, **ADD)
    cv = KFold(3, shuffle=True, random_state=0)
    scores = cross_val_score(estimator, X, targets["n_carbon"], cv=cv, n_jobs=n_jobs)
    assert scores.shape == (3,) and np.isfinite(scores).all()
    grid = {"mapping_weight": [0.0, 0.3]}
    search = GridSearchCV(estimator, grid, cv=2, n_jobs=n_jobs).fit(X, targets["n_carbon"])
    assert search.best_params_["mapping_weight"] in (0.0, 0.3)
    assert search.best_estimator_.predict(X[:3]).shape == (3,)
    assert pretrained.tasks_ == ["logS", "length"]


def test_a_failed_pretrained_fit_leaves_the_estimator_as_it_was(pretrained, data):
    X, _, targets = data
    estimator = GATERegressor(pretrained=pretrained, **ADD)
    with pytest.raises(ValueError, match="already exist"):
        estimator.fit(X, targets["n_carbon"].rename("logS"))
    assert not hasattr(estimator, "net_")
    estimator.fit(X, targets["n_carbon"])
    expected = estimator.predict(X)
    with pytest.raises(ValueError, match="already exist"):
        estimator.fit(X, targets["n_carbon"].rename("length"))
    assert estimator.output_tasks_ == ["n_carbon"]
    np.testing.assert_array_equal(estimator.predict(X), expected)


def test_grid_search_over_frozen_pretrained_models(pretrained, data):
    from sklearn.frozen import FrozenEstimator

    X, sources, targets = data
    other = GATERegressor(max_iter=2, early_stopping=False, **TINY).fit(X, sources[["logS"]])
    estimator = GATERegressor(pretrained=FrozenEstimator(pretrained), **ADD)
    assert not any(key.startswith("pretrained__") for key in estimator.get_params(deep=True))
    grid = {"pretrained": [FrozenEstimator(pretrained), FrozenEstimator(other)]}
    search = GridSearchCV(estimator, grid, cv=2).fit(X, targets["n_carbon"])
    assert len(search.cv_results_["params"]) == 2
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_pretrained_must_be_a_fitted_gate_model(data):
    X, _, targets = data
    with pytest.raises(NotFittedError, match="pretrained must be a fitted"):
        GATERegressor(pretrained=GATERegressor(**TINY)).fit(X, targets["n_carbon"])
    with pytest.raises(InvalidParameterError, match="pretrained"):
        GATERegressor(pretrained="model.gate").fit(X, targets["n_carbon"])


def test_pretrained_model_saved_in_the_safe_format(pretrained, data, tmp_path):
    X, _, targets = data
    model = GATERegressor(pretrained=pretrained, **ADD).fit(X, targets["n_carbon"])
    model.save(tmp_path / "added.gate")
    loaded = GATERegressor.load(tmp_path / "added.gate", device="cpu")
    assert loaded.pretrained is None
    # saved standalone: the architecture parameters are those of the network in the file
    assert {k: loaded.get_params()[k] for k in loaded.base_params_} == pretrained.base_params_
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
