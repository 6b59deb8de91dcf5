"""Shared embeddings E(x): a directed message passing network over molecular graphs, or an MLP."""

import torch
from torch import nn

from ..featurize import ATOM_FDIM, BOND_FDIM, BatchGraph

AGGREGATIONS = ("mean", "sum", "norm")
# The "norm" readout divides the sum by a fixed count close to a small organic molecule's heavy atoms:
# the embedding keeps the size information of the sum on about the scale of the mean.
AGGREGATION_NORM = 10.0


class DMPNNEncoder(nn.Module):
    """Directed-bond message passing network (D-MPNN, as in chemprop).

    Hidden states live on directed bonds. Each bond ``v->w`` starts from its
    source atom's and its own features; at every step it sums the states of the
    bonds entering ``v`` except its own reverse ``w->v``. Atoms then gather
    their incoming bond states, and a molecule is the aggregate of its atoms.

    Parameters
    ----------
    hidden_size : int
        Width of the bond and atom states (and of the output embedding).
    depth : int
        Number of message passing steps (>= 1).
    dropout : float
        Dropout on the hidden states.
    aggregation : {"mean", "sum", "norm"}
        How atom states become the molecule's: their mean, their sum, or their
        sum divided by :data:`AGGREGATION_NORM`. The sum keeps the molecule's
        size, which size-extensive properties (volumes, enthalpies) need.
    atom_fdim, bond_fdim : int
        Input feature widths (those of :mod:`gate_sklearn.featurize`).
    """

    # Modules pickled before the option existed have no attribute of their own: they pooled by mean.
    aggregation = "mean"

    def __init__(
        self, hidden_size=300, depth=3, dropout=0.0, aggregation="norm", atom_fdim=ATOM_FDIM, bond_fdim=BOND_FDIM
    ):
        super().__init__()
        if aggregation not in AGGREGATIONS:
            raise ValueError(f"aggregation must be one of {AGGREGATIONS}, got {aggregation!r}.")
        self.hidden_size = hidden_size
        self.depth = depth
        self.aggregation = aggregation
        self.W_i = nn.Linear(atom_fdim + bond_fdim, hidden_size, bias=False)
        self.W_h = nn.Linear(hidden_size, hidden_size, bias=False)
        self.W_o = nn.Linear(atom_fdim + hidden_size, hidden_size)
        self.act = nn.ReLU()
        self.dropout = nn.Dropout(dropout)

    @property
    def output_size(self):
        return self.hidden_size

    def forward(self, graph: BatchGraph):
        src, dst = graph.edge_index
        n_atoms = graph.atom_features.shape[0]
        h0 = self.W_i(torch.cat([graph.atom_features.index_select(0, src), graph.bond_features], dim=1))
        h = self.act(h0)
        for _ in range(self.depth - 1):
            into_atom = torch.zeros(n_atoms, self.hidden_size, dtype=h.dtype, device=h.device).index_add_(0, dst, h)
            # index_select, not [] indexing: its backward (index_add_) is deterministic on CPU, while
            # advanced indexing's backward accumulates in a thread-dependent order.
            message = into_atom.index_select(0, src) - h.index_select(0, graph.reverse_edge)
            h = self.dropout(self.act(h0 + self.W_h(message)))
        into_atom = torch.zeros(n_atoms, self.hidden_size, dtype=h.dtype, device=h.device).index_add_(0, dst, h)
        atom_h = self.dropout(self.act(self.W_o(torch.cat([graph.atom_features, into_atom], dim=1))))
        pooled = torch.zeros(graph.n_mols, self.hidden_size, dtype=h.dtype, device=h.device)
        pooled.index_add_(0, graph.atom_to_mol, atom_h)
        if self.aggregation == "sum":
            return pooled
        if self.aggregation == "norm":
            return pooled / AGGREGATION_NORM
        # Mean over each molecule's atoms (every molecule has at least one atom).
        counts = torch.bincount(graph.atom_to_mol, minlength=graph.n_mols).clamp_min(1).unsqueeze(1)
        return pooled / counts.to(pooled.dtype)


class MLPEncoder(nn.Module):
    """A feed-forward embedding of fixed-length features (fingerprints, descriptors).

    Parameters
    ----------
    n_features : int
        Input width.
    hidden_size : int
        Width of the hidden layers and of the output embedding.
    depth : int
        Number of hidden layers (>= 1).
    dropout : float
        Dropout after each hidden layer.
    """

    def __init__(self, n_features, hidden_size=300, depth=2, dropout=0.0):
        super().__init__()
        self.hidden_size = hidden_size
        layers, width = [], n_features
        for _ in range(depth):
            layers += [nn.Linear(width, hidden_size), nn.ReLU(), nn.Dropout(dropout)]
            width = hidden_size
        self.layers = nn.Sequential(*layers)

    @property
    def output_size(self):
        return self.hidden_size

    def forward(self, features):
        return self.layers(features)
