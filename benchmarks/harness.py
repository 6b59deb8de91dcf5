"""The shared harness of the benchmarks: data, splits, source sets, methods and baselines, result files.

Every study script builds on it, so that a figure in one study is comparable with the same figure in
another: the same physprop frame, the same train/test splits per seed (random, or by Bemis-Murcko
scaffold), the same pre-training sources per split (never a target's test molecule), the same methods
on the same backbone, and one place where results are written (:func:`result_path`: one folder per
study under ``benchmarks/results/``). The protocol is described in ``task_addition.py``'s docstring.
"""

import json
import sys
import tempfile
import time
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import torch
from rdkit import Chem
from rdkit.Chem import Descriptors
from rdkit.Chem.Scaffolds import MurckoScaffold
from rdkit.rdBase import BlockLogs
from scipy.stats import spearmanr
from sklearn.ensemble import RandomForestRegressor

from gate_sklearn import GATERegressor
from gate_sklearn.datasets import (
    PHYSPROP_EVALUATION_COLUMNS,
    load_esol,
    load_freesolv,
    load_lipophilicity,
    load_physprop,
)
from gate_sklearn.featurize import MorganFingerprint

sys.path.insert(0, str(Path(__file__).resolve().parent))
from single_task import pretrain_chemprop, run_chemprop  # noqa: E402  (the single-task benchmark's chemprop runner)


RESULTS_ROOT = Path(__file__).resolve().parent / "results"
# The folder of each study under results/, by the prefix of its result files' names (longest first).
STUDY_FOLDERS = {
    "task_addition_ablation": "ablation",
    "task_addition": "task_addition",
    "lf_projection": "task_addition",
    "joint_retraining": "joint_retraining",
    "learning_curves": "learning_curves",
    "single_task": "single_task",
    "add_task_cost": "add_task_cost",
    "featurize": "featurize",
    "inference_paths": "inference_paths",
    "predict_scale": "predict_scale",
    "transfer_suite": "transfer_suite",
    "pretrained_model": "pretrained_model",
    "throughput": "throughput",
    "default_search": "archive/default_search",
    "private_branch": "archive/private_branch",
    "distilled_copy": "archive/distilled_copy",
}


def result_path(name, suffix):
    """Where the result file ``<name><suffix>`` of a study lives (its folder made if missing)."""
    prefix = next((p for p in sorted(STUDY_FOLDERS, key=len, reverse=True) if name.startswith(p)), None)
    if prefix is None:
        raise ValueError(f"No study folder for results named {name!r}; add its prefix to STUDY_FOLDERS.")
    folder = RESULTS_ROOT / STUDY_FOLDERS[prefix]
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}{suffix}"


def network_outputs(model, graphs, read, batch_size=256):
    """``read`` of a fitted model's network outputs on featurized molecules, in eval mode, as float64.

    Uses the public parts only: graphs from :func:`gate_sklearn.featurize.smiles_to_graphs`, batched
    by :func:`~gate_sklearn.featurize.collate_graphs`, through the torch network ``model.net_.module_``.
    """
    from gate_sklearn.featurize import collate_graphs

    module = model.net_.module_.eval()
    chunks = []
    with torch.no_grad():
        for start in range(0, len(graphs), batch_size):
            batch = collate_graphs(graphs[start : start + batch_size]).to(model.device_)
            chunks.append(read(module(batch)).cpu().double().numpy())
    return np.concatenate(chunks)


def write_results(name, text, payload):
    """Write a study's report (Markdown) and its data (JSON) as ``<name>.md`` and ``<name>.json``."""
    result_path(name, ".md").write_text(text)
    result_path(name, ".json").write_text(json.dumps(payload, indent=2) + "\n")


