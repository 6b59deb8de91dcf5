"""Molecular graphs for directed-bond message passing (D-MPNN), and their batching.

Every molecule becomes a :class:`MolGraph`: a matrix of atom features, and, for
each chemical bond ``a-b``, two directed edges ``a->b`` and ``b->a`` stored next
to each other (edge ``2i`` and its reverse ``2i + 1``), each with the bond's
features. :func:`collate_graphs` stacks many graphs into one :class:`BatchGraph`
of flat tensors with the index arrays message passing needs.

Features are computed in chunks: the per-atom loop only reads integers from
RDKit, and the one-hot encoding is done once per chunk with numpy, which is
what keeps featurization close to RDKit's own parse rate.
"""

from dataclasses import dataclass

import numpy as np
import torch
from rdkit import Chem
from sklearn.base import BaseEstimator, TransformerMixin

from ._smiles import (
    _parse_chunk,
    check_on_invalid,
    check_smiles_input,
    map_smiles_chunks,
)

# Elements of organic chemistry and of common counter-ions; anything else goes to the "other" slot.
ELEMENTS = (
    "H", "Li", "B", "C", "N", "O", "F", "Na", "Mg", "Si", "P", "S", "Cl", "K", "Ca",
    "Fe", "Cu", "Zn", "Ge", "As", "Se", "Br", "Sn", "I",
)  # fmt: skip
DEGREES = (0, 1, 2, 3, 4, 5)
FORMAL_CHARGES = (-2, -1, 0, 1, 2)
CHIRAL_TAGS = (
    Chem.ChiralType.CHI_UNSPECIFIED,
    Chem.ChiralType.CHI_TETRAHEDRAL_CW,
    Chem.ChiralType.CHI_TETRAHEDRAL_CCW,
)
NUM_HS = (0, 1, 2, 3, 4)
HYBRIDIZATIONS = (
    Chem.HybridizationType.S,
    Chem.HybridizationType.SP,
    Chem.HybridizationType.SP2,
    Chem.HybridizationType.SP2D,
    Chem.HybridizationType.SP3,
    Chem.HybridizationType.SP3D,
    Chem.HybridizationType.SP3D2,
)
BOND_TYPES = (
    Chem.BondType.SINGLE,
    Chem.BondType.DOUBLE,
    Chem.BondType.TRIPLE,
    Chem.BondType.AROMATIC,
)
BOND_STEREO = (
    Chem.BondStereo.STEREONONE,
    Chem.BondStereo.STEREOANY,
    Chem.BondStereo.STEREOZ,
    Chem.BondStereo.STEREOE,
    Chem.BondStereo.STEREOCIS,
    Chem.BondStereo.STEREOTRANS,
)
# Atomic masses are divided by this so that carbon is about 0.12, like the one-hot bits' scale.
MASS_SCALE = 0.01


def _one_hot_table(choices, key=int, size=None):
    """Map raw integer codes to slots: ``table[code]`` is the slot, the last slot is "other"."""
    codes = [key(c) for c in choices]
    offset = -min(0, min(codes))  # formal charges are negative: shift them to valid indices
    size = size or (max(codes) + offset + 1)
    table = np.full(size, len(choices), dtype=np.int64)
    for slot, code in enumerate(codes):
        table[code + offset] = slot
    return table, offset, len(choices) + 1


def _element_code(symbol):
    return Chem.GetPeriodicTable().GetAtomicNumber(symbol)


# Each categorical atom feature: (lookup table, offset added to the raw code, block width).
_ATOM_BLOCKS = (
    ("element", *_one_hot_table(ELEMENTS, key=_element_code, size=130)),
    ("degree", *_one_hot_table(DEGREES)),
    ("formal_charge", *_one_hot_table(FORMAL_CHARGES)),
    ("chirality", *_one_hot_table(CHIRAL_TAGS)),
    ("num_hs", *_one_hot_table(NUM_HS)),
    ("hybridization", *_one_hot_table(HYBRIDIZATIONS)),
)
_BOND_BLOCKS = (
    ("bond_type", *_one_hot_table(BOND_TYPES, key=lambda b: int(b))),
    ("bond_stereo", *_one_hot_table(BOND_STEREO)),
)


def _names(block, choices):
    return [f"{block}={c}" for c in choices] + [f"{block}=other"]


