"""Callbacks that control training: early stopping that survives a restart, and per-epoch checkpoints."""

from skorch.callbacks import Callback, EarlyStopping

from .._checkpoint import write_checkpoint


class ResumableEarlyStopping(EarlyStopping):
    """Early stopping whose state (misses, best score, best weights) carries over into a resumed run.

    :func:`gate_sklearn._checkpoint.restore` sets ``resume_state`` from a
    checkpoint; training then continues counting from where it stopped.
    """

    resume_state = None

    def on_train_begin(self, net, **kwargs):
        super().on_train_begin(net, **kwargs)
        if self.resume_state is not None:
            state = self.resume_state
            self.misses_ = state["misses"]
            self.dynamic_threshold_ = state["dynamic_threshold"]
            self.best_epoch_ = state["best_epoch"]
            self.best_model_weights_ = state["best_weights"]

    def state(self):
        """What a checkpoint needs to resume this callback."""
        return {
            "misses": self.misses_,
            "dynamic_threshold": float(self.dynamic_threshold_),
            "best_epoch": int(self.best_epoch_),
            "best_weights": self.best_model_weights_,
        }


class TrainingCheckpoint(Callback):
    """Write the training state after every epoch, and a final, complete one at the end of training.

    An interrupted run (Ctrl-C) keeps its last epoch's checkpoint, so the next
    run resumes it; a run that ended (all epochs, or early stopping) is marked
    complete with its final weights. Put it after early stopping in the
    callback list, so that each checkpoint holds that epoch's early-stopping
    state.

    Parameters
    ----------
    path : str or path-like
        The checkpoint file, rewritten atomically every epoch.
    """

    def __init__(self, path):
        self.path = path

    def on_epoch_end(self, net, **kwargs):
        write_checkpoint(net, self.path, complete=False)

    def on_train_end(self, net, **kwargs):
        if not getattr(net, "interrupted_", False):
            write_checkpoint(net, self.path, complete=True)