SOURCES = ["Tb_K", "Tm_K", "logP"]
# Richer pre-training: abundant measured properties of the same table that measure
# none of the targets' quantities (the *_Yaws columns, which mix in estimates of Tc, Pc, Vc and omega,
# are left out; the enthalpy of vaporization at 298 K is not the one at the boiling point).
EXTENDED_SOURCES = [*SOURCES, "density_kg_m3_CRC", "RI_CRC", "Hvap298_kJ_mol"]
# The same measurements, with the liquid density turned into the liquid's molar volume (molar mass /
# density): an extensive quantity, as the critical volume is, where the density is intensive.
PHYSICAL_SOURCES = [*SOURCES, "Vm_liquid_cm3_mol", "RI_CRC", "Hvap298_kJ_mol"]
# And the two gas-phase thermochemical columns, standard enthalpy of formation and entropy: no target's
# quantity, on a third of the table (Yaws, measurements mixed with group-contribution estimates, which
# as sources only pass on what the structure implies).
THERMO_SOURCES = [*PHYSICAL_SOURCES, "Hf_gas_kJ_mol_Yaws", "S0_gas_J_molK_Yaws"]
# A deliberately poor pre-training for the solution properties: the melting point alone.
MELTING_SOURCES = ["Tm_K"]
SOURCE_SETS = {
    "default": SOURCES, "extended": EXTENDED_SOURCES, "physical": PHYSICAL_SOURCES, "thermo": THERMO_SOURCES,
    "melting": MELTING_SOURCES,
}
TARGETS = ["Tc_K", "Pc_bar", "Vc_cm3_mol", "omega_PSRK", "Hvap_Tb_kJ_mol"]
# The bundled sets as targets beside physprop: (loader, column), matched to physprop by canonical SMILES.
SOLUTION_TARGETS = {
    "ESOL_logS": (load_esol, "logSolubility"),
    "FreeSolv_kcal_mol": (load_freesolv, "expt"),
    "Lipo_logD": (load_lipophilicity, "lipo"),
}
# Families of targets: defaults are chosen on some and checked on the one left out. "weak" asks the
# solution targets of a model pre-trained on a source that says little about them.
FAMILIES = {
    "critical": {"targets": TARGETS, "sources": "default"},
    "solution": {"targets": list(SOLUTION_TARGETS), "sources": "default"},
    "weak": {"targets": list(SOLUTION_TARGETS), "sources": "melting"},
}
METHODS = {
    "stl": "single-task (STL)",
    "mtl_joint": "MTL retrained with the target",
    "pretrain_head": "pre-train + new head (frozen)",
    "gate_joint": "multitask GATE retrained with the target",
    "gate_add": "GATE + add_task",
    "rf": "Morgan RF",
    "rf_stacked": "Morgan RF + source predictions",
    "gate_nearest": "GATE + add_task, nearest-chart start",
    "gate_shipped": "GATE + add_task from the shipped model",
    "gate_five_starts": "GATE + add_task, choosing among five starts (two unaligned)",
    "gate_scratch": "GATE + add_task, the choice widened to a fresh private embedding",
    "chemprop_stl": "chemprop single-task",
    "chemprop_finetune": "chemprop pre-trained + fine-tuned",
}
CHEMPROP_METHODS = [m for m in METHODS if m.startswith("chemprop")]
SHIPPED_MODEL = "moses-physchem"
# Methods that do not read the split's own pre-training: one run serves every family of a target.
FAMILY_INDEPENDENT = ("stl", "rf", "chemprop_stl", "gate_shipped")
NO_ALIGNMENT = dict(autoencoder_weight=0.0, consistency_weight=0.0, mapping_weight=0.0, distance_weight=0.0)
# Every start an addition can take: the three aligned ones "auto" compares, and the two trained on the regression loss only.
FIVE_STARTS = ("nearest", "random", "head", "fine_tune", "plain_fine_tune")
# The three aligned starts, and the one that learns a private embedding from scratch besides the frozen one.
WITH_SCRATCH = ("nearest", "random", "fine_tune", "scratch")
# Methods that add the target to a pre-trained model, and the start of those on the suite's own GATE pre-training.
ADDITIONS = {
    "pretrain_head": None,
    "gate_shipped": None,
    "gate_add": "auto",
    "gate_nearest": "nearest",
    "gate_five_starts": FIVE_STARTS,
    "gate_scratch": WITH_SCRATCH,
}
# The fine-tuning baseline: a new, randomly initialised head on the frozen embedding, regression loss only.
HEAD_ONLY = dict(private_branch_size=0, chart_init="random", **NO_ALIGNMENT)


