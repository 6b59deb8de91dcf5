"""Finding, checking and loading the models shipped in ``gate_sklearn/pretrained/models``.

Each model is two files: ``<name>.gate`` (the safe save format) and
``<name>.json``, its manifest: the file's SHA-256, how it was built, its
validation scores and a few reference predictions. A file whose checksum
differs from its manifest is refused before anything in it is read.
"""

import functools
import hashlib
import json
import warnings
from importlib import resources
from pathlib import Path

from ..exceptions import ModelFileError, ModelVersionWarning

_MODELS_DIR = Path(str(resources.files(__package__) / "models"))


def available_models():
    """Names of the shipped pre-trained models.

    Returns
    -------
    names : list of str
        What :func:`load` accepts, and ``GATERegressor(pretrained=...)``.
    """
    return sorted(path.stem for path in _MODELS_DIR.glob("*.json") if path.with_suffix(".gate").exists())


def _paths(name):
    if not isinstance(name, str) or name not in available_models():
        raise ValueError(f"No shipped pre-trained model named {name!r}; available: {available_models()}.")
    return _MODELS_DIR / f"{name}.gate", _MODELS_DIR / f"{name}.json"


def model_card(name):
    """The manifest of a shipped model: data, tasks, training, validation scores, checksum.

    Parameters
    ----------
    name : str
        One of :func:`available_models`.

    Returns
    -------
    card : dict
        Parsed from ``<name>.json`` beside the model file.
    """
    return json.loads(_paths(name)[1].read_text())


def file_sha256(path):
    """SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_checked(path, expected_sha256, device="auto"):
    """Load the model at ``path`` if its SHA-256 is ``expected_sha256``; refuse it otherwise."""
    from ..estimator import GATERegressor

    actual = file_sha256(path)
    if actual != expected_sha256:
        raise ModelFileError(
            f"{path}: checksum {actual[:12]}... differs from the {expected_sha256[:12]}... its manifest records; "
            "the file was modified or damaged. Reinstall gate_sklearn, or rebuild it with "
            "'python -m gate_sklearn.pretrained build'."
        )
    with warnings.catch_warnings():
        # The shipped files are checked against their reference predictions under every supported
        # version by the test suite; a version note on each load would only be noise.
        warnings.simplefilter("ignore", ModelVersionWarning)
        return GATERegressor.load(path, device=device)


def load(name, device="auto"):
    """A shipped pre-trained model, fitted and ready for ``add_task``; nothing is downloaded.

    Parameters
    ----------
    name : str
        One of :func:`available_models`, e.g. ``"moses-physchem"``.
    device : str, default="auto"
        Where the network goes (as in :meth:`GATERegressor.load`).

    Returns
    -------
    model : GATERegressor
        A new, independent copy each call: adding tasks to it changes no other copy.

    Raises
    ------
    ValueError
        For an unknown name.
    ModelFileError
        When the file's checksum differs from the one its manifest records.

    Examples
    --------
    >>> from gate_sklearn import pretrained
    >>> model = pretrained.load("moses-physchem")
    >>> "crippen_logP" in model.tasks_
    True
    """
    path, _ = _paths(name)
    return load_checked(path, model_card(name)["sha256"], device=device)


@functools.lru_cache(maxsize=4)
def shared_model(name):
    """One loaded copy per process for ``GATERegressor(pretrained=name)``, which only reads it.

    Cross-validation and grid search then load the file once, not once per fit.
    """
    return load(name, device="cpu")
