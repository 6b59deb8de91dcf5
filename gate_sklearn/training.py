"""Training through skorch: datasets and batching, the multi-term loss, freezing.

:class:`GATENet` is a thin :class:`skorch.NeuralNet` subclass; the user never
sees it directly (``GATERegressor.net_`` holds one). It feeds
:class:`~gate_sklearn.featurize.BatchGraph` batches to the module, computes the
GATE loss and records each term per batch; the callbacks of
:mod:`gate_sklearn.callbacks` turn them into epoch means in the history.
"""

import numpy as np
import torch
from skorch import NeuralNet
from skorch.utils import to_tensor
from torch.utils.data import Dataset

from . import _distributed
from .exceptions import NonFiniteLossError
from .featurize import BatchGraph, collate_graphs, graphs_from_smiles


class GraphDataset(Dataset):
    """Molecular graphs (or valid SMILES, featurized when batched) with their NaN-holed standardised targets."""

    def __init__(self, graphs, y=None):
        self.graphs = graphs
        self.y = None if y is None else torch.as_tensor(y, dtype=torch.float32)

    def __len__(self):
        return len(self.graphs)

    def __getitem__(self, i):
        return self.graphs[i], (self.y[i] if self.y is not None else torch.zeros(0))


class DenseDataset(Dataset):
    """Rows of a feature matrix with their (possibly NaN-holed) standardised targets."""

    def __init__(self, X, y=None):
        X = np.ascontiguousarray(X, dtype=np.float32)
        # Read-only input (joblib memmaps it under GridSearchCV(n_jobs>1)) is copied: torch cannot share it.
        self.X = torch.from_numpy(X if X.flags.writeable else X.copy())
        self.y = None if y is None else torch.as_tensor(y, dtype=torch.float32)

    def __len__(self):
        return len(self.X)

    def __getitem__(self, i):
        return self.X[i], (self.y[i] if self.y is not None else torch.zeros(0))


def _as_graphs(inputs):
    # With featurize_per_batch=True the items are the molecules' SMILES, featurized here, batch by batch.
    return graphs_from_smiles(list(inputs)) if isinstance(inputs[0], str) else inputs


def collate_graph_items(items):
    """Batch ``(MolGraph or SMILES, y)`` items into ``(BatchGraph, y)`` (module-level: picklable)."""
    graphs, ys = zip(*items)
    return collate_graphs(_as_graphs(graphs)), torch.stack(ys)


class WithFrozenOutputs(Dataset):
    """A dataset's items paired with the frozen network's cached outputs for them (task addition).

    ``frozen`` maps names to tensors whose first axis runs over the dataset's
    items (what :meth:`GATENetwork.frozen_outputs` returned, concatenated).
    """

    def __init__(self, dataset, frozen):
        self.dataset = dataset
        self.frozen = frozen

    def __len__(self):
        return len(self.dataset)

    def __getitem__(self, i):
        x, y = self.dataset[i]
        return (x, {name: value[i] for name, value in self.frozen.items()}), y


class FrozenBatch:
    """A batch of inputs with the frozen outputs cached for them; ``GATENet.infer`` unpacks it."""

    def __init__(self, inputs, frozen):
        self.inputs = inputs
        self.frozen = frozen

    def to(self, device):
        return FrozenBatch(self.inputs.to(device), {name: v.to(device) for name, v in self.frozen.items()})

    def __len__(self):
        return len(self.inputs)


def collate_frozen_items(items, graphs=True):
    """Batch ``((input, frozen), y)`` items into ``(FrozenBatch, y)`` (module-level: picklable)."""
    pairs, ys = zip(*items)
    inputs, frozen = zip(*pairs)
    batch = collate_graphs(_as_graphs(inputs)) if graphs else torch.stack(inputs)
    cached = {name: torch.stack([f[name] for f in frozen]) for name in frozen[0]}
    return FrozenBatch(batch, cached), torch.stack(ys)


