"""Validation scoring during training: the score early stopping monitors."""

import numpy as np
from skorch.callbacks import Callback


class ValidationR2(Callback):
    """NaN-aware R^2 on the validation part, averaged over the trained tasks (``valid_r2``).

    The sums of squared errors are accumulated from the validation batches the
    net already evaluates, so no extra pass over the data is needed.
    """

    def __init__(self, y_valid, tasks=None):
        self.y_valid = np.asarray(y_valid, dtype=float)
        self.tasks = tasks

    def initialize(self):
        y = self.y_valid if self.tasks is None else self.y_valid[:, self.tasks]
        n_labels = np.sum(~np.isnan(y), axis=0)
        # A task may have no label in a small validation part: its mean is taken as 0 (its total is 0
        # either way, and has_labels_ leaves it out) rather than warning "Mean of empty slice".
        mean = np.nansum(y, axis=0) / np.maximum(n_labels, 1)
        self.total_ss_ = np.nansum((y - mean) ** 2, axis=0)
        self.has_labels_ = n_labels >= 2
        return self

    def on_epoch_begin(self, net, **kwargs):
        self.residual_ss_ = np.zeros(len(self.total_ss_))

    def on_batch_end(self, net, batch=None, training=False, y_pred=None, **kwargs):
        if training or y_pred is None:
            return
        y_true = batch[1].detach().cpu().numpy().astype(float)
        pred = y_pred["y"].detach().cpu().numpy().astype(float)
        if self.tasks is not None:
            y_true, pred = y_true[:, self.tasks], pred[:, self.tasks]
        self.residual_ss_ += np.nansum((pred - y_true) ** 2, axis=0)

    def on_epoch_end(self, net, **kwargs):
        valid = self.has_labels_ & (self.total_ss_ > 0)
        r2 = 1.0 - self.residual_ss_[valid] / self.total_ss_[valid]
        net.history.record("valid_r2", float(np.mean(r2)) if r2.size else float("nan"))