ATOM_FEATURE_NAMES = (
    _names("element", ELEMENTS)
    + _names("degree", DEGREES)
    + _names("formal_charge", FORMAL_CHARGES)
    + _names("chirality", [str(c) for c in CHIRAL_TAGS])
    + _names("num_hs", NUM_HS)
    + _names("hybridization", [str(h) for h in HYBRIDIZATIONS])
    + ["aromatic", "mass/100"]
)
BOND_FEATURE_NAMES = (
    _names("bond_type", [str(b) for b in BOND_TYPES])
    + _names("bond_stereo", [str(s) for s in BOND_STEREO])
    + ["conjugated", "in_ring"]
)
ATOM_FDIM = len(ATOM_FEATURE_NAMES)
BOND_FDIM = len(BOND_FEATURE_NAMES)


def _encode(raw, blocks, n_features):
    """One-hot encode the categorical columns of ``raw`` (n, n_blocks + n_extra) block by block."""
    out = np.zeros((raw.shape[0], n_features), dtype=np.float32)
    rows = np.arange(raw.shape[0])
    start = 0
    for column, (_, table, offset, width) in enumerate(blocks):
        codes = raw[:, column].astype(np.int64) + offset
        # Codes outside the table (exotic elements, charges of +5...) land in "other".
        in_range = (codes >= 0) & (codes < len(table))
        slots = np.where(in_range, table[np.clip(codes, 0, len(table) - 1)], width - 1)
        out[rows, start + slots] = 1.0
        start += width
    return out, start


@dataclass(frozen=True)
class MolGraph:
    """The graph of one molecule, as numpy arrays.

    Attributes
    ----------
    atom_features : ndarray of shape (n_atoms, ATOM_FDIM), float32
    bond_features : ndarray of shape (n_edges, BOND_FDIM), float32
        One row per directed edge; ``n_edges = 2 * n_bonds``.
    edge_index : ndarray of shape (2, n_edges), int64
        Source and destination atom of each directed edge. Edge ``2i + 1`` is
        the reverse of edge ``2i``.
    """

    atom_features: np.ndarray
    bond_features: np.ndarray
    edge_index: np.ndarray

    @property
    def n_atoms(self):
        return self.atom_features.shape[0]

    @property
    def n_edges(self):
        return self.bond_features.shape[0]


def _raw_atom_and_bond_codes(mols):
    """Read per-atom and per-bond numbers from RDKit into flat arrays.

    This loop is the featurizer's hot path: atoms are fetched by index (cheaper
    than iterating ``GetAtoms()``) and values go into flat lists that numpy
    converts in one call.
    """
    atom_values, bond_values, n_atoms, n_bonds = [], [], [], []
    add_atom, add_bond = atom_values.extend, bond_values.extend
    for mol in mols:
        n_atom, n_bond = mol.GetNumAtoms(), mol.GetNumBonds()
        for i in range(n_atom):
            atom = mol.GetAtomWithIdx(i)
            add_atom((
                atom.GetAtomicNum(),
                atom.GetTotalDegree(),
                atom.GetFormalCharge(),
                atom.GetChiralTag(),
                atom.GetTotalNumHs(),
                atom.GetHybridization(),
                atom.GetIsAromatic(),
                atom.GetMass(),
            ))  # fmt: skip
        for i in range(n_bond):
            bond = mol.GetBondWithIdx(i)
            add_bond((
                bond.GetBondType(),
                bond.GetStereo(),
                bond.GetIsConjugated(),
                bond.IsInRing(),
                bond.GetBeginAtomIdx(),
                bond.GetEndAtomIdx(),
            ))  # fmt: skip
        n_atoms.append(n_atom)
        n_bonds.append(n_bond)
    raw_atoms = np.array(atom_values, dtype=np.float64).reshape(-1, 8)
    raw_bonds = np.array(bond_values, dtype=np.int64).reshape(-1, 6)
    return raw_atoms, raw_bonds, n_atoms, n_bonds


