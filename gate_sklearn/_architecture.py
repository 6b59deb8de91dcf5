"""The architecture of the shared network, and the torch modules built from it."""

from dataclasses import dataclass

from .nn import DMPNNEncoder, GATENetwork, MLPEncoder, TaskModules

# Parameters that define the shared part of the network. A model fitted with ``pretrained=``
# takes them from the pre-trained model, whose network it extends.
ARCHITECTURE_PARAMS = (
    "featurizer",
    "hidden_size",
    "depth",
    "aggregation",
    "latent_dim",
    "task_hidden_size",
    "dropout",
    "morgan_radius",
    "morgan_size",
)

# Architecture parameters added after the first release, and the value that reproduces the networks
# saved before them (whatever the current default): models saved then are loaded as they were trained.
PARAMS_BEFORE_THEY_EXISTED = {"aggregation": "mean"}


@dataclass(frozen=True)
class Architecture:
    """The shared network's shape: the values of :data:`ARCHITECTURE_PARAMS`, and the input width.

    ``n_features`` is the width of a precomputed feature matrix (None for
    SMILES input).
    """

    featurizer: str
    hidden_size: int
    depth: int
    aggregation: str
    latent_dim: int
    task_hidden_size: int
    dropout: float
    morgan_radius: int
    morgan_size: int
    n_features: int = None

    @classmethod
    def from_params(cls, params, n_features=None):
        """From a mapping of the architecture parameters (older models may lack the newer ones)."""
        values = {
            name: params[name] if name in params else PARAMS_BEFORE_THEY_EXISTED[name] for name in ARCHITECTURE_PARAMS
        }
        return cls(**values, n_features=n_features)

    @property
    def graphs(self):
        """Whether the input is molecular graphs (the D-MPNN embedding)."""
        return self.featurizer == "graph"

    @property
    def input_size(self):
        """Input width of an MLP embedding (None for graphs)."""
        if self.featurizer == "morgan":
            return self.morgan_size
        return self.n_features if self.featurizer == "precomputed" else None

    def embedding(self, hidden_size, dropout):
        """An embedding of the input of this architecture's kind and depth."""
        if self.graphs:
            return DMPNNEncoder(
                hidden_size=hidden_size, depth=self.depth, dropout=dropout, aggregation=self.aggregation
            )
        return MLPEncoder(self.input_size, hidden_size=hidden_size, depth=self.depth, dropout=dropout)

    def network(self, n_tasks):
        """A freshly initialised :class:`~gate_sklearn.nn.GATENetwork` with ``n_tasks`` tasks."""
        return GATENetwork(
            self.embedding(self.hidden_size, self.dropout),
            n_tasks=n_tasks,
            latent_dim=self.latent_dim,
            task_hidden_size=self.task_hidden_size,
            dropout=self.dropout,
        )

    def added_task(self, spec):
        """An added task's modules as ``spec`` (an ``added_tasks_`` entry) describes them."""
        branch_size = spec["private_branch_size"]
        return TaskModules(
            self.hidden_size,
            self.latent_dim,
            spec["task_hidden_size"],
            spec["dropout"],
            branch=self.embedding(branch_size, spec["dropout"]) if branch_size else None,
        )

    def restore_network(self, n_tasks, added_tasks):
        """The network of a fitted model: its jointly trained tasks, then the added ones (weights not loaded)."""
        module = self.network(n_tasks - len(added_tasks))
        module.tasks.extend(self.added_task(spec) for spec in added_tasks)
        return module
