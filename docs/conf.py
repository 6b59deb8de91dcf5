"""Sphinx configuration: pydata theme, numpydoc API pages, the examples gallery, Markdown pages."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the checkout's package, also when it is not installed
os.environ.setdefault("OMP_NUM_THREADS", "2")

import gate_sklearn  # noqa: E402

project = "gate_sklearn"
author = "gate_sklearn developers"
copyright = "2026, gate_sklearn developers"
release = gate_sklearn.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py", "**.zip", "**.md5"]
templates_path = ["_templates"]
html_static_path = ["_static"]
html_theme = "pydata_sphinx_theme"
html_title = f"gate_sklearn {release}"
html_theme_options = {"navigation_with_keys": False, "show_toc_level": 2}

autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
# Types in docstrings are prose ("array-like of shape (n, k)"), not cross-references.
numpydoc_xref_param_type = False

myst_heading_anchors = 3
# The Markdown pages also live on GitHub, where they link to scripts and results outside docs/.
suppress_warnings = ["myst.xref_missing"]

sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "reset_modules": ("matplotlib",),
}


def _skip_routing_methods(app, what, name, obj, skip, options):
    # scikit-learn generates set_*_request methods for metadata routing; their docstrings point into
    # scikit-learn's own glossary, and they are documented there.
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return skip


def setup(app):
    app.connect("autodoc-skip-member", _skip_routing_methods)
