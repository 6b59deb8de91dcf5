"""Shared fixtures: small real molecule sets, read once per session."""

from pathlib import Path

import pytest

# Scripts that write the saved-model fixtures, not test modules: importing one (doctest collection
# does) would run it and overwrite the files that earlier releases wrote.
collect_ignore_glob = ["fixtures/*.py"]

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def smiles_sample():
    """1,128 real, varied molecules (ESOL, bundled with the package)."""
    from gate_sklearn.datasets import load_esol

    return load_esol(as_frame=True).frame["smiles"].tolist()
