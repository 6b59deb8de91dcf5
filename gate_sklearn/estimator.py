"""GATERegressor: multi-task GATE as a scikit-learn estimator, trained through skorch.

The estimator's public face; the work lives in the package's private modules, one concept each.
"""

import numbers
import os

import numpy as np
import pandas as pd
import torch
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils import TransformerTags
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from . import _inference, _inputs, _start_selection, _task_addition
from .pretrained import available_models
from ._architecture import ARCHITECTURE_PARAMS, Architecture
from ._fitting import fit_network, set_history, training_processes
from ._persistence import SavedModelMixin
from ._settings import training_params
from ._targets import standardisation
from ._uncertainty import prediction_reader
from .featurize._smiles import ON_INVALID_OPTIONS
from .metrics import nan_r2_score
from .nn.encoders import AGGREGATIONS
from .nn.losses import ALIGNMENT_TERMS, DEFAULT_ALIGNMENT_WEIGHT

_POSITIVE_INT = Interval(numbers.Integral, 1, None, closed="left")
_NON_NEGATIVE = Interval(numbers.Real, 0, None, closed="left")


class GATERegressor(SavedModelMixin, RegressorMixin, BaseEstimator):
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
    the same network. Targets may have NaN where a property was not measured;
    every labelled loss term is masked accordingly.

    Each default's reasons and evidence: the documentation's page "How the defaults were chosen".

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
        Graph embedding only: the molecule's state is its atoms' mean, sum,
        or sum divided by 10 (near the mean's scale for small organic
        molecules). The sums keep the molecule's size, which size-extensive
        properties (critical volume, enthalpies) depend on.
    latent_dim : int, default=64
        Width of each task's chart and of the shared LF space.
    task_hidden_size : int, default=128
        Hidden width of each task's encoder, head, transfer and inverse. A
        task that starts as a copy of an existing task (``chart_init``) has
        that task's width.
    dropout : float, default=0.0
        Dropout in the embedding and in the task encoders and heads.
    autoencoder_weight : float, default=0.1
        Weight of the (relative) reconstruction error ``||G_k(T_k(z_k)) - z_k||``.
        The four alignment weights default to 0.1: at 1.0 their gradients
        swamp the regression term's on the shared embedding.
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
        new task the frozen embedding alone.
    chart_init : str or tuple of str, default="auto"
        Task addition only: how a new task starts. ``"nearest"``: as a copy of
        the frozen task whose predictions correlate best with the new labels,
        its head rescaled to their least-squares line on that prediction.
        ``"random"``: fresh modules. ``"fine_tune"``: that copy reads a private
        copy of the shared embedding that the task trains (not
        ``private_branch_size``'s branch; the shared one stays frozen).
        ``"scratch"``: fresh modules that also read a fresh private embedding.
        ``"head"``, ``"plain_fine_tune"``: ``"random"``, ``"fine_tune"``
        trained with the regression loss only. ``"auto"`` (``("nearest",
        "random", "fine_tune")``) or a tuple of starts: each is trained on part
        of the new labels and scored on the rest (3-fold cross-fitting up to
        300 labelled molecules, a 20 % hold-out above, no choice below 10: the
        first), then the best on all: the cost of several additions. With fewer
        than 3 labels nothing is copied. ``added_tasks_`` records it.
    pretrained : GATERegressor or str, default=None
        A fitted model to extend, or the name of a shipped one
        (:func:`gate_sklearn.pretrained.available_models`, loaded once per
        process). ``fit(X, y)`` then works on a deep copy of it and adds y's
        task(s) with :meth:`add_task`, using this estimator's training and
        alignment parameters; ``predict`` returns the added task(s) only (the
        source tasks stay reachable with ``tasks=``). The architecture is the
        pre-trained model's; the object passed is never modified, and
        :func:`~sklearn.base.clone` shares it rather than copying it
        unfitted, so cross-validation and grid search work. To search over
        several, give their names or wrap each in :class:`~sklearn.frozen.FrozenEstimator`.
    max_iter : int, default=100
        Maximum number of epochs.
    batch_size : int, default=64
        Molecules per mini-batch.
    learning_rate_init : "auto" or float, default="auto"
        Adam's learning rate. ``"auto"``: 1e-3 for ``fit``, and for
        ``add_task`` when a new task starts at random or trains a copy of
        the embedding (``chart_init="fine_tune"``); 3e-4 for an addition
        whose new tasks all start as a copy of a frozen task on the frozen
        embedding (``"nearest"``), which fine-tunes trained modules.
    weight_decay : float, default=0.0
        L2 penalty (Adam's ``weight_decay``).
    early_stopping : "auto" or bool, default="auto"
        Hold out ``validation_fraction`` of the rows, stop when their NaN-aware
        R^2 has not improved by ``tol`` for ``n_iter_no_change`` epochs, and keep
        the best epoch's weights. ``"auto"``: only above 10,000 training rows;
        smaller sets train ``max_iter`` epochs on all their rows.
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
    featurize_per_batch : bool, default=False
        Graph featurizer only: featurize each batch's molecules as training
        draws it, instead of every molecule once before training. Memory then
        holds the SMILES, not their graphs, whatever their number; each epoch
        pays the featurization again. For corpora whose graphs do not fit in
        memory. The model trained is the same.
    distributed : bool, default=False
        Train ``fit`` data-parallel over the processes of a ``torchrun``
        launch, on one machine or several (torch's DistributedDataParallel).
        Each process draws its share of every batch (``batch_size`` is the
        total) and all end with the same model; ``add_task`` and
        ``pretrained=`` train in each process alone. Recipe: the user
        guide's scaling page.
    device : str, default="auto"
        Torch device; ``"auto"`` picks CUDA when available (with
        ``distributed=True``, each process's own GPU).
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling, perturbations and the
        validation split. The global torch random state is left untouched.
    verbose : int, default=0
        0: silent. 1: a table of every loss term per epoch and progress bars
        for featurization. 2: also a progress bar over batches.
    checkpoint_dir : str or path-like, default=None
        Directory for training checkpoints, written atomically after every
        epoch in a sub-directory named by a digest of the run (initial
        weights, data, training parameters). Fitting the same estimator on
        the same data again, after a crash or an interrupt, resumes from the
        last checkpoint; a finished run is restored without training. Needs
        an int ``random_state``. Delete the directory once the model is saved.

    Attributes
    ----------
    net_ : skorch.NeuralNet
        The trained skorch net; ``net_.module_`` is the torch network.
    tasks_ : list of str
        Every task the model predicts, in the order of the network's heads.
    output_tasks_ : list of str
        The tasks ``predict`` returns by default: all of them, or with
        ``pretrained=``, the ones this estimator added.
    added_tasks_ : list of dict
        One entry per task added by :meth:`add_task` (or ``pretrained=``):
        its ``name``, its modules' sizes, how it started (``chart_init``,
        ``initialised_from``: the task copied, ``initial_correlation``: its
        correlation with the new labels), the ``learning_rate`` used, and
        after a choice of starts a ``selection`` dict: the start
        ``chosen``, each candidate's validation ``scores`` (RMSE of the
        standardised labels; lower is better) and how they were measured
        (``validation``).
    add_task_history_ : dict of str to dict
        Per added task, the record of the task addition that trained it:
        ``n_iter``, ``loss_curve``, ``validation_scores``,
        ``best_validation_score`` and ``loss_terms`` (like the attributes
        below). Tasks added together share one record.
    base_params_ : dict
        The architecture parameters of the shared network.
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
        "featurizer": [StrOptions(set(_inputs.FEATURIZERS))],
        "hidden_size": [_POSITIVE_INT],
        "depth": [_POSITIVE_INT],
        "aggregation": [StrOptions(set(AGGREGATIONS))],
        "latent_dim": [_POSITIVE_INT],
        "task_hidden_size": [_POSITIVE_INT],
        "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
        **{f"{term}_weight": [_NON_NEGATIVE] for term in ALIGNMENT_TERMS},
        "n_perturbations": [_POSITIVE_INT],
        "perturbation_scale": [Interval(numbers.Real, 0, None, closed="neither")],
        "max_mapping_partners": [_POSITIVE_INT],
        "private_branch_size": [Interval(numbers.Integral, 0, None, closed="left")],
        "chart_init": [StrOptions({"auto", *_start_selection.STARTS}), tuple, list],
        "pretrained": [None, HasMethods(["predict"]), StrOptions(set(available_models()))],
        "max_iter": [_POSITIVE_INT],
        "batch_size": [_POSITIVE_INT],
        "learning_rate_init": [Interval(numbers.Real, 0, None, closed="neither"), StrOptions({"auto"})],
        "weight_decay": [_NON_NEGATIVE],
        "early_stopping": ["boolean", StrOptions({"auto"})],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
        "n_iter_no_change": [_POSITIVE_INT],
        "tol": [_NON_NEGATIVE],
        "morgan_radius": [Interval(numbers.Integral, 0, None, closed="left")],
        "morgan_size": [_POSITIVE_INT],
        "on_invalid": [StrOptions(set(ON_INVALID_OPTIONS))],
        "n_jobs": [None, numbers.Integral],
        "featurize_per_batch": ["boolean"],
        "distributed": ["boolean"],
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
        autoencoder_weight=DEFAULT_ALIGNMENT_WEIGHT,
        consistency_weight=DEFAULT_ALIGNMENT_WEIGHT,
        mapping_weight=DEFAULT_ALIGNMENT_WEIGHT,
        distance_weight=DEFAULT_ALIGNMENT_WEIGHT,
        n_perturbations=4,
        perturbation_scale=0.1,
        max_mapping_partners=4,
        private_branch_size=0,
        chart_init="auto",
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
        featurize_per_batch=False,
        distributed=False,
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
        self.featurize_per_batch = featurize_per_batch
        self.distributed = distributed
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.checkpoint_dir = checkpoint_dir

    # -- input ----------------------------------------------------------------------------------

    def _architecture(self):
        """The shared network's architecture: the fitted one, else the pre-trained model's, else our own."""
        n_features = getattr(self, "n_features_in_", None)
        if hasattr(self, "base_params_"):
            return Architecture.from_params(self.base_params_, n_features)
        source = _task_addition.source_model(self.pretrained, strict=False)  # None until one can be read
        if source is not None:
            return source._architecture()
        return Architecture.from_params({name: getattr(self, name) for name in ARCHITECTURE_PARAMS}, n_features)

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
            names = _task_addition.fit_pretrained(self, X, y, training_params(self))
            set_history(self, self.add_task_history_[names[0]])
            return self
        processes = training_processes(self)  # before featurizing: a launch without a process group fails now
        Y, names, ndim, inputs = _inputs.check_fit_data(self, X, y, reset=True)
        self.tasks_ = names
        self.output_tasks_ = list(names)
        self._y_ndim = ndim
        self.added_tasks_ = []
        self.add_task_history_ = {}
        self.y_mean_, self.y_scale_ = standardisation(Y)
        Y_std = (Y - self.y_mean_) / self.y_scale_
        fit_network(self, inputs, Y_std, processes)
        return self

    def add_task(self, X, y, name=None, **options):
        """Add one or more tasks to the fitted model, aligned to the charts it already learned.

        The shared embedding and every existing task's modules are frozen;
        the new task gets its own encoder, head, transfer and inverse (see
        ``chart_init`` and ``private_branch_size``), trained on its regression
        and autoencoder terms and on consistency, mapping and distance against
        the frozen charts. The existing tasks' predictions do not change, bit
        for bit. The record of the training is in ``add_task_history_``.

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
            estimator's own: any parameter but the architecture's
            (``featurizer``, ``hidden_size``, ``depth``, ``aggregation``,
            ``latent_dim``, ``morgan_*``) and ``pretrained``, ``on_invalid``,
            ``n_jobs`` and ``device``.

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
        params = training_params(self, options, caller="add_task")
        names = _task_addition.add_tasks(self, X, y, name, params)
        self.output_tasks_ = self.output_tasks_ + names
        if len(self.output_tasks_) > 1:
            self._y_ndim = 2
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
        # The pre-trained model is shared, not cloned (a clone would be unfitted): fit only reads it.
        if self.pretrained is None:
            return super().__sklearn_clone__()
        return _task_addition.clone_sharing_pretrained(self)

    # -- inference ------------------------------------------------------------------------------

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
            Also return, per task, the spread (standard deviation) of its
            direct prediction ``g_t(f_t(x))`` and its readings through every
            other task's chart, ``g_t(G_t(u_k))``: a cheap uncertainty
            estimate, for models with at least two tasks.

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
        columns, single = _inference.task_columns(self, tasks)
        if return_std and len(self.tasks_) < 2:
            raise ValueError(
                "return_std=True reads each task through the other tasks' charts, but this model has a single "
                f"task ({self.tasks_[0]!r}). Add a task, or fit on several."
            )
        read = prediction_reader(self.net_.module_, columns, return_std)
        out = _inference.forward(self, X, read, width=len(columns) * (2 if return_std else 1))
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
        n_base = len(self.tasks_) - len(self.added_tasks_)
        return _inference.forward(
            self, X, lambda outputs: outputs["u"][:, :n_base].mean(dim=1), self._architecture().latent_dim
        )

    def fit_transform(self, X, y):
        """Fit the model, then return the LF coordinates of X (see :meth:`transform`).

        Parameters
        ----------
        X : list, ndarray, Series or one-column DataFrame of str, or array-like of shape (n_samples, n_features)
            As in :meth:`fit`.
        y : array-like of shape (n_samples,) or (n_samples, n_tasks)
            As in :meth:`fit`.

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

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        # transform() gives the LF coordinates (always float64), so it is a transformer too.
        tags.transformer_tags = TransformerTags(preserves_dtype=["float64"])
        if self._architecture().featurizer != "precomputed":
            tags.input_tags.two_d_array = False
            tags.input_tags.one_d_array = True
            tags.input_tags.string = True
        return tags

