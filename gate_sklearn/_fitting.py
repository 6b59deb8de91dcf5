"""One round of training: the skorch net, the validation split, checkpoints, and what training leaves."""

import warnings
from contextlib import contextmanager

import numpy as np
import torch
from skorch.callbacks import ProgressBar
from skorch.helper import predefined_split
from skorch.utils import noop

from . import _distributed, _inputs
from ._checkpoint import checkpoint_path, read_checkpoint, restore, run_key
from ._settings import draw_seed, resolve_training, training_params
from .callbacks import LOGGED_VALUES, LossTermLogger, ResumableEarlyStopping, TrainingCheckpoint, ValidationR2
from .exceptions import ChartCollapseWarning, TrainingInterruptedWarning
from .nn import GATELoss
from .training import GATENet, WithFrozenOutputs


def resolve_device(device):
    """``"auto"`` means CUDA when available, else CPU; anything else must name a usable torch device."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        resolved = torch.device(device)
    except RuntimeError as error:
        raise ValueError(f"device={device!r} is not a torch device ({error}); use 'auto', 'cpu' or 'cuda'.") from None
    if resolved.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(f"device={device!r}, but CUDA is not available here; use device='auto' or 'cpu'.")
        if resolved.index is not None and resolved.index >= torch.cuda.device_count():
            raise ValueError(f"device={device!r}, but this machine has {torch.cuda.device_count()} CUDA device(s).")
    return str(resolved)


@contextmanager
def seeded_torch(seed, device):
    """Seed torch for a block of work and give the caller's global random state back afterwards."""
    devices = [torch.device(device).index or 0] if str(device).startswith("cuda") else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield


def build_net(module, settings, architecture, device, valid_dataset=None, y_valid=None, trainable_tasks=None,
              checkpoint=None):  # fmt: skip
    """A skorch net around ``module`` with the GATE loss, logging, early stopping and optional checkpoints.

    In a data-parallel fit, every process trains and validates alike; only the first prints and writes
    checkpoints (all of them read one to resume).
    """
    main_process = settings.rank == 0
    verbose = settings.verbose if main_process else 0
    callbacks = [("loss_terms", LossTermLogger())]
    if valid_dataset is not None:
        callbacks += [
            ("valid_r2", ValidationR2(y_valid, tasks=trainable_tasks)),
            (
                "early_stopping",
                ResumableEarlyStopping(
                    monitor="valid_r2",
                    lower_is_better=False,
                    patience=settings.n_iter_no_change,
                    threshold=settings.tol,
                    threshold_mode="abs",
                    load_best=True,
                    sink=print if verbose else noop,
                ),
            ),
        ]
    if checkpoint is not None and main_process:
        callbacks.append(("checkpoint", TrainingCheckpoint(checkpoint)))  # after early stopping's update
    if verbose >= 2:
        callbacks.append(("progress_bar", ProgressBar()))
    # Task addition trains on cached outputs of the frozen parts (see GATENetwork.frozen_outputs).
    collate = _inputs.collate_fn(architecture, frozen=bool(module.n_frozen))
    return GATENet(
        module=module,
        criterion=GATELoss(**settings.loss),
        optimizer=torch.optim.Adam,
        lr=settings.learning_rate,
        optimizer__weight_decay=settings.weight_decay,
        max_epochs=settings.max_iter,
        batch_size=settings.batch_size,
        iterator_train__shuffle=True,
        iterator_train__collate_fn=collate,
        iterator_valid__collate_fn=collate,
        train_split=predefined_split(valid_dataset) if valid_dataset is not None else None,
        callbacks=callbacks,
        device=device,
        verbose=int(bool(verbose)),
        # Every term's epoch mean is in the history; the printed table shows the training ones.
        callbacks__print_log__keys_ignored=[f"valid_{n}" for n in LOGGED_VALUES] + ["batches"],
        trainable_tasks=trainable_tasks,
        world_size=settings.world_size,
        sampler_seed=settings.seed,
    )


def split_rows(n_samples, settings):
    """Indices of the training and validation rows (no validation without early stopping)."""
    order = np.random.default_rng(settings.seed).permutation(n_samples)
    if not settings.early_stopping:
        return order, None
    n_valid = int(np.ceil(settings.validation_fraction * n_samples))
    if n_samples - n_valid < 1:
        raise ValueError(
            f"early_stopping needs rows for training and validation, but there are only {n_samples} "
            f"samples with validation_fraction={settings.validation_fraction}. Set early_stopping=False."
        )
    return np.sort(order[n_valid:]), np.sort(order[:n_valid])


def frozen_outputs(module, architecture, inputs, device, batch_size):
    """The frozen parts' outputs for every input, computed once for a task addition (kept on the CPU)."""
    chunks = []
    module.eval()
    for batch, _ in _inputs.inference_batches(architecture, inputs, batch_size):
        cached = module.frozen_outputs(batch.to(device))
        chunks.append({name: value.cpu() for name, value in cached.items()})
    return {name: torch.cat([c[name] for c in chunks]) for name in chunks[0]}


