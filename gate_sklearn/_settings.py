"""Training settings: the parameters that govern one round of training, resolved once.

A fit or a task addition reads its parameters from the estimator (and, for
``add_task``, from the options given to that call), validates them, and then
resolves every ``"auto"`` into a concrete value in one place,
:func:`resolve_training`, which returns an immutable :class:`TrainingSettings`.
Everything downstream (the skorch net, the validation split, checkpoints) reads
that object and nothing else.
"""

import numbers
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import validate_parameter_constraints

from .nn.losses import ALIGNMENT_TERMS

# early_stopping="auto" holds out a validation part only above this many training rows (the rule of
# scikit-learn's HistGradientBoosting): the 10 % part then has over 1,000 molecules. On smaller sets
# its R^2 is too noisy to stop on (the documentation's defaults page has the evidence).
EARLY_STOPPING_AUTO_MIN_SAMPLES = 10_000

# learning_rate_init="auto": Adam's step for modules trained from a random start, and for an added task
# that starts as a copy of a trained chart, which is fine-tuned rather than learned anew.
LEARNING_RATE_FROM_SCRATCH = 1e-3
LEARNING_RATE_FROM_COPY = 3e-4

# The parameters of the loss (GATELoss's constructor arguments).
LOSS_PARAMS = (
    *(f"{term}_weight" for term in ALIGNMENT_TERMS),
    "n_perturbations",
    "perturbation_scale",
    "max_mapping_partners",
)

# Parameters that govern one round of training; ``add_task`` accepts each of them as an option.
TRAINING_PARAMS = (
    "task_hidden_size",
    "dropout",
    "private_branch_size",
    "chart_init",
    *LOSS_PARAMS,
    "max_iter",
    "batch_size",
    "learning_rate_init",
    "weight_decay",
    "early_stopping",
    "validation_fraction",
    "n_iter_no_change",
    "tol",
    "random_state",
    "verbose",
    "checkpoint_dir",
)


@dataclass(frozen=True)
class TrainingSettings:
    """One round of training, every value concrete (no ``"auto"`` left).

    Attributes
    ----------
    loss : mapping
        Keyword arguments of :class:`~gate_sklearn.nn.GATELoss`.
    max_iter, batch_size, weight_decay, n_iter_no_change, tol, validation_fraction
        As the estimator's parameters of the same names.
    learning_rate : float
        Adam's learning rate, ``learning_rate_init`` resolved.
    early_stopping : bool
        Whether a validation part is held out, ``early_stopping`` resolved
        for the number of training rows.
    seed : int
        The seed of this round, drawn once from ``random_state``.
    reproducible : bool
        Whether ``random_state`` is an int, so that the same call trains the
        same run again (what resuming from a checkpoint needs).
    verbose : int
    checkpoint_dir : str, path-like or None
    world_size : int
        Processes training together (``distributed=True``); 1 otherwise.
    rank : int
        This process's place among them (0 prints and writes checkpoints).
    """

    loss: MappingProxyType
    max_iter: int
    batch_size: int
    learning_rate: float
    weight_decay: float
    early_stopping: bool
    validation_fraction: float
    n_iter_no_change: int
    tol: float
    seed: int
    reproducible: bool
    verbose: int
    checkpoint_dir: object
    world_size: int = 1
    rank: int = 0


def training_params(estimator, options=None, caller="fit"):
    """The estimator's training parameters, with ``options`` (validated) in their place.

    Returns a read-only mapping of the raw values (``"auto"`` not resolved yet).
    """
    options = dict(options or {})
    unknown = sorted(set(options) - set(TRAINING_PARAMS))
    if unknown:
        raise TypeError(f"{caller}() got unknown option(s) {unknown}; the options are {list(TRAINING_PARAMS)}.")
    constraints = {name: estimator._parameter_constraints[name] for name in options}
    validate_parameter_constraints(constraints, options, caller_name=f"{type(estimator).__name__}.{caller}")
    return MappingProxyType({name: options.get(name, getattr(estimator, name)) for name in TRAINING_PARAMS})


def draw_seed(random_state):
    """The int seed of one round of training, drawn from ``random_state``."""
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


def uses_early_stopping(early_stopping, n_samples):
    """Whether a fit on ``n_samples`` rows holds out a validation part (see ``early_stopping``)."""
    if early_stopping == "auto":
        return n_samples > EARLY_STOPPING_AUTO_MIN_SAMPLES
    return bool(early_stopping)


def resolve_learning_rate(learning_rate_init, starts_from_copy=False):
    """Adam's learning rate for one round of training (see ``learning_rate_init``)."""
    if learning_rate_init != "auto":
        return float(learning_rate_init)
    return LEARNING_RATE_FROM_COPY if starts_from_copy else LEARNING_RATE_FROM_SCRATCH


def resolve_training(params, *, seed, n_samples, starts_from_copy=False, world_size=1, rank=0):
    """Resolve ``params`` (from :func:`training_params`) into :class:`TrainingSettings`.

    Parameters
    ----------
    params : mapping
        Raw training parameters.
    seed : int
        From :func:`draw_seed`.
    n_samples : int
        Training rows (before any validation split).
    starts_from_copy : bool
        Whether every module being trained starts as a copy of a trained one
        (task addition's nearest-chart start).
    world_size, rank : int
        The process group of a ``distributed=True`` fit (one process otherwise).
    """
    return TrainingSettings(
        loss=MappingProxyType({name: params[name] for name in LOSS_PARAMS}),
        max_iter=params["max_iter"],
        batch_size=params["batch_size"],
        learning_rate=resolve_learning_rate(params["learning_rate_init"], starts_from_copy),
        weight_decay=params["weight_decay"],
        early_stopping=uses_early_stopping(params["early_stopping"], n_samples),
        validation_fraction=params["validation_fraction"],
        n_iter_no_change=params["n_iter_no_change"],
        tol=params["tol"],
        seed=seed,
        reproducible=isinstance(params["random_state"], numbers.Integral),
        verbose=int(params["verbose"] or 0),
        checkpoint_dir=params["checkpoint_dir"],
        world_size=world_size,
        rank=rank,
    )
