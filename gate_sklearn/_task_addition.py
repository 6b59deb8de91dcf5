"""Task addition: new tasks' modules attached to a frozen network, where they start, and how they train."""

import copy

import numpy as np
import pandas as pd
from sklearn.frozen import FrozenEstimator
from sklearn.utils.validation import check_is_fitted

from ._fitting import frozen_outputs, history_record, seeded_torch, train
from ._inputs import check_fit_data
from ._settings import draw_seed, resolve_training
from ._targets import standardisation, task_names_of
from .utils._json import to_python

# chart_init="nearest" needs this many labels to rank the frozen charts; with fewer, a random start.
CHART_INIT_MIN_LABELS = 3


def new_task_names(existing, y, name, n_new):
    """Names for ``n_new`` tasks added to a model with tasks ``existing``: given, from y, or ``task_k``."""
    if name is not None:
        names = [name] if isinstance(name, str) else [str(n) for n in name]
        if len(names) != n_new:
            raise ValueError(f"name gives {len(names)} task name(s) for {n_new} new task(s) in y.")
    elif isinstance(y, pd.DataFrame) or (isinstance(y, pd.Series) and y.name is not None):
        names = task_names_of(y, n_new)
    else:
        names, k = [], len(existing)
        while len(names) < n_new:
            if f"task_{k}" not in existing:
                names.append(f"task_{k}")
            k += 1
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"Task names must be unique; repeated: {repeated}.")
    taken = [n for n in names if n in existing]
    if taken:
        raise ValueError(
            f"Task(s) {taken} already exist in this model (tasks_={existing}); give the new task another "
            "name (add_task's name=..., or rename the Series / DataFrame column)."
        )
    return names


def nearest_chart(module, y_std, frozen_y):
    """The frozen task whose predictions correlate best with an added task's labels, and the line between them.

    ``y_std`` holds the new task's standardised labels (NaN where
    unlabelled), ``frozen_y`` the frozen tasks' standardised predictions for
    the same rows. Returns ``{"source", "correlation", "slope",
    "intercept"}``, or None when the labels cannot rank the charts (fewer than
    ``CHART_INIT_MIN_LABELS``, or constant). Frozen tasks with a private
    branch are left out: a copy could not reproduce their chart.
    """
    labelled = ~np.isnan(y_std)
    y = y_std[labelled]
    if len(y) < CHART_INIT_MIN_LABELS or np.ptp(y) == 0:
        return None
    best = None
    for j in range(module.n_frozen):
        prediction = frozen_y[labelled, j]
        if module.tasks[j].branch is None and np.ptp(prediction) > 0:
            r = float(np.corrcoef(prediction, y)[0, 1])
            if best is None or abs(r) > abs(best[1]):
                best = (j, r)
    if best is None:
        return None
    slope, intercept = np.polyfit(frozen_y[labelled, best[0]], y, 1)
    return {"source": best[0], "correlation": best[1], "slope": float(slope), "intercept": float(intercept)}


def start_record(start, task_names):
    """What ``added_tasks_`` records of where an added task started (``start`` from :func:`nearest_chart`)."""
    if start is None:
        return {"chart_init": "random", "initialised_from": None, "initial_correlation": None}
    return {
        "chart_init": "nearest",
        "initialised_from": task_names[start["source"]],
        "initial_correlation": round(start["correlation"], 6),
    }



def _attach(module, architecture, start, spec):
    """Append an added task's modules to ``module``: a copy of the nearest chart, or a fresh start."""
    if start is None:
        module.tasks.append(architecture.added_task(spec))
        return spec
    # A copy of the nearest task's modules has their width.
    source = module.tasks[start["source"]]
    spec = dict(spec, task_hidden_size=source.head[0].out_features)
    module.tasks.append(architecture.added_task(spec).start_from(source, start["slope"], start["intercept"]))
    return spec


