"""Task addition: new tasks' modules attached to a frozen network, where they start, and how they train."""

import copy

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator
from sklearn.utils.validation import check_is_fitted

from . import _start_selection
from ._fitting import frozen_outputs, history_record, seeded_torch, train
from ._inputs import check_fit_data, take
from ._settings import draw_seed, resolve_training
from ._targets import standardisation, task_names_of
from .nn.losses import ALIGNMENT_TERMS
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


def start_record(start, task_names, chart_init):
    """What ``added_tasks_`` records of how an added task started (``start`` from :func:`nearest_chart`)."""
    if start is None:
        return {"chart_init": chart_init, "initialised_from": None, "initial_correlation": None}
    return {
        "chart_init": chart_init,
        "initialised_from": task_names[start["source"]],
        "initial_correlation": round(start["correlation"], 6),
    }


def _attach(module, architecture, chart_init, start, spec):
    """Append an added task's modules to ``module`` as ``chart_init`` says; returns the spec that rebuilds them.

    ``"nearest"``: a copy of the nearest chart (``start``); ``"random"``: a
    fresh start; ``"fine_tune"``: a trainable copy of the shared embedding as
    the task's branch, the copied chart reading it (fresh modules when there
    is no chart to copy); ``"scratch"``: fresh modules reading a fresh
    embedding of full width as the branch, besides the frozen one.
    """
    if chart_init in ("fine_tune", "scratch"):
        spec = dict(spec, private_branch_size=architecture.hidden_size)
    if chart_init in ("random", "scratch") or start is None:
        task = architecture.added_task(spec)
    else:
        # A copy of the nearest task's modules has their width.
        source = module.tasks[start["source"]]
        spec = dict(spec, task_hidden_size=source.head[0].out_features)
        task = architecture.added_task(spec)
    if chart_init == "fine_tune":
        task.branch.load_state_dict(module.embedding.state_dict())
    if chart_init not in ("random", "scratch") and start is not None:
        task.start_from(source, start["slope"], start["intercept"], on_branch=chart_init == "fine_tune")
    module.tasks.append(task)
    return spec


def _attach_all(module, architecture, chart_init, starts, spec, task_names):
    """Attach every new task's modules; returns their ``added_tasks_`` entries (name not yet set)."""
    records = []
    for start in starts:
        task_spec = _attach(module, architecture, chart_init, start, spec)
        # Without a chart to copy (too few or constant labels) the nearest-chart start is a random one.
        started = "random" if chart_init == "nearest" and start is None else chart_init
        copied = chart_init not in ("random", "scratch")
        records.append({**task_spec, **start_record(start if copied else None, task_names, started)})
    return records


def check_chart_init(chart_init):
    """``chart_init`` as a tuple of the starts it allows; a clear error for an unknown or repeated one."""
    if isinstance(chart_init, str):
        return _start_selection.CANDIDATES if chart_init == "auto" else (chart_init,)
    names = tuple(chart_init)
    unknown = [n for n in names if n not in _start_selection.STARTS]
    if not names or unknown or len(set(names)) < len(names):
        problem = f"unknown {unknown}" if unknown else "empty" if not names else "a start named twice"
        raise ValueError(
            f"chart_init as a tuple lists the starts to compare, among {_start_selection.STARTS}; "
            f"got {chart_init!r} ({problem})."
        )
    return names


def _candidates(chart_init, starts, params):
    """The starts ``chart_init`` allows, less those that would repeat another here."""
    candidates = check_chart_init(chart_init)
    if len(candidates) == 1:
        return candidates
    if any(s is None for s in starts):  # no chart to copy: the copy would be a random start
        candidates = tuple(c for c in candidates if c != "nearest")
    if not any(params[f"{term}_weight"] for term in ALIGNMENT_TERMS):  # without alignment, already unaligned
        built = _start_selection.UNALIGNED_STARTS
        candidates = tuple(c for c in candidates if c not in built or built[c] not in candidates)
    return candidates