class GATENet(NeuralNet):
    """skorch net that trains a :class:`~gate_sklearn.nn.GATENetwork` with :class:`~gate_sklearn.nn.GATELoss`.

    ``trainable_tasks`` restricts the loss to some tasks' modules (task addition).
    ``world_size`` above 1: data-parallel training in a running process group
    (see :mod:`gate_sklearn._distributed`), each epoch's batches drawn with ``sampler_seed``.
    """

    def __init__(self, *args, trainable_tasks=None, world_size=1, sampler_seed=0, **kwargs):
        super().__init__(*args, **kwargs)
        self.trainable_tasks = trainable_tasks
        self.world_size = world_size
        self.sampler_seed = sampler_seed

    def _data_parallel_module(self):
        return self.__dict__.get("_data_parallel")

    def fit_loop(self, X, y=None, **fit_params):
        # skorch ends training quietly on Ctrl-C (and restores the best weights); remember that it did.
        self.interrupted_ = False
        if getattr(self, "world_size", 1) > 1:
            # Set past skorch's __setattr__, which would register the wrapper as a component of the net;
            # it lives for this loop only (a DDP wrapper does not pickle).
            self.__dict__["_data_parallel"] = _distributed.wrap(self.module_, self.device)
        try:
            return super().fit_loop(X, y, **fit_params)
        except KeyboardInterrupt:
            # skorch's EarlyStopping ends training with the same exception; that is not an interrupt.
            stopper = dict(self.callbacks_).get("early_stopping")
            self.interrupted_ = stopper is None or stopper.misses_ < stopper.patience
            raise
        finally:
            self.__dict__.pop("_data_parallel", None)

    def get_iterator(self, dataset, training=False):
        if training and self._data_parallel_module() is not None:
            params = self.get_params_for("iterator_train")
            params.pop("batch_size", None)
            # skorch has already opened this epoch's row in the history.
            return _distributed.train_iterator(dataset, self.batch_size, self.sampler_seed, len(self.history), **params)
        return super().get_iterator(dataset, training=training)

    def get_all_learnable_params(self):
        # Task addition: the optimizer holds only the new tasks' parameters, not the frozen ones.
        for name, param in super().get_all_learnable_params():
            if param.requires_grad:
                yield name, param

    def infer(self, x, **fit_params):
        # Training steps go through the DDP wrapper (it averages their gradients); validation does not need it.
        parallel = self._data_parallel_module()
        module = parallel if parallel is not None and torch.is_grad_enabled() else self.module_
        if isinstance(x, FrozenBatch):
            x = x.to(self.device)
            return module(x.inputs, frozen=x.frozen)
        if isinstance(x, BatchGraph):
            return module(x.to(self.device))
        if module is self.module_:
            return super().infer(x, **fit_params)
        return module(to_tensor(x, device=self.device), **fit_params)  # a feature matrix (featurizer="precomputed")

    def get_loss(self, y_pred, y_true, X=None, training=False):
        y_true = y_true.to(self.device)
        total, terms = self.criterion_(y_pred, y_true, self.module_, self.trainable_tasks)
        prefix = "train" if training else "valid"
        if not torch.isfinite(total):
            bad = [name for name, value in terms.items() if not np.isfinite(value)] or ["total"]
            raise NonFiniteLossError(
                f"The {prefix} loss became {total.item()} at epoch {len(self.history)}: "
                f"non-finite term(s) {', '.join(bad)}. Lower learning_rate_init, check the targets "
                "for extreme values, or lower the weight of that term."
            )
        for name, value in terms.items():
            self.history.record_batch(f"{prefix}_{name}", value)
        if training and self._data_parallel_module() is not None:
            total = _distributed.with_every_parameter(total, (p for _, p in self.get_all_learnable_params()))
        return total


def __getattr__(name):
    # Pickles written by 0.1.0.dev0 name the logging and scoring callbacks here; they now live in callbacks/.
    if name in ("LossTermLogger", "ValidationR2", "LOGGED_VALUES"):
        from . import callbacks

        return getattr(callbacks, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
