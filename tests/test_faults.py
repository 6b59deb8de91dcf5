"""Faults during training: non-finite losses, interrupts, crashes, checkpoints and resuming."""

import copy

import numpy as np
import pandas as pd
import pytest
import torch

from gate_sklearn import GATERegressor
from gate_sklearn.exceptions import NonFiniteLossError, TrainingInterruptedWarning
from gate_sklearn.nn import GATELoss
from gate_sklearn.callbacks import LossTermLogger

TINY = dict(hidden_size=16, depth=2, latent_dim=4, task_hidden_size=16, batch_size=16, random_state=0)


@pytest.fixture(scope="module")
def data():
    from gate_sklearn.datasets import load_esol

    frame = load_esol().frame.iloc[:80].reset_index(drop=True)
    y = pd.DataFrame({"logS": frame.logSolubility, "length": frame.smiles.str.len().astype(float)})
    return frame.smiles, y


@pytest.fixture
def epochs(monkeypatch):
    """Weights after every completed epoch (1-based) of any training in the test; ``fail_at`` injects a fault."""
    record = {"weights": {}, "fail_at": None, "error": KeyboardInterrupt}
    original = LossTermLogger.on_epoch_end

    def on_epoch_end(self, net, **kwargs):
        original(self, net, **kwargs)
        record["weights"][len(net.history)] = copy.deepcopy(net.module_.state_dict())

    def on_batch_end(self, net, training=False, **kwargs):
        if training and record["fail_at"] == len(net.history):
            raise record["error"]

    monkeypatch.setattr(LossTermLogger, "on_epoch_end", on_epoch_end)
    monkeypatch.setattr(LossTermLogger, "on_batch_end", on_batch_end, raising=False)
    return record


def _same_weights(module, state):
    return all(torch.equal(value, state[name]) for name, value in module.state_dict().items())


# -- non-finite losses ----------------------------------------------------------------------------


def _nan_consistency_from_call(monkeypatch, n_calls):
    original, calls = GATELoss._consistency, []  # a static method

    def consistency(*args, **kwargs):
        calls.append(1)
        value = original(*args, **kwargs)
        return value * np.nan if len(calls) >= n_calls else value

    monkeypatch.setattr(GATELoss, "_consistency", staticmethod(consistency))


def test_a_non_finite_loss_names_the_epoch_and_the_term(data, monkeypatch):
    X, y = data
    _nan_consistency_from_call(monkeypatch, n_calls=2 * 5 + 1)  # 5 batches per epoch: epoch 3's first batch
    estimator = GATERegressor(max_iter=5, early_stopping=False, **TINY)
    with pytest.raises(NonFiniteLossError, match=r"train loss became nan at epoch 3: non-finite term\(s\) consistency"):
        estimator.fit(X, y)
    assert not hasattr(estimator, "net_")  # no half-trained model passes for a fitted one


def test_a_non_finite_loss_in_add_task_leaves_the_model_as_it_was(data, monkeypatch):
    X, y = data
    model = GATERegressor(max_iter=2, early_stopping=False, **TINY).fit(X, y)
    before = model.predict(X)
    _nan_consistency_from_call(monkeypatch, n_calls=1)
    with pytest.raises(NonFiniteLossError, match="epoch 1"):
        model.add_task(X, y.logS.rename("again"), max_iter=2, early_stopping=False)
    assert model.tasks_ == ["logS", "length"]
    np.testing.assert_array_equal(model.predict(X), before)


# -- interrupts -----------------------------------------------------------------------------------


def test_an_interrupt_keeps_the_best_weights_so_far(data, epochs):
    X, y = data
    epochs["fail_at"] = 6  # Ctrl-C during the sixth epoch: five complete
    estimator = GATERegressor(max_iter=20, learning_rate_init=0.01, early_stopping=True, **TINY)
    with pytest.warns(TrainingInterruptedWarning, match="interrupted after 5 complete epoch"):
        estimator.fit(X, y)
    assert estimator.n_iter_ == 5 and len(estimator.validation_scores_) == 5
    best_epoch = int(np.argmax(estimator.validation_scores_)) + 1
    assert _same_weights(estimator.net_.module_, epochs["weights"][best_epoch])
    assert np.isfinite(estimator.predict(X)).all()


def test_an_interrupt_in_the_first_epoch_leaves_the_estimator_unfitted(data, epochs):
    X, y = data
    epochs["fail_at"] = 1
    estimator = GATERegressor(max_iter=5, **TINY)
    with pytest.raises(KeyboardInterrupt):
        estimator.fit(X, y)
    assert not hasattr(estimator, "net_")


def test_an_interrupt_while_choosing_the_start_stops_the_whole_addition(data, epochs):
    # chart_init="auto" trains several trial starts; Ctrl-C in one of them must not just end that trial.
    X, y = data
    model = GATERegressor(max_iter=2, **TINY).fit(X, y.logS)
    before = copy.deepcopy(model.net_.module_.state_dict())
    epochs["fail_at"] = 2  # during the second epoch of the first trial
    with pytest.raises(KeyboardInterrupt, match="choosing its start"):
        model.add_task(X, y.length, max_iter=3, chart_init="auto")
    assert model.tasks_ == ["logS"] and model.added_tasks_ == []
    assert _same_weights(model.net_.module_, before)


# -- checkpoints and resuming ---------------------------------------------------------------------

RUN = dict(max_iter=8, early_stopping=True, n_iter_no_change=20, learning_rate_init=0.01, **TINY)


@pytest.fixture(scope="module")
def uninterrupted(data):
    X, y = data
    return GATERegressor(**RUN).fit(X, y)