# -- data -------------------------------------------------------------------------------------------


def check_not_reserved(columns):
    """Refuse the physprop columns kept for independent evaluation as a source or a target."""
    reserved = sorted(set(columns) & set(PHYSPROP_EVALUATION_COLUMNS))
    if reserved:
        raise ValueError(f"{reserved} are reserved for independent evaluation: never a benchmark source or target.")


def canonical_smiles(smiles):
    """RDKit-canonical SMILES (None where RDKit cannot parse one)."""
    with BlockLogs():
        mols = [Chem.MolFromSmiles(s) for s in smiles]
    return [Chem.MolToSmiles(m) if m is not None else None for m in mols]


def suite_frame():
    """physprop without its evaluation columns, plus the bundled sets' targets, one row per canonical SMILES.

    A molecule in physprop and in a bundled set is one row, so a target's test molecule is never in
    the pre-training; duplicates within a bundled set are averaged.
    """
    frame = load_physprop().frame.drop(columns=list(PHYSPROP_EVALUATION_COLUMNS))
    frame = frame.assign(smiles=canonical_smiles(frame.smiles)).dropna(subset=["smiles"])
    frame = frame.groupby("smiles", as_index=False, sort=False).first()
    for name, (loader, column) in SOLUTION_TARGETS.items():
        data = loader().frame
        values = pd.DataFrame({"smiles": canonical_smiles(data.smiles), name: data[column].astype(float)})
        values = values.dropna().groupby("smiles", as_index=False)[name].mean()
        frame = frame.merge(values, on="smiles", how="outer")
    return frame.reset_index(drop=True)


# -- splits -----------------------------------------------------------------------------------------


def murcko_scaffolds(smiles):
    with BlockLogs():
        return [MurckoScaffold.MurckoScaffoldSmiles(mol=Chem.MolFromSmiles(s)) for s in smiles]


def split_rows(rows, split, seed, scaffolds, test_fraction=0.2):
    """Test rows among ``rows`` (indices into the frame) for one target."""
    rng = np.random.default_rng(seed)
    n_test = int(round(test_fraction * len(rows)))
    if split == "random":
        return np.sort(rng.permutation(rows)[:n_test])
    groups = pd.Series(rows).groupby([scaffolds[r] for r in rows]).apply(list)
    big = [g for g in groups if len(g) > n_test / 2]  # the acyclic group, for instance: always training
    small = [groups.iloc[i] for i in rng.permutation(len(groups)) if len(groups.iloc[i]) <= n_test / 2]
    test = []
    for group in small:
        if len(test) >= n_test:
            break
        test.extend(group)
    assert not any(r in test for g in big for r in g)
    return np.sort(np.array(test, dtype=int))


# -- methods ----------------------------------------------------------------------------------------

_FINGERPRINTS = {}


def all_fingerprints(frame):
    """Morgan counts of every physprop molecule, computed once per run."""
    if "all" not in _FINGERPRINTS:
        _FINGERPRINTS["all"] = MorganFingerprint(radius=2, fp_size=2048, n_jobs=-1).transform(frame.smiles)
    return _FINGERPRINTS["all"]


def with_derived_sources(frame):
    """``frame`` with the source columns computed from measured ones: ``Vm_liquid_cm3_mol`` (molar mass / density)."""
    if "Vm_liquid_cm3_mol" in frame:
        return frame
    molar_mass = np.array([Descriptors.MolWt(Chem.MolFromSmiles(s)) for s in frame.smiles])
    return frame.assign(Vm_liquid_cm3_mol=1000.0 * molar_mass / frame["density_kg_m3_CRC"])