def add_tasks(estimator, X, y, name, params):
    """Append and train new tasks' modules on the estimator's frozen network; returns their names.

    ``params`` are the training parameters of this addition
    (:func:`~gate_sklearn._settings.training_params`). On any failure, or an
    interrupt before the first epoch ended, the model is left as it was.
    """
    names_given = new_task_names(estimator.tasks_, y, name, np.shape(y)[1] if np.ndim(y) == 2 else 1)
    check_chart_init(params["chart_init"])
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
    new_columns = list(range(n_old, n_old + n_new))
    try:
        with seeded_torch(seed, device):
            module.freeze()
            frozen = frozen_outputs(module, architecture, inputs, device, estimator.batch_size)
        frozen_y = frozen["y"].double().numpy()
        starts = [nearest_chart(module, Y_std[:, k], frozen_y) for k in new_columns]
        candidates = _candidates(params["chart_init"], starts, params)
        base = copy.deepcopy(module) if len(candidates) > 1 else None

        def train_start(chart_init, target_module, rows, run_seed, **overrides):
            """Attach the new tasks to ``target_module`` with this start and train them on ``rows``."""
            modules = _start_selection.UNALIGNED_STARTS.get(chart_init, chart_init)
            records = _attach_all(target_module, architecture, modules, starts, spec, estimator.tasks_)
            if modules != chart_init:
                overrides = {**overrides, **{f"{term}_weight": 0.0 for term in ALIGNMENT_TERMS}}
                for r in records:
                    r["chart_init"] = chart_init
            # A copied chart is fine-tuned gently; a trainable embedding copy learns at the rate of a new network.
            copies = modules != "fine_tune" and all(r["initialised_from"] is not None for r in records)
            settings = resolve_training(
                {**params, **overrides}, seed=run_seed, n_samples=len(rows), starts_from_copy=copies
            )
            sub = {name: value[rows] for name, value in frozen.items()}
            net = train(
                target_module, take(inputs, rows), Y_std[rows], settings, architecture, device,
                trainable_tasks=new_columns, frozen=sub, architecture_params=estimator.base_params_,
            )  # fmt: skip
            return net, records, settings

        def trial(chart_init, rows, run_seed):
            with seeded_torch(run_seed, device):
                net, _, _ = train_start(
                    chart_init, copy.deepcopy(base), rows, run_seed, verbose=0, checkpoint_dir=None
                )
            if net.interrupted_:  # Ctrl-C stops the whole addition, not one trial of it
                raise KeyboardInterrupt("Task addition was interrupted while choosing its start; nothing was kept.")
            return lambda held_out: _start_selection.new_task_outputs(
                net, architecture, inputs, frozen, held_out, new_columns, estimator.batch_size
            )

        chart_init, selection = _start_selection.choose_start(Y_std, new_columns, candidates, trial, seed)
        with seeded_torch(seed, device):
            net, specs, settings = train_start(chart_init, module, np.arange(len(Y_std)), seed)
        for s in specs:
            s["learning_rate"] = settings.learning_rate
            if not isinstance(params["chart_init"], str) or params["chart_init"] == "auto":
                s["selection"] = selection
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


def source_model(pretrained, strict=True):
    """The fitted model given as ``pretrained``: unwrapped from a FrozenEstimator, or loaded by name.

    With ``strict=False`` (reading its architecture, perhaps before it is fitted), None instead of an
    error where there is no model to read.
    """
    from .estimator import GATERegressor
    from .pretrained._registry import available_models, shared_model

    if isinstance(pretrained, str):
        return shared_model(pretrained) if strict or pretrained in available_models() else None
    if not strict:
        source = getattr(pretrained, "estimator", pretrained)
        return source if isinstance(source, GATERegressor) else None
    source = pretrained.estimator if isinstance(pretrained, FrozenEstimator) else pretrained
    if not isinstance(source, GATERegressor):
        raise TypeError(f"pretrained must be a fitted GATERegressor, got {type(source).__name__}.")
    check_is_fitted(source, "net_", msg="pretrained must be a fitted GATERegressor; fit it first.")
    return source


def is_fitted_attribute(name):
    """Whether an attribute name is fitted state (``name_``, and the private ``_y_ndim``)."""
    return name == "_y_ndim" or (name.endswith("_") and not name.startswith("_"))


def clone_sharing_pretrained(estimator):
    """``clone(estimator)`` whose ``pretrained`` model is the same object, not an unfitted clone of it."""
    params = estimator.get_params(deep=False)
    pretrained = params.pop("pretrained")
    new = type(estimator)(**{k: clone(v, safe=False) for k, v in params.items()})
    new.pretrained = pretrained
    # What sklearn's own clone carries over besides the parameters.
    for attribute in ("_metadata_request", "_sklearn_output_config"):
        if hasattr(estimator, attribute):
            setattr(new, attribute, copy.deepcopy(getattr(estimator, attribute)))
    return new


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
