"""Every error and warning gate_sklearn raises on its own, in one place to import them from.

Invalid molecules have their own pair, defined with the parser and re-exported
here: :class:`InvalidSMILESError` and :class:`InvalidSMILESWarning`.
"""

from .featurize._smiles import InvalidSMILESError, InvalidSMILESWarning


class ChartCollapseWarning(UserWarning):
    """The locally flat coordinates shrank to (almost) a point during training."""


class NonFiniteLossError(FloatingPointError):
    """Training produced a NaN or infinite loss; the message names the epoch and the term."""


class TrainingInterruptedWarning(UserWarning):
    """Training was interrupted (Ctrl-C); the model keeps the best weights of the epochs completed."""


class ModelFileError(ValueError):
    """A model file that cannot be read: wrong format, newer version, damaged or tampered with."""


class ModelVersionWarning(UserWarning):
    """A model was saved (or pickled) under other versions of gate_sklearn, torch or scikit-learn.

    It usually loads and predicts as before; if it does not, re-create it
    under the versions named in the message.
    """


__all__ = [
    "ChartCollapseWarning",
    "InvalidSMILESError",
    "InvalidSMILESWarning",
    "ModelFileError",
    "ModelVersionWarning",
    "NonFiniteLossError",
    "TrainingInterruptedWarning",
]
