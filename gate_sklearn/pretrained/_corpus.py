"""The molecules a shipped model is pre-trained on, and the ones it must never see.

The corpus is the physprop table (its measured source properties become
tasks) plus a random sample of the MOSES training set (1.6 million
drug-like molecules from ZINC, MIT licence), read straight from the
``molsets`` 0.3.1 wheel, which ``pip download molsets==0.3.1 --no-deps``
fetches; none of that package's own dependencies are needed.

Held out, by RDKit-canonical SMILES, from every part of the corpus: every
molecule with a measured value of a property the package's studies use as
a target (the physprop critical properties and enthalpy of vaporisation at
the boiling point, and the bundled ESOL, FreeSolv and Lipophilicity sets),
or of a physprop evaluation column. Task addition from the shipped model is
then measured on molecules it has never seen, and the evaluation columns
stay independent.
"""

import io
import zipfile

import numpy as np
import pandas as pd
from rdkit import Chem
from rdkit.Chem import Descriptors
from rdkit.rdBase import BlockLogs

from ..datasets import PHYSPROP_EVALUATION_COLUMNS, load_esol, load_freesolv, load_lipophilicity, load_physprop
from ..utils._parallel import parallel_map_chunks

# Measured physprop properties used as pre-training tasks. Not among them: the target quantities of the
# studies (critical constants from any source, enthalpy of vaporisation at the boiling point) and the
# evaluation columns. The CRC copies of Tb and Tm add little beside the merged columns. The liquid
# density enters as the molar volume (molar mass / density): extensive, as most targets that depend
# on size are (see the user guide, "What to pre-train on").
PHYSPROP_TASKS = (
    "Tb_K", "Tm_K", "logP", "Vm_liquid_cm3_mol", "RI_CRC", "Hvap298_kJ_mol",
    "Hf_gas_kJ_mol_Yaws", "S0_gas_J_molK_Yaws",
)
# physprop columns whose molecules are held out of the corpus (targets of the studies, evaluation columns).
HELD_OUT_PHYSPROP_COLUMNS = (
    "Tc_K", "Pc_bar", "Vc_cm3_mol", "omega_PSRK", "Hvap_Tb_kJ_mol", *PHYSPROP_EVALUATION_COLUMNS,
)
HELD_OUT_BUNDLED = {"ESOL": load_esol, "FreeSolv": load_freesolv, "Lipophilicity": load_lipophilicity}
MOSES_MEMBER = "moses/dataset/data/train.csv.gz"


def _canonical_chunk(smiles):
    with BlockLogs():
        mols = [Chem.MolFromSmiles(s) if isinstance(s, str) else None for s in smiles]
    return [Chem.MolToSmiles(m) if m is not None and m.GetNumAtoms() else None for m in mols]


def canonical_smiles(smiles, *, n_jobs=None, verbose=0):
    """RDKit-canonical SMILES, ``None`` where RDKit cannot parse one."""
    chunks = parallel_map_chunks(
        _canonical_chunk, list(smiles), n_jobs=n_jobs, verbose=verbose, desc="Canonical SMILES", chunk_size=5000
    )
    return [s for chunk in chunks for s in chunk]


def _molar_mass(smiles):
    with BlockLogs():
        return np.array([Descriptors.MolWt(Chem.MolFromSmiles(s)) for s in smiles])


def held_out_smiles(physprop=None):
    """Canonical SMILES of every molecule the shipped models must not be pre-trained on."""
    physprop = load_physprop().frame if physprop is None else physprop
    held = physprop.loc[physprop[list(HELD_OUT_PHYSPROP_COLUMNS)].notna().any(axis=1), "smiles"].tolist()
    for loader in HELD_OUT_BUNDLED.values():
        held += loader().frame["smiles"].tolist()
    return {s for s in canonical_smiles(held) if s is not None}


def read_moses(wheel):
    """The SMILES of the MOSES training set, read from the ``molsets`` 0.3.1 wheel at path ``wheel``."""
    try:
        with zipfile.ZipFile(wheel) as archive:
            data = archive.read(MOSES_MEMBER)
    except (OSError, zipfile.BadZipFile, KeyError) as error:
        raise ValueError(
            f"Cannot read {MOSES_MEMBER} from {wheel!s}: {error}. Expected the molsets 0.3.1 wheel "
            "(pip download molsets==0.3.1 --no-deps)."
        ) from None
    return pd.read_csv(io.BytesIO(data), compression="gzip")["SMILES"].tolist()


def build_corpus(moses_wheel=None, *, n_moses=0, n_physprop=None, random_state=0, n_jobs=None, verbose=0):
    """The pre-training molecules: physprop rows with a task value, then ``n_moses`` MOSES molecules.

    Parameters
    ----------
    moses_wheel : path-like, default=None
        The molsets 0.3.1 wheel; needed when ``n_moses > 0``.
    n_moses : int, default=0
        MOSES molecules to draw at random (after removing held-out molecules and physprop's).
    n_physprop : int, default=None
        Keep a random subset of this many physprop molecules (all by default; small builds for tests).
    random_state : int, default=0
        Seed of both draws.
    n_jobs, verbose
        Parallel canonicalisation and its progress bar.

    Returns
    -------
    corpus : pandas.DataFrame
        ``smiles`` (canonical), ``origin`` ("physprop" or "moses") and one column per
        :data:`PHYSPROP_TASKS` (NaN where not measured, always NaN for MOSES molecules).
    """
    rng = np.random.default_rng(random_state)
    physprop = load_physprop().frame
    held_out = held_out_smiles(physprop)
    frame = physprop.assign(smiles=canonical_smiles(physprop["smiles"], n_jobs=n_jobs)).dropna(subset=["smiles"])
    frame = frame.assign(Vm_liquid_cm3_mol=1000.0 * _molar_mass(frame["smiles"]) / frame["density_kg_m3_CRC"])
    frame = frame[["smiles", *PHYSPROP_TASKS]]
    frame = frame[~frame["smiles"].isin(held_out) & frame[list(PHYSPROP_TASKS)].notna().any(axis=1)]
    frame = frame.groupby("smiles", as_index=False, sort=False).first()  # stereo written out of the SMILES
    if n_physprop is not None and n_physprop < len(frame):
        frame = frame.iloc[np.sort(rng.choice(len(frame), n_physprop, replace=False))]
    frame = frame.assign(origin="physprop")
    parts = [frame]
    if n_moses:
        if moses_wheel is None:
            raise ValueError("n_moses > 0 needs moses_wheel, the path of the molsets 0.3.1 wheel.")
        moses = read_moses(moses_wheel)
        order = rng.permutation(len(moses))
        taken, seen = [], held_out | set(frame["smiles"])
        # Draw a margin above n_moses so that held-out and duplicate molecules can be dropped.
        for start in range(0, len(order), max(2 * n_moses, 1000)):
            block = [moses[i] for i in order[start : start + max(2 * n_moses, 1000)]]
            for s in canonical_smiles(block, n_jobs=n_jobs, verbose=verbose):
                if s is not None and s not in seen:
                    seen.add(s)
                    taken.append(s)
                    if len(taken) == n_moses:
                        break
            if len(taken) == n_moses:
                break
        parts.append(pd.DataFrame({"smiles": taken, "origin": "moses"}))
    corpus = pd.concat(parts, ignore_index=True)
    return corpus[["smiles", "origin", *PHYSPROP_TASKS]]
