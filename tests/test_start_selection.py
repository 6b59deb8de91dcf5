"""How an added task starts: the six starts, and the choice among them (chart_init="auto" or a tuple)."""

import pickle

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import KFold, cross_val_score

from gate_sklearn import GATERegressor

TINY = dict(hidden_size=32, depth=2, latent_dim=8, task_hidden_size=32, batch_size=32, random_state=0)
STARTS = ("auto", "nearest", "random", "head", "fine_tune", "plain_fine_tune", "scratch", ("head", "plain_fine_tune"))
NO_ALIGNMENT = dict(autoencoder_weight=0.0, consistency_weight=0.0, mapping_weight=0.0, distance_weight=0.0)


@pytest.fixture(scope="module")
def molecules():
    from gate_sklearn.datasets import load_esol

    return load_esol().frame.smiles.iloc[:240].reset_index(drop=True)


def heteroatoms(X):
    """A property of the structure: oxygens, and half the nitrogens."""
    return (X.str.count("O") + X.str.count("o") + 0.5 * X.str.count("N")).astype(float).rename("heteroatoms")


@pytest.fixture(scope="module")
def unrelated(molecules):
    """A model pre-trained on noise: no chart of it says anything about a molecule."""
    rng = np.random.default_rng(0)
    noise = pd.DataFrame({"noise_a": rng.normal(size=len(molecules)), "noise_b": rng.normal(size=len(molecules))})
    return GATERegressor(max_iter=10, **TINY).fit(molecules, noise)


@pytest.fixture(scope="module")
def related(molecules):
    """A model pre-trained on the molecules' length and their oxygen count."""
    sources = pd.DataFrame({"length": molecules.str.len().astype(float), "oxygens": molecules.str.count("O") * 1.0})
    return GATERegressor(max_iter=4, **TINY).fit(molecules, sources)


def test_unrelated_charts_are_not_copied_and_the_addition_does_no_worse_than_learning_alone(molecules, unrelated):
    y = heteroatoms(molecules)
    train, test = np.arange(160), np.arange(160, 240)
    added = GATERegressor(pretrained=unrelated, max_iter=10, **TINY).fit(molecules[train], y[train])
    alone = GATERegressor(max_iter=10, **TINY).fit(molecules[train], y[train])
    selection = added.added_tasks_[-1]["selection"]
    assert selection["chosen"] != "nearest"
    assert set(selection["scores"]) == {"nearest", "random", "fine_tune"}
    assert selection["validation"] == "3-fold cross-fitting over 160 labelled molecules"

    def rmse(model):
        return np.sqrt(np.mean((model.predict(molecules[test]) - y[test]) ** 2))

    assert rmse(added) <= rmse(alone)


@pytest.mark.parametrize("chart_init", STARTS)
def test_every_start_leaves_the_existing_tasks_bit_identical(molecules, related, chart_init):
    model = pickle.loads(pickle.dumps(related))
    before = model.predict(molecules)
    weights = {name: p.detach().clone() for name, p in model.net_.module_.named_parameters()}
    model.add_task(molecules[:60], heteroatoms(molecules[:60]), chart_init=chart_init, max_iter=2)
    after = model.predict(molecules, tasks=["length", "oxygens"])
    assert np.array_equal(after, before)
    assert all(torch.equal(p, weights[name]) for name, p in model.net_.module_.named_parameters() if name in weights)
    record = model.added_tasks_[-1]
    assert record["chart_init"] == (chart_init if isinstance(chart_init, str) and chart_init != "auto"
                                    else record["selection"]["chosen"])  # fmt: skip


def test_auto_trains_its_choice_exactly_as_forcing_it_would(molecules, related):
    y = heteroatoms(molecules[:90])
    auto = pickle.loads(pickle.dumps(related)).add_task(molecules[:90], y, max_iter=3)
    chosen = auto.added_tasks_[-1]["selection"]["chosen"]
    forced = pickle.loads(pickle.dumps(related)).add_task(molecules[:90], y, max_iter=3, chart_init=chosen)
    assert np.array_equal(auto.predict(molecules, tasks="heteroatoms"), forced.predict(molecules, tasks="heteroatoms"))
    assert "selection" not in forced.added_tasks_[-1]  # a forced start records no choice


def test_a_fine_tuned_copy_starts_as_the_copied_chart(molecules, related):
    # At a vanishing learning rate nothing moves: the task predicts what the copy of the nearest chart
    # predicts, whether that copy reads the frozen embedding or its own copy of it.
    y = molecules[:60].str.count("O").astype(float).rename("more_oxygens") * 2 + 1
    still = dict(max_iter=1, learning_rate_init=1e-12)
    copied = pickle.loads(pickle.dumps(related)).add_task(molecules[:60], y, chart_init="nearest", **still)
    model = pickle.loads(pickle.dumps(related)).add_task(molecules[:60], y, chart_init="fine_tune", **still)
    np.testing.assert_allclose(model.predict(molecules), copied.predict(molecules), rtol=1e-5, atol=1e-5)
    spec = model.added_tasks_[-1]
    assert spec["initialised_from"] == copied.added_tasks_[-1]["initialised_from"] is not None
    branch = model.net_.module_.tasks[-1].branch
    assert branch is not model.net_.module_.embedding and spec["private_branch_size"] == TINY["hidden_size"]
    assert all(p.requires_grad for p in branch.parameters())


