"""The five GATE loss terms, each masked by label availability and written to be scale-aware.

The naive forms of the alignment terms are minimised by shrinking the charts
(METHOD.md, "Evidence so far"). Here the locally flat (LF) coordinates are
standardised over molecules inside the network (``LFStandardize``), so they
cannot shrink, and every term is measured on that fixed scale: consistency as
a mean squared gap between charts, distance as the disagreement of log
distances moved under a perturbation of the embedding (the perturbed batch is
standardised with the unperturbed batch's statistics). The LF spread before
standardisation is reported with the terms, so a collapse of T would show.
"""

import torch
from torch import nn

# The four terms that align the charts, in the order of METHOD's total loss; the regression term has weight 1.
ALIGNMENT_TERMS = ("autoencoder", "consistency", "mapping", "distance")
LOSS_TERMS = ("regression", *ALIGNMENT_TERMS)
# Every alignment weight's default, in GATELoss and in GATERegressor alike. At 1.0 the alignment
# gradients swamp the regression term's on the shared embedding; at 0.1 every term stays active
# and regression trains as fast as without them (the evidence is on the documentation's defaults page).
DEFAULT_ALIGNMENT_WEIGHT = 0.1
_EPS = 1e-8


def masked_task_mse(pred, target, mask):
    """Sum over tasks of the mean squared error over the molecules labelled for each task.

    ``pred``, ``target`` and ``mask`` have shape (n, tasks); tasks with no
    label in the batch contribute nothing.
    """
    diff2 = torch.where(mask, pred - torch.nan_to_num(target), torch.zeros_like(pred)) ** 2
    counts = mask.sum(dim=0)
    per_task = diff2.sum(dim=0) / counts.clamp_min(1)
    return per_task[counts > 0].sum()


