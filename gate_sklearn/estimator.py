"""GATERegressor: multi-task GATE as a scikit-learn estimator, trained through skorch."""

import copy
import functools
import inspect
import numbers
import os
import warnings
from contextlib import contextmanager
from types import SimpleNamespace

import numpy as np
import pandas as pd
import torch
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.frozen import FrozenEstimator
from sklearn.utils import TransformerTags, _safe_indexing, check_random_state
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    StrOptions,
    validate_parameter_constraints,
)
from sklearn.utils.validation import _num_samples, check_is_fitted, validate_data
from skorch.callbacks import ProgressBar
from skorch.helper import predefined_split
from skorch.utils import noop

from ._checkpoint import (
    ResumableEarlyStopping,
    TrainingCheckpoint,
    checkpoint_path,
    read_checkpoint,
    restore,
    run_key,
)
from ._persistence import (
    library_versions,
    read_model_file,
    restore_fitted,
    save_model,
    warn_on_version_mismatch,
)
from ._targets import check_targets, rows_text, standardisation, task_names_of
from .exceptions import ChartCollapseWarning, TrainingInterruptedWarning
from .featurize import (
    InvalidSMILESWarning,
    MorganFingerprint,
    check_smiles_input,
    parse_smiles,
    smiles_to_graphs,
)
from .featurize._smiles import ON_INVALID_OPTIONS, _diagnose, report_invalid
from .metrics import nan_r2_score
from .nn import DMPNNEncoder, GATELoss, GATENetwork, MLPEncoder, TaskModules
from .nn.encoders import AGGREGATIONS
from .training import (
    LOGGED_VALUES,
    DenseDataset,
    GATENet,
    GraphDataset,
    LossTermLogger,
    ValidationR2,
    WithFrozenOutputs,
    collate_frozen_items,
    collate_graph_items,
)
from .utils._progress import progress_bar

FEATURIZERS = ("graph", "morgan", "precomputed")

# Rows featurized and run through the network at once by predict and transform.
INFERENCE_CHUNK = 10_000

# early_stopping="auto" holds out a validation part only above this many training rows (the rule of
# scikit-learn's HistGradientBoosting): the 10 % part then has over 1,000 molecules. On smaller sets
# its R^2 is too noisy to stop on: benchmarks/default_search.py found stopping with patience 10, 30 or
# 50 worse than training every epoch, for single-task models, new heads and task addition, at 25 and
# 100 labels, and about even at ~500 (docs/defaults.md).
EARLY_STOPPING_AUTO_MIN_SAMPLES = 10_000

# chart_init="nearest" needs this many labels to rank the frozen charts; with fewer, a random start.
CHART_INIT_MIN_LABELS = 3

# learning_rate_init="auto": Adam's step for modules trained from a random start, and for an added task
# that starts as a copy of a trained chart, which is fine-tuned rather than learned anew.
# benchmarks/default_search.py found 3e-4 for the copy better on the mean over 25 to ~510 labels,
# random and scaffold validation parts, and 5 to 15 % better with all labels (docs/defaults.md).
LEARNING_RATE_FROM_SCRATCH = 1e-3
LEARNING_RATE_FROM_COPY = 3e-4


def resolve_learning_rate(learning_rate_init, starts_from_copy=False):
    """Adam's learning rate for one round of training (see ``learning_rate_init``)."""
    if learning_rate_init != "auto":
        return learning_rate_init
    return LEARNING_RATE_FROM_COPY if starts_from_copy else LEARNING_RATE_FROM_SCRATCH


def uses_early_stopping(early_stopping, n_samples):
    """Whether a fit on ``n_samples`` rows holds out a validation part (see ``early_stopping``)."""
    if early_stopping == "auto":
        return n_samples > EARLY_STOPPING_AUTO_MIN_SAMPLES
    return bool(early_stopping)


# Parameters that define the shared part of the network. A model fitted with ``pretrained=``
# takes them from the pre-trained model, whose network it extends.
BASE_PARAMS = (
    "featurizer",
    "hidden_size",
    "depth",
    "aggregation",
    "latent_dim",
    "task_hidden_size",
    "dropout",
    "morgan_radius",
    "morgan_size",
)

# Architecture parameters added after the first release, and the value that reproduces the networks
# saved before them (whatever the current default): models saved then are loaded as they were trained.
PARAMS_BEFORE_THEY_EXISTED = {"aggregation": "mean"}

# Parameters that govern one round of training; ``add_task`` accepts each of them as an option.
TRAINING_PARAMS = (
    "task_hidden_size",
    "dropout",
    "private_branch_size",
    "chart_init",
    "autoencoder_weight",
    "consistency_weight",
    "mapping_weight",
    "distance_weight",
    "n_perturbations",
    "perturbation_scale",
    "max_mapping_partners",
    "max_iter",
    "batch_size",
    "learning_rate_init",
    "weight_decay",
    "early_stopping",
    "validation_fraction",
    "n_iter_no_change",
    "tol",
    "random_state",
    "verbose",
    "checkpoint_dir",
)


