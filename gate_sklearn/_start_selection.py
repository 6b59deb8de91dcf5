"""How an added task starts, chosen on its own labels: ``chart_init="auto"``.

A new property's relation to the frozen charts is unknown in advance. Copying
a weakly related chart into a frozen embedding can transfer negatively, and a
frozen embedding can lack what the property depends on. So the addition
trains each candidate start on part of the new labels and scores it on the
rest, then trains the best one on all of them:

* ``"nearest"``: the modules start as a copy of the frozen chart that predicts
  the labels best, on the frozen embedding;
* ``"random"``: fresh modules on the frozen embedding;
* ``"fine_tune"``: the modules start as that copy too, reading a private copy
  of the shared embedding that the new task trains (the shared one stays
  frozen, so the other tasks' predictions do not change);
* ``"scratch"``: fresh modules reading, besides the frozen embedding, a
  private one of the same kind that starts at random: the property is learned
  almost as it would be alone, for when the pre-training misleads.

Every one of these is trained with the alignment terms, which pull the new
chart toward the frozen ones. Two more starts leave them out and train with
the regression loss alone, so that a property the charts do not describe is
learned as it would be alone: ``"head"`` (fresh modules on the frozen
embedding) and ``"plain_fine_tune"`` (the ``"fine_tune"`` start). A tuple of
names given as ``chart_init`` compares those starts only.

With few labels every labelled molecule is scored once, by cross-fitting
over ``N_FOLDS`` folds; with many, one hold-out part is enough and costs less.
"""

import numpy as np
import torch

from . import _inputs
from .training import WithFrozenOutputs

# The starts that chart_init="auto" compares, cheapest first (ties go to the earlier one).
CANDIDATES = ("nearest", "random", "fine_tune")
# Starts trained with the regression loss only, and the start whose modules each one builds.
UNALIGNED_STARTS = {"head": "random", "plain_fine_tune": "fine_tune"}
STARTS = ("nearest", "random", "head", "fine_tune", "plain_fine_tune", "scratch")
# Below this many labelled molecules a validation score means nothing: the nearest chart, untested.
MIN_SELECTION_LABELS = 10
# Up to this many labelled molecules, N_FOLDS-fold cross-fitting; above, one hold-out part.
CROSS_FIT_MAX_LABELS = 300
N_FOLDS = 3
HOLDOUT_FRACTION = 0.2


def validation_parts(labelled_rows, seed):
    """The rows scored in each round: ``N_FOLDS`` folds of the labelled rows, or one hold-out part."""
    order = np.random.default_rng(seed).permutation(labelled_rows)
    if len(order) <= CROSS_FIT_MAX_LABELS:
        return [np.sort(part) for part in np.array_split(order, N_FOLDS)]
    return [np.sort(order[: int(np.ceil(HOLDOUT_FRACTION * len(order)))])]


def new_task_outputs(net, architecture, inputs, frozen, rows, columns, batch_size):
    """The trained network's standardised predictions of ``columns`` for ``rows`` (eval mode)."""
    items = WithFrozenOutputs(
        _inputs.dataset(architecture, _inputs.take(inputs, rows)), {name: value[rows] for name, value in frozen.items()}
    )
    collate = _inputs.collate_fn(architecture, frozen=True)
    net.module_.eval()
    chunks = []
    with torch.no_grad():
        for start in range(0, len(rows), max(256, batch_size)):
            batch, _ = collate([items[i] for i in range(start, min(start + max(256, batch_size), len(rows)))])
            chunks.append(net.infer(batch)["y"][:, columns].cpu().double().numpy())
    return np.concatenate(chunks)


def choose_start(Y_std, columns, candidates, train_candidate, seed):
    """Score each candidate start on held-out labels of the new tasks; returns ``(choice, record)``.

    ``train_candidate(candidate, rows, seed)`` trains a fresh copy of the
    frozen network with that start on ``rows`` and returns a function that
    predicts the new tasks' standardised values for other rows. The score is
    the RMSE on the standardised scale over every held-out label, averaged
    over the new tasks. ``record`` is what ``added_tasks_`` keeps of the
    choice.
    """
    labels = Y_std[:, columns]
    labelled = np.flatnonzero(~np.isnan(labels).all(axis=1))
    if len(candidates) == 1 or len(labelled) < MIN_SELECTION_LABELS:
        reason = "only one candidate" if len(candidates) == 1 else f"fewer than {MIN_SELECTION_LABELS} labels"
        return candidates[0], {"chosen": candidates[0], "scores": None, "validation": f"none ({reason})"}
    parts = validation_parts(labelled, seed)
    all_rows = np.arange(len(Y_std))
    scores = {}
    for c, candidate in enumerate(candidates):
        errors = np.full_like(labels, np.nan)
        for p, held_out in enumerate(parts):
            predict = train_candidate(candidate, np.setdiff1d(all_rows, held_out), seed + 1 + 10 * c + p)
            errors[held_out] = predict(held_out) - labels[held_out]
        scored = ~np.isnan(errors)
        per_task = [np.sqrt(np.mean(errors[scored[:, k], k] ** 2)) for k in range(errors.shape[1]) if scored[:, k].any()]
        scores[candidate] = float(np.mean(per_task))
    choice = min(candidates, key=lambda c: scores[c])  # min keeps the first of equal scores
    validation = f"{len(parts)}-fold cross-fitting" if len(parts) > 1 else f"hold-out of {len(parts[0])} labels"
    record = {
        "chosen": choice,
        "scores": {c: round(s, 6) for c, s in scores.items()},
        "validation": f"{validation} over {len(labelled)} labelled molecules",
    }
    return choice, record