class GATELoss(nn.Module):
    """The total GATE loss, ``regression + a*autoencoder + b*consistency + c*mapping + d*distance``.

    Parameters
    ----------
    autoencoder_weight, consistency_weight, mapping_weight, distance_weight : float
        Weights of the four alignment terms. All zero gives conventional
        multi-task learning (shared embedding, one head per task) on the same
        network; a term whose weight is zero is not computed.
    n_perturbations : int
        K, perturbations of the shared embedding per molecule for the distance term.
    perturbation_scale : float
        sigma, the perturbation's standard deviation relative to the batch
        standard deviation of the embedding.
    max_mapping_partners : int
        Source charts sampled per target task in the mapping term (all of them
        when there are fewer), which keeps its cost linear in the number of tasks.
    """

    def __init__(
        self,
        autoencoder_weight=DEFAULT_ALIGNMENT_WEIGHT,
        consistency_weight=DEFAULT_ALIGNMENT_WEIGHT,
        mapping_weight=DEFAULT_ALIGNMENT_WEIGHT,
        distance_weight=DEFAULT_ALIGNMENT_WEIGHT,
        n_perturbations=4,
        perturbation_scale=0.1,
        max_mapping_partners=4,
    ):
        super().__init__()
        self.weights = {
            "regression": 1.0,
            "autoencoder": autoencoder_weight,
            "consistency": consistency_weight,
            "mapping": mapping_weight,
            "distance": distance_weight,
        }
        self.n_perturbations = n_perturbations
        self.perturbation_scale = perturbation_scale
        self.max_mapping_partners = max_mapping_partners

    def forward(self, outputs, y, network, trainable_tasks=None):
        """Total loss and the value of each term.

        Parameters
        ----------
        outputs : dict
            What :class:`GATENetwork` returned for the batch.
        y : Tensor of shape (n, tasks)
            Standardised targets, NaN where not measured.
        network : GATENetwork
            The network, for the inverse maps, heads and encoders.
        trainable_tasks : sequence of int, optional
            Tasks whose modules are being trained (all by default). Terms are
            summed over these tasks only, against every task's chart, which is
            what task addition needs.

        Returns
        -------
        total : Tensor (scalar)
        terms : dict of str to float
            Unweighted value of every term, plus ``lf_spread``.
        """
        n_tasks = outputs["y"].shape[1]
        tasks = list(range(n_tasks)) if trainable_tasks is None else list(trainable_tasks)
        mask = ~torch.isnan(y)
        z, u = outputs["z"], outputs["u"]
        terms = {"regression": masked_task_mse(outputs["y"][:, tasks], y[:, tasks], mask[:, tasks])}
        if self.weights["autoencoder"]:
            terms["autoencoder"] = self._autoencoder(z, u, network, tasks)
        if self.weights["consistency"] and n_tasks > 1:
            terms["consistency"] = self._consistency(u, tasks)
        if self.weights["mapping"] and n_tasks > 1:
            terms["mapping"] = self._mapping(u, y, mask, network, tasks)
        if self.weights["distance"] and n_tasks > 1:
            terms["distance"] = self._distance(outputs, network, tasks)
        total = sum(self.weights[name] * value for name, value in terms.items())
        report = {name: value.item() for name, value in terms.items()}
        report["lf_spread"] = outputs["lf_spread"].item()
        return total, report

    @staticmethod
    def _autoencoder(z, u, network, tasks):
        # Mean squared reconstruction error per coordinate. It is not normalised: the regression
        # term keeps z informative, and a collapsed u could not be decoded back to z.
        loss = z.new_zeros(())
        for k in tasks:
            loss = loss + ((network.tasks[k].inverse(u[:, k]) - z[:, k]) ** 2).mean()
        return loss

    @staticmethod
    def _consistency(u, tasks):
        # Mean squared gap between each task's LF point and the mean over tasks (u is standardised).
        centre = u.mean(dim=1, keepdim=True)
        return ((u[:, tasks] - centre) ** 2).mean(dim=(0, 2)).sum()

    def _sample(self, candidates):
        """At most ``max_mapping_partners`` of ``candidates``, drawn at random (keeps costs flat in N)."""
        if len(candidates) <= self.max_mapping_partners:
            return candidates
        pick = torch.randperm(len(candidates), device="cpu")[: self.max_mapping_partners]
        return [candidates[i] for i in sorted(pick.tolist())]

    def _mapping(self, u, y, mask, network, tasks):
        n_tasks = u.shape[1]
        loss = u.new_zeros(())
        for j in tasks:
            if not mask[:, j].any():
                continue
            partners = self._sample([i for i in range(n_tasks) if i != j])
            mapped = network.mapped_predictions(u, j, partners)  # (n, partners)
            labelled = mask[:, j]
            loss = loss + ((mapped[labelled] - y[labelled, j].unsqueeze(1)) ** 2).mean()
        return loss

    def _distance(self, outputs, network, tasks):
        # Local isometry: a small move of the shared embedding must move every chart's LF point
        # by the same amount. Log distances make the comparison relative. The reference charts
        # are the trained tasks plus a sample of the others (frozen ones: forward only).
        h, u, lf_stats, private = outputs["h"], outputs["u"], outputs["lf_stats"], outputs["private"]
        n, k_pert = h.shape[0], self.n_perturbations
        trained = set(tasks)
        others = self._sample([k for k in range(u.shape[1]) if k not in trained])
        charts = list(tasks) + others
        sigma = self.perturbation_scale * h.detach().std().clamp_min(_EPS)
        h_moved = h.unsqueeze(0) + sigma * torch.randn(k_pert, n, h.shape[1], device=h.device, dtype=h.dtype)
        h_moved = h_moved.reshape(k_pert * n, -1)
        grad = torch.is_grad_enabled()
        log_d = []
        for k in charts:
            task = network.tasks[k]
            with torch.set_grad_enabled(grad and k in trained):
                b = None if private[k] is None else private[k].repeat(k_pert, 1)
                # Standardise the moved points exactly like the batch itself (same statistics).
                u_moved, _ = task.to_lf(task.encode(h_moved, b), stats=lf_stats[k])
            u_moved = u_moved.reshape(k_pert, n, -1)
            d = (u_moved - u[:, k].unsqueeze(0)).norm(dim=2)
            log_d.append(torch.log(d + 1e-6))
        log_d = torch.stack(log_d, dim=2)  # (K, n, charts), trained tasks first
        centre = log_d.mean(dim=2, keepdim=True)
        return ((log_d[:, :, : len(tasks)] - centre) ** 2).mean(dim=(0, 1)).sum()
