"""Tests for gate_sklearn.datasets: bundled loaders, data home, physprop build and cache."""

import importlib.metadata
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from rdkit import Chem, rdBase

from gate_sklearn.datasets import (
    _physprop,
    clear_data_home,
    get_data_home,
    load_esol,
    load_freesolv,
    load_lipophilicity,
    load_physprop,
)

REFERENCE_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data"
PHYSPROP_REFERENCE = REFERENCE_DIR / "chemicals_physprop_organic.csv"
REFERENCE_CHEMICALS_VERSION = "1.5.2"  # the reference table was built from it

# loader, reference file name, shape of frame, target column, all columns
BUNDLED = [
    (load_esol, "delaney_esol.csv", (1128, 2), "logSolubility", ["smiles", "logSolubility"]),
    (load_freesolv, "freesolv.csv", (642, 4), "expt", ["iupac", "smiles", "expt", "calc"]),
    (load_lipophilicity, "lipophilicity.csv", (4200, 2), "lipo", ["smiles", "lipo"]),
]
bundled = pytest.mark.parametrize(
    "loader, filename, shape, target, columns", BUNDLED, ids=[b[1] for b in BUNDLED]
)


# -- bundled sets ---------------------------------------------------------------


@bundled
def test_bundled_bunch(loader, filename, shape, target, columns):
    data = loader()
    assert data.frame.shape == shape
    assert data.frame.columns.tolist() == columns
    assert data.feature_names == ["smiles"]
    assert data.target_names == [target]
    assert isinstance(data.data, pd.Series) and data.data.name == "smiles"
    assert isinstance(data.target, pd.Series) and data.target.name == target
    assert len(data.data) == len(data.target) == shape[0]
    assert data.target.dtype == np.float64 and data.target.notna().all()
    assert target in data.DESCR and "Licence" in data.DESCR


@bundled
def test_bundled_return_X_y(loader, filename, shape, target, columns):
    X, y = loader(return_X_y=True)
    frame = loader().frame
    pd.testing.assert_series_equal(X, frame["smiles"])
    pd.testing.assert_series_equal(y, frame[target])


@bundled
def test_bundled_numpy(loader, filename, shape, target, columns):
    data = loader(as_frame=False)
    assert data.frame is None
    assert isinstance(data.data, np.ndarray) and data.data.shape == (shape[0],)
    assert data.data.dtype == object and isinstance(data.data[0], str)
    assert isinstance(data.target, np.ndarray) and data.target.shape == (shape[0],)
    assert data.target.dtype == np.float64
    X, y = loader(as_frame=False, return_X_y=True)
    np.testing.assert_array_equal(X, data.data)
    np.testing.assert_array_equal(y, data.target)


@bundled
def test_bundled_smiles_parse(loader, filename, shape, target, columns):
    with rdBase.BlockLogs():
        failed = [s for s in loader().data if Chem.MolFromSmiles(s) is None]
    assert failed == []


@bundled
def test_bundled_copy_matches_shared_file(loader, filename, shape, target, columns):
    reference = REFERENCE_DIR / filename
    if not reference.exists():
        pytest.skip(f"{reference} not available")
    pd.testing.assert_frame_equal(loader().frame, pd.read_csv(reference), check_dtype=False)


def test_freesolv_calc_is_not_a_target():
    data = load_freesolv()
    assert data.target_names == ["expt"]
    assert {"calc", "iupac"} <= set(data.frame.columns)


# -- data home ------------------------------------------------------------------


def test_get_data_home(tmp_path, monkeypatch):
    monkeypatch.setenv("GATE_SKLEARN_DATA", str(tmp_path / "from_env"))
    assert get_data_home() == str(tmp_path / "from_env")
    assert (tmp_path / "from_env").is_dir()
    # the argument wins over the environment variable, path-likes are accepted
    assert get_data_home(tmp_path / "explicit") == str(tmp_path / "explicit")

    monkeypatch.delenv("GATE_SKLEARN_DATA")
    monkeypatch.setenv("HOME", str(tmp_path))  # keep the default off the real home
    assert get_data_home() == str(tmp_path / "gate_sklearn_data")


def test_clear_data_home(tmp_path):
    home = get_data_home(tmp_path / "home")
    (Path(home) / "file.csv").write_text("x\n")
    clear_data_home(home)
    assert not Path(home).exists()


# -- physprop -------------------------------------------------------------------


@pytest.fixture(scope="session")
def physprop_home(tmp_path_factory):
    """A data home holding a freshly built physprop cache, built once per session."""
    pytest.importorskip("chemicals")
    home = tmp_path_factory.mktemp("gate_sklearn_data")
    load_physprop(data_home=home)
    return home


@pytest.fixture
def physprop_frame(physprop_home):
    return load_physprop(data_home=physprop_home).frame


@pytest.fixture
def no_build(monkeypatch):
    """Fail the test if load_physprop tries to build instead of reading the cache."""

    def fail():
        raise AssertionError("the table was rebuilt instead of read from the cache")

    monkeypatch.setattr(_physprop, "_build_frame", fail)


@pytest.fixture
def fake_build(monkeypatch):
    """Replace the build by a one-molecule table; the returned list counts the calls."""
    calls = []

    def build():
        calls.append(1)
        frame = pd.DataFrame({"smiles": ["CCO"], "CAS": ["64-17-5"]})
        return frame.assign(**{name: [np.nan] for name in _physprop.PROPERTY_COLUMNS})

    monkeypatch.setattr(_physprop, "_build_frame", build)
    return calls


@pytest.fixture
def copied_home(physprop_home, tmp_path):
    """A private copy of the built cache, for tests that alter or rebuild it."""
    home = tmp_path / "home"
    shutil.copytree(physprop_home, home)
    return home


