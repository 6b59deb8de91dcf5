"""Properties computed with RDKit for every molecule: the pre-training tasks any molecule can have.

Each descriptor is its own task (its own chart and head): they are few, and
what an added task borrows from, and how much, is then measured per
descriptor (`added_tasks_[i]["selection"]`, `chart_init="nearest"`'s choice).
They are grouped here by what they stand for so that together they cover
what drug-discovery endpoints depend on: lipophilicity, polarity and
hydrogen bonding, charge distribution, size, flexibility and shape,
aromaticity and saturation. All are 2D (no conformer is generated).
"""

import math

import numpy as np
import pandas as pd
from rdkit import Chem
from rdkit.Chem import Crippen, Descriptors, GraphDescriptors, Lipinski, QED, rdMolDescriptors
from rdkit.rdBase import BlockLogs

from ..utils._parallel import parallel_map_chunks

# (task name, group, RDKit function): task names say what the value is.
DESCRIPTORS = (
    ("crippen_logP", "lipophilicity", Crippen.MolLogP),
    ("crippen_MR", "polarisability", Crippen.MolMR),
    ("TPSA", "polarity", rdMolDescriptors.CalcTPSA),
    ("h_bond_donors", "hydrogen bonding", Lipinski.NumHDonors),
    ("h_bond_acceptors", "hydrogen bonding", Lipinski.NumHAcceptors),
    ("max_gasteiger_charge", "charge distribution", Descriptors.MaxPartialCharge),
    ("min_gasteiger_charge", "charge distribution", Descriptors.MinPartialCharge),
    ("labute_ASA", "size", rdMolDescriptors.CalcLabuteASA),
    ("rotatable_bonds", "flexibility", Lipinski.NumRotatableBonds),
    ("kappa2", "shape", GraphDescriptors.Kappa2),
    ("bertz_complexity", "shape", GraphDescriptors.BertzCT),
    ("aromatic_rings", "aromaticity", rdMolDescriptors.CalcNumAromaticRings),
    ("fraction_sp3_carbon", "saturation", rdMolDescriptors.CalcFractionCSP3),
    ("QED", "drug-likeness", QED.qed),
)
DESCRIPTOR_TASKS = tuple(name for name, _, _ in DESCRIPTORS)


def _descriptor_chunk(smiles):
    rows = np.full((len(smiles), len(DESCRIPTORS)), np.nan)
    with BlockLogs():
        for i, value in enumerate(smiles):
            mol = Chem.MolFromSmiles(value)
            if mol is None:
                continue
            for j, (_, _, function) in enumerate(DESCRIPTORS):
                result = float(function(mol))
                # Gasteiger charges are NaN or infinite where a parameter is missing: not measured, not 0.
                rows[i, j] = result if math.isfinite(result) else np.nan
    return rows


def compute_descriptors(smiles, *, n_jobs=None, verbose=0):
    """The descriptor tasks of ``smiles``, one column per task (NaN where RDKit has no value).

    Parameters
    ----------
    smiles : sequence of str
        Molecules; one that RDKit cannot parse gets NaN throughout.
    n_jobs : int, default=None
        joblib workers (``-1``: all cores). The result does not depend on it.
    verbose : int, default=0
        A progress bar when positive.

    Returns
    -------
    descriptors : pandas.DataFrame of shape (n_molecules, len(DESCRIPTOR_TASKS))
    """
    smiles = list(smiles)
    chunks = parallel_map_chunks(
        _descriptor_chunk, smiles, n_jobs=n_jobs, verbose=verbose, desc="RDKit descriptors", chunk_size=1000
    )
    values = np.vstack(chunks) if chunks else np.empty((0, len(DESCRIPTORS)))
    return pd.DataFrame(values, columns=list(DESCRIPTOR_TASKS))
