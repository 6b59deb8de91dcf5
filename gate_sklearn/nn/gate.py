"""The GATE network: a shared embedding and, per task, an encoder, a head, a transfer and its inverse."""

import torch
from torch import nn


def _mlp(n_in, n_hidden, n_out, activation, dropout=0.0):
    return nn.Sequential(nn.Linear(n_in, n_hidden), activation(), nn.Dropout(dropout), nn.Linear(n_hidden, n_out))


def _shapes(module):
    return [p.shape for p in module.parameters()]


class LFStandardize(nn.Module):
    """Standardise LF coordinates over the batch (running statistics at inference), no affine part.

    Keeping the locally flat space at unit spread per coordinate makes the
    alignment terms scale-free by construction: the charts cannot shrink to a
    point, and the terms' gradients stay on the scale of the regression term.
    ``stats`` lets a perturbed copy of a batch be standardised exactly like the
    batch itself (the distance term). ``eps`` is kept far below any useful
    variance: with a larger one (1e-5, as in batch norm) a small network could
    satisfy the consistency term by shrinking T's output below ``sqrt(eps)``,
    where the standardisation stops being scale-free, and the chart collapsed.
    """

    def __init__(self, n_features, momentum=0.1, eps=1e-8):
        super().__init__()
        self.momentum = momentum
        self.eps = eps
        self.register_buffer("running_mean", torch.zeros(n_features))
        self.register_buffer("running_var", torch.ones(n_features))

    def batch_stats(self, x):
        if self.training and x.shape[0] > 1:
            mean, var = x.mean(dim=0), x.var(dim=0, unbiased=False)
            with torch.no_grad():
                self.running_mean.lerp_(mean.detach(), self.momentum)
                self.running_var.lerp_(x.detach().var(dim=0, unbiased=True), self.momentum)
            return mean, var
        return self.running_mean, self.running_var

    def forward(self, x, stats=None):
        mean, var = self.batch_stats(x) if stats is None else stats
        return (x - mean) / torch.sqrt(var + self.eps)


class TaskModules(nn.Module):
    """The four modules one task owns (METHOD.md, "Modules"), and optionally a private branch.

    ``encoder`` (f): embedding -> the task's chart ``z``; ``head`` (g): ``z`` ->
    the prediction; ``transfer`` (T): ``z`` -> locally flat coordinates ``u``,
    standardised over molecules (:class:`LFStandardize`); ``inverse`` (G):
    ``u`` -> back to the chart. T and G use smooth activations (SiLU) because
    they stand for diffeomorphisms between charts.

    Parameters
    ----------
    embedding_size : int
        Width of the shared embedding.
    latent_dim : int
        Width of the chart and of the locally flat space (``d_z = d_u``).
    hidden_size : int
        Hidden width of every per-task MLP.
    dropout : float
        Dropout inside the encoder and head.
    branch : nn.Module, optional
        A task-private embedding of the input, concatenated to the shared one
        before the encoder. Task addition uses it to give a new task capacity
        of its own next to the frozen shared embedding (METHOD.md, "Evidence
        so far").
    """

    def __init__(self, embedding_size, latent_dim, hidden_size, dropout=0.0, branch=None):
        super().__init__()
        self.branch = branch
        self.embedding_size = embedding_size
        n_in = embedding_size + (branch.output_size if branch is not None else 0)
        self.encoder = _mlp(n_in, hidden_size, latent_dim, nn.ReLU, dropout)
        self.head = _mlp(latent_dim, hidden_size, 1, nn.ReLU, dropout)
        self.transfer = _mlp(latent_dim, hidden_size, latent_dim, nn.SiLU)
        self.lf_standardize = LFStandardize(latent_dim)
        self.inverse = _mlp(latent_dim, hidden_size, latent_dim, nn.SiLU)

    def encode(self, h, private=None):
        """The chart ``z = f(h)``, or ``f([h, private])`` for a task with a private branch."""
        return self.encoder(h if private is None else torch.cat([h, private], dim=1))

    def can_start_from(self, source, on_branch=False):
        """Whether :meth:`start_from` can copy ``source``: same widths, and no private branch of its own."""
        if source.branch is not None or source.encoder[0].in_features != self.embedding_size:
            return False
        if on_branch and (self.branch is None or self.branch.output_size != self.embedding_size):
            return False
        return source.encoder[0].out_features == self.encoder[0].out_features and all(
            _shapes(getattr(source, name)) == _shapes(getattr(self, name)) for name in ("head", "transfer", "inverse")
        ) and _shapes(source.encoder[1:]) == _shapes(self.encoder[1:])

    def start_from(self, source, slope, intercept, on_branch=False):
        """Start as a copy of another task's modules, with the head rescaled to ``slope * g + intercept``.

        Task addition's "nearest chart" start (``chart_init``): the new chart
        is the source task's chart, so it begins aligned to the frozen ones, and
        the new task begins as the straight-line read-out of the source task's
        prediction. ``source`` must have no private branch. This task's own
        branch, if any, gets zero weights in the first encoder layer: the copy
        computes exactly the source's chart, and training opens the branch
        from there. With ``on_branch`` (a branch that is a copy of the shared
        embedding, ``chart_init="fine_tune"``), the copied weights read the
        branch instead and the shared embedding's columns start at zero: the
        task starts as the source's chart computed from an embedding it can
        train.
        """
        if not self.can_start_from(source, on_branch=on_branch):
            raise ValueError("start_from needs a source task of the same widths and without a private branch.")
        with torch.no_grad():
            first = self.encoder[0]
            first.weight.zero_()
            columns = slice(self.embedding_size, 2 * self.embedding_size) if on_branch else slice(self.embedding_size)
            first.weight[:, columns] = source.encoder[0].weight
            first.bias.copy_(source.encoder[0].bias)
            self.encoder[1:].load_state_dict(source.encoder[1:].state_dict())
            for name in ("head", "transfer", "lf_standardize", "inverse"):
                getattr(self, name).load_state_dict(getattr(source, name).state_dict())
            last = self.head[-1]
            last.weight.mul_(slope)
            last.bias.mul_(slope).add_(intercept)
        return self

    def to_lf(self, z, stats=None):
        """LF coordinates ``u = T(z)`` standardised, and the ``(mean, var)`` used to standardise them."""
        raw = self.transfer(z)
        stats = self.lf_standardize.batch_stats(raw) if stats is None else stats
        return self.lf_standardize(raw, stats), stats


