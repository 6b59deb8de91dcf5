"""Uncertainty from the charts: the spread of a task's predictions read through every other task's chart."""

import torch


def prediction_reader(module, columns, return_std):
    """A function of a batch's network outputs giving the direct predictions of ``columns`` (n, c).

    With ``return_std`` it appends, per task ``t`` in ``columns``, the standard
    deviation of the direct prediction ``g_t(f_t(x))`` and the mapped ones
    ``g_t(G_t(u_k))`` for every other task ``k`` (n, 2c), in standardised units.
    """

    def read(outputs):
        direct = outputs["y"][:, columns]
        if not return_std:
            return direct
        n_tasks = outputs["y"].shape[1]
        spread = []
        for j in columns:
            others = [k for k in range(n_tasks) if k != j]
            readings = torch.cat([outputs["y"][:, [j]], module.mapped_predictions(outputs["u"], j, others)], 1)
            spread.append(readings.std(dim=1, unbiased=False))
        return torch.cat([direct, torch.stack(spread, dim=1)], dim=1)

    return read