def test_physprop_cache_is_written(physprop_home):
    folder = physprop_home / "physprop"
    stamp = json.loads((folder / "chemicals_physprop_organic.json").read_text())
    assert stamp["recipe_version"] == _physprop.RECIPE_VERSION
    assert stamp["chemicals_version"] == importlib.metadata.version("chemicals")
    assert stamp["n_molecules"] == len(pd.read_csv(folder / "chemicals_physprop_organic.csv"))


def test_physprop_second_call_reads_cache(physprop_home, physprop_frame, no_build):
    again = load_physprop(data_home=physprop_home).frame
    pd.testing.assert_frame_equal(again, physprop_frame)


def test_physprop_refresh_rebuilds(copied_home, fake_build):
    assert len(load_physprop(data_home=copied_home).frame) > 1  # cache is current
    assert fake_build == []
    assert len(load_physprop(data_home=copied_home, refresh=True).frame) == 1
    assert fake_build == [1]


def test_physprop_stale_cache_rebuilds(copied_home, fake_build):
    stamp_path = copied_home / "physprop" / "chemicals_physprop_organic.json"
    stamp = json.loads(stamp_path.read_text())
    stamp_path.write_text(json.dumps({**stamp, "chemicals_version": "0.0.1"}))
    assert len(load_physprop(data_home=copied_home).frame) == 1
    assert fake_build == [1]


def test_physprop_without_chemicals(tmp_path, copied_home, physprop_frame, monkeypatch):
    monkeypatch.setitem(sys.modules, "chemicals", None)  # makes `import chemicals` fail
    with pytest.raises(ImportError, match=r"pip install \"gate_sklearn\[datasets\]\""):
        load_physprop(data_home=tmp_path / "empty")
    # an existing cache is still usable
    pd.testing.assert_frame_equal(load_physprop(data_home=copied_home).frame, physprop_frame)


def test_physprop_bunch(physprop_home):
    data = load_physprop(data_home=physprop_home)
    columns = ["smiles", "CAS", *_physprop.PROPERTY_COLUMNS]
    assert data.frame.columns.tolist() == columns and len(columns) == 28
    assert data.feature_names == ["smiles"]
    assert data.target_names == _physprop.PROPERTY_COLUMNS
    pd.testing.assert_series_equal(data.data, data.frame["smiles"])
    pd.testing.assert_frame_equal(data.target, data.frame[_physprop.PROPERTY_COLUMNS])
    assert (data.target.dtypes == np.float64).all()
    assert data.frame["smiles"].is_unique and data.frame["smiles"].is_monotonic_increasing
    assert not data.frame["smiles"].str.contains(".", regex=False).any()
    for column in _physprop.PROPERTY_COLUMNS:
        assert column in data.DESCR
        assert column in load_physprop.__doc__


def test_physprop_targets_and_return_X_y(physprop_home, physprop_frame):
    n = len(physprop_frame)
    X, y = load_physprop(data_home=physprop_home, targets="Tc_K", return_X_y=True)
    assert isinstance(X, pd.Series) and isinstance(y, pd.Series) and y.name == "Tc_K"
    pd.testing.assert_series_equal(y, physprop_frame["Tc_K"])

    X, y = load_physprop(data_home=physprop_home, targets=["Tb_K", "Tc_K"], return_X_y=True)
    assert isinstance(y, pd.DataFrame) and y.columns.tolist() == ["Tb_K", "Tc_K"]

    data = load_physprop(data_home=physprop_home, targets=["Tb_K"], as_frame=False)
    assert data.frame is None and data.target_names == ["Tb_K"]
    assert data.data.dtype == object and data.data.shape == (n,)
    assert data.target.dtype == np.float64 and data.target.shape == (n, 1)

    X, y = load_physprop(data_home=physprop_home, targets="logP", as_frame=False, return_X_y=True)
    assert X.shape == y.shape == (n,)


@pytest.mark.parametrize("targets", ["smiles", ["Tb_K", "nope"], [], ["Tb_K", "Tb_K"]])
def test_physprop_bad_targets(targets, tmp_path, no_build):
    # validated before any cache or build work
    with pytest.raises(ValueError, match="targets"):
        load_physprop(data_home=tmp_path, targets=targets)


def test_physprop_sanity_fixes(physprop_frame):
    assert physprop_frame["Tb_K"].max() <= 1200.0
    phenanthrene = physprop_frame.set_index("CAS").loc["85-01-8"]
    assert np.isnan(phenanthrene["Tc_K"])


def test_physprop_reproduces_reference(physprop_frame):
    if not PHYSPROP_REFERENCE.exists():
        pytest.skip(f"{PHYSPROP_REFERENCE} not available")
    if importlib.metadata.version("chemicals") != REFERENCE_CHEMICALS_VERSION:
        pytest.skip(f"the reference was built from chemicals {REFERENCE_CHEMICALS_VERSION}")
    reference = pd.read_csv(PHYSPROP_REFERENCE, dtype={"CAS": str})
    assert physprop_frame.columns.tolist() == reference.columns.tolist()
    assert set(physprop_frame["smiles"]) == set(reference["smiles"])

    built = physprop_frame.set_index("smiles").sort_index()
    reference = reference.set_index("smiles").sort_index()
    pd.testing.assert_series_equal(built["CAS"], reference["CAS"], check_dtype=False)
    for column in _physprop.PROPERTY_COLUMNS:
        assert built[column].notna().sum() == reference[column].notna().sum(), column
        np.testing.assert_allclose(
            built[column], reference[column], rtol=1e-9, equal_nan=True, err_msg=column
        )
