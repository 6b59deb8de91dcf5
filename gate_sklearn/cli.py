"""``gate-sklearn``: fit, extend and apply GATE models on CSV files, without writing Python.

::

    gate-sklearn fit data.csv --smiles-column smiles --targets Tb Tm --out model.gate
    gate-sklearn add-task model.gate new.csv --target Tc
    gate-sklearn add-task --pretrained moses-physchem new.csv --target Tc --out model.gate
    gate-sklearn predict model.gate molecules.csv --out predictions.csv
    gate-sklearn info model.gate

Models are written in the safe ``.gate`` format (:meth:`GATERegressor.save`).
Empty cells in target columns are "not measured". Errors are printed as one
message naming the problem, with exit status 2.
"""

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path

EXAMPLES = """examples:
  gate-sklearn add-task --pretrained moses-physchem ppb.csv --target ppb --out ppb.gate
  gate-sklearn fit physprop.csv --targets Tb_K Tm_K logP --out sources.gate
  gate-sklearn add-task sources.gate critical.csv --target Tc_K --out with_tc.gate
  gate-sklearn predict with_tc.gate molecules.csv --out predictions.csv --std
  gate-sklearn fit data.csv --targets y --set max_iter=50 --set hidden_size=200
"""


class CommandError(Exception):
    """A problem with the user's files or arguments: printed as one line, exit status 2."""


def _read_table(path, smiles_column, needed=()):
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise CommandError(f"{path}: no such file")
    try:
        frame = pd.read_csv(path)
    except (ValueError, UnicodeDecodeError) as error:
        raise CommandError(f"{path} cannot be read as CSV: {error}") from None
    missing = [c for c in (smiles_column, *needed) if c not in frame.columns]
    if missing:
        raise CommandError(f"{path} has no column(s) {missing}; its columns are {list(frame.columns)}")
    return frame


def _parse_settings(pairs):
    """``--set name=value`` pairs as estimator parameters (values read as JSON when they parse)."""
    settings = {}
    for pair in pairs or []:
        name, sep, text = pair.partition("=")
        if not sep or not name:
            raise CommandError(f"--set expects name=value, got {pair!r}")
        try:
            settings[name] = json.loads(text)
        except json.JSONDecodeError:
            settings[name] = text
    return settings


