"""SMILES parsing, the invalid-input policy, graph features and batching."""

import numpy as np
import pandas as pd
import pytest
import torch

from gate_sklearn.featurize import (
    ATOM_FDIM,
    ATOM_FEATURE_NAMES,
    BOND_FDIM,
    BOND_FEATURE_NAMES,
    GraphFeaturizer,
    InvalidSMILESError,
    InvalidSMILESWarning,
    check_smiles_input,
    collate_graphs,
    parse_smiles,
    smiles_to_graphs,
)

ATOM = {name: i for i, name in enumerate(ATOM_FEATURE_NAMES)}
BOND = {name: i for i, name in enumerate(BOND_FEATURE_NAMES)}


def graph_of(smiles):
    return GraphFeaturizer().transform([smiles])[0]


# -- input containers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "container",
    [
        ["CCO", "C"],
        ("CCO", "C"),
        np.array(["CCO", "C"]),
        np.array([["CCO"], ["C"]], dtype=object),
        pd.Series(["CCO", "C"], index=[10, 20]),
        pd.DataFrame({"smiles": ["CCO", "C"]}),
    ],
    ids=["list", "tuple", "ndarray", "column-ndarray", "series", "one-column-frame"],
)
def test_accepted_containers(container):
    values = check_smiles_input(container)
    assert values.dtype == object and values.tolist() == ["CCO", "C"]


@pytest.mark.parametrize(
    "container, match",
    [
        ("CCO", "single string"),
        (pd.DataFrame({"a": ["C"], "b": ["CC"]}), "exactly one column"),
        (np.array([["C", "CC"]]), "1-D"),
        ({"C", "CC"}, "set"),
        (5, "int"),
    ],
)
def test_rejected_containers(container, match):
    with pytest.raises(TypeError, match=match):
        check_smiles_input(container)


# -- invalid-SMILES policy ----------------------------------------------------------------------

BAD_INPUT = ["CCO", "C1CC", "", None, np.nan, 3.0, "C(C)(C)(C)(C)C", "c1ccccc1"]
BAD_ROWS = [1, 2, 3, 4, 5, 6]


def test_raise_lists_every_bad_row_and_value(capfd):
    with pytest.raises(InvalidSMILESError) as info:
        parse_smiles(BAD_INPUT)
    error = info.value
    assert isinstance(error, ValueError)
    assert error.rows == BAD_ROWS
    message = str(error)
    for row in BAD_ROWS:
        assert f"row {row}:" in message
    assert "'C1CC'" in message and "empty string" in message and "missing value" in message
    assert "not a string (got float)" in message
    assert "valence" in message.lower()
    # RDKit's own complaints must not reach the terminal.
    captured = capfd.readouterr()
    assert "SMILES Parse Error" not in captured.err and "Explicit valence" not in captured.err


def test_nan_policy_keeps_rows_aligned_and_warns_once():
    with pytest.warns(InvalidSMILESWarning, match="6 invalid SMILES") as record:
        parsed = parse_smiles(BAD_INPUT, on_invalid="nan")
    assert len(record) == 1
    assert parsed.valid.tolist() == [True, False, False, False, False, False, False, True]
    assert parsed.invalid_rows == BAD_ROWS
    assert parsed.mols[0].GetNumAtoms() == 3 and parsed.mols[7].GetNumAtoms() == 6
    assert all(parsed.mols[i] is None for i in BAD_ROWS)


def test_graphs_keep_rows_aligned_under_nan_policy():
    with pytest.warns(InvalidSMILESWarning):
        graphs, valid = smiles_to_graphs(["C", "nope", "CC", "CCC"], on_invalid="nan")
    assert [g is None for g in graphs] == [False, True, False, False]
    assert [g.n_atoms for g in graphs if g is not None] == [1, 2, 3]
    assert valid.tolist() == [True, False, True, True]


def test_error_message_is_bounded_but_exception_keeps_all_rows():
    bad = ["xx"] * 250
    with pytest.raises(InvalidSMILESError) as info:
        parse_smiles(bad)
    assert len(info.value.rows) == 250
    assert "and 150 more" in str(info.value)


def test_invalid_error_survives_pickling():
    import pickle

    error = InvalidSMILESError([3], ["xx"], ["SMILES syntax error"])
    clone = pickle.loads(pickle.dumps(error))
    assert clone.rows == [3] and str(clone) == str(error)


def test_bad_on_invalid_value():
    with pytest.raises(ValueError, match="on_invalid"):
        parse_smiles(["C"], on_invalid="ignore")


# -- hand-checked features ----------------------------------------------------------------------


def test_feature_widths_match_names():
    graph = graph_of("CCO")
    assert graph.atom_features.shape == (3, ATOM_FDIM) == (3, len(ATOM_FEATURE_NAMES))
    assert graph.bond_features.shape == (4, BOND_FDIM) == (4, len(BOND_FEATURE_NAMES))
    assert graph.atom_features.dtype == np.float32