def _pack_graphs(mols):
    """Featurize molecules into concatenated arrays (cheap to send between processes).

    Returns ``(atom_x, edge_x, edges, n_atoms, n_bonds)`` where the per-molecule
    blocks are stacked in order and ``edges`` holds per-molecule atom indices.
    """
    raw_atoms, raw_bonds, n_atoms, n_bonds = _raw_atom_and_bond_codes(mols)
    atom_x, start = _encode(raw_atoms, _ATOM_BLOCKS, ATOM_FDIM)
    atom_x[:, start] = raw_atoms[:, 6]
    atom_x[:, start + 1] = raw_atoms[:, 7] * MASS_SCALE

    bond_x, start = _encode(raw_bonds, _BOND_BLOCKS, BOND_FDIM)
    bond_x[:, start] = raw_bonds[:, 2]
    bond_x[:, start + 1] = raw_bonds[:, 3]
    # Both directions of a bond carry the same features; store them interleaved.
    edge_x = np.repeat(bond_x, 2, axis=0)
    ends = raw_bonds[:, 4:6]
    edges = np.empty((2, 2 * len(ends)), dtype=np.int64)
    edges[0, 0::2], edges[1, 0::2] = ends[:, 0], ends[:, 1]
    edges[0, 1::2], edges[1, 1::2] = ends[:, 1], ends[:, 0]
    return atom_x, edge_x, edges, n_atoms, n_bonds


def _unpack_graphs(packed):
    """Split the arrays of :func:`_pack_graphs` into one :class:`MolGraph` (views) per molecule."""
    atom_x, edge_x, edges, n_atoms, n_bonds = packed
    graphs = []
    a0 = b0 = 0
    for na, nb in zip(n_atoms, n_bonds):
        a1, b1 = a0 + na, b0 + 2 * nb
        graphs.append(MolGraph(atom_x[a0:a1], edge_x[b0:b1], edges[:, b0:b1]))
        a0, b0 = a1, b1
    return graphs


def graphs_from_mols(mols):
    """Featurize RDKit molecules into :class:`MolGraph` objects.

    Parameters
    ----------
    mols : list of rdkit.Chem.Mol
        Sanitized molecules (no ``None``).

    Returns
    -------
    list of MolGraph
    """
    return _unpack_graphs(_pack_graphs(mols))


def mol_to_graph(mol):
    """Featurize one RDKit molecule; see :func:`graphs_from_mols`."""
    return graphs_from_mols([mol])[0]


def _featurize_smiles_chunk(values):
    mols, failures = _parse_chunk(values)
    return _pack_graphs([m for m in mols if m is not None]), failures


def graphs_from_smiles(smiles):
    """Featurize SMILES already known to be valid (see :func:`check_smiles`) into :class:`MolGraph` objects."""
    packed, failures = _featurize_smiles_chunk(smiles)
    if failures:
        rows = [i for i, _ in failures]
        raise ValueError(f"SMILES at positions {rows} of this batch no longer parse: {[smiles[i] for i in rows]}.")
    return _unpack_graphs(packed)


def smiles_to_graphs(X, *, on_invalid="raise", n_jobs=None, verbose=0):
    """Parse SMILES and featurize them into molecular graphs in one pass.

    Parameters
    ----------
    X : list, tuple, ndarray, Series or one-column DataFrame
        SMILES strings.
    on_invalid : {"raise", "nan"}, default="raise"
        Invalid-row policy, as in :func:`parse_smiles`.
    n_jobs : int, default=None
        Parallel workers; the result does not depend on it.
    verbose : int, bool or dict, default=0
        Progress bar.

    Returns
    -------
    graphs : list of MolGraph or None
        Aligned with the rows of ``X``; ``None`` for invalid rows.
    valid : ndarray of bool
        Which rows hold a molecule.
    """
    check_on_invalid(on_invalid)
    values = check_smiles_input(X)
    packed_chunks, invalid_rows, _ = map_smiles_chunks(
        _featurize_smiles_chunk,
        values,
        on_invalid=on_invalid,
        n_jobs=n_jobs,
        verbose=verbose,
        desc="Featurizing molecules",
    )
    valid = np.ones(len(values), dtype=bool)
    valid[invalid_rows] = False
    graphs_of_valid = iter([g for packed in packed_chunks for g in _unpack_graphs(packed)])
    graphs = [next(graphs_of_valid) if ok else None for ok in valid]
    return graphs, valid


@dataclass
class BatchGraph:
    """Many molecular graphs stacked into flat tensors for message passing.

    Attributes
    ----------
    atom_features : Tensor of shape (n_atoms, ATOM_FDIM)
    bond_features : Tensor of shape (n_edges, BOND_FDIM)
    edge_index : LongTensor of shape (2, n_edges)
        Source and destination atom (batch-global indices) of each directed edge.
    reverse_edge : LongTensor of shape (n_edges,)
        Index of each edge's reverse edge (the D-MPNN excludes it from messages).
    atom_to_mol : LongTensor of shape (n_atoms,)
        Molecule index of each atom, for pooling.
    n_mols : int
    """

    atom_features: torch.Tensor
    bond_features: torch.Tensor
    edge_index: torch.Tensor
    reverse_edge: torch.Tensor
    atom_to_mol: torch.Tensor
    n_mols: int

    def to(self, device):
        """Move every tensor to ``device`` and return ``self``."""
        for name in ("atom_features", "bond_features", "edge_index", "reverse_edge", "atom_to_mol"):
            setattr(self, name, getattr(self, name).to(device))
        return self

    def __len__(self):
        return self.n_mols


