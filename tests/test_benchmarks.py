"""Smoke runs of benchmark scripts' ``--quick`` modes.

The benchmarks are not imported by the package, so nothing else notices when an estimator change
breaks one (the ablation script once unpacked a value ``_forward`` no longer returned). Each run
uses physprop (built from the ``chemicals`` package on first use) and a tiny budget.
"""

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def run_quick(script):
    pytest.importorskip("chemicals")
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--quick"],
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