def test_ethanol():
    graph = graph_of("CCO")
    assert graph.n_atoms == 3 and graph.n_edges == 4  # 2 bonds, both directions
    x = graph.atom_features
    assert x[0, ATOM["element=C"]] == 1 and x[2, ATOM["element=O"]] == 1
    # Methyl carbon: 3 H + 1 heavy neighbour; oxygen: 1 H.
    assert x[0, ATOM["num_hs=3"]] == 1 and x[0, ATOM["degree=4"]] == 1
    assert x[2, ATOM["num_hs=1"]] == 1 and x[2, ATOM["degree=2"]] == 1
    assert x[0, ATOM["hybridization=SP3"]] == 1
    assert x[:, ATOM["aromatic"]].sum() == 0
    np.testing.assert_allclose(x[:, ATOM["mass/100"]], [0.12011, 0.12011, 0.15999], atol=1e-4)
    # Each atom has exactly one element, degree, charge, ... bit.
    for block in ("element", "degree", "formal_charge", "chirality", "num_hs", "hybridization"):
        columns = [i for name, i in ATOM.items() if name.startswith(block + "=")]
        assert (x[:, columns].sum(axis=1) == 1).all(), block
    assert (graph.bond_features[:, BOND["bond_type=SINGLE"]] == 1).all()
    assert sorted(map(tuple, graph.edge_index.T.tolist())) == [(0, 1), (1, 0), (1, 2), (2, 1)]


def test_benzene_bonds_are_aromatic_conjugated_and_in_ring():
    graph = graph_of("c1ccccc1")
    assert graph.n_atoms == 6 and graph.n_edges == 12
    b = graph.bond_features
    assert (b[:, BOND["bond_type=AROMATIC"]] == 1).all()
    assert (b[:, BOND["conjugated"]] == 1).all() and (b[:, BOND["in_ring"]] == 1).all()
    assert (graph.atom_features[:, ATOM["aromatic"]] == 1).all()
    assert (graph.atom_features[:, ATOM["hybridization=SP2"]] == 1).all()


def test_directed_edges_come_in_reverse_pairs():
    graph = graph_of("CC(=O)Nc1ccccc1")
    src, dst = graph.edge_index
    np.testing.assert_array_equal(src[0::2], dst[1::2])
    np.testing.assert_array_equal(dst[0::2], src[1::2])
    np.testing.assert_array_equal(graph.bond_features[0::2], graph.bond_features[1::2])


def test_charges_stereo_and_other_element():
    acetate = graph_of("CC(=O)[O-]")
    assert acetate.atom_features[3, ATOM["formal_charge=-1"]] == 1
    butene = graph_of("C/C=C/C")
    double = butene.bond_features[2]
    assert double[BOND["bond_type=DOUBLE"]] == 1 and double[BOND["bond_stereo=STEREOE"]] == 1
    chiral = graph_of("C[C@H](N)O")
    assert chiral.atom_features[1, ATOM["chirality=CHI_TETRAHEDRAL_CCW"]] == 1
    uranium = graph_of("[U]")
    assert uranium.atom_features[0, ATOM["element=other"]] == 1


def test_single_atom_molecule():
    graph = graph_of("[Na+]")
    assert graph.n_atoms == 1 and graph.n_edges == 0
    assert graph.bond_features.shape == (0, BOND_FDIM) and graph.edge_index.shape == (2, 0)
    batch = collate_graphs([graph, graph_of("C"), graph_of("CC")])
    assert batch.atom_features.shape == (4, ATOM_FDIM)
    assert batch.edge_index.shape == (2, 2)
    assert batch.atom_to_mol.tolist() == [0, 1, 2, 2]


# -- batching ------------------------------------------------------------------------------------


def test_collate_offsets_edges_to_their_own_molecule():
    graphs = GraphFeaturizer().transform(["CCO", "c1ccccc1", "[Cl-]", "CC"])
    batch = collate_graphs(graphs)
    assert batch.n_mols == len(batch) == 4
    assert batch.atom_features.shape[0] == 3 + 6 + 1 + 2
    assert batch.bond_features.shape[0] == batch.edge_index.shape[1] == 4 + 12 + 0 + 2
    assert batch.edge_index.dtype == torch.int64
    # Every edge joins two atoms of the same molecule.
    mol_of = batch.atom_to_mol
    assert torch.equal(mol_of[batch.edge_index[0]], mol_of[batch.edge_index[1]])
    # reverse_edge really points at the edge going the other way.
    rev = batch.reverse_edge
    assert torch.equal(batch.edge_index[0, rev], batch.edge_index[1])
    assert torch.equal(batch.edge_index[1, rev], batch.edge_index[0])
    # Atom features are the molecules' own rows, in order.
    np.testing.assert_array_equal(batch.atom_features[3:9].numpy(), graphs[1].atom_features)


def test_collate_empty_batch():
    batch = collate_graphs([])
    assert batch.n_mols == 0 and batch.atom_features.shape == (0, ATOM_FDIM)


# -- parallel == serial ---------------------------------------------------------------------------


def test_parallel_graphs_equal_serial(smiles_sample):
    serial, _ = smiles_to_graphs(smiles_sample)
    parallel, _ = smiles_to_graphs(smiles_sample, n_jobs=2)
    assert len(serial) == len(parallel) == len(smiles_sample)
    for a, b in zip(serial, parallel):
        np.testing.assert_array_equal(a.atom_features, b.atom_features)
        np.testing.assert_array_equal(a.bond_features, b.bond_features)
        np.testing.assert_array_equal(a.edge_index, b.edge_index)


def test_parallel_keeps_invalid_rows_aligned(smiles_sample):
    smiles = list(smiles_sample)
    smiles[7] = smiles[500] = "garbage("
    with pytest.warns(InvalidSMILESWarning):
        graphs, valid = smiles_to_graphs(smiles, on_invalid="nan", n_jobs=2)
    assert np.flatnonzero(~valid).tolist() == [7, 500]
    with pytest.raises(InvalidSMILESError) as info:
        smiles_to_graphs(smiles, n_jobs=2)
    assert info.value.rows == [7, 500]


def test_progress_bar_goes_to_stderr(capsys):
    GraphFeaturizer(verbose=1).transform(["C", "CC"])
    assert "Featurizing molecules" in capsys.readouterr().err
