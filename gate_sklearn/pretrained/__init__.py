"""Pre-trained models shipped with the package: add your property to a broad model in seconds.

``moses-physchem`` is a :class:`~gate_sklearn.GATERegressor` pre-trained on
measured physical properties (physprop) and properties computed with RDKit
(lipophilicity, polarity, hydrogen bonding, charges, size, shape...) of
molecules from physprop and the MOSES drug-like set. Continue it with
``add_task``, or name it as ``GATERegressor(pretrained="moses-physchem")``
to cross-validate the addition. Its model card: the documentation's
"Pre-trained model" page, or :func:`model_card`.

The models are package data, read offline, checksum-verified on load, and
rebuilt from scratch by ``python -m gate_sklearn.pretrained build``.
"""

from ._build import build
from ._corpus import HELD_OUT_PHYSPROP_COLUMNS, PHYSPROP_TASKS, build_corpus, held_out_smiles
from ._descriptors import DESCRIPTOR_TASKS, compute_descriptors
from ._registry import available_models, load, model_card

__all__ = [
    "DESCRIPTOR_TASKS",
    "HELD_OUT_PHYSPROP_COLUMNS",
    "PHYSPROP_TASKS",
    "available_models",
    "build",
    "build_corpus",
    "compute_descriptors",
    "held_out_smiles",
    "load",
    "model_card",
]
