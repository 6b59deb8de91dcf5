"""A safe file format for fitted GATERegressor models: JSON for everything but the weights.

A ``.gate`` file is a zip archive with two members:

- ``metadata.json``: format name and version, library versions, constructor
  parameters, fitted attributes, the SHA-256 of the weights and (from format
  version 2) the SHA-256 of the metadata itself;
- ``weights.pt``: the network's ``state_dict``, read back with
  ``torch.load(weights_only=True)``, which only rebuilds tensors.

Nothing in the file is executed on load, unlike pickle. Files from an unknown
format, a newer format version, or whose weights or metadata do not match their
checksums (a damaged download, a hand-edited mean) are refused with a message
that says so. The checksums catch accidents, not forgery: whoever can write the
file can recompute them; what protects against a malicious file is that loading
runs no code. A file written under other versions of gate_sklearn, torch or
scikit-learn loads with a :class:`ModelVersionWarning` that names them.
"""

import hashlib
import inspect
import io
import json
import numbers
import os
import warnings
import zipfile

import numpy as np
import sklearn
import torch
from sklearn.utils.validation import check_is_fitted

from ._architecture import PARAMS_BEFORE_THEY_EXISTED
from ._version import __version__
from .exceptions import ModelFileError, ModelVersionWarning
from .utils._json import to_python

FORMAT_NAME = "gate_sklearn.GATERegressor"
# 2: the metadata carries its own checksum. Version 1 files (weights checksum only) still load.
FORMAT_VERSION = 2
_METADATA = "metadata.json"
_WEIGHTS = "weights.pt"

# Fitted attributes stored as JSON (arrays become lists).
_FITTED_ATTRIBUTES = (
    "tasks_",
    "output_tasks_",
    "base_params_",
    "added_tasks_",
    "add_task_history_",
    "y_mean_",
    "y_scale_",
    "_y_ndim",
    "n_iter_",
    "loss_curve_",
    "validation_scores_",
    "best_validation_score_",
    "loss_terms_",
    "device_",
    "n_features_in_",
    "feature_names_in_",
)
_ARRAY_ATTRIBUTES = ("y_mean_", "y_scale_", "feature_names_in_")


def library_versions():
    """The versions that shape a saved model: gate_sklearn, torch and scikit-learn."""
    return {"gate_sklearn": __version__, "torch": torch.__version__, "scikit-learn": sklearn.__version__}


def warn_on_version_mismatch(saved, source, stacklevel=2):
    """Warn with :class:`ModelVersionWarning` when ``saved`` versions differ from the running ones."""
    current = library_versions()
    changed = [name for name in current if saved.get(name, current[name]) != current[name]]
    differing = [f"{name} {saved[name]} (now {current[name]})" for name in changed]
    if differing:
        warnings.warn(
            f"{source} was saved under {', '.join(differing)}. It usually works; if predictions look wrong, "
            "re-create the model under the current versions.",
            ModelVersionWarning,
            stacklevel=stacklevel + 1,
        )


def _metadata_digest(metadata):
    """SHA-256 of the metadata (without its own checksum field), in a canonical JSON form."""
    body = {key: value for key, value in metadata.items() if key != "metadata_sha256"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _jsonable_param(name, value):
    if value is None or isinstance(value, (bool, str, numbers.Integral, numbers.Real)):
        return to_python(value)
    if isinstance(value, torch.device):
        return str(value)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if name == "pretrained":
        return None  # the fitted state holds the whole extended network; the source model is not needed
    if name == "random_state":
        return None  # a RandomState instance has no JSON form; the fitted weights do not depend on it
    raise TypeError(f"Parameter {name}={value!r} cannot be saved in the safe format; use joblib instead.")


def _saved_params(model):
    """Constructor parameters as saved. A model fitted with ``pretrained=`` is saved standalone: its
    architecture parameters are those of the network it holds, and ``pretrained`` is dropped."""
    params = model.get_params(deep=False)
    if params.get("pretrained") is not None:
        params.update(model.base_params_)
    return params


def save_model(model, path):
    """Write a fitted model to ``path`` in the safe format (see module docstring)."""
    buffer = io.BytesIO()
    torch.save({k: v.detach().cpu() for k, v in model.net_.module_.state_dict().items()}, buffer)
    weights = buffer.getvalue()
    fitted = {}
    for name in _FITTED_ATTRIBUTES:
        if hasattr(model, name):
            value = getattr(model, name)
            fitted[name] = value.tolist() if isinstance(value, np.ndarray) else value
    metadata = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "versions": library_versions(),
        "params": {k: _jsonable_param(k, v) for k, v in _saved_params(model).items()},
        "fitted": fitted,
        "weights_sha256": hashlib.sha256(weights).hexdigest(),
    }
    metadata["metadata_sha256"] = _metadata_digest(metadata)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_METADATA, json.dumps(metadata, indent=1))
        archive.writestr(_WEIGHTS, weights)