def resolve_device(device):
    """``"auto"`` means CUDA when available, else CPU; anything else must name a usable torch device."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        resolved = torch.device(device)
    except RuntimeError as error:
        raise ValueError(f"device={device!r} is not a torch device ({error}); use 'auto', 'cpu' or 'cuda'.") from None
    if resolved.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(f"device={device!r}, but CUDA is not available here; use device='auto' or 'cpu'.")
        if resolved.index is not None and resolved.index >= torch.cuda.device_count():
            raise ValueError(f"device={device!r}, but this machine has {torch.cuda.device_count()} CUDA device(s).")
    return str(resolved)


class GATERegressor(RegressorMixin, BaseEstimator):
    """Multi-task regression with geometrically aligned transfer (GATE) over molecules.

    A shared embedding ``E`` (a directed message passing network over the
    molecular graph by default) feeds, for each task ``k``, an encoder ``f_k``
    into the task's own latent chart, a head ``g_k`` that predicts the
    property, a transfer ``T_k`` into a locally flat (LF) space shared by all
    tasks, and its inverse ``G_k``. Besides the regression loss, four terms
    align the charts: autoencoder (``G_k`` inverts ``T_k``), consistency (a
    molecule lands on the same LF point from every chart), mapping (each
    task's label is predicted from the other charts through LF) and distance
    (local isometry under small perturbations of the embedding). With the four
    alignment weights at 0 the model is conventional multi-task learning on
    the same network. The alignment weights default to 0.1: at 1.0 their
    gradients swamped the regression term's on the shared embedding (a
    two-task ESOL model reached R^2 0.02 instead of 0.54 in 15 epochs), at 0.1
    every term stays active and regression trains as fast as without them. Targets may have NaN where a property was not measured;
    every labelled loss term is masked accordingly.

    Parameters
    ----------
    featurizer : {"graph", "morgan", "precomputed"}, default="graph"
        Input and embedding. ``"graph"``: SMILES, D-MPNN embedding.
        ``"morgan"``: SMILES, Morgan count fingerprint, MLP embedding.
        ``"precomputed"``: a numeric matrix (any features), MLP embedding.
    hidden_size : int, default=300
        Width of the shared embedding (message passing or MLP layers).
    depth : int, default=3
        Message passing steps (graph) or hidden layers (MLP embedding).
    aggregation : {"mean", "sum", "norm"}, default="norm"
        Graph embedding only: how the atoms' states become the molecule's:
        their mean, their sum, or their sum divided by 10 (a small organic
        molecule's heavy-atom count, which keeps the embedding near the
        mean's scale). The sums keep the molecule's size, which size-extensive
        properties (critical volume, enthalpies) depend on. On physprop
        validation data (pre-trained on Tb, Tm, logP) ``"norm"`` beat
        ``"mean"`` for single-task models, new heads and task addition at 100
        and all labels, by the widest margin on molecules with ring systems
        unlike the training ones ("How the defaults were chosen"). Models
        saved before this parameter existed pooled by mean and load so.
    latent_dim : int, default=64
        Width of each task's chart and of the shared LF space.
    task_hidden_size : int, default=128
        Hidden width of each task's encoder, head, transfer and inverse. A
        task added with ``chart_init="nearest"`` copies the modules of an
        existing task, and so their width.
    dropout : float, default=0.0
        Dropout in the embedding and in the task encoders and heads.
    autoencoder_weight : float, default=0.1
        Weight of the (relative) reconstruction error ``||G_k(T_k(z_k)) - z_k||``.
    consistency_weight : float, default=0.1
        Weight of the spread of a molecule's LF points over tasks, relative
        to the LF spread over molecules.
    mapping_weight : float, default=0.1
        Weight of the error of ``g_j(G_j(u_i))`` against task ``j``'s labels.
    distance_weight : float, default=0.1
        Weight of the disagreement between tasks of log LF distances moved
        under a perturbation of the embedding.
    n_perturbations : int, default=4
        K, perturbations per molecule in the distance term.
    perturbation_scale : float, default=0.1
        sigma, the perturbation's standard deviation relative to that of the
        embedding over the batch.
    max_mapping_partners : int, default=4
        Other charts sampled per task and batch in the mapping term, and
        reference charts sampled in the distance term during task addition:
        the cost of a batch stays flat in the number of tasks.
    private_branch_size : int, default=0
        Task addition only: width of a task-private embedding of the input
        (same kind and depth as the shared one), trained with the new task's
        modules and concatenated to the frozen shared embedding; 0 gives the
        new task the frozen embedding alone. With the ``"norm"`` readout, on
        physprop validation data (pre-trained on Tb, Tm, logP; seeds 0-1), a
        branch of 100 was within 0.01 of none on random molecules and worse
        on ring systems unlike the labelled ones (relative RMSE 0.509 against
        0.441 with all labels), at 1.4 times the fit time ("How the defaults
        were chosen"). With the nearest-chart start at 3e-4 it was 5 % better
        at 50 and 100 labels on random molecules and still worse on unseen
        ring systems. A branch can help where the pre-trained embedding
        misses what the new property depends on and the molecules to predict
        are like the labelled ones.
    chart_init : {"nearest", "random"}, default="nearest"
        Task addition only: where a new task's modules start. ``"nearest"``:
        as a copy of the frozen task whose predictions correlate best (in
        absolute value) with the new labels, its head rescaled to the
        least-squares line of the labels on that prediction; the new task
        starts as the straight-line read-out of its nearest property (critical
        temperature from the boiling point, Guldberg's rule) on an aligned
        chart, and training corrects both. ``"random"``: a fresh
        initialisation. On physprop validation data (pre-trained on Tb, Tm,
        logP; two seeds) the copy was better than a random start with 25 to
        200 labels and even with all (~500), on random molecules and on ring
        systems unlike the labelled ones ("How the defaults were chosen").
        The copy has the copied modules' widths (whatever
        ``task_hidden_size``); frozen tasks with a private branch are not
        copied, and the new task needs at least 3 labels, otherwise it
        starts at random. Which start each task got, and from which task, is
        in ``added_tasks_``.
    pretrained : GATERegressor, default=None
        A fitted model to extend. ``fit(X, y)`` then works on a deep copy of
        it and adds y's task(s) with :meth:`add_task`, using this estimator's
        training and alignment parameters; ``predict`` returns the added
        task(s) only (the source tasks stay reachable with ``tasks=``). The
        architecture (``featurizer``, ``hidden_size``, ``depth``,
        ``aggregation``, ``latent_dim``, ``morgan_*``) is the pre-trained
        model's; the object
        passed is never modified, and :func:`~sklearn.base.clone` shares it
        rather than copying it unfitted, so cross-validation and grid search
        over the alignment weights work. To search over several pre-trained
        models (``{"pretrained": [a, b]}``), wrap each in
        :class:`sklearn.frozen.FrozenEstimator`, which cloning leaves intact.
    max_iter : int, default=100
        Maximum number of epochs.
    batch_size : int, default=64
        Molecules per mini-batch.
    learning_rate_init : "auto" or float, default="auto"
        Adam's learning rate. ``"auto"``: 1e-3 for ``fit``, and for
        ``add_task`` when a new task starts at random; 3e-4 for an addition
        whose new tasks all start as a copy of a frozen task
        (``chart_init="nearest"``), which fine-tunes trained modules.
    weight_decay : float, default=0.0
        L2 penalty (Adam's ``weight_decay``).
    early_stopping : "auto" or bool, default="auto"
        Hold out ``validation_fraction`` of the rows, stop when their NaN-aware
        R^2 has not improved by ``tol`` for ``n_iter_no_change`` epochs, and keep
        the weights of the best epoch. ``"auto"``: only when there are more
        than 10,000 training rows (a validation part of over 1,000
        molecules); smaller sets train for ``max_iter`` epochs on all their
        rows. On physprop targets with 25 and 100 labels, stopping on a 10 %
        validation part was worse than training the full budget, for
        single-task models, new heads and task addition alike, and about
        even with ~500 (``benchmarks/default_search.py``, documented in
        "How the defaults were chosen").
    validation_fraction : float, default=0.1
        Share of the rows held out for early stopping.
    n_iter_no_change : int, default=10
        Patience of early stopping, in epochs.
    tol : float, default=1e-4
        Smallest validation R^2 gain that counts as an improvement.
    morgan_radius : int, default=2
        Radius of the fingerprint when ``featurizer="morgan"``.
    morgan_size : int, default=2048
        Length of the fingerprint when ``featurizer="morgan"``.
    on_invalid : {"raise", "nan"}, default="raise"
        Invalid SMILES: ``"raise"`` names every bad row; ``"nan"`` drops them
        from training with one warning and predicts NaN rows for them.
    n_jobs : int, default=None
        Parallel workers for featurization.
    device : str, default="auto"
        Torch device; ``"auto"`` picks CUDA when available.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling, perturbations and the
        validation split. The global torch random state is left untouched.
    verbose : int, default=0
        0: silent. 1: a table of every loss term per epoch and progress bars
        for featurization. 2: also a progress bar over batches.
    checkpoint_dir : str or path-like, default=None
        Directory for training checkpoints: after every epoch, the weights,
        optimizer state, history and early-stopping state are written there
        (atomically), in a sub-directory named by a digest of the run (initial
        weights, data, training parameters). Fitting the same estimator on
        the same data again, after a crash or an interrupt, resumes from the
        last checkpoint; a finished run is restored without training. This
        needs an int ``random_state`` (with None every run is a new one).
        Each fit of a grid search or cross-validation gets its own
        sub-directory. Delete the directory when the model is saved.

    Attributes
    ----------
    net_ : skorch.NeuralNet
        The trained skorch net; ``net_.module_`` is the torch network.
    tasks_ : list of str
        Every task the model predicts, in the order of its network's heads.
    output_tasks_ : list of str
        The tasks ``predict`` returns by default: all of them, or with
        ``pretrained=``, the ones this estimator added.
    added_tasks_ : list of dict
        One entry per task added by :meth:`add_task` (or ``pretrained=``):
        its name, the sizes of the modules built for it, and where they
        started (``chart_init``: ``"nearest"`` or ``"random"``;
        ``initialised_from``: the task copied, and ``initial_correlation``:
        the correlation of its predictions with the new labels), and the
        ``learning_rate`` it was trained with.
    add_task_history_ : dict of str to dict
        Per added task, the record of the task addition that trained it:
        ``n_iter``, ``loss_curve``, ``validation_scores``,
        ``best_validation_score`` and ``loss_terms`` (like the attributes
        below). Tasks added together share one record.
    base_params_ : dict
        The architecture parameters of the shared network (see
        ``pretrained``).
    y_mean_, y_scale_ : ndarray of shape (n_tasks,)
        Per-task standardisation of the targets.
    n_iter_ : int
        Epochs run (by the task addition, under ``pretrained=``).
    loss_curve_ : list of float
        Total training loss per epoch.
    validation_scores_ : list of float or None
        Validation R^2 per epoch (``None`` without early stopping).
    best_validation_score_ : float or None
        Best validation R^2; its epoch's weights are the ones kept.
    loss_terms_ : dict of str to list of float
        Every loss term per epoch (``train_*`` and ``valid_*``, unweighted),
        and ``*_lf_spread``, the LF coordinates' spread over molecules.
    n_features_in_ : int
        Number of input features (``featurizer="precomputed"`` only).
    feature_names_in_ : ndarray of str
        Input column names, when fitted on a DataFrame (precomputed only).
    device_ : str
        Device the model was trained on.

    Examples
    --------
    >>> from gate_sklearn import GATERegressor
    >>> smiles = ["CCO", "CCCO", "CCCCO", "CCCCCO", "c1ccccc1", "Cc1ccccc1"]
    >>> y = [[78.0, -114.0], [97.0, -126.0], [118.0, -89.0], [138.0, -78.0], [80.0, 5.5], [111.0, -95.0]]
    >>> model = GATERegressor(hidden_size=32, latent_dim=8, max_iter=5, early_stopping=False, random_state=0)
    >>> model.fit(smiles, y).predict(["CCCCCCO"]).shape
    (1, 2)
    """

    _parameter_constraints = {
        "featurizer": [StrOptions(set(FEATURIZERS))],
        "hidden_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "depth": [Interval(numbers.Integral, 1, None, closed="left")],
        "aggregation": [StrOptions(set(AGGREGATIONS))],
        "latent_dim": [Interval(numbers.Integral, 1, None, closed="left")],
        "task_hidden_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
        "autoencoder_weight": [Interval(numbers.Real, 0, None, closed="left")],
        "consistency_weight": [Interval(numbers.Real, 0, None, closed="left")],
        "mapping_weight": [Interval(numbers.Real, 0, None, closed="left")],
        "distance_weight": [Interval(numbers.Real, 0, None, closed="left")],
        "n_perturbations": [Interval(numbers.Integral, 1, None, closed="left")],
        "perturbation_scale": [Interval(numbers.Real, 0, None, closed="neither")],
        "max_mapping_partners": [Interval(numbers.Integral, 1, None, closed="left")],
        "private_branch_size": [Interval(numbers.Integral, 0, None, closed="left")],
        "chart_init": [StrOptions({"nearest", "random"})],
        "pretrained": [None, HasMethods(["predict"])],
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "learning_rate_init": [Interval(numbers.Real, 0, None, closed="neither"), StrOptions({"auto"})],
        "weight_decay": [Interval(numbers.Real, 0, None, closed="left")],
        "early_stopping": ["boolean", StrOptions({"auto"})],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(numbers.Integral, 1, None, closed="left")],
        "tol": [Interval(numbers.Real, 0, None, closed="left")],
        "morgan_radius": [Interval(numbers.Integral, 0, None, closed="left")],
        "morgan_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "on_invalid": [StrOptions(set(ON_INVALID_OPTIONS))],
        "n_jobs": [None, numbers.Integral],
        "device": [str, torch.device],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "checkpoint_dir": [None, str, os.PathLike],
    }

    def __init__(
        self,
        featurizer="graph",
        hidden_size=300,
        depth=3,
        aggregation="norm",
        latent_dim=64,
        task_hidden_size=128,
        dropout=0.0,
        autoencoder_weight=0.1,
        consistency_weight=0.1,
        mapping_weight=0.1,
        distance_weight=0.1,
        n_perturbations=4,
        perturbation_scale=0.1,
        max_mapping_partners=4,
        private_branch_size=0,
        chart_init="nearest",
        pretrained=None,
        max_iter=100,
        batch_size=64,
        learning_rate_init="auto",
        weight_decay=0.0,
        early_stopping="auto",
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        morgan_radius=2,
        morgan_size=2048,
        on_invalid="raise",
        n_jobs=None,
        device="auto",
        random_state=None,
        verbose=0,
        checkpoint_dir=None,
    ):
        self.featurizer = featurizer
        self.hidden_size = hidden_size
        self.depth = depth
        self.aggregation = aggregation
        self.latent_dim = latent_dim
        self.task_hidden_size = task_hidden_size
        self.dropout = dropout
        self.autoencoder_weight = autoencoder_weight
        self.consistency_weight = consistency_weight
        self.mapping_weight = mapping_weight
        self.distance_weight = distance_weight
        self.n_perturbations = n_perturbations
        self.perturbation_scale = perturbation_scale
        self.max_mapping_partners = max_mapping_partners
        self.private_branch_size = private_branch_size
        self.chart_init = chart_init
        self.pretrained = pretrained
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.weight_decay = weight_decay
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.morgan_radius = morgan_radius
        self.morgan_size = morgan_size
        self.on_invalid = on_invalid
        self.n_jobs = n_jobs
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.checkpoint_dir = checkpoint_dir

    # -- input ----------------------------------------------------------------------------------

    def _base(self, name):
        """An architecture parameter of the fitted network (or of the one ``fit`` will build)."""
        if hasattr(self, "base_params_"):
            # A model fitted before an architecture parameter existed was built the way it was then.
            return self.base_params_[name] if name in self.base_params_ else PARAMS_BEFORE_THEY_EXISTED[name]
        source = self.pretrained.estimator if isinstance(self.pretrained, FrozenEstimator) else self.pretrained
        if isinstance(source, GATERegressor):
            return source._base(name)
        return getattr(self, name)

    def _featurize(self, X, *, reset, on_invalid=None, verbose=None, first_row=0):
        """Turn X into model inputs for its valid rows.

        Returns ``(inputs, valid)``: a list of graphs or a float32 matrix for
        the valid rows, and the boolean validity mask over all rows.
        """
        on_invalid = on_invalid or self.on_invalid
        show = (self.verbose or 0) if verbose is None else verbose
        featurizer = self._base("featurizer")
        if featurizer == "precomputed":
            matrix = _check_feature_matrix(self, X, reset=reset, first_row=first_row)
            return matrix, np.ones(_num_samples(X), dtype=bool)
        if featurizer == "graph":
            graphs, valid = smiles_to_graphs(X, on_invalid=on_invalid, n_jobs=self.n_jobs, verbose=show)
            return [g for g in graphs if g is not None], valid
        fingerprints = MorganFingerprint(
            radius=self._base("morgan_radius"),
            fp_size=self._base("morgan_size"),
            on_invalid=on_invalid,
            n_jobs=self.n_jobs,
            verbose=show,
        ).transform(X)
        valid = ~np.isnan(fingerprints).any(axis=1)
        return fingerprints[valid], valid

    def _n_input_features(self):
        """Input width of an MLP embedding (None for graphs)."""
        featurizer = self._base("featurizer")
        if featurizer == "morgan":
            return self._base("morgan_size")
        return self.n_features_in_ if featurizer == "precomputed" else None

    def _dataset(self, inputs, y=None):
        if self._base("featurizer") == "graph":
            return GraphDataset(inputs, y)
        return DenseDataset(inputs, y)

    def _collate(self, frozen=False):
        graphs = self._base("featurizer") == "graph"
        if frozen:
            return functools.partial(collate_frozen_items, graphs=graphs)
        return collate_graph_items if graphs else None

    def _inference_batches(self, inputs):
        """Featurized inputs in order, in large batches, for forward passes without training."""
        return torch.utils.data.DataLoader(
            self._dataset(inputs), batch_size=max(256, self.batch_size), shuffle=False, collate_fn=self._collate()
        )

    def _frozen_outputs(self, module, inputs):
        """The frozen parts' outputs for every input, computed once for a task addition (kept on the CPU)."""
        chunks = []
        module.eval()
        for batch, _ in self._inference_batches(inputs):
            cached = module.frozen_outputs(batch.to(self.device_))
            chunks.append({name: value.cpu() for name, value in cached.items()})
        return {name: torch.cat([c[name] for c in chunks]) for name in chunks[0]}

    # -- network --------------------------------------------------------------------------------

    def _build_embedding(self, hidden_size, dropout):
        if self._base("featurizer") == "graph":
            return DMPNNEncoder(
                hidden_size=hidden_size, depth=self._base("depth"), dropout=dropout, aggregation=self._base("aggregation")
            )
        return MLPEncoder(self._n_input_features(), hidden_size=hidden_size, depth=self._base("depth"), dropout=dropout)

    def _build_network(self, n_tasks):
        return GATENetwork(
            self._build_embedding(self._base("hidden_size"), self._base("dropout")),
            n_tasks=n_tasks,
            latent_dim=self._base("latent_dim"),
            task_hidden_size=self._base("task_hidden_size"),
            dropout=self._base("dropout"),
        )

    def _build_added_task(self, spec):
        """A new task's modules, with its private branch when ``spec`` asks for one."""
        branch_size = spec["private_branch_size"]
        return TaskModules(
            self._base("hidden_size"),
            self._base("latent_dim"),
            spec["task_hidden_size"],
            spec["dropout"],
            branch=self._build_embedding(branch_size, spec["dropout"]) if branch_size else None,
        )

    def _settings(self, options=None, caller="fit"):
        """The training parameters, with ``options`` (validated) in place of the estimator's own."""
        options = dict(options or {})
        unknown = sorted(set(options) - set(TRAINING_PARAMS))
        if unknown:
            raise TypeError(f"{caller}() got unknown option(s) {unknown}; the options are {list(TRAINING_PARAMS)}.")
        constraints = {name: self._parameter_constraints[name] for name in options}
        validate_parameter_constraints(constraints, options, caller_name=f"{type(self).__name__}.{caller}")
        return SimpleNamespace(**{name: options.get(name, getattr(self, name)) for name in TRAINING_PARAMS})

    @staticmethod
    def _build_loss(settings):
        return GATELoss(
            autoencoder_weight=settings.autoencoder_weight,
            consistency_weight=settings.consistency_weight,
            mapping_weight=settings.mapping_weight,
            distance_weight=settings.distance_weight,
            n_perturbations=settings.n_perturbations,
            perturbation_scale=settings.perturbation_scale,
            max_mapping_partners=settings.max_mapping_partners,
        )

    def _build_net(self, module, settings, valid_dataset=None, y_valid=None, trainable_tasks=None, checkpoint=None):
        """A skorch net around ``module`` with our loss, logging, early stopping and optional checkpoints."""
        verbose = settings.verbose or 0
        callbacks = [("loss_terms", LossTermLogger())]
        if valid_dataset is not None:
            callbacks += [
                ("valid_r2", ValidationR2(y_valid, tasks=trainable_tasks)),
                (
                    "early_stopping",
                    ResumableEarlyStopping(
                        monitor="valid_r2",
                        lower_is_better=False,
                        patience=settings.n_iter_no_change,
                        threshold=settings.tol,
                        threshold_mode="abs",
                        load_best=True,
                        sink=print if verbose else noop,
                    ),
                ),
            ]
        if checkpoint is not None:
            callbacks.append(("checkpoint", TrainingCheckpoint(checkpoint)))  # after early stopping's update
        if verbose >= 2:
            callbacks.append(("progress_bar", ProgressBar()))
        # Task addition trains on cached outputs of the frozen parts (see GATENetwork.frozen_outputs).
        collate = self._collate(frozen=bool(module.n_frozen))
        return GATENet(
            module=module,
            criterion=self._build_loss(settings),
            optimizer=torch.optim.Adam,
            lr=resolve_learning_rate(settings.learning_rate_init),
            optimizer__weight_decay=settings.weight_decay,
            max_epochs=settings.max_iter,
            batch_size=settings.batch_size,
            iterator_train__shuffle=True,
            iterator_train__collate_fn=collate,
            iterator_valid__collate_fn=collate,
            train_split=predefined_split(valid_dataset) if valid_dataset is not None else None,
            callbacks=callbacks,
            device=self.device_,
            verbose=int(bool(verbose)),
            # Every term's epoch mean is in the history; the printed table shows the training ones.
            callbacks__print_log__keys_ignored=[f"valid_{n}" for n in LOGGED_VALUES] + ["batches"],
            trainable_tasks=trainable_tasks,
        )

    @staticmethod
    def _split_rows(n_samples, rng, settings):
        """Indices of the training and validation rows (no validation without early stopping)."""
        order = rng.permutation(n_samples)
        if not uses_early_stopping(settings.early_stopping, n_samples):
            return order, None
        n_valid = int(np.ceil(settings.validation_fraction * n_samples))
        if n_samples - n_valid < 1:
            raise ValueError(
                f"early_stopping needs rows for training and validation, but there are only {n_samples} "
                f"samples with validation_fraction={settings.validation_fraction}. Set early_stopping=False."
            )
        return np.sort(order[n_valid:]), np.sort(order[:n_valid])

    def _train(self, module, inputs, Y_std, settings, seed, trainable_tasks=None, frozen=None):
        """Train ``module`` on standardised targets (NaN-holed); returns the skorch net.

        ``frozen``: the frozen parts' outputs for ``inputs`` (task addition), if already computed.
        """
        train_rows, valid_rows = self._split_rows(len(Y_std), np.random.default_rng(seed), settings)
        if frozen is None and module.n_frozen:
            frozen = self._frozen_outputs(module, inputs)

        def dataset(rows):
            part = self._dataset(_take(inputs, rows), Y_std[rows])
            if frozen is None:
                return part
            return WithFrozenOutputs(part, {name: value[rows] for name, value in frozen.items()})

        train_set = dataset(train_rows)
        valid_set, y_valid = None, None
        if valid_rows is not None:
            valid_set = dataset(valid_rows)
            y_valid = Y_std[valid_rows]
        path = None
        if settings.checkpoint_dir is not None and not isinstance(settings.random_state, numbers.Integral):
            warnings.warn(
                f"checkpoint_dir is set but random_state={settings.random_state!r} is not an int: this fit is a new "
                "run every time, so its checkpoints can never be resumed. Set random_state to an int.",
                UserWarning,
                stacklevel=4,
            )
        if settings.checkpoint_dir is not None:
            key = run_key(module, inputs, Y_std, settings, trainable_tasks, architecture=self.base_params_)
            path = checkpoint_path(settings.checkpoint_dir, key)
        net = self._build_net(module, settings, valid_set, y_valid, trainable_tasks, checkpoint=path)
        state = read_checkpoint(path) if path is not None else None
        if state is None:
            net.fit(train_set, y=None)
            return net
        net.initialize()
        done = restore(net, state)
        if settings.verbose:
            print(f"Resuming from {path}: {done} epoch(s) done{' (complete)' if state['complete'] else ''}.")
        # With nothing left to run, this still ends training properly: best weights, a complete checkpoint.
        remaining = 0 if state["complete"] else max(0, settings.max_iter - done)
        net.partial_fit(train_set, y=None, epochs=remaining)
        return net

    # -- fitting --------------------------------------------------------------------------------

    def fit(self, X, y):
        """Fit the multi-task model, or add y's task(s) to a copy of ``pretrained``.

        Parameters
        ----------
        X : list, ndarray, Series or one-column DataFrame of str, or array-like of shape (n_samples, n_features)
            SMILES strings, or a numeric matrix when ``featurizer="precomputed"``.
        y : array-like of shape (n_samples,) or (n_samples, n_tasks)
            Targets in their own units; NaN where a property was not measured.
            Every row needs at least one measured value, except with
            ``pretrained=``, where unlabelled rows are used as in
            :meth:`add_task`.
            Task names come from DataFrame columns or a Series' name.

        Returns
        -------
        self : GATERegressor
            The fitted estimator.
        """
        self._validate_params()
        if self.pretrained is not None:
            return self._fit_pretrained(X, y)
        Y, names, ndim, inputs = self._check_fit_data(X, y, reset=True)
        self.tasks_ = names
        self.output_tasks_ = list(names)
        self._y_ndim = ndim
        self.added_tasks_ = []
        self.add_task_history_ = {}
        self.y_mean_, self.y_scale_ = standardisation(Y)
        Y_std = (Y - self.y_mean_) / self.y_scale_
        self.device_ = resolve_device(self.device)
        settings = self._settings()
        seed = check_random_state(settings.random_state).randint(np.iinfo(np.int32).max)
        self.__dict__.pop("net_", None)  # not fitted until training has completed an epoch
        with _seeded_torch(seed, self.device_):
            module = self._build_network(len(names))
            net = self._train(module, inputs, Y_std, settings, seed)
        self._set_history(_history_record(net))
        self.net_ = net
        return self

    def _check_fit_data(self, X, y, *, reset):
        """Validate X and y together and featurize X; returns ``(Y, names, ndim, inputs)`` for valid rows."""
        n_rows = _num_samples(X)
        if n_rows < 2:
            raise ValueError(f"n_samples={n_rows}: GATERegressor needs at least 2 samples to fit.")
        # Task addition (reset=False) accepts molecules without a label: they enter the alignment terms only.
        Y, default_names, ndim = check_targets(y, allow_unlabelled=not reset)
        if Y.shape[0] != n_rows:
            raise ValueError(f"X and y have different numbers of rows: {n_rows} and {Y.shape[0]}.")
        if reset:
            # The shared network's architecture is fixed by this fit.
            self.base_params_ = {name: _plain(getattr(self, name)) for name in BASE_PARAMS}
        inputs, valid = self._featurize(X, reset=reset)
        Y = Y[valid]
        if not valid.all():
            # dropping invalid molecules may have emptied a task or left too few rows
            check_targets(Y, allow_unlabelled=not reset)
        return Y, default_names, ndim, inputs

    def _set_history(self, record):
        self.n_iter_ = record["n_iter"]
        self.loss_curve_ = record["loss_curve"]
        self.validation_scores_ = record["validation_scores"]
        self.best_validation_score_ = record["best_validation_score"]
        self.loss_terms_ = record["loss_terms"]

    # -- task addition --------------------------------------------------------------------------

    def add_task(self, X, y, name=None, **options):
        """Add one or more tasks to the fitted model, aligned to the charts it already learned.

        The shared embedding and every existing task's modules are frozen (no
        gradient, eval mode throughout); the new task gets its own encoder,
        head, transfer and inverse (and a private branch of the input, see
        ``private_branch_size``), which start as a copy of the frozen task
        that predicts its labels best, or at random (``chart_init``). Only
        those are trained: on its regression and autoencoder terms, and on
        consistency, mapping and distance against the frozen charts,
        evaluated on the new task's own molecules. The existing tasks'
        predictions do not change, bit for bit. Training follows
        ``early_stopping`` on the new data alone (with the default
        ``"auto"``, an addition of up to 10,000 molecules trains all
        ``max_iter`` epochs on every row), and its record is kept in
        ``add_task_history_``.

        Parameters
        ----------
        X : list, ndarray, Series or one-column DataFrame of str, or array-like of shape (n_samples, n_features)
            Molecules (or features) measured for the new task(s).
        y : array-like of shape (n_samples,) or (n_samples, n_new_tasks)
            The new task's values; 2-D (or a DataFrame) adds several tasks at
            once. NaN where not measured. Rows with no value for any new task
            are unlabelled molecules: unlike in ``fit``, they are accepted and
            take part in the terms that need no label (autoencoder,
            consistency, distance), which tie the new chart to the frozen
            ones on chemistry the labels do not cover.
        name : str or list of str, default=None
            Name(s) of the new task(s). By default a Series' name or a
            DataFrame's columns, else ``task_k`` with the next free ``k``.
        **options
            Training parameters for this addition only, in place of the
            estimator's own: ``max_iter``, ``learning_rate_init``,
            ``batch_size``, ``weight_decay``, ``early_stopping``,
            ``validation_fraction``, ``n_iter_no_change``, ``tol``, the four
            alignment weights, ``n_perturbations``, ``perturbation_scale``,
            ``max_mapping_partners``, ``task_hidden_size``, ``dropout``,
            ``private_branch_size``, ``chart_init``, ``random_state`` and
            ``verbose``.

        Returns
        -------
        self : GATERegressor
            The model, now predicting the new task(s) too.

        Raises
        ------
        ValueError
            A task name already in ``tasks_``, repeated names, or targets that
            fail the same checks as in ``fit``.
        """
        check_is_fitted(self, "net_")
        settings = self._settings(options, caller="add_task")
        names = self._add_tasks(X, y, name, settings)
        self.output_tasks_ = self.output_tasks_ + names
        if len(self.output_tasks_) > 1:
            self._y_ndim = 2
        return self

    def _new_task_names(self, y, name, n_new):
        if name is not None:
            names = [name] if isinstance(name, str) else [str(n) for n in name]
            if len(names) != n_new:
                raise ValueError(f"name gives {len(names)} task name(s) for {n_new} new task(s) in y.")
        elif isinstance(y, pd.DataFrame) or (isinstance(y, pd.Series) and y.name is not None):
            names = task_names_of(y, n_new)
        else:
            names, k = [], len(self.tasks_)
            while len(names) < n_new:
                if f"task_{k}" not in self.tasks_:
                    names.append(f"task_{k}")
                k += 1
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"Task names must be unique; repeated: {repeated}.")
        taken = [n for n in names if n in self.tasks_]
        if taken:
            raise ValueError(
                f"Task(s) {taken} already exist in this model (tasks_={self.tasks_}); give the new task another "
                "name (add_task's name=..., or rename the Series / DataFrame column)."
            )
        return names

    def _add_tasks(self, X, y, name, settings):
        """Append and train new tasks' modules on a frozen network; returns their names."""
        names_given = self._new_task_names(y, name, np.shape(y)[1] if np.ndim(y) == 2 else 1)
        Y, _, _, inputs = self._check_fit_data(X, y, reset=False)
        mean, scale = standardisation(Y)
        n_old, n_new = len(self.tasks_), len(names_given)
        Y_std = np.full((len(Y), n_old + n_new), np.nan)
        Y_std[:, n_old:] = (Y - mean) / scale
        spec = {
            "task_hidden_size": _plain(settings.task_hidden_size),
            "dropout": _plain(settings.dropout),
            "private_branch_size": _plain(settings.private_branch_size),
        }
        seed = check_random_state(settings.random_state).randint(np.iinfo(np.int32).max)
        # A model unpickled on another machine runs where its net was mapped (a GPU model on a CPU).
        self.device_ = str(self.net_.device)
        module = self.net_.module_
        frozen_before = (module.n_frozen, [p.requires_grad for p in module.parameters()])
        try:
            with _seeded_torch(seed, self.device_):
                module.freeze()
                frozen = self._frozen_outputs(module, inputs)
                frozen_y = frozen["y"].double().numpy()
                specs = []
                for k in range(n_old, n_old + n_new):
                    start = None
                    if settings.chart_init == "nearest":
                        start = self._nearest_chart(module, Y_std[:, k], frozen_y)
                    task_spec = dict(spec)
                    if start is None:
                        task = self._build_added_task(task_spec)
                    else:
                        # A copy of the nearest task's modules has their width.
                        source = module.tasks[start["source"]]
                        task_spec["task_hidden_size"] = source.head[0].out_features
                        task = self._build_added_task(task_spec).start_from(source, start["slope"], start["intercept"])
                    module.tasks.append(task)
                    specs.append({**task_spec, **_start_record(start, self.tasks_)})
                new_tasks = list(range(n_old, n_old + n_new))
                # settings is this call's own namespace (from _settings): resolving "auto" in it is safe
                from_copy = all(sp["chart_init"] == "nearest" for sp in specs)
                settings.learning_rate_init = resolve_learning_rate(settings.learning_rate_init, from_copy)
                for sp in specs:
                    sp["learning_rate"] = settings.learning_rate_init
                net = self._train(module, inputs, Y_std, settings, seed, trainable_tasks=new_tasks, frozen=frozen)
            record = _history_record(net)
        except BaseException:
            # A failed addition, or one interrupted before its first epoch ended, leaves the model as it was.
            del module.tasks[n_old:]
            module.n_frozen = frozen_before[0]
            for param, flag in zip(module.parameters(), frozen_before[1]):
                param.requires_grad_(flag)
            raise
        self.net_ = net
        self.tasks_ = self.tasks_ + names_given
        self.y_mean_ = np.concatenate([self.y_mean_, mean])
        self.y_scale_ = np.concatenate([self.y_scale_, scale])
        self.added_tasks_ = self.added_tasks_ + [dict(sp, name=n) for n, sp in zip(names_given, specs)]
        self.add_task_history_ = {**self.add_task_history_, **{n: record for n in names_given}}
        return names_given

    @staticmethod
    def _nearest_chart(module, y_std, frozen_y):
        """The frozen task whose predictions correlate best with an added task's labels, and the line between them.

        ``y_std`` holds the new task's standardised labels (NaN where
        unlabelled), ``frozen_y`` the frozen tasks' standardised predictions
        for the same rows. Returns ``{"source", "correlation", "slope",
        "intercept"}``, or None when the labels cannot rank the charts (fewer
        than ``CHART_INIT_MIN_LABELS``, or constant). Frozen tasks with a
        private branch are left out: a copy could not reproduce their chart.
        """
        labelled = ~np.isnan(y_std)
        y = y_std[labelled]
        if len(y) < CHART_INIT_MIN_LABELS or np.ptp(y) == 0:
            return None
        best = None
        for j in range(module.n_frozen):
            prediction = frozen_y[labelled, j]
            if module.tasks[j].branch is None and np.ptp(prediction) > 0:
                r = float(np.corrcoef(prediction, y)[0, 1])
                if best is None or abs(r) > abs(best[1]):
                    best = (j, r)
        if best is None:
            return None
        slope, intercept = np.polyfit(frozen_y[labelled, best[0]], y, 1)
        return {"source": best[0], "correlation": best[1], "slope": float(slope), "intercept": float(intercept)}

    def _source_model(self):
        """The fitted model given as ``pretrained`` (unwrapped from a FrozenEstimator)."""
        source = self.pretrained.estimator if isinstance(self.pretrained, FrozenEstimator) else self.pretrained
        if not isinstance(source, GATERegressor):
            raise TypeError(f"pretrained must be a fitted GATERegressor, got {type(source).__name__}.")
        check_is_fitted(source, "net_", msg="pretrained must be a fitted GATERegressor; fit it first.")
        return source

    def _fit_pretrained(self, X, y):
        source = self._source_model()
        previous = {a: v for a, v in vars(self).items() if _is_fitted_attribute(a)}
        for attribute in previous:
            delattr(self, attribute)
        try:
            # Only the fitted state is copied: the model passed in is never modified.
            fitted = {a: v for a, v in vars(source).items() if _is_fitted_attribute(a)}
            for attribute, value in copy.deepcopy(fitted).items():
                setattr(self, attribute, value)
            names = self._add_tasks(X, y, None, self._settings())
        except BaseException:
            # A failed fit leaves the estimator as it was before (fitted or not).
            for attribute in [a for a in vars(self) if _is_fitted_attribute(a)]:
                delattr(self, attribute)
            for attribute, value in previous.items():
                setattr(self, attribute, value)
            raise
        self.output_tasks_ = names
        self._y_ndim = 1 if (np.ndim(y) == 1 and len(names) == 1) else 2
        self._set_history(self.add_task_history_[names[0]])
        return self

    def get_params(self, deep=True):
        """Get the parameters of this estimator.

        ``pretrained`` is not expanded into ``pretrained__*`` parameters: the
        pre-trained model is read, never configured, through this estimator.

        Parameters
        ----------
        deep : bool, default=True
            Ignored (no parameter is an estimator to configure).

        Returns
        -------
        params : dict
            Parameter names mapped to their values.
        """
        return super().get_params(deep=False)

    def __sklearn_clone__(self):
        # The pre-trained model is shared, not cloned: a clone of it would be unfitted. Sharing is
        # safe because fit only ever reads it (and works on a deep copy).
        if self.pretrained is None:
            return super().__sklearn_clone__()
        params = self.get_params(deep=False)
        pretrained = params.pop("pretrained")
        new = type(self)(**{k: clone(v, safe=False) for k, v in params.items()})
        new.pretrained = pretrained
        # What sklearn's own clone carries over besides the parameters.
        if hasattr(self, "_metadata_request"):
            new._metadata_request = copy.deepcopy(self._metadata_request)
        if hasattr(self, "_sklearn_output_config"):
            new._sklearn_output_config = copy.deepcopy(self._sklearn_output_config)
        return new

    # -- inference ------------------------------------------------------------------------------

    def _forward(self, X, read, width):
        """Run the network on X in eval mode and return a (n_samples, width) float64 array.

        ``read(outputs)`` picks a (n, width) tensor from each batch's outputs.
        X is featurized and run ``INFERENCE_CHUNK`` rows at a time, so memory
        does not grow with the number of molecules beyond the input and the
        result. Rows of invalid molecules are NaN (``on_invalid="nan"``), or
        one error names every one of them (``"raise"``).
        """
        check_is_fitted(self, "net_")
        module = self.net_.module_
        module.eval()
        if self._base("featurizer") == "precomputed":
            if not (hasattr(X, "iloc") or isinstance(X, (np.ndarray, list))):
                X = np.asarray(X)  # any other array-like: sliced as an array
            n_rows = _num_samples(X)
            take = functools.partial(_safe_indexing, X)
        else:
            smiles = check_smiles_input(X)
            n_rows = len(smiles)
            take = smiles.__getitem__
        out = np.full((n_rows, width), np.nan)
        bad_rows, bad_values, reasons = [], [], []
        starts = range(0, max(n_rows, 1), INFERENCE_CHUNK)
        one_chunk = len(starts) == 1
        for start in progress_bar(starts, verbose=0 if one_chunk else self.verbose, desc="Predicting", unit="chunk"):
            part = take(slice(start, start + INFERENCE_CHUNK))
            if bad_rows and self.on_invalid == "raise":
                # The answer is an error now: only look for the remaining bad rows, for its message.
                valid = _parse_silently(part).valid
            else:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", InvalidSMILESWarning)  # one warning for all chunks, below
                    show = None if one_chunk else 0  # several chunks: one bar over chunks instead
                    inputs, valid = self._featurize(part, reset=False, on_invalid="nan", verbose=show, first_row=start)
                if valid.any():
                    out[start : start + len(valid)][valid] = self._run_network(inputs, read)
            for i in np.flatnonzero(~valid):
                bad_rows.append(start + int(i))
                bad_values.append(part[i])
                reasons.append(_diagnose(part[i]))
        report_invalid(bad_rows, bad_values, reasons, self.on_invalid, stacklevel=4)  # the user's predict()
        return out

    def _run_network(self, inputs, read):
        """``read`` of the network's outputs for featurized inputs, batch by batch, as float64."""
        with torch.no_grad():
            batches = self._inference_batches(inputs)
            return np.concatenate([read(self.net_.infer(batch)).cpu().double().numpy() for batch, _ in batches])

    def _task_indices(self, tasks):
        if tasks is None:
            return [self.tasks_.index(t) for t in self.output_tasks_], None
        names = [tasks] if isinstance(tasks, str) else list(tasks)
        if not names:
            raise ValueError(f"tasks=[] selects nothing; name at least one of {self.tasks_} (or pass None).")
        unknown = [t for t in names if t not in self.tasks_]
        if unknown:
            raise ValueError(f"Unknown task(s) {unknown}; this model predicts {self.tasks_}.")
        return [self.tasks_.index(t) for t in names], isinstance(tasks, str)

    def predict(self, X, tasks=None, return_std=False):
        """Predict the model's tasks (or the ones named) in the targets' own units.

        Parameters
        ----------
        X : list, ndarray, Series or one-column DataFrame of str, or array-like of shape (n_samples, n_features)
            SMILES strings, or a numeric matrix when ``featurizer="precomputed"``.
        tasks : str or list of str, default=None
            Task names to predict. A single name gives a 1-D result. By
            default ``output_tasks_``: every task, or under ``pretrained=``
            the added ones.
        return_std : bool, default=False
            Also return, per task, the spread of its predictions read through
            the other tasks' charts: the standard deviation of the direct
            prediction ``g_t(f_t(x))`` and the mapped ones ``g_t(G_t(u_k))``
            for every other task ``k``. A cheap uncertainty estimate that
            needs a model with at least two tasks; its rank correlation with
            the actual error is measured in ``benchmarks/add_task_cost.py``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_tasks), float64
            Direct predictions. Mirrors the dimensionality of the ``y`` given
            to ``fit`` (unless ``tasks`` is given). Rows of invalid molecules
            are NaN under ``on_invalid="nan"``.
        y_std : ndarray, same shape as ``y_pred``
            Only with ``return_std=True``: the spread over charts.
        """
        check_is_fitted(self, "net_")
        columns, single = self._task_indices(tasks)
        if return_std and len(self.tasks_) < 2:
            raise ValueError(
                "return_std=True reads each task through the other tasks' charts, but this model has a single "
                f"task ({self.tasks_[0]!r}). Add a task, or fit on several."
            )
        module = self.net_.module_

        def read(outputs):
            direct = outputs["y"][:, columns]
            if not return_std:
                return direct
            spread = []
            for j in columns:
                others = [k for k in range(len(self.tasks_)) if k != j]
                readings = torch.cat([outputs["y"][:, [j]], module.mapped_predictions(outputs["u"], j, others)], 1)
                spread.append(readings.std(dim=1, unbiased=False))
            return torch.cat([direct, torch.stack(spread, dim=1)], dim=1)

        out = self._forward(X, read, width=len(columns) * (2 if return_std else 1))
        scale, mean = self.y_scale_[columns], self.y_mean_[columns]
        results = [out[:, : len(columns)] * scale + mean]
        if return_std:
            results.append(out[:, len(columns) :] * scale)
        if single or (single is None and self._y_ndim == 1):
            results = [r[:, 0] for r in results]
        return tuple(results) if return_std else results[0]

    def transform(self, X):
        """Locally flat coordinates of each molecule: a learned fingerprint for other estimators.

        The mean of ``T_k(f_k(E(x)))`` over the tasks trained jointly by
        ``fit``; the consistency term makes every chart agree on it. Tasks
        added later align to this space and leave it unchanged.

        Parameters
        ----------
        X : list, ndarray, Series or one-column DataFrame of str, or array-like of shape (n_samples, n_features)
            SMILES strings, or a numeric matrix when ``featurizer="precomputed"``.

        Returns
        -------
        ndarray of shape (n_samples, latent_dim), float64
            NaN rows for invalid molecules under ``on_invalid="nan"``.
        """
        check_is_fitted(self, "net_")
        latent_dim = self._base("latent_dim")
        n_base = len(self.tasks_) - len(self.added_tasks_)
        return self._forward(X, lambda outputs: outputs["u"][:, :n_base].mean(dim=1), latent_dim)

    def fit_transform(self, X, y):
        """Fit the model, then return the LF coordinates of X (see :meth:`transform`).

        Parameters
        ----------
        X : list, ndarray, Series or one-column DataFrame of str, or array-like of shape (n_samples, n_features)
            SMILES strings, or a numeric matrix when ``featurizer="precomputed"``.
        y : array-like of shape (n_samples,) or (n_samples, n_tasks)
            Targets, NaN where not measured.

        Returns
        -------
        ndarray of shape (n_samples, latent_dim)
        """
        return self.fit(X, y).transform(X)

    def score(self, X, y, sample_weight=None):
        """NaN-aware R^2 averaged over tasks (missing targets are skipped, not scored).

        Parameters
        ----------
        X : list, ndarray, Series or one-column DataFrame of str, or array-like of shape (n_samples, n_features)
            Test molecules or features.
        y : array-like of shape (n_samples,) or (n_samples, n_tasks)
            True values, NaN where not measured. A DataFrame whose columns are
            task names is scored against those tasks.
        sample_weight : None
            Not supported; must be None.

        Returns
        -------
        float
        """
        if sample_weight is not None:
            raise ValueError("GATERegressor.score does not support sample_weight.")
        tasks = None
        if isinstance(y, pd.DataFrame) and set(map(str, y.columns)) <= set(getattr(self, "tasks_", [])):
            tasks = [str(c) for c in y.columns]
        y_true = np.asarray(y, dtype=float)
        y_pred = self.predict(X, tasks=tasks)
        if y_true.ndim == 2 and y_pred.ndim == 1:
            y_pred = y_pred[:, None]
        return nan_r2_score(y_true, y_pred)

    # -- persistence ----------------------------------------------------------------------------

    def save(self, path):
        """Save the fitted model in a format that runs no code when loaded.

        The file (a zip archive) holds the parameters and fitted attributes as
        JSON and the weights as tensors, with the library versions and a
        checksum. Load it with :meth:`GATERegressor.load`. Pickle and joblib
        work too, but only load those from sources you trust.

        A model fitted with ``pretrained=`` is saved standalone: the file holds
        its whole network, ``pretrained`` is saved as None and the
        architecture parameters as those of that network (refitting the
        loaded model trains a new one from scratch).

        Parameters
        ----------
        path : str or path-like
            Where to write, conventionally with the ``.gate`` suffix.

        Returns
        -------
        self : GATERegressor
        """
        check_is_fitted(self, "net_")
        save_model(self, path)
        return self

    @classmethod
    def load(cls, path, device="auto"):
        """Load a model written by :meth:`save`.

        Parameters
        ----------
        path : str or path-like
            The model file.
        device : str, default="auto"
            Where to put the network; ``"auto"`` picks CUDA when available.
            A model trained on a GPU loads on a CPU-only machine.

        Returns
        -------
        GATERegressor
            The fitted model, predicting exactly as the saved one.

        Raises
        ------
        ModelFileError
            The file is not a model file, comes from a newer format version,
            or its weights or metadata do not match their checksums.

        Warns
        -----
        ModelVersionWarning
            The file was written under other versions of gate_sklearn, torch
            or scikit-learn (each is named).
        """
        metadata, state = read_model_file(path)
        params = {**PARAMS_BEFORE_THEY_EXISTED, **metadata["params"], "device": device}
        model = restore_fitted(cls(**params), metadata)
        model.device_ = resolve_device(device)
        # Files written before task addition existed lack these.
        defaults = {
            "base_params_": {name: params[name] for name in BASE_PARAMS},
            "output_tasks_": list(model.tasks_),
            "added_tasks_": [],
            "add_task_history_": {},
        }
        for name, value in defaults.items():
            if not hasattr(model, name):
                setattr(model, name, value)
        n_base = len(model.tasks_) - len(model.added_tasks_)
        module = model._build_network(n_base)
        module.tasks.extend(model._build_added_task(spec) for spec in model.added_tasks_)
        module.load_state_dict(state)
        model.net_ = model._build_net(module, model._settings())
        model.net_.initialize()
        return model

    def __getstate__(self):
        state = super().__getstate__()
        # scikit-learn records (and checks) its own version; gate_sklearn and torch matter as much here.
        state["_library_versions"] = library_versions()
        return state

    def __setstate__(self, state):
        saved = state.pop("_library_versions", None)
        if saved is not None:
            saved = {name: version for name, version in saved.items() if name != "scikit-learn"}
            warn_on_version_mismatch(saved, "This pickled GATERegressor", stacklevel=2)
        # A pickle from an older version lacks the parameters added since: they take the value that
        # reproduces the pickled network, or else their defaults.
        for name, parameter in inspect.signature(type(self).__init__).parameters.items():
            if name != "self":
                state.setdefault(name, PARAMS_BEFORE_THEY_EXISTED.get(name, parameter.default))
        super().__setstate__(state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        # transform() gives the LF coordinates (always float64), so it is a transformer too.
        tags.transformer_tags = TransformerTags(preserves_dtype=["float64"])
        if self._base("featurizer") != "precomputed":
            tags.input_tags.two_d_array = False
            tags.input_tags.one_d_array = True
            tags.input_tags.string = True
        return tags


def _is_fitted_attribute(name):
    return name == "_y_ndim" or (name.endswith("_") and not name.startswith("_"))


def _start_record(start, task_names):
    """What ``added_tasks_`` records of where an added task started (``start`` from ``_nearest_chart``)."""
    if start is None:
        return {"chart_init": "random", "initialised_from": None, "initial_correlation": None}
    return {
        "chart_init": "nearest",
        "initialised_from": task_names[start["source"]],
        "initial_correlation": round(start["correlation"], 6),
    }


def _plain(value):
    """A numpy scalar as the Python number it holds (JSON-able), anything else as is."""
    return value.item() if isinstance(value, np.generic) else value


def _history_record(net):
    """What a training run leaves: epochs, loss curve, validation scores, every term per epoch.

    An interrupted run (Ctrl-C: skorch stops, and early stopping restores the best weights) counts
    the epochs it completed and warns; one interrupted before its first epoch ended re-raises.
    """
    epochs = [row for row in net.history if "train_loss" in row]
    if not epochs:
        raise KeyboardInterrupt("Training was interrupted before its first epoch ended; nothing was kept.")
    if net.interrupted_:
        warnings.warn(
            f"Training was interrupted after {len(epochs)} complete epoch(s); the model keeps "
            "the best weights so far.",
            TrainingInterruptedWarning,
            stacklevel=4,
        )
    record = {"n_iter": len(epochs), "loss_curve": [float(row["train_loss"]) for row in epochs]}
    record["interrupted"] = bool(net.interrupted_)
    if "valid_r2" in epochs[-1]:
        scores = [float(row["valid_r2"]) for row in epochs]
        finite = [v for v in scores if np.isfinite(v)]
        # NaN when no validation task had two labels to score (tiny data).
        record.update(validation_scores=scores, best_validation_score=max(finite) if finite else float("nan"))
    else:
        record.update(validation_scores=None, best_validation_score=None)
    record["loss_terms"] = {
        key: [float(row.get(key, np.nan)) for row in epochs]
        for key in (f"{p}_{n}" for p in ("train", "valid") for n in LOGGED_VALUES)
        if key in epochs[-1]
    }
    spread = record["loss_terms"].get("train_lf_spread")
    if spread and len(spread) > 1 and spread[-1] < 1e-3 * max(spread):
        warnings.warn(
            f"The locally flat coordinates collapsed: their spread fell from {max(spread):.3g} to "
            f"{spread[-1]:.3g}. Lower consistency_weight or raise autoencoder_weight.",
            ChartCollapseWarning,
            stacklevel=4,
        )
    return record


def _check_feature_matrix(estimator, X, *, reset, first_row=0):
    """A precomputed feature matrix as float32, with errors that say which rows are not finite.

    ``first_row`` is the input position of X's first row (X is a chunk of a larger input).
    """
    try:
        X = validate_data(estimator, X, reset=reset, dtype=np.float32, ensure_min_samples=1, ensure_all_finite=False)
    except ValueError as error:
        if "could not convert" in str(error):
            raise ValueError(
                f"featurizer='precomputed' expects a numeric feature matrix, but X holds text ({error}). "
                "For SMILES use featurizer='graph' or 'morgan'."
            ) from None
        raise
    bad = np.flatnonzero(~np.isfinite(X).all(axis=1))
    if bad.size:
        raise ValueError(
            f"The feature matrix has NaN or infinite values in rows {rows_text(bad + first_row)}; impute or drop them "
            "first "
            "(e.g. sklearn.impute.SimpleImputer in a Pipeline)."
        )
    return X


def _parse_silently(smiles):
    """Parse SMILES for their validity mask only; the caller reports the invalid rows."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InvalidSMILESWarning)
        return parse_smiles(smiles, on_invalid="nan")


def _take(inputs, rows):
    if isinstance(inputs, np.ndarray):
        return inputs[rows]
    return [inputs[i] for i in rows]


@contextmanager
def _seeded_torch(seed, device):
    """Seed torch for a block of work and give the caller's global random state back afterwards."""
    devices = [torch.device(device).index or 0] if str(device).startswith("cuda") else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield
