"""gate_sklearn: geometrically aligned transfer learning for molecular property regression."""

from ._version import __version__

__all__ = ["__version__"]