def add_tasks(estimator, X, y, name, params):
    """Append and train new tasks' modules on the estimator's frozen network; returns their names.

    ``params`` are the training parameters of this addition
    (:func:`~gate_sklearn._settings.training_params`). On any failure, or an
    interrupt before the first epoch ended, the model is left as it was.
    """
    names_given = new_task_names(estimator.tasks_, y, name, np.shape(y)[1] if np.ndim(y) == 2 else 1)
    Y, _, _, inputs = check_fit_data(estimator, X, y, reset=False)
    mean, scale = standardisation(Y)
    n_old, n_new = len(estimator.tasks_), len(names_given)
    Y_std = np.full((len(Y), n_old + n_new), np.nan)
    Y_std[:, n_old:] = (Y - mean) / scale
    spec = {key: to_python(params[key]) for key in ("task_hidden_size", "dropout", "private_branch_size")}
    seed = draw_seed(params["random_state"])
    # A model unpickled on another machine runs where its net was mapped (a GPU model on a CPU).
    device = estimator.device_ = str(estimator.net_.device)
    architecture = estimator._architecture()
    module = estimator.net_.module_
    frozen_before = (module.n_frozen, [p.requires_grad for p in module.parameters()])
    try:
        with seeded_torch(seed, device):
            module.freeze()
            frozen = frozen_outputs(module, architecture, inputs, device, estimator.batch_size)
            frozen_y = frozen["y"].double().numpy()
            specs = []
            for k in range(n_old, n_old + n_new):
                start = nearest_chart(module, Y_std[:, k], frozen_y) if params["chart_init"] == "nearest" else None
                task_spec = _attach(module, architecture, start, spec)
                specs.append({**task_spec, **start_record(start, estimator.tasks_)})
            from_copy = all(s["chart_init"] == "nearest" for s in specs)
            settings = resolve_training(params, seed=seed, n_samples=len(Y_std), starts_from_copy=from_copy)
            for s in specs:
                s["learning_rate"] = settings.learning_rate
            net = train(
                module, inputs, Y_std, settings, architecture, device,
                trainable_tasks=list(range(n_old, n_old + n_new)), frozen=frozen,
                architecture_params=estimator.base_params_,
            )  # fmt: skip
        record = history_record(net)
    except BaseException:
        del module.tasks[n_old:]
        module.n_frozen = frozen_before[0]
        for param, flag in zip(module.parameters(), frozen_before[1]):
            param.requires_grad_(flag)
        raise
    estimator.net_ = net
    estimator.tasks_ = estimator.tasks_ + names_given
    estimator.y_mean_ = np.concatenate([estimator.y_mean_, mean])
    estimator.y_scale_ = np.concatenate([estimator.y_scale_, scale])
    estimator.added_tasks_ = estimator.added_tasks_ + [dict(s, name=n) for n, s in zip(names_given, specs)]
    estimator.add_task_history_ = {**estimator.add_task_history_, **{n: record for n in names_given}}
    return names_given


def source_model(pretrained):
    """The fitted model given as ``pretrained`` (unwrapped from a FrozenEstimator)."""
    from .estimator import GATERegressor

    source = pretrained.estimator if isinstance(pretrained, FrozenEstimator) else pretrained
    if not isinstance(source, GATERegressor):
        raise TypeError(f"pretrained must be a fitted GATERegressor, got {type(source).__name__}.")
    check_is_fitted(source, "net_", msg="pretrained must be a fitted GATERegressor; fit it first.")
    return source


def is_fitted_attribute(name):
    """Whether an attribute name is fitted state (``name_``, and the private ``_y_ndim``)."""
    return name == "_y_ndim" or (name.endswith("_") and not name.startswith("_"))


def fit_pretrained(estimator, X, y, params):
    """``fit`` under ``pretrained=``: a deep copy of the pre-trained model's fitted state, plus y's task(s).

    The model passed as ``pretrained`` is never modified; a failed fit leaves
    the estimator as it was before (fitted or not).
    """
    source = source_model(estimator.pretrained)
    previous = {a: v for a, v in vars(estimator).items() if is_fitted_attribute(a)}
    for attribute in previous:
        delattr(estimator, attribute)
    try:
        fitted = {a: v for a, v in vars(source).items() if is_fitted_attribute(a)}
        for attribute, value in copy.deepcopy(fitted).items():
            setattr(estimator, attribute, value)
        names = add_tasks(estimator, X, y, None, params)
    except BaseException:
        for attribute in [a for a in vars(estimator) if is_fitted_attribute(a)]:
            delattr(estimator, attribute)
        for attribute, value in previous.items():
            setattr(estimator, attribute, value)
        raise
    estimator.output_tasks_ = names
    estimator._y_ndim = 1 if (np.ndim(y) == 1 and len(names) == 1) else 2
    return names
