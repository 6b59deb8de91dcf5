"""Checkpoints during long fits, and resuming from them.

With ``checkpoint_dir`` set, every completed epoch writes the training state
(weights, optimizer, history, early-stopping state with its best weights, the
torch random state) to ``<checkpoint_dir>/<key>/training.pt``, atomically: a
crash or Ctrl-C while writing leaves the previous checkpoint intact. The key
is a digest of what defines the run: the network's initial weights (so the
architecture, the random seed and, for task addition, the model being
extended), the training inputs and targets, and the training parameters.
Running the same fit again with the same directory therefore finds its own
checkpoint and continues from it; any other fit (another fold of a
cross-validation, another grid point) gets its own key. A finished run's
checkpoint is marked complete and holds its final weights: running that fit
again restores it without training.

The file is read with ``torch.load(weights_only=True)``: it holds tensors,
numbers and strings only, and loading it runs no code.
"""

import hashlib
import json
import os
from pathlib import Path

import numpy as np
import torch
from skorch.callbacks import Callback, EarlyStopping

_FILE = "training.pt"
# Settings that do not change what is trained (where it prints, where checkpoints go).
_RUNTIME_SETTINGS = ("verbose", "checkpoint_dir")


def run_key(module, inputs, Y_std, settings, trainable_tasks, architecture=None):
    """Digest of a training run: initial weights, architecture, data, targets and training parameters.

    The architecture parameters are hashed explicitly: some change the network without changing its
    weights (the D-MPNN's ``depth`` reuses one weight matrix at every step).
    """
    digest = hashlib.sha256()
    digest.update(json.dumps(architecture or {}, sort_keys=True, default=repr).encode())
    for name, tensor in module.state_dict().items():
        digest.update(name.encode())
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    if isinstance(inputs, np.ndarray):
        digest.update(np.ascontiguousarray(inputs).tobytes())
    else:
        for graph in inputs:
            for array in (graph.atom_features, graph.bond_features, graph.edge_index):
                digest.update(np.ascontiguousarray(array).tobytes())
    digest.update(np.ascontiguousarray(Y_std).tobytes())
    training = {k: repr(v) for k, v in sorted(vars(settings).items()) if k not in _RUNTIME_SETTINGS}
    digest.update(json.dumps([training, list(trainable_tasks or [])]).encode())
    return digest.hexdigest()[:24]


def checkpoint_path(checkpoint_dir, key):
    return Path(checkpoint_dir) / key / _FILE


class ResumableEarlyStopping(EarlyStopping):
    """Early stopping whose state (misses, best score, best weights) carries over into a resumed run."""

    resume_state = None

    def on_train_begin(self, net, **kwargs):
        super().on_train_begin(net, **kwargs)
        if self.resume_state is not None:
            state = self.resume_state
            self.misses_ = state["misses"]
            self.dynamic_threshold_ = state["dynamic_threshold"]
            self.best_epoch_ = state["best_epoch"]
            self.best_model_weights_ = state["best_weights"]

    def state(self):
        return {
            "misses": self.misses_,
            "dynamic_threshold": float(self.dynamic_threshold_),
            "best_epoch": int(self.best_epoch_),
            "best_weights": self.best_model_weights_,
        }


class TrainingCheckpoint(Callback):
    """Write the training state after every epoch, and a final, complete one at the end of training.

    An interrupted run (Ctrl-C) keeps its last epoch's checkpoint, so the next
    run resumes it; a run that ended (all epochs, or early stopping) is marked
    complete with its final weights.
    """

    def __init__(self, path):
        self.path = path

    def on_epoch_end(self, net, **kwargs):
        self._write(net, complete=False)

    def on_train_end(self, net, **kwargs):
        if not getattr(net, "interrupted_", False):
            self._write(net, complete=True)

    def _write(self, net, complete):
        stopper = dict(net.callbacks_).get("early_stopping")
        state = {
            "complete": complete,
            "module": net.module_.state_dict(),
            "optimizer": None if complete else net.optimizer_.state_dict(),
            "early_stopping": None if (complete or stopper is None) else stopper.state(),
            "history": json.dumps(net.history.to_list(), default=_plain),
            "torch_rng": torch.get_rng_state(),
            "cuda_rng": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
        }
        path = Path(self.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        with open(partial, "wb") as handle:
            torch.save(state, handle)
            handle.flush()
            os.fsync(handle.fileno())  # on disk before the rename, so a power cut cannot leave an empty file
        os.replace(partial, path)  # atomic: a reader sees the old checkpoint or the new one


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} in the training history cannot be checkpointed")


def read_checkpoint(path):
    """The training state written by :class:`TrainingCheckpoint`, or None when there is none."""
    path = Path(path)
    if not path.exists():
        return None
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises several types for a damaged file
        raise ValueError(
            f"The checkpoint {path} cannot be read ({type(error).__name__}: {error}); delete it to start this fit "
            "over."
        ) from None


def restore(net, state):
    """Put an initialized net in the state a checkpoint recorded; returns the epochs already done."""
    from skorch.history import History

    net.module_.load_state_dict(state["module"])
    net.history = History(json.loads(state["history"]))
    if state["optimizer"] is not None:
        net.optimizer_.load_state_dict(state["optimizer"])
    stopper = dict(net.callbacks_).get("early_stopping")
    if stopper is not None and state["early_stopping"] is not None:
        stopper.resume_state = state["early_stopping"]
    torch.set_rng_state(state["torch_rng"])
    if state.get("cuda_rng") and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda_rng"])
    return len(net.history)