def collate_graphs(graphs):
    """Batch :class:`MolGraph` objects into one :class:`BatchGraph`.

    Atom indices of each graph are shifted by the number of atoms before it, so
    edges keep pointing at their own molecule's atoms. A molecule with one atom
    and no bonds contributes an atom and no edge.

    Parameters
    ----------
    graphs : sequence of MolGraph

    Returns
    -------
    BatchGraph
    """
    n_atoms = np.fromiter((g.n_atoms for g in graphs), dtype=np.int64, count=len(graphs))
    atom_offsets = np.concatenate(([0], np.cumsum(n_atoms)[:-1])) if len(graphs) else n_atoms
    atom_x = np.concatenate([g.atom_features for g in graphs]) if graphs else np.zeros((0, ATOM_FDIM), np.float32)
    bond_x = (
        np.concatenate([g.bond_features for g in graphs]) if graphs else np.zeros((0, BOND_FDIM), np.float32)
    )
    edges = (
        np.concatenate([g.edge_index + off for g, off in zip(graphs, atom_offsets)], axis=1)
        if graphs
        else np.zeros((2, 0), np.int64)
    )
    n_edges = edges.shape[1]
    return BatchGraph(
        atom_features=torch.from_numpy(atom_x),
        bond_features=torch.from_numpy(bond_x),
        edge_index=torch.from_numpy(edges),
        # Edges are stored in (forward, reverse) pairs: the reverse of e is e XOR 1.
        reverse_edge=torch.from_numpy(np.arange(n_edges, dtype=np.int64) ^ 1),
        atom_to_mol=torch.from_numpy(np.repeat(np.arange(len(graphs), dtype=np.int64), n_atoms)),
        n_mols=len(graphs),
    )


class GraphFeaturizer(TransformerMixin, BaseEstimator):
    """SMILES to molecular graphs for a directed message passing network.

    A stateless transformer: ``transform`` returns one :class:`MolGraph` per
    row (``None`` for invalid rows when ``on_invalid="nan"``). Batch its output
    with :func:`collate_graphs`.

    Atom features (``ATOM_FEATURE_NAMES``): element one-hot (common organic
    elements and counter-ions, plus "other"), total degree, formal charge,
    chirality tag, total number of hydrogens, hybridization (each with an
    "other" slot), aromaticity, and atomic mass / 100. Bond features
    (``BOND_FEATURE_NAMES``): bond type, conjugation, ring membership, stereo.

    Parameters
    ----------
    on_invalid : {"raise", "nan"}, default="raise"
        What to do with rows that are not valid molecules.
    n_jobs : int, default=None
        Parallel workers for featurization.
    verbose : int, bool or dict, default=0
        Progress bar (a dict is passed to tqdm).

    Examples
    --------
    >>> from gate_sklearn.featurize import GraphFeaturizer
    >>> graphs = GraphFeaturizer().transform(["CCO"])
    >>> graphs[0].n_atoms, graphs[0].n_edges
    (3, 4)
    """

    def __init__(self, on_invalid="raise", n_jobs=None, verbose=0):
        self.on_invalid = on_invalid
        self.n_jobs = n_jobs
        self.verbose = verbose

    def fit(self, X, y=None):
        """Validate parameters; nothing is learned.

        Parameters
        ----------
        X : sequence of str
            SMILES (not used beyond validation).
        y : None
            Ignored.

        Returns
        -------
        self
        """
        check_on_invalid(self.on_invalid)
        return self

    def transform(self, X):
        """Featurize SMILES into graphs.

        Parameters
        ----------
        X : list, tuple, ndarray, Series or one-column DataFrame
            SMILES strings.

        Returns
        -------
        list of MolGraph or None
        """
        graphs, _ = smiles_to_graphs(X, on_invalid=self.on_invalid, n_jobs=self.n_jobs, verbose=self.verbose)
        return graphs

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.two_d_array = False
        tags.input_tags.one_d_array = True
        tags.input_tags.string = True
        return tags