class GATENetwork(nn.Module):
    """Shared embedding E followed by one :class:`TaskModules` per task.

    ``forward`` returns a dict: ``h`` (n, embedding), ``z`` (n, tasks, latent),
    ``u`` (n, tasks, latent) and ``y`` (n, tasks), the direct predictions
    ``g_k(f_k(E(x)))`` in standardised units; also ``private`` (each task's
    private-branch features or None), ``lf_stats`` (each task's
    standardisation statistics) and ``lf_spread``. The loss terms and the
    mapped predictions ``g_j(G_j(u_k))`` are computed from these by
    :class:`GATELoss` and :meth:`mapped_predictions`. After :meth:`freeze`,
    new tasks appended to ``tasks`` train on top of the fixed ones.

    Parameters
    ----------
    embedding : nn.Module
        Maps a batch (graph or feature tensor) to ``(n, embedding.output_size)``.
    n_tasks : int
        Number of tasks.
    latent_dim : int
        Width of each chart and of the locally flat space.
    task_hidden_size : int
        Hidden width of the per-task MLPs.
    dropout : float
        Dropout inside the per-task encoders and heads.
    """

    def __init__(self, embedding, n_tasks, latent_dim=64, task_hidden_size=128, dropout=0.0):
        super().__init__()
        self.embedding = embedding
        self.latent_dim = latent_dim
        self.task_hidden_size = task_hidden_size
        self.dropout = dropout
        self.tasks = nn.ModuleList(
            TaskModules(embedding.output_size, latent_dim, task_hidden_size, dropout) for _ in range(n_tasks)
        )
        # Task addition: the embedding and the first ``n_frozen`` tasks are fixed (see ``freeze``).
        self.n_frozen = 0

    @property
    def n_tasks(self):
        return len(self.tasks)

    def freeze(self):
        """Fix the shared embedding and every current task, before new tasks are appended.

        Their parameters stop requiring gradients, and :meth:`train` keeps them
        in eval mode, so dropout is off and the LF standardisation keeps its
        running statistics: their outputs cannot change.
        """
        self.n_frozen = self.n_tasks
        for module in (self.embedding, *self.tasks):
            module.requires_grad_(False)
        return self.train(self.training)

    def train(self, mode=True):
        super().train(mode)
        if self.n_frozen:
            self.embedding.eval()
            for task in self.tasks[: self.n_frozen]:
                task.eval()
        return self

    def _run_tasks(self, x, h, tasks):
        """Private features, chart, LF point and LF statistics of each task in ``tasks``."""
        grad = torch.is_grad_enabled()
        private, z, u, stats = [], [], [], []
        for k in tasks:
            task = self.tasks[k]
            with torch.set_grad_enabled(grad and k >= self.n_frozen):
                b = task.branch(x) if task.branch is not None else None
                z_k = task.encode(h, b)
                u_k, stats_k = task.to_lf(z_k)
            private.append(b)
            z.append(z_k)
            u.append(u_k)
            stats.append(stats_k)
        return private, z, u, stats

    def frozen_outputs(self, x):
        """What the frozen parts compute for a batch, to be cached and passed back to :meth:`forward`.

        The embedding and the frozen tasks run in eval mode without gradients,
        so their outputs for a molecule never change during task addition:
        computing them once, instead of at every epoch, leaves only the new
        modules' work in the training loop. Keys: ``h``, ``z``, ``u``, ``y``
        (the frozen tasks' predictions, standardised) and ``private_k`` for a
        frozen task ``k`` with a private branch.
        """
        with torch.no_grad():
            h = self.embedding(x)
            private, z, u, _ = self._run_tasks(x, h, range(self.n_frozen))
            y = torch.cat([task.head(z_k) for task, z_k in zip(self.tasks, z)], dim=1)
        cached = {"h": h, "z": torch.stack(z, dim=1), "u": torch.stack(u, dim=1), "y": y}
        cached.update({f"private_{k}": b for k, b in enumerate(private) if b is not None})
        return cached

    def forward(self, x, frozen=None):
        """Outputs for a batch (see the class docstring).

        ``frozen`` is :meth:`frozen_outputs` for the same batch, computed
        earlier; when given, the embedding and the frozen tasks are not run.
        """
        grad = torch.is_grad_enabled()
        if frozen is None:
            # Frozen parts run forward only, without building a graph: task addition's cost does not
            # grow with the number of existing tasks beyond one cheap forward pass each.
            with torch.set_grad_enabled(grad and not self.n_frozen):
                h = self.embedding(x)
            private, z, u, stats = self._run_tasks(x, h, range(self.n_tasks))
            with torch.set_grad_enabled(grad and not self.n_frozen):
                y_frozen = [task.head(z_k) for task, z_k in zip(self.tasks[: self.n_frozen], z)]
        else:
            h = frozen["h"]
            frozen_tasks = self.tasks[: self.n_frozen]
            private = [frozen.get(f"private_{k}") for k in range(self.n_frozen)]
            z, u = list(frozen["z"].unbind(dim=1)), list(frozen["u"].unbind(dim=1))
            y_frozen = [frozen["y"]]
            # Frozen tasks are in eval mode: their LF standardisation uses the running statistics.
            stats = [(t.lf_standardize.running_mean, t.lf_standardize.running_var) for t in frozen_tasks]
            new = self._run_tasks(x, h, range(self.n_frozen, self.n_tasks))
            for collected, added in zip((private, z, u, stats), new):
                collected.extend(added)
        y = torch.cat(y_frozen + [self.tasks[k].head(z[k]) for k in range(self.n_frozen, self.n_tasks)], dim=1)
        z, u = torch.stack(z, dim=1), torch.stack(u, dim=1)
        # Spread of T's output before standardisation, over the tasks being trained: near zero would
        # mean a collapsed transfer.
        trained = stats[self.n_frozen :] or stats
        spread = torch.stack([var.detach().mean().sqrt() for _, var in trained]).mean()
        return {"h": h, "private": private, "z": z, "u": u, "y": y, "lf_stats": stats, "lf_spread": spread}

    def mapped_predictions(self, u, target, sources):
        """Predict task ``target`` from other tasks' LF points: ``g_t(G_t(u_k))`` for k in ``sources``.

        Returns a tensor of shape (n, len(sources)).
        """
        task = self.tasks[target]
        return torch.cat([task.head(task.inverse(u[:, k])) for k in sources], dim=1)
