"""From SMILES to model input: parsing, molecular graphs, fingerprints.

The invalid-molecule policy is shared by every entry point: ``on_invalid="raise"``
raises one :class:`InvalidSMILESError` naming every bad row; ``on_invalid="nan"``
keeps going, warns once (:class:`InvalidSMILESWarning`) and marks the rows.
"""

from ._fingerprint import MorganFingerprint
from ._graph import (
    ATOM_FDIM,
    ATOM_FEATURE_NAMES,
    BOND_FDIM,
    BOND_FEATURE_NAMES,
    BatchGraph,
    GraphFeaturizer,
    MolGraph,
    collate_graphs,
    graphs_from_mols,
    graphs_from_smiles,
    mol_to_graph,
    smiles_to_graphs,
)
from ._smiles import (
    InvalidSMILESError,
    InvalidSMILESWarning,
    ParsedMolecules,
    check_smiles,
    check_smiles_input,
    parse_smiles,
)

__all__ = [
    "ATOM_FDIM",
    "ATOM_FEATURE_NAMES",
    "BOND_FDIM",
    "BOND_FEATURE_NAMES",
    "BatchGraph",
    "GraphFeaturizer",
    "InvalidSMILESError",
    "InvalidSMILESWarning",
    "MolGraph",
    "MorganFingerprint",
    "ParsedMolecules",
    "check_smiles",
    "check_smiles_input",
    "collate_graphs",
    "graphs_from_mols",
    "graphs_from_smiles",
    "mol_to_graph",
    "parse_smiles",
    "smiles_to_graphs",
]