def method_label(method, mine, part):
    """The method's name, with its seeds when it ran on fewer than the split.

    The forests and the joint retrainings are too slow to repeat on every seed; a mean over one seed
    beside means over three must say so, in tables and plots alike.
    """
    seeds = sorted(mine.seed.unique())
    if len(seeds) == part.seed.nunique():
        return METHODS[method]
    return f"{METHODS[method]} (seed{'s' if len(seeds) > 1 else ''} {', '.join(map(str, seeds))})"


def size_label(n):
    """How a label budget is written in runs and reports: its count, or "all" for every training label."""
    return "all" if n is None else str(n)


def rmse(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true, float), np.asarray(y_pred, float)
    if y_true.shape != y_pred.shape:  # (n,) against (n, 1) would broadcast to every pair of rows
        raise ValueError(f"rmse: true values of shape {y_true.shape} against predictions of shape {y_pred.shape}.")
    return float(np.sqrt(np.mean((y_true - y_pred) ** 2)))


class Split:
    """One (split kind, seed): the target splits, the source data, and the models built once from them."""

    def __init__(self, frame, kind, seed, args, scaffolds, targets=None, tag=""):
        """``targets``: every target whose test part stays out of the pre-training (default: ``TARGETS``).

        ``tag`` names this protocol in the cache keys of the pre-trained models.
        """
        self.source_set = getattr(args, "sources", "default")
        if "Vm_liquid_cm3_mol" in SOURCE_SETS[self.source_set]:
            frame = with_derived_sources(frame)
        self.frame, self.kind, self.seed, self.args, self.tag = frame, kind, seed, args, tag
        targets = TARGETS if targets is None else targets
        check_not_reserved([*targets, *SOURCE_SETS[self.source_set]])
        self.test = {
            t: split_rows(np.flatnonzero(frame[t].notna().to_numpy()), kind, seed, scaffolds) for t in targets
        }
        self.sources = SOURCE_SETS[self.source_set]
        has_source = frame[self.sources].notna().any(axis=1).to_numpy().copy()
        has_source[np.unique(np.concatenate(list(self.test.values())))] = False
        source_rows = np.flatnonzero(has_source)
        if args.max_source_molecules and len(source_rows) > args.max_source_molecules:
            rng = np.random.default_rng(seed)
            source_rows = np.sort(rng.choice(source_rows, args.max_source_molecules, replace=False))
        self.source_rows = source_rows
        self.cache, self.pretrain_s = {}, {}
        # Pre-training has its own budget (a cached model is reused only with the same one).
        self.pretrain_max_iter = getattr(args, "pretrain_max_iter", None) or args.max_iter

    def gate(self, **params):
        budget = {} if self.args.max_iter is None else {"max_iter": self.args.max_iter}
        return GATERegressor(**{**budget, "random_state": self.seed, "device": "cpu", **params})

    def cache_path(self, model):
        """Where ``--cache-dir`` keeps one pre-trained ``model`` of this split and seed (no suffix); None without it."""
        if not self.args.cache_dir:
            return None
        key = f"{self.kind}_seed{self.seed}_{model}"
        key += "" if self.source_set == "default" else f"_{self.source_set}"
        key += f"_{self.tag}" if self.tag else ""
        return Path(self.args.cache_dir) / key

    def pretrained(self, name, **params):
        """A model pre-trained on the sources (built on first use, then shared by all targets).

        With ``--cache-dir`` it is saved there and reused by later runs with
        the same split, seed, source subsample and budget (with the fit time
        it took then).
        """
        estimator = self.gate(max_iter=self.pretrain_max_iter, **params)
        # Models cached before the readout became a parameter pooled by mean: their names have no suffix.
        name += "" if estimator.aggregation == "mean" else f"_{estimator.aggregation}"
        if name not in self.cache:
            path = self.cache_path(f"{name}_sources{self.args.max_source_molecules}_iter{self.pretrain_max_iter}")
            if path is not None and path.with_suffix(".joblib").exists():
                self.cache[name] = joblib.load(path.with_suffix(".joblib"))
                self.pretrain_s[name] = json.loads(path.with_suffix(".json").read_text())["fit_s"]
                return self.cache[name]
            X = self.frame.smiles.iloc[self.source_rows].reset_index(drop=True)
            y = self.frame[self.sources].iloc[self.source_rows].reset_index(drop=True)
            start = time.perf_counter()
            self.cache[name] = estimator.fit(X, y)
            self.pretrain_s[name] = time.perf_counter() - start
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
                joblib.dump(self.cache[name], path.with_suffix(".joblib"))
                path.with_suffix(".json").write_text(json.dumps({"fit_s": self.pretrain_s[name]}))
        return self.cache[name]

    def chemprop_pretrained(self):
        """The chemprop model pre-trained on the sources: a ``.pt`` file, trained on first use, shared by all targets.

        Multi-task regression over the source columns of the source data (NaN where a molecule was not
        measured). With ``--cache-dir`` it is saved there and reused by later runs with the same split,
        seed, source subsample and epochs (with the fit time it took then); without, it lives in a scratch
        folder removed with this split.
        """
        if "chemprop" in self.cache:
            return self.cache["chemprop"]
        epochs = self.args.chemprop_pretrain_epochs
        path = self.cache_path(f"chemprop_sources{self.args.max_source_molecules}_epochs{epochs}")
        if path is not None:
            path = path.with_suffix(".pt")
        else:
            self.cache["chemprop scratch"] = tempfile.TemporaryDirectory(prefix="chemprop_pretrained_")
            path = Path(self.cache["chemprop scratch"].name) / "pretrained.pt"
        if path.exists() and path.with_suffix(".json").exists():
            self.pretrain_s["chemprop"] = json.loads(path.with_suffix(".json").read_text())["fit_s"]
        else:
            X = self.frame.smiles.iloc[self.source_rows]
            Y = self.frame[self.sources].iloc[self.source_rows]
            fitted = pretrain_chemprop(self.args.chemprop_bin, X, Y, self.seed, epochs, path)
            self.pretrain_s["chemprop"] = fitted["fit_s"]
            # written after the model, so a run stopped mid-copy leaves no cache entry that looks complete
            path.with_suffix(".json").write_text(json.dumps(fitted))
        self.cache["chemprop"] = path
        return path

    def source_forests(self):
        if "forests" not in self.cache:
            start = time.perf_counter()
            forests = {}
            for source in self.sources:
                rows = self.source_rows[self.frame[source].iloc[self.source_rows].notna().to_numpy()]
                forest = RandomForestRegressor(
                    n_estimators=self.args.trees, oob_score=True, n_jobs=-1, random_state=self.seed
                )
                forest.fit(self.fingerprints(rows), self.frame[source].iloc[rows].to_numpy())
                forests[source] = (forest, rows)
            self.cache["forests"] = forests
            self.pretrain_s["source forests"] = time.perf_counter() - start
        return self.cache["forests"]

    def fingerprints(self, rows):
        return all_fingerprints(self.frame)[rows]

    def source_feature_table(self):
        """Each source forest's prediction for every molecule, out-of-bag for the ones it was trained on.

        Computed once per split and seed; with ``--cache-dir`` the table (not the forests, which take
        gigabytes) is kept there, with the forests' training time, and reused by later runs.
        """
        if "source table" in self.cache:
            return self.cache["source table"]
        path = None
        if self.args.cache_dir:
            key = f"{self.kind}_seed{self.seed}_source_forests_sources{self.args.max_source_molecules}"
            key += f"_trees{self.args.trees}" + ("" if self.source_set == "default" else f"_{self.source_set}")
            path = Path(self.args.cache_dir) / f"{key}.npz"
        if path is not None and path.exists():
            saved = np.load(path)
            self.cache["source table"] = saved["table"]
            self.pretrain_s["source forests"] = float(saved["fit_s"])
            return saved["table"]
        columns = []
        for forest, trained in self.source_forests().values():
            values = forest.predict(all_fingerprints(self.frame))
            values[trained] = forest.oob_prediction_
            columns.append(values)
        table = np.column_stack(columns)
        self.cache["source table"] = table
        del self.cache["forests"]  # the table is all that is needed from them
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            np.savez(path, table=table, fit_s=self.pretrain_s["source forests"])
        return table

    def source_features(self, rows):
        """The sources' forest predictions for ``rows`` (see :meth:`source_feature_table`)."""
        return self.source_feature_table()[rows]

    def training_rows(self, target, n_labels=None, repeat=0):
        """The target's training part, or its first ``n_labels`` rows in an order fixed by the seed.

        The order is the same for every size, so smaller training sets are nested in larger ones;
        ``repeat`` > 0 draws another order (another training set of the same size, same test part).
        """
        train = np.setdiff1d(np.flatnonzero(self.frame[target].notna().to_numpy()), self.test[target])
        if n_labels is None or n_labels >= len(train):
            return train
        order = np.random.default_rng([self.seed, 2, repeat] if repeat else [self.seed, 2]).permutation(train)
        return np.sort(order[:n_labels])

    def joint_training_set(self, target, train):
        """Molecules and labels for a retraining on the sources and ``target``, given its training ``train`` rows.

        The source molecules include molecules of the target's training part beyond ``train`` (in a
        learning curve, the labels a smaller size must not see): their target labels are masked, so
        that the target column holds exactly the labels of ``train``. Test rows are in neither.
        """
        rows = np.union1d(self.source_rows, train)
        y = self.frame[[*self.sources, target]].iloc[rows].reset_index(drop=True)
        y.loc[~np.isin(rows, train), target] = np.nan
        return self.frame.smiles.iloc[rows].reset_index(drop=True), y

    def run(self, method, target, n_labels=None, repeat=0):
        frame = self.frame
        test = self.test[target]
        train = self.training_rows(target, n_labels, repeat)
        X_train, y_train = frame.smiles.iloc[train].reset_index(drop=True), frame[target].iloc[train]
        X_test, y_test = frame.smiles.iloc[test].reset_index(drop=True), frame[target].iloc[test].to_numpy()
        y_train = y_train.reset_index(drop=True)
        extra = {}
        start = None
        if method == "stl":
            start = time.perf_counter()
            prediction = self.gate().fit(X_train, y_train).predict(X_test)
        elif method in ("mtl_joint", "gate_joint"):
            X, y = self.joint_training_set(target, train)
            params = NO_ALIGNMENT if method == "mtl_joint" else {}
            start = time.perf_counter()
            model = self.gate(**params).fit(X, y)
            prediction = model.predict(X_test, tasks=target)
        elif method in ADDITIONS:
            if method == "pretrain_head":
                base = self.pretrained("mtl", **NO_ALIGNMENT)
                adder = self.gate(pretrained=base, **HEAD_ONLY)
            elif method == "gate_shipped":
                # Pre-trained on none of the targets' molecules, test or training (its corpus holds them out).
                adder = self.gate(pretrained=SHIPPED_MODEL)
            else:
                base = self.pretrained("gate")
                adder = self.gate(pretrained=base, chart_init=ADDITIONS[method])
            start = time.perf_counter()
            prediction, spread = adder.fit(X_train, y_train).predict(X_test, return_std=True)
            extra["spearman_std_vs_abs_error"] = float(spearmanr(spread, np.abs(prediction - y_test)).statistic)
            extra["start"] = adder.added_tasks_[-1]["chart_init"]
            extra["initialised_from"] = adder.added_tasks_[-1]["initialised_from"]  # the chart a copy started from
        elif method in ("rf", "rf_stacked"):
            features_train, features_test = self.fingerprints(train), self.fingerprints(test)
            if method == "rf_stacked":
                features_train = np.hstack([features_train, self.source_features(train)])
                features_test = np.hstack([features_test, self.source_features(test)])
            start = time.perf_counter()
            forest = RandomForestRegressor(n_estimators=self.args.trees, n_jobs=-1, random_state=self.seed)
            prediction = forest.fit(features_train, y_train).predict(features_test)
        elif method in CHEMPROP_METHODS:
            pretrained = self.chemprop_pretrained() if method == "chemprop_finetune" else None
            result = run_chemprop(
                self.args.chemprop_bin, X_train, y_train, X_test, y_test, self.seed, self.args.chemprop_epochs,
                pretrained=pretrained,
            )
            return {"rmse": result["rmse"], "fit_s": result["fit_s"], "n_train": len(train), "n_test": len(test)}
        fit_s = time.perf_counter() - start
        return {"rmse": rmse(y_test, prediction), "fit_s": fit_s, "n_train": len(train), "n_test": len(test), **extra}