@pytest.mark.parametrize("fault", [KeyboardInterrupt, RuntimeError("power cut")], ids=["interrupt", "crash"])
def test_a_fit_resumes_from_its_checkpoint(data, uninterrupted, epochs, tmp_path, fault):
    X, y = data
    epochs["fail_at"], epochs["error"] = 4, fault
    first = GATERegressor(checkpoint_dir=tmp_path, **RUN)
    if fault is KeyboardInterrupt:
        with pytest.warns(TrainingInterruptedWarning):
            first.fit(X, y)
    else:
        with pytest.raises(RuntimeError, match="power cut"):
            first.fit(X, y)
    assert [p.name for p in tmp_path.glob("*/*")] == ["training.pt"]

    # A new estimator (as after restarting Python) continues from epoch 3, not from scratch.
    epochs["fail_at"] = None
    epochs["weights"].clear()
    resumed = GATERegressor(checkpoint_dir=tmp_path, **RUN).fit(X, y)
    assert sorted(epochs["weights"]) == [4, 5, 6, 7, 8]
    assert resumed.n_iter_ == uninterrupted.n_iter_ == 8
    # Optimizer, random state and early-stopping state were restored: the same run as without the fault.
    np.testing.assert_allclose(resumed.validation_scores_, uninterrupted.validation_scores_, rtol=1e-5)
    assert resumed.loss_terms_.keys() == uninterrupted.loss_terms_.keys()
    np.testing.assert_allclose(resumed.predict(X), uninterrupted.predict(X), rtol=1e-4, atol=1e-5)

    # A finished run is restored, not retrained.
    epochs["weights"].clear()
    again = GATERegressor(checkpoint_dir=tmp_path, **RUN).fit(X, y)
    assert epochs["weights"] == {} and again.n_iter_ == 8
    np.testing.assert_array_equal(again.predict(X), resumed.predict(X))


def test_other_runs_get_their_own_checkpoints(data, tmp_path):
    X, y = data
    settings = dict(TINY, max_iter=1, early_stopping=False, checkpoint_dir=str(tmp_path))
    GATERegressor(**settings).fit(X, y)
    GATERegressor(**settings).fit(X[:60], y[:60])  # other data
    GATERegressor(**dict(settings, mapping_weight=0.5)).fit(X, y)  # other parameters
    GATERegressor(**dict(settings, random_state=1)).fit(X, y)  # other initial weights
    GATERegressor(**dict(settings, depth=3)).fit(X, y)  # same weights (one W_h for every step), other network
    assert len(list(tmp_path.glob("*/training.pt"))) == 5
    # Same run: neither printing nor the spelling of the directory counts.
    GATERegressor(**dict(settings, verbose=1, checkpoint_dir=tmp_path)).fit(X, y)
    assert len(list(tmp_path.glob("*/training.pt"))) == 5


def test_checkpoints_without_a_fixed_seed_warn(data, tmp_path):
    X, y = data
    with pytest.warns(UserWarning, match="can never be resumed"):
        GATERegressor(**dict(TINY, max_iter=1, random_state=None, checkpoint_dir=tmp_path)).fit(X, y)


def test_task_addition_resumes_too(data, epochs, tmp_path):
    X, y = data
    model = GATERegressor(max_iter=2, early_stopping=False, **TINY).fit(X, y.logS)
    # One start: the trials of chart_init="auto" are not checkpointed (a resumed addition runs them again).
    options = dict(max_iter=6, early_stopping=False, checkpoint_dir=tmp_path, chart_init="nearest")
    reference = copy.deepcopy(model).add_task(X, y.length, **dict(options, checkpoint_dir=None))
    epochs["fail_at"] = 3
    with pytest.warns(TrainingInterruptedWarning):
        copy.deepcopy(model).add_task(X, y.length, **options)
    epochs["fail_at"] = None
    epochs["weights"].clear()
    resumed = copy.deepcopy(model).add_task(X, y.length, **options)
    assert sorted(epochs["weights"]) == [3, 4, 5, 6]
    np.testing.assert_allclose(resumed.predict(X), reference.predict(X), rtol=1e-4, atol=1e-5)


def test_checkpoints_hold_no_pickled_code(data, tmp_path):
    X, y = data
    GATERegressor(max_iter=2, checkpoint_dir=tmp_path, **TINY).fit(X, y)
    (path,) = tmp_path.glob("*/training.pt")
    state = torch.load(path, weights_only=True)  # refuses anything but tensors and plain data
    assert state["complete"] and set(state) >= {"module", "history", "torch_rng"}


def test_early_stopping_state_carries_over(data, epochs, tmp_path, monkeypatch):
    from gate_sklearn.callbacks import ValidationR2

    # Scripted validation scores: best at epoch 2, then no improvement; patience 3 ends training at epoch 5.
    scores = [0.5, 0.9, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6]
    def scripted(self, net, **kwargs):
        net.history.record("valid_r2", scores[len(net.history) - 1])

    monkeypatch.setattr(ValidationR2, "on_epoch_end", scripted)
    X, y = data
    settings = dict(TINY, max_iter=8, early_stopping=True, n_iter_no_change=3, checkpoint_dir=tmp_path)
    epochs["fail_at"] = 4
    with pytest.warns(TrainingInterruptedWarning):
        GATERegressor(**settings).fit(X, y)
    epochs["fail_at"] = None
    resumed = GATERegressor(**settings).fit(X, y)
    # The resumed run remembers epoch 2 as the best and its misses: it stops at 5 and keeps epoch 2's weights.
    assert resumed.n_iter_ == 5 and resumed.best_validation_score_ == 0.9
    assert _same_weights(resumed.net_.module_, epochs["weights"][2])