def _save(model, path):
    """Write the model next to ``path`` and move it into place: an existing file is never half-overwritten."""
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    try:
        model.save(partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def _fit(args):
    from . import GATERegressor

    frame = _read_table(args.data, args.smiles_column, args.targets)
    settings = _parse_settings(args.set)
    settings.setdefault("verbose", 0 if args.quiet else 1)
    try:
        model = GATERegressor(random_state=args.random_state, on_invalid=args.on_invalid).set_params(**settings)
    except ValueError as error:  # an unknown parameter name
        raise CommandError(f"--set: {error}") from None
    start = time.perf_counter()
    model.fit(frame[args.smiles_column], frame[args.targets])
    out = _save(model, args.out)
    _report(f"Fitted {model.tasks_} on {len(frame)} rows in {time.perf_counter() - start:.0f} s "
            f"({model.n_iter_} epochs); wrote {out}", args)


def _add_task(args):
    from . import GATERegressor

    if args.pretrained is not None:
        from . import pretrained

        if args.model is not None:
            raise CommandError(f"give a model file ({args.model}) or --pretrained {args.pretrained}, not both")
        if args.out is None:
            raise CommandError("--pretrained needs --out, the model file to write")
        model = pretrained.load(args.pretrained)
    elif args.model is None:
        raise CommandError("give the model file to extend, or --pretrained NAME (a shipped model)")
    else:
        model = GATERegressor.load(args.model)
    frame = _read_table(args.data, args.smiles_column, [args.target])
    options = _parse_settings(args.set)
    options.setdefault("verbose", 0 if args.quiet else 1)
    start = time.perf_counter()
    model.add_task(frame[args.smiles_column], frame[args.target], name=args.target, **options)
    out = _save(model, args.out or args.model)
    _report(f"Added {args.target!r} from {frame[args.target].notna().sum()} labelled rows in "
            f"{time.perf_counter() - start:.0f} s; the model now predicts {model.tasks_}; wrote {out}", args)


def _predict(args):
    import numpy as np

    from . import GATERegressor

    model = GATERegressor.load(args.model)
    model.set_params(on_invalid=args.on_invalid, verbose=0 if args.quiet else 1)
    frame = _read_table(args.data, args.smiles_column)
    tasks = args.tasks or model.tasks_
    columns = [*tasks, *(f"{task}_std" for task in tasks)] if args.std else list(tasks)
    clashes = [c for c in columns if c in frame.columns]
    if clashes:  # e.g. predicting on the training file: never overwrite the measured values
        raise CommandError(
            f"{args.data} already has column(s) {clashes}, which the predictions would replace; rename them or "
            "choose --tasks"
        )
    start = time.perf_counter()
    result = model.predict(frame[args.smiles_column], tasks=list(tasks), return_std=args.std)
    mean, std = result if args.std else (result, None)
    out = frame.copy()
    for k, task in enumerate(tasks):
        out[task] = mean[:, k]
        if std is not None:
            out[f"{task}_std"] = std[:, k]
    if args.out:
        out.to_csv(args.out, index=False)
    else:
        out.to_csv(sys.stdout, index=False)
    n_invalid = int(np.isnan(mean).any(axis=1).sum())
    note = f" ({n_invalid} invalid molecule(s): empty cells)" if n_invalid else ""
    _report(f"Predicted {list(tasks)} for {len(frame)} molecules in {time.perf_counter() - start:.1f} s{note}"
            + (f"; wrote {args.out}" if args.out else ""), args)


def _info(args):
    from . import GATERegressor

    model = GATERegressor.load(args.model)
    added = {spec["name"]: spec for spec in model.added_tasks_}
    print(f"{args.model}: a GATERegressor predicting {len(model.tasks_)} task(s)")
    for task, mean, scale in zip(model.tasks_, model.y_mean_, model.y_scale_):
        origin = "added" if task in added else "fitted"
        start = added.get(task, {})
        # Models saved before chart_init existed record no start.
        started = f"; {start['chart_init']} start" if start.get("chart_init") else ""
        if start.get("initialised_from"):
            started += f" from {start['initialised_from']} (r = {start['initial_correlation']:.2f})"
        print(f"  {task:<24} {origin:<7} mean {mean:.4g}, sd {scale:.4g}{started}")
    base = ", ".join(f"{k}={v}" for k, v in model.base_params_.items())
    print(f"architecture: {base}")


def _report(message, args):
    if not args.quiet:
        print(message, file=sys.stderr)


def build_parser():
    parser = argparse.ArgumentParser(
        prog="gate-sklearn",
        description="Fit GATE models on CSV files of SMILES and measurements, add properties to them, predict.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")

    def common(sub, on_invalid=True):
        sub.add_argument("--smiles-column", default="smiles", help="column holding the SMILES (default: smiles)")
        if on_invalid:
            sub.add_argument(
                "--on-invalid",
                choices=["raise", "nan"],
                default="raise",
                help="invalid SMILES: stop with an error naming them (raise), or skip them (nan)",
            )
        sub.add_argument("-q", "--quiet", action="store_true", help="no progress output")

    fit = commands.add_parser("fit", help="fit a multi-task model on one CSV file")
    fit.add_argument("data", help="CSV file with a SMILES column and one column per target")
    fit.add_argument("--targets", nargs="+", required=True, help="target columns (empty cells: not measured)")
    fit.add_argument("--out", required=True, help="model file to write (.gate)")
    fit.add_argument("--random-state", type=int, default=0, help="seed (default 0)")
    fit.add_argument("--set", action="append", metavar="NAME=VALUE", help="any GATERegressor parameter")
    common(fit)
    fit.set_defaults(run=_fit)

    add = commands.add_parser("add-task", help="add a property to a fitted model (trains only its modules)")
    add.add_argument("model", nargs="?", help="model file (.gate); or use --pretrained")
    add.add_argument(
        "--pretrained", metavar="NAME",
        help="start from a model shipped with the package instead of a file (e.g. moses-physchem)",
    )
    add.add_argument("data", help="CSV file with a SMILES column and the new target")
    add.add_argument("--target", required=True, help="column of the new property (also its task name)")
    add.add_argument("--out", help="model file to write (default: replace MODEL once the new one is written)")
    add.add_argument("--set", action="append", metavar="NAME=VALUE", help="a training option of add_task")
    common(add, on_invalid=False)
    add.set_defaults(run=_add_task)

    predict = commands.add_parser("predict", help="predict every task (or some) for a CSV file of molecules")
    predict.add_argument("model", help="model file (.gate)")
    predict.add_argument("data", help="CSV file with a SMILES column (other columns are copied through)")
    predict.add_argument("--out", help="CSV file to write (default: standard output)")
    predict.add_argument("--tasks", nargs="+", help="tasks to predict (default: all)")
    predict.add_argument("--std", action="store_true", help="add a <task>_std column: the spread over charts")
    common(predict)
    predict.set_defaults(run=_predict)

    info = commands.add_parser("info", help="tasks, target scaling and architecture of a model file")
    info.add_argument("model", help="model file (.gate)")
    info.set_defaults(run=_info)
    return parser


def main(argv=None):
    """Entry point of the ``gate-sklearn`` command.

    Parameters
    ----------
    argv : list of str, default=None
        The command line without the program name; ``sys.argv[1:]`` when None.

    Returns
    -------
    int
        The exit status: 0 on success, 2 when the files or arguments have a problem (printed as one
        ``gate-sklearn: error: ...`` line on standard error).
    """
    from .exceptions import InvalidSMILESError, ModelFileError

    parser = build_parser()
    args = parser.parse_args(argv)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            args.run(args)
        except InvalidSMILESError as error:
            return _fail(f"{error}\n(rows count data rows from 0: CSV line = row + 2; --on-invalid nan skips them)")
        except (CommandError, ModelFileError, ValueError, TypeError, OSError) as error:
            return _fail(str(error))
        finally:
            for warning in caught:  # one clean line each, not Python's file:line report
                print(f"gate-sklearn: warning: {warning.message}", file=sys.stderr)
    return 0


def _fail(message):
    print(f"gate-sklearn: error: {message}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