# -- report -----------------------------------------------------------------------------------------


def runs_table(runs, frame):
    """The runs as a table, with relative RMSE (RMSE / sd of the target over physprop)."""
    table = pd.DataFrame(runs)
    sd = {t: float(frame[t].std()) for t in set(table.target)}
    table["relative_rmse"] = table.rmse / table.target.map(sd)
    return table


def summarise(runs, frame):
    table = runs_table(runs, frame)
    lines = []
    for kind in dict.fromkeys(table.split):
        part = table[table.split == kind]
        seeds = sorted(part.seed.unique())
        lines += [
            f"## {kind} split (seeds {', '.join(map(str, seeds))})",
            "",
            "| method | " + " | ".join(TARGETS) + " | mean relative RMSE | mean fit time (s) | seeds |",
            "|---|" + "---|" * (len(TARGETS) + 3),
        ]
        for method in [m for m in METHODS if m in set(part.method)]:
            mine = part[part.method == method]
            cells = []
            for target in TARGETS:
                values = mine[mine.target == target].rmse
                cells.append(
                    "" if values.empty else f"{values.mean():.3g} ± {values.std(ddof=1):.2g}" if len(values) > 1
                    else f"{values.mean():.3g}"
                )
            complete = set(mine.target) == set(TARGETS)
            relative = mine.groupby("target").relative_rmse.mean().mean()
            lines.append(
                f"| {METHODS[method]} | {' | '.join(cells)} | {relative:.3f}{'' if complete else ' (partial)'} "
                f"| {mine.fit_s.mean():.1f} | {', '.join(map(str, sorted(mine.seed.unique())))} |"
            )
        lines.append("")
    return "\n".join(lines), table


def report_title(title, complete):
    """A report's first lines: its title, and a warning when the run has not finished."""
    lines = [f"# {title}", ""]
    if not complete:
        lines += ["**Partial results: the run had not finished when this was written.**", ""]
    return lines


def add_pretraining_arguments(parser):
    """The options of the shared pre-training, common to the scripts built on this protocol."""
    parser.add_argument("--pretrain-max-iter", type=int, default=100, help="epochs for the pre-training (cache key)")
    parser.add_argument("--max-source-molecules", type=int, default=None, help="subsample the source data")
    parser.add_argument(
        "--sources", default="default", choices=list(SOURCE_SETS),
        help="pre-training properties: Tb_K, Tm_K, logP; 'extended' adds density, refractive index and Hvap at "
        "298 K; 'physical' the same with the liquid's molar volume (molar mass / density) for the density; "
        "'thermo' adds the gas-phase enthalpy of formation and entropy to 'physical'",
    )
    parser.add_argument("--cache-dir", default=None, help="keep pre-trained models here and reuse them")