def read_model_file(path, stacklevel=3):
    """Read and check a model file; returns ``(metadata, state_dict)``.

    ``stacklevel`` of the version warning: 3 points at the caller of this function's caller.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if _METADATA not in names or _WEIGHTS not in names:
                raise ModelFileError(f"{path} is not a gate_sklearn model file (members {sorted(names)}).")
            metadata = json.loads(archive.read(_METADATA))
            weights = archive.read(_WEIGHTS)
    except (zipfile.BadZipFile, EOFError, OSError, json.JSONDecodeError, zipfile.LargeZipFile) as error:
        if isinstance(error, FileNotFoundError):
            raise
        raise ModelFileError(f"{path} is not a readable gate_sklearn model file (damaged or truncated?): {error}")
    if metadata.get("format") != FORMAT_NAME:
        raise ModelFileError(f"{path} holds format {metadata.get('format')!r}, not {FORMAT_NAME!r}.")
    version = metadata.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ModelFileError(
            f"{path} was written in format version {version!r} (by gate_sklearn "
            f"{metadata.get('versions', {}).get('gate_sklearn', '?')}); this gate_sklearn ({__version__}) reads "
            f"format versions up to {FORMAT_VERSION}. Upgrade gate_sklearn to load it."
        )
    if hashlib.sha256(weights).hexdigest() != metadata.get("weights_sha256"):
        raise ModelFileError(f"{path}: the weights do not match their recorded checksum (modified or damaged).")
    if version >= 2 and _metadata_digest(metadata) != metadata.get("metadata_sha256"):
        raise ModelFileError(
            f"{path}: the metadata (parameters, task names, target scaling...) does not match its recorded checksum "
            "(modified or damaged)."
        )
    try:
        state = torch.load(io.BytesIO(weights), map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises several types for a malformed archive
        raise ModelFileError(f"{path}: the weights cannot be read ({type(error).__name__}: {error}).") from None
    warn_on_version_mismatch(metadata.get("versions", {}), str(path), stacklevel=stacklevel)
    return metadata, state


def restore_fitted(model, metadata):
    """Set the fitted attributes recorded in ``metadata`` on a fresh ``model``."""
    for name, value in metadata["fitted"].items():
        if name in _ARRAY_ATTRIBUTES:
            value = np.asarray(value, dtype=object if name == "feature_names_in_" else float)
        setattr(model, name, value)
    return model


def load_model(cls, path, device):
    """The fitted ``cls`` instance a file written by :func:`save_model` holds, its network on ``device``."""
    from ._architecture import ARCHITECTURE_PARAMS
    from ._fitting import build_net, resolve_device
    from ._settings import resolve_training, training_params

    metadata, state = read_model_file(path, stacklevel=4)  # the warning points at the caller of load()
    params = {**PARAMS_BEFORE_THEY_EXISTED, **metadata["params"], "device": device}
    model = restore_fitted(cls(**params), metadata)
    model.device_ = resolve_device(device)
    # Files written before task addition existed lack these.
    defaults = {
        "base_params_": {name: params[name] for name in ARCHITECTURE_PARAMS},
        "output_tasks_": list(model.tasks_),
        "added_tasks_": [],
        "add_task_history_": {},
    }
    for name, value in defaults.items():
        if not hasattr(model, name):
            setattr(model, name, value)
    architecture = model._architecture()
    module = architecture.restore_network(len(model.tasks_), model.added_tasks_)
    module.load_state_dict(state)
    # The net only holds the network for inference here: add_task and fit build their own.
    settings = resolve_training(training_params(model), seed=0, n_samples=0)
    model.net_ = build_net(module, settings, architecture, model.device_)
    model.net_.initialize()
    return model


class SavedModelMixin:
    """Saving and loading for :class:`~gate_sklearn.GATERegressor`: the safe format, and pickles that say
    which library versions wrote them."""

    def save(self, path):
        """Save the fitted model in a format that runs no code when loaded.

        The file (a zip archive) holds the parameters and fitted attributes as
        JSON and the weights as tensors, with the library versions and a
        checksum. Load it with :meth:`load`. Pickle and joblib
        work too, but only load those from sources you trust.

        A model fitted with ``pretrained=`` is saved standalone: the file holds
        its whole network, ``pretrained`` is saved as None and the
        architecture parameters as those of that network (refitting the
        loaded model trains a new one from scratch).

        Parameters
        ----------
        path : str or path-like
            Where to write, conventionally with the ``.gate`` suffix.

        Returns
        -------
        self : estimator
        """
        check_is_fitted(self, "net_")
        save_model(self, path)
        return self

    @classmethod
    def load(cls, path, device="auto"):
        """Load a model written by :meth:`save`.

        Parameters
        ----------
        path : str or path-like
            The model file.
        device : str, default="auto"
            Where to put the network; ``"auto"`` picks CUDA when available.
            A model trained on a GPU loads on a CPU-only machine.

        Returns
        -------
        estimator
            The fitted model, predicting exactly as the saved one.

        Raises
        ------
        ModelFileError
            The file is not a model file, comes from a newer format version,
            or its weights or metadata do not match their checksums.

        Warns
        -----
        ModelVersionWarning
            The file was written under other versions of gate_sklearn, torch
            or scikit-learn (each is named).
        """
        return load_model(cls, path, device)

    def __getstate__(self):
        state = super().__getstate__()
        # scikit-learn records (and checks) its own version; gate_sklearn and torch matter as much here.
        state["_library_versions"] = library_versions()
        return state

    def __setstate__(self, state):
        saved = state.pop("_library_versions", None)
        if saved is not None:
            saved = {name: version for name, version in saved.items() if name != "scikit-learn"}
            warn_on_version_mismatch(saved, f"This pickled {type(self).__name__}", stacklevel=2)
        # A pickle from an older version lacks the parameters added since: they take the value that
        # reproduces the pickled network, or else their defaults.
        for name, parameter in inspect.signature(type(self).__init__).parameters.items():
            if name != "self":
                state.setdefault(name, PARAMS_BEFORE_THEY_EXISTED.get(name, parameter.default))
        super().__setstate__(state)

