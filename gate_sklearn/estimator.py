"""GATERegressor: multi-task GATE as a scikit-learn estimator, trained through skorch."""

import numbers
import warnings
from contextlib import contextmanager

import numpy as np
import pandas as pd
import torch
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils import TransformerTags, check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _num_samples, check_is_fitted, validate_data
from skorch.callbacks import EarlyStopping, ProgressBar
from skorch.helper import predefined_split
from skorch.utils import noop

from ._persistence import read_model_file, restore_fitted, save_model
from ._targets import check_targets, standardisation
from .featurize import MorganFingerprint, smiles_to_graphs
from .featurize._smiles import ON_INVALID_OPTIONS
from .metrics import nan_r2_score
from .nn import DMPNNEncoder, GATELoss, GATENetwork, MLPEncoder
from .training import (
    LOGGED_VALUES,
    DenseDataset,
    GATENet,
    GraphDataset,
    LossTermLogger,
    ValidationR2,
    collate_graph_items,
)

FEATURIZERS = ("graph", "morgan", "precomputed")


class ChartCollapseWarning(UserWarning):
    """The locally flat coordinates shrank to (almost) a point during training."""


def resolve_device(device):
    """``"auto"`` means CUDA when available, else CPU; anything else is passed to torch."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return str(torch.device(device))


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
    latent_dim : int, default=64
        Width of each task's chart and of the shared LF space.
    task_hidden_size : int, default=128
        Hidden width of each task's encoder, head, transfer and inverse.
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
        Source charts sampled per task in the mapping term.
    max_iter : int, default=100
        Maximum number of epochs.
    batch_size : int, default=64
        Molecules per mini-batch.
    learning_rate_init : float, default=1e-3
        Adam's learning rate.
    weight_decay : float, default=0.0
        L2 penalty (Adam's ``weight_decay``).
    early_stopping : bool, default=True
        Hold out ``validation_fraction`` of the rows, stop when their NaN-aware
        R^2 has not improved by ``tol`` for ``n_iter_no_change`` epochs, and keep
        the weights of the best epoch.
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

    Attributes
    ----------
    net_ : skorch.NeuralNet
        The trained skorch net; ``net_.module_`` is the torch network.
    tasks_ : list of str
        Task names, in column order of ``predict``'s output.
    y_mean_, y_scale_ : ndarray of shape (n_tasks,)
        Per-task standardisation of the targets.
    n_iter_ : int
        Epochs run.
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
        "max_iter": [Interval(numbers.Integral, 1, None, closed="left")],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "learning_rate_init": [Interval(numbers.Real, 0, None, closed="neither")],
        "weight_decay": [Interval(numbers.Real, 0, None, closed="left")],
        "early_stopping": ["boolean"],
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
    }

    def __init__(
        self,
        featurizer="graph",
        hidden_size=300,
        depth=3,
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
        max_iter=100,
        batch_size=64,
        learning_rate_init=1e-3,
        weight_decay=0.0,
        early_stopping=True,
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
    ):
        self.featurizer = featurizer
        self.hidden_size = hidden_size
        self.depth = depth
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

    # -- input ----------------------------------------------------------------------------------

    def _featurize(self, X, *, reset):
        """Turn X into model inputs for its valid rows.

        Returns ``(inputs, valid)``: a list of graphs or a float32 matrix for
        the valid rows, and the boolean validity mask over all rows.
        """
        show = self.verbose or 0
        if self.featurizer == "precomputed":
            X = validate_data(self, X, reset=reset, dtype=np.float32, ensure_min_samples=1)
            return X, np.ones(X.shape[0], dtype=bool)
        if self.featurizer == "graph":
            graphs, valid = smiles_to_graphs(X, on_invalid=self.on_invalid, n_jobs=self.n_jobs, verbose=show)
            return [g for g in graphs if g is not None], valid
        fingerprints = MorganFingerprint(
            radius=self.morgan_radius,
            fp_size=self.morgan_size,
            on_invalid=self.on_invalid,
            n_jobs=self.n_jobs,
            verbose=show,
        ).transform(X)
        valid = ~np.isnan(fingerprints).any(axis=1)
        return fingerprints[valid], valid

    def _dataset(self, inputs, y=None):
        if self.featurizer == "graph":
            return GraphDataset(inputs, y)
        return DenseDataset(inputs, y)

    def _collate(self):
        return collate_graph_items if self.featurizer == "graph" else None

    # -- network --------------------------------------------------------------------------------

    def _build_embedding(self, n_features):
        if self.featurizer == "graph":
            return DMPNNEncoder(hidden_size=self.hidden_size, depth=self.depth, dropout=self.dropout)
        return MLPEncoder(n_features, hidden_size=self.hidden_size, depth=self.depth, dropout=self.dropout)

    def _build_network(self, n_tasks, n_features):
        return GATENetwork(
            self._build_embedding(n_features),
            n_tasks=n_tasks,
            latent_dim=self.latent_dim,
            task_hidden_size=self.task_hidden_size,
            dropout=self.dropout,
        )

    def _build_loss(self):
        return GATELoss(
            autoencoder_weight=self.autoencoder_weight,
            consistency_weight=self.consistency_weight,
            mapping_weight=self.mapping_weight,
            distance_weight=self.distance_weight,
            n_perturbations=self.n_perturbations,
            perturbation_scale=self.perturbation_scale,
            max_mapping_partners=self.max_mapping_partners,
        )

    def _build_net(self, module, valid_dataset, y_valid, *, trainable_tasks=None, max_epochs=None, lr=None):
        """A skorch net around ``module`` with our loss, logging and early stopping."""
        callbacks = [("loss_terms", LossTermLogger())]
        if valid_dataset is not None:
            callbacks += [
                ("valid_r2", ValidationR2(y_valid, tasks=trainable_tasks)),
                (
                    "early_stopping",
                    EarlyStopping(
                        monitor="valid_r2",
                        lower_is_better=False,
                        patience=self.n_iter_no_change,
                        threshold=self.tol,
                        threshold_mode="abs",
                        load_best=True,
                        sink=print if self.verbose else noop,
                    ),
                ),
            ]
        if self.verbose and self.verbose >= 2:
            callbacks.append(("progress_bar", ProgressBar()))
        collate = self._collate()
        return GATENet(
            module=module,
            criterion=self._build_loss(),
            optimizer=torch.optim.Adam,
            lr=self.learning_rate_init if lr is None else lr,
            optimizer__weight_decay=self.weight_decay,
            max_epochs=self.max_iter if max_epochs is None else max_epochs,
            batch_size=self.batch_size,
            iterator_train__shuffle=True,
            iterator_train__collate_fn=collate,
            iterator_valid__collate_fn=collate,
            train_split=predefined_split(valid_dataset) if valid_dataset is not None else None,
            callbacks=callbacks,
            device=self.device_,
            verbose=int(bool(self.verbose)),
            # Every term's epoch mean is in the history; the printed table shows the training ones.
            callbacks__print_log__keys_ignored=[f"valid_{n}" for n in LOGGED_VALUES] + ["batches"],
            trainable_tasks=trainable_tasks,
        )

    def _split_rows(self, n_samples, rng):
        """Indices of the training and validation rows (no validation without early stopping)."""
        order = rng.permutation(n_samples)
        if not self.early_stopping:
            return order, None
        n_valid = int(np.ceil(self.validation_fraction * n_samples))
        if n_samples - n_valid < 1:
            raise ValueError(
                f"early_stopping needs rows for training and validation, but there are only {n_samples} "
                f"samples with validation_fraction={self.validation_fraction}. Set early_stopping=False."
            )
        return np.sort(order[n_valid:]), np.sort(order[:n_valid])

    # -- fitting --------------------------------------------------------------------------------

    def fit(self, X, y):
        """Fit the multi-task model.

        Parameters
        ----------
        X : list, ndarray, Series or one-column DataFrame of str, or array-like of shape (n_samples, n_features)
            SMILES strings, or a numeric matrix when ``featurizer="precomputed"``.
        y : array-like of shape (n_samples,) or (n_samples, n_tasks)
            Targets in their own units; NaN where a property was not measured.
            Task names come from DataFrame columns or a Series' name.

        Returns
        -------
        self : GATERegressor
            The fitted estimator.
        """
        self._validate_params()
        n_rows = _num_samples(X)
        if n_rows < 2:
            raise ValueError(f"n_samples={n_rows}: GATERegressor needs at least 2 samples to fit.")
        Y, names, ndim = check_targets(y)
        if Y.shape[0] != n_rows:
            raise ValueError(f"X and y have different numbers of rows: {n_rows} and {Y.shape[0]}.")
        inputs, valid = self._featurize(X, reset=True)
        Y = Y[valid]
        if not valid.all():
            check_targets(Y)  # dropping invalid molecules may have emptied a task or left too few rows
        self.tasks_ = names
        self._y_ndim = ndim
        self.y_mean_, self.y_scale_ = standardisation(Y)
        Y_std = (Y - self.y_mean_) / self.y_scale_
        self.device_ = resolve_device(self.device)
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)

        with _seeded_torch(seed, self.device_):
            train_rows, valid_rows = self._split_rows(len(Y_std), np.random.default_rng(seed))
            n_features = inputs.shape[1] if self.featurizer != "graph" else None
            module = self._build_network(len(names), n_features)
            train_set = self._dataset(_take(inputs, train_rows), Y_std[train_rows])
            valid_set = None if valid_rows is None else self._dataset(_take(inputs, valid_rows), Y_std[valid_rows])
            self.net_ = self._build_net(module, valid_set, None if valid_rows is None else Y_std[valid_rows])
            self.net_.fit(train_set, y=None)
        self._record_history(self.net_.history)
        return self

    def _record_history(self, history):
        self.n_iter_ = len(history)
        self.loss_curve_ = [float(v) for v in history[:, "train_loss"]]
        if "valid_r2" in history[-1]:
            self.validation_scores_ = [float(v) for v in history[:, "valid_r2"]]
            finite = [v for v in self.validation_scores_ if np.isfinite(v)]
            # NaN when no validation task had two labels to score (tiny data).
            self.best_validation_score_ = max(finite) if finite else float("nan")
        else:
            self.validation_scores_ = None
            self.best_validation_score_ = None
        self.loss_terms_ = {
            key: [float(epoch.get(key, np.nan)) for epoch in history]
            for key in (f"{p}_{n}" for p in ("train", "valid") for n in LOGGED_VALUES)
            if key in history[-1]
        }
        spread = self.loss_terms_.get("train_lf_spread")
        if spread and len(spread) > 1 and spread[-1] < 1e-3 * max(spread):
            warnings.warn(
                f"The locally flat coordinates collapsed: their spread fell from {max(spread):.3g} to "
                f"{spread[-1]:.3g}. Lower consistency_weight or raise autoencoder_weight.",
                ChartCollapseWarning,
                stacklevel=3,
            )

    # -- inference ------------------------------------------------------------------------------

    def _forward(self, X, key):
        """Run the network on X in eval mode; returns ``(output[key] as float64, valid mask)``."""
        check_is_fitted(self, "net_")
        inputs, valid = self._featurize(X, reset=False)
        module = self.net_.module_
        loader = torch.utils.data.DataLoader(
            self._dataset(inputs), batch_size=max(256, self.batch_size), shuffle=False, collate_fn=self._collate()
        )
        chunks = []
        module.eval()
        with torch.no_grad():
            for batch, _ in loader:
                out = self.net_.infer(batch)
                chunks.append(out[key].detach().cpu().double().numpy())
        values = np.concatenate(chunks) if chunks else np.zeros((0,) + _output_shape(module, key))
        return values, valid

    def _task_indices(self, tasks):
        if tasks is None:
            return list(range(len(self.tasks_))), None
        names = [tasks] if isinstance(tasks, str) else list(tasks)
        unknown = [t for t in names if t not in self.tasks_]
        if unknown:
            raise ValueError(f"Unknown task(s) {unknown}; this model predicts {self.tasks_}.")
        return [self.tasks_.index(t) for t in names], isinstance(tasks, str)

    def predict(self, X, tasks=None):
        """Predict every task (or the ones named) in the targets' own units.

        Parameters
        ----------
        X : list, ndarray, Series or one-column DataFrame of str, or array-like of shape (n_samples, n_features)
            SMILES strings, or a numeric matrix when ``featurizer="precomputed"``.
        tasks : str or list of str, default=None
            Task names to predict. A single name gives a 1-D result.

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_tasks), float64
            Mirrors the dimensionality of the ``y`` given to ``fit`` (unless
            ``tasks`` is given). Rows of invalid molecules are NaN under
            ``on_invalid="nan"``.
        """
        check_is_fitted(self, "net_")
        columns, single = self._task_indices(tasks)
        values, valid = self._forward(X, "y")
        out = np.full((len(valid), len(self.tasks_)), np.nan)
        out[valid] = values * self.y_scale_ + self.y_mean_
        out = out[:, columns]
        if single or (single is None and self._y_ndim == 1):
            return out[:, 0]
        return out

    def transform(self, X):
        """Locally flat coordinates of each molecule: a learned fingerprint for other estimators.

        The mean over tasks of ``T_k(f_k(E(x)))``; the consistency term makes
        every chart agree on it.

        Parameters
        ----------
        X : list, ndarray, Series or one-column DataFrame of str, or array-like of shape (n_samples, n_features)
            SMILES strings, or a numeric matrix when ``featurizer="precomputed"``.

        Returns
        -------
        ndarray of shape (n_samples, latent_dim), float64
            NaN rows for invalid molecules under ``on_invalid="nan"``.
        """
        values, valid = self._forward(X, "u")
        out = np.full((len(valid), self.latent_dim), np.nan)
        out[valid] = values.mean(axis=1)
        return out

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
            or its weights do not match their checksum.
        """
        metadata, state = read_model_file(path)
        params = dict(metadata["params"], device=device)
        model = restore_fitted(cls(**params), metadata)
        model.device_ = resolve_device(device)
        n_features = getattr(model, "n_features_in_", None)
        if model.featurizer == "morgan":
            n_features = model.morgan_size
        module = model._build_network(len(model.tasks_), n_features)
        module.load_state_dict(state)
        model.net_ = model._build_net(module, None, None)
        model.net_.initialize()
        model.net_.module_.load_state_dict(state)
        return model

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        # transform() gives the LF coordinates (always float64), so it is a transformer too.
        tags.transformer_tags = TransformerTags(preserves_dtype=["float64"])
        if self.featurizer != "precomputed":
            tags.input_tags.two_d_array = False
            tags.input_tags.one_d_array = True
            tags.input_tags.string = True
        return tags


def _output_shape(module, key):
    """Trailing shape of a network output, for empty inputs."""
    if key == "y":
        return (module.n_tasks,)
    return (module.n_tasks, module.latent_dim)


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