def test_a_scratch_start_learns_a_fresh_private_embedding_besides_the_frozen_one(molecules, related):
    model = pickle.loads(pickle.dumps(related))
    shared = model.net_.module_.embedding
    y = heteroatoms(molecules[:60])
    model.add_task(molecules[:60], y, chart_init="scratch", max_iter=1, learning_rate_init=1e-12)
    spec, task = model.added_tasks_[-1], model.net_.module_.tasks[-1]
    assert spec["chart_init"] == "scratch" and spec["initialised_from"] is None
    assert spec["private_branch_size"] == TINY["hidden_size"] and task.encoder[0].in_features == 2 * TINY["hidden_size"]
    # Not a copy of the shared embedding (as "fine_tune" would be), and trained by the new task alone.
    copied = zip(task.branch.state_dict().values(), shared.state_dict().values())
    assert not all(torch.equal(a, b) for a, b in copied)
    assert all(p.requires_grad for p in task.branch.parameters())
    assert not any(p.requires_grad for p in shared.parameters())


@pytest.mark.parametrize(("unaligned", "aligned"), [("head", "random"), ("plain_fine_tune", "fine_tune")])
def test_an_unaligned_start_is_the_aligned_one_trained_on_the_regression_loss_alone(
    molecules, related, unaligned, aligned
):
    y = heteroatoms(molecules[:60])
    model = pickle.loads(pickle.dumps(related)).add_task(molecules[:60], y, chart_init=unaligned, max_iter=3)
    weighted = pickle.loads(pickle.dumps(related)).add_task(
        molecules[:60], y, chart_init=aligned, max_iter=3, **NO_ALIGNMENT
    )
    aligned_model = pickle.loads(pickle.dumps(related)).add_task(molecules[:60], y, chart_init=aligned, max_iter=3)
    new = dict(tasks="heteroatoms")
    np.testing.assert_array_equal(model.predict(molecules, **new), weighted.predict(molecules, **new))
    assert not np.array_equal(model.predict(molecules, **new), aligned_model.predict(molecules, **new))
    assert model.added_tasks_[-1]["chart_init"] == unaligned


def test_a_tuple_of_starts_compares_those_only(molecules, related):
    y = heteroatoms(molecules[:60])
    model = pickle.loads(pickle.dumps(related)).add_task(molecules[:60], y, chart_init=("head", "nearest"), max_iter=2)
    selection = model.added_tasks_[-1]["selection"]
    assert set(selection["scores"]) == {"head", "nearest"}
    assert model.added_tasks_[-1]["chart_init"] == selection["chosen"]
    # Without alignment terms the unaligned starts would repeat the aligned ones: one start is left.
    plain = pickle.loads(pickle.dumps(related)).add_task(
        molecules[:60], y, chart_init=("random", "head"), max_iter=2, **NO_ALIGNMENT
    )
    assert plain.added_tasks_[-1]["selection"] == {
        "chosen": "random", "scores": None, "validation": "none (only one candidate)"
    }  # fmt: skip


@pytest.mark.parametrize("chart_init", [("random", "sideways"), (), ("head", "head")])
def test_a_bad_tuple_of_starts_is_refused_before_anything_trains(molecules, related, chart_init):
    model = pickle.loads(pickle.dumps(related))
    with pytest.raises(ValueError, match="chart_init as a tuple lists the starts to compare"):
        model.add_task(molecules[:60], heteroatoms(molecules[:60]), chart_init=chart_init, max_iter=1)
    assert model.tasks_ == related.tasks_ and len(model.net_.module_.tasks) == 2


def test_few_labels_are_not_split_and_many_are_held_out_once(molecules, related):
    few = pickle.loads(pickle.dumps(related)).add_task(molecules[:8], heteroatoms(molecules[:8]), max_iter=1)
    assert few.added_tasks_[-1]["selection"] == {
        "chosen": "nearest", "scores": None, "validation": "none (fewer than 10 labels)"
    }  # fmt: skip
    from gate_sklearn.datasets import load_esol

    X = load_esol().frame.smiles.iloc[:320]
    many = pickle.loads(pickle.dumps(related)).add_task(X, heteroatoms(X), max_iter=1)
    assert many.added_tasks_[-1]["selection"]["validation"] == "hold-out of 64 labels over 320 labelled molecules"


@pytest.mark.parametrize("chart_init", ["fine_tune", "plain_fine_tune", "scratch"])
def test_a_private_embedding_round_trips_through_pickle_and_the_safe_format(molecules, related, tmp_path, chart_init):
    model = pickle.loads(pickle.dumps(related))
    model.add_task(molecules[:60], heteroatoms(molecules[:60]), chart_init=chart_init, max_iter=2)
    expected = model.predict(molecules)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(model)).predict(molecules), expected)
    model.save(tmp_path / "model.gate")
    loaded = GATERegressor.load(tmp_path / "model.gate")
    np.testing.assert_allclose(loaded.predict(molecules), expected, rtol=0, atol=1e-6)
    assert loaded.added_tasks_ == model.added_tasks_


def test_auto_start_under_cross_validation_clones_cleanly(molecules, related):
    estimator = GATERegressor(pretrained=related, max_iter=2, **TINY)
    assert clone(estimator).get_params()["pretrained"] is related and clone(estimator).chart_init == "auto"
    before = related.predict(molecules)
    y = heteroatoms(molecules[:90])
    scores = cross_val_score(estimator, molecules[:90], y, cv=KFold(2, shuffle=True, random_state=0))
    assert np.isfinite(scores).all()
    np.testing.assert_array_equal(related.predict(molecules), before)  # the pre-trained model is untouched
