"""Real molecular property data sets, in scikit-learn's loader style.

Every loader returns a :class:`~sklearn.utils.Bunch` with ``data`` (the
SMILES), ``target``, ``frame`` (the whole table as a DataFrame),
``feature_names``, ``target_names`` and ``DESCR``, or ``(X, y)`` with
``return_X_y=True``.

- :func:`load_physprop`: 26 physical properties of 20,695 organic molecules,
  built from the installed ``chemicals`` package and cached in the data home;
  seven of them (:data:`PHYSPROP_EVALUATION_COLUMNS`) are reserved for
  independent evaluation.
- :func:`load_esol`, :func:`load_freesolv`, :func:`load_lipophilicity`: small
  benchmark sets shipped with the package.
"""

from ._base import clear_data_home, get_data_home
from ._bundled import load_esol, load_freesolv, load_lipophilicity
from ._physprop import PHYSPROP_EVALUATION_COLUMNS, load_physprop

__all__ = [
    "PHYSPROP_EVALUATION_COLUMNS",
    "clear_data_home",
    "get_data_home",
    "load_esol",
    "load_freesolv",
    "load_lipophilicity",
    "load_physprop",
]
