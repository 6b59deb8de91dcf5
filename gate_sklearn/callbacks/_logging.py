"""Per-term loss logging: what each epoch of training records besides skorch's own losses."""

import numpy as np
from skorch.callbacks import Callback

from ..nn.losses import LOSS_TERMS

# What each epoch records besides skorch's train_loss / valid_loss: every term, and the LF spread.
LOGGED_VALUES = (*LOSS_TERMS, "lf_spread")


class LossTermLogger(Callback):
    """Record the epoch mean (weighted by batch size) of every loss term, for training and validation.

    The net records each term per batch (``train_regression``, ...,
    ``valid_lf_spread``); this callback writes their epoch means into the
    history under the same names.
    """

    def on_epoch_end(self, net, **kwargs):
        batches = net.history[-1, "batches"]
        for prefix in ("train", "valid"):
            rows = [b for b in batches if f"{prefix}_regression" in b]
            if not rows:
                continue
            sizes = np.array([b[f"{prefix}_batch_size"] for b in rows], dtype=float)
            for name in LOGGED_VALUES:
                key = f"{prefix}_{name}"
                if key in rows[0]:
                    values = np.array([b[key] for b in rows], dtype=float)
                    net.history.record(key, float(np.average(values, weights=sizes)))
