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
from dataclasses import fields
from pathlib import Path

import numpy as np
import torch

_FILE = "training.pt"
# Settings that do not change what is trained (where it prints, where checkpoints go, which process).
_RUNTIME_SETTINGS = ("verbose", "checkpoint_dir", "rank")


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
            if isinstance(graph, str):  # featurize_per_batch=True: the SMILES stand for their graphs
                digest.update(graph.encode() + b"\0")
                continue
            for array in (graph.atom_features, graph.bond_features, graph.edge_index):
                digest.update(np.ascontiguousarray(array).tobytes())
    digest.update(np.ascontiguousarray(Y_std).tobytes())
    values = {f.name: getattr(settings, f.name) for f in fields(settings) if f.name not in _RUNTIME_SETTINGS}
    if values["world_size"] == 1:
        del values["world_size"]  # one process: the key of the runs before data-parallel training existed
    values["loss"] = dict(values["loss"])  # a read-only mapping: its plain dict's repr is what identifies it
    training = {k: repr(v) for k, v in sorted(values.items())}
    digest.update(json.dumps([training, list(trainable_tasks or [])]).encode())
    return digest.hexdigest()[:24]


def checkpoint_path(checkpoint_dir, key):
    return Path(checkpoint_dir) / key / _FILE


def write_checkpoint(net, path, complete):
    """Write ``net``'s training state to ``path``, atomically (see the module docstring)."""
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
    path = Path(path)
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
    """The training state written by :func:`write_checkpoint`, or None when there is none."""
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


def __getattr__(name):
    # Pickles written by 0.1.0.dev0 name the checkpoint callbacks here; they now live in callbacks/.
    if name in ("ResumableEarlyStopping", "TrainingCheckpoint"):
        from . import callbacks

        return getattr(callbacks, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
