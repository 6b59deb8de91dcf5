"""Shared fixtures: small real molecule sets, read once per session."""

from pathlib import Path

import pytest

# A script for a CUDA machine (it exits elsewhere), not a test module: keep doctest collection out of it.
collect_ignore = ["fixtures/make_gpu_fixture.py"]

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def smiles_sample():
    """1,128 real, varied molecules (ESOL, bundled with the package)."""
    from gate_sklearn.datasets import load_esol

    return load_esol(as_frame=True).frame["smiles"].tolist()
