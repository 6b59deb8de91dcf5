"""The torch side of GATE: shared embeddings, per-task modules, and the five loss terms."""

from .encoders import DMPNNEncoder, MLPEncoder
from .gate import GATENetwork, TaskModules
from .losses import ALIGNMENT_TERMS, LOSS_TERMS, GATELoss

__all__ = ["ALIGNMENT_TERMS", "DMPNNEncoder", "GATELoss", "GATENetwork", "LOSS_TERMS", "MLPEncoder", "TaskModules"]
