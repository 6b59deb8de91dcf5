"""The API reference lists every public name (docs/api.rst), so a new one cannot go undocumented."""

import importlib
import re
from pathlib import Path

import pytest

API = Path(__file__).resolve().parents[1] / "docs" / "api.rst"
PUBLIC_MODULES = [
    "gate_sklearn",
    "gate_sklearn.featurize",
    "gate_sklearn.datasets",
    "gate_sklearn.metrics",
    "gate_sklearn.exceptions",
    "gate_sklearn.nn",
    "gate_sklearn.callbacks",
    "gate_sklearn.pretrained",
]


def documented():
    """(module, name) pairs listed under a ``currentmodule``: autosummary entries and ``.. data::``."""
    pairs, module = set(), None
    for line in API.read_text().splitlines():
        if match := re.match(r"\.\. currentmodule:: (\S+)", line):
            module = match.group(1)
        elif module and (match := re.match(r"(?:   |\.\. data:: )([A-Za-z_][A-Za-z0-9_]*)$", line)):
            pairs.add((module, match.group(1)))
    return pairs


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_every_public_name_is_in_the_api_reference(module_name):
    pairs = documented()
    objects = [getattr(importlib.import_module(m), n) for m, n in pairs]
    module = importlib.import_module(module_name)
    missing = []
    for name in module.__all__:
        if name == "__version__" or (module_name, name) in pairs:
            continue
        value = getattr(module, name)
        # A re-export (the same class under another module) counts when its home is documented.
        if not (isinstance(value, type) and any(value is obj for obj in objects)):
            missing.append(name)
    assert not missing, f"{module_name}: add {missing} to docs/api.rst"


def test_the_api_reference_names_only_what_exists():
    for module, name in documented():
        assert hasattr(importlib.import_module(module), name), f"docs/api.rst lists {module}.{name}"
