"""gate_sklearn: geometrically aligned transfer learning for molecular property regression.

The estimator is :class:`GATERegressor`; featurization lives in
:mod:`gate_sklearn.featurize`, data sets in :mod:`gate_sklearn.datasets`, and
NaN-aware metrics and scorers in :mod:`gate_sklearn.metrics`, errors and
warnings in :mod:`gate_sklearn.exceptions`.
"""

from ._version import __version__
from .estimator import GATERegressor
from .exceptions import ChartCollapseWarning

__all__ = ["ChartCollapseWarning", "GATERegressor", "__version__"]
