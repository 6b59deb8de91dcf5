"""The skorch callbacks that train a :class:`~gate_sklearn.GATERegressor`'s network.

``GATERegressor`` builds its skorch net with these; they are public so that a
net built by hand around a :class:`~gate_sklearn.nn.GATENetwork` can log and
stop the same way.

- :class:`LossTermLogger`: the epoch mean of every loss term, in the history;
- :class:`ValidationR2`: NaN-aware R^2 on the validation part (``valid_r2``);
- :class:`ResumableEarlyStopping`: skorch's early stopping, with its state
  carried over into a resumed run;
- :class:`TrainingCheckpoint`: the training state written after every epoch.
"""

from ._logging import LOGGED_VALUES, LossTermLogger
from ._scoring import ValidationR2
from ._training import ResumableEarlyStopping, TrainingCheckpoint

__all__ = ["LOGGED_VALUES", "LossTermLogger", "ResumableEarlyStopping", "TrainingCheckpoint", "ValidationR2"]
