"""The shared embeddings: what the D-MPNN's readout keeps of a molecule."""

import pytest
import torch

from gate_sklearn.featurize import GraphFeaturizer, collate_graphs
from gate_sklearn.nn import DMPNNEncoder
from gate_sklearn.nn.encoders import AGGREGATION_NORM


def _embed(encoder, smiles):
    with torch.no_grad():
        return encoder.eval()(collate_graphs(GraphFeaturizer().transform(smiles)))


@pytest.mark.parametrize("aggregation, factor", [("mean", 1.0), ("sum", 2.0), ("norm", 2.0)])
def test_readout_of_a_molecule_twice_over(aggregation, factor):
    # "CCO.CCO" is two copies of ethanol with no bond between them: the mean sees one ethanol,
    # the sums twice as much (the size information size-extensive properties need).
    torch.manual_seed(0)
    encoder = DMPNNEncoder(hidden_size=16, depth=3, aggregation=aggregation)
    single, double = _embed(encoder, ["CCO", "CCO.CCO"])
    assert single.abs().sum() > 0
    torch.testing.assert_close(double, factor * single)


def test_norm_is_the_sum_scaled():
    torch.manual_seed(0)
    summed = DMPNNEncoder(hidden_size=16, aggregation="sum")
    normed = DMPNNEncoder(hidden_size=16, aggregation="norm")
    normed.load_state_dict(summed.state_dict())
    smiles = ["CCO", "c1ccccc1O", "[Na+].[Cl-]"]
    torch.testing.assert_close(_embed(normed, smiles), _embed(summed, smiles) / AGGREGATION_NORM)


def test_unknown_aggregation_is_refused():
    with pytest.raises(ValueError, match="aggregation must be one of"):
        DMPNNEncoder(aggregation="max")


def test_an_encoder_pickled_before_the_option_existed_pools_by_mean():
    torch.manual_seed(0)
    encoder = DMPNNEncoder(hidden_size=16, aggregation="mean")
    expected = _embed(encoder, ["CCO.CCO", "CCCC"])
    del encoder.__dict__["aggregation"]  # what unpickling an older module gives
    torch.testing.assert_close(_embed(encoder, ["CCO.CCO", "CCCC"]), expected)
