"""Shared fixtures: small real molecule sets, read once per session."""

import os
from pathlib import Path

import pytest

# Under pytest-xdist every worker is a process with its own torch thread pool: share the cores out
# rather than run each pool on all of them, which would make the workers fight over the cores.
if "PYTEST_XDIST_WORKER_COUNT" in os.environ:
    import torch

    torch.set_num_threads(max(1, (os.cpu_count() or 1) // int(os.environ["PYTEST_XDIST_WORKER_COUNT"])))

# Scripts that write the saved-model fixtures, not test modules: importing one (doctest collection
# does) would run it and overwrite the files that earlier releases wrote.
collect_ignore_glob = ["fixtures/*.py"]

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def smiles_sample():
    """1,128 real, varied molecules (ESOL, bundled with the package)."""
    from gate_sklearn.datasets import load_esol

    return load_esol(as_frame=True).frame["smiles"].tolist()