def train(module, inputs, Y_std, settings, architecture, device, architecture_params=None, trainable_tasks=None,
          frozen=None):  # fmt: skip
    """Train ``module`` on standardised targets (NaN-holed); returns the skorch net.

    ``frozen``: the frozen parts' outputs for ``inputs`` (task addition).
    ``architecture_params`` enter the checkpoint key.
    """
    train_rows, valid_rows = split_rows(len(Y_std), settings)

    def part(rows):
        items = _inputs.dataset(architecture, _inputs.take(inputs, rows), Y_std[rows])
        if frozen is None:
            return items
        return WithFrozenOutputs(items, {name: value[rows] for name, value in frozen.items()})

    valid_set, y_valid = (None, None) if valid_rows is None else (part(valid_rows), Y_std[valid_rows])
    path = None
    if settings.checkpoint_dir is not None:
        if not settings.reproducible:
            warnings.warn(
                "checkpoint_dir is set but random_state is not an int: this fit is a new run every time, so its "
                "checkpoints can never be resumed. Set random_state to an int.",
                UserWarning,
                stacklevel=4,
            )
        key = run_key(module, inputs, Y_std, settings, trainable_tasks, architecture=architecture_params)
        path = checkpoint_path(settings.checkpoint_dir, key)
    net = build_net(module, settings, architecture, device, valid_set, y_valid, trainable_tasks, checkpoint=path)
    train_set = part(train_rows)
    state = read_checkpoint(path) if path is not None else None
    if state is None:
        net.fit(train_set, y=None)
        return net
    net.initialize()
    done = restore(net, state)
    if settings.verbose and settings.rank == 0:
        print(f"Resuming from {path}: {done} epoch(s) done{' (complete)' if state['complete'] else ''}.")
    # With nothing left to run, this still ends training properly: best weights, a complete checkpoint.
    remaining = 0 if state["complete"] else max(0, settings.max_iter - done)
    net.partial_fit(train_set, y=None, epochs=remaining)
    return net


def training_processes(estimator):
    """``(device, rank, world_size)`` of a ``fit``: one process, or this one's place in a data-parallel launch."""
    device = resolve_device(estimator.device)
    if not estimator.distributed:
        return device, 0, 1
    device = _distributed.local_device(device)
    return (device, *_distributed.process_group(device))


def fit_network(estimator, inputs, Y_std, processes):
    """``fit``'s training: a new network on every task of ``Y_std`` (standardised).

    ``processes``: from :func:`training_processes`. Sets ``device_``, the training attributes and
    ``net_`` on ``estimator``.
    """
    device, rank, world_size = processes
    estimator.device_ = device
    params = training_params(estimator)
    seed = draw_seed(params["random_state"])
    if world_size > 1:
        seed = _distributed.first_process_value(seed)  # one validation split and batch order for all
    settings = resolve_training(params, seed=seed, n_samples=len(Y_std), world_size=world_size, rank=rank)
    architecture = estimator._architecture()
    estimator.__dict__.pop("net_", None)  # not fitted until training has completed an epoch
    with seeded_torch(seed, device):
        module = architecture.network(Y_std.shape[1])
        net = train(module, inputs, Y_std, settings, architecture, device, estimator.base_params_)
    set_history(estimator, history_record(net))
    estimator.net_ = net


def history_record(net):
    """What a training run leaves: epochs, loss curve, validation scores, every term per epoch.

    An interrupted run (Ctrl-C: skorch stops, and early stopping restores the best weights) counts
    the epochs it completed and warns; one interrupted before its first epoch ended re-raises.
    """
    epochs = [row for row in net.history if "train_loss" in row]
    if not epochs:
        raise KeyboardInterrupt("Training was interrupted before its first epoch ended; nothing was kept.")
    if net.interrupted_:
        warnings.warn(
            f"Training was interrupted after {len(epochs)} complete epoch(s); the model keeps "
            "the best weights so far.",
            TrainingInterruptedWarning,
            stacklevel=4,
        )
    record = {"n_iter": len(epochs), "loss_curve": [float(row["train_loss"]) for row in epochs]}
    record["interrupted"] = bool(net.interrupted_)
    if "valid_r2" in epochs[-1]:
        scores = [float(row["valid_r2"]) for row in epochs]
        finite = [v for v in scores if np.isfinite(v)]
        # NaN when no validation task had two labels to score (tiny data).
        record.update(validation_scores=scores, best_validation_score=max(finite) if finite else float("nan"))
    else:
        record.update(validation_scores=None, best_validation_score=None)
    record["loss_terms"] = {
        key: [float(row.get(key, np.nan)) for row in epochs]
        for key in (f"{p}_{n}" for p in ("train", "valid") for n in LOGGED_VALUES)
        if key in epochs[-1]
    }
    spread = record["loss_terms"].get("train_lf_spread")
    if spread and len(spread) > 1 and spread[-1] < 1e-3 * max(spread):
        warnings.warn(
            f"The locally flat coordinates collapsed: their spread fell from {max(spread):.3g} to "
            f"{spread[-1]:.3g}. Lower consistency_weight or raise autoencoder_weight.",
            ChartCollapseWarning,
            stacklevel=4,
        )
    return record


def set_history(estimator, record):
    """The estimator's training attributes (``n_iter_``, ``loss_curve_``, ...) from a :func:`history_record`."""
    for key in ("n_iter", "loss_curve", "validation_scores", "best_validation_score", "loss_terms"):
        setattr(estimator, f"{key}_", record[key])
