"""Smoke runs of benchmark scripts' ``--quick`` modes.

The benchmarks are not imported by the package, so nothing else notices when an estimator change
breaks one (the ablation script once unpacked a value ``_forward`` no longer returned). Each run
uses physprop (built from the ``chemicals`` package on first use) and a tiny budget.
"""

import importlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def run_quick(script, *options):
    pytest.importorskip("chemicals")
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--quick", *options],
        cwd=BENCHMARKS.parent, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_ablation_quick_reads_out_every_variant():
    out = run_quick("task_addition_ablation.py")
    for variant in ("full", "no_mapping", "head_on_mtl"):
        assert f"| {variant} | 0." in out


def test_inference_paths_quick_reports_every_readout():
    out = run_quick("inference_paths.py")
    for readout in ("direct", "mean_mapped", "median_all", "guard_max", "guard_q99", "range_0", "range_0.25"):
        assert f"| {readout} | " in out
    assert "| direct | " in out and "| 0.0% |" in out  # the direct read-out changes nothing


def import_benchmark(name):
    """A benchmark script as a module (they are not part of the package)."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(BENCHMARKS))


def test_physical_sources_pretrain_on_the_molar_volume():
    task_addition = import_benchmark("task_addition")
    frame = pd.DataFrame({"smiles": ["O", "CCO", "c1ccccc1"], "density_kg_m3_CRC": [997.0, 789.0, np.nan]})
    derived = task_addition.with_derived_sources(frame)
    # molar mass (g/mol) / density (kg/m3) * 1000 = cm3/mol: water 18.07, ethanol 58.4; no density, no volume
    np.testing.assert_allclose(derived["Vm_liquid_cm3_mol"][:2], [18.015 / 0.997, 46.069 / 0.789], rtol=1e-3)
    assert np.isnan(derived["Vm_liquid_cm3_mol"][2])
    assert "Vm_liquid_cm3_mol" not in frame  # the caller's frame is left as it was
    assert "Vm_liquid_cm3_mol" in task_addition.SOURCE_SETS["physical"]


def test_learning_curves_quick_with_physical_sources():
    out = run_quick("learning_curves.py", "--sources", "physical")
    assert "Vm_liquid_cm3_mol" in out  # the report names the sources it pre-trained on
    for method in ("pre-train + new head (frozen)", "GATE + add_task", "Morgan RF + source predictions"):
        assert f"| {method} | 0." in out or f"| {method} | 1." in out


def test_learning_curves_name_a_method_run_on_fewer_seeds():
    learning_curves = import_benchmark("learning_curves")
    part = pd.DataFrame({"method": ["stl"] * 3 + ["rf_stacked"], "seed": [0, 1, 2, 0]})
    label = learning_curves.method_label
    assert label("stl", part[part.method == "stl"], part) == "single-task (STL)"
    # a mean over one seed beside means over three must say so in the table
    assert label("rf_stacked", part[part.method == "rf_stacked"], part) == "Morgan RF + source predictions (seed 0)"
