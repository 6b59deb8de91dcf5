"""Data home and the scikit-learn style return value shared by every loader."""

import os
import shutil

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

DATA_HOME_ENV = "GATE_SKLEARN_DATA"
SMILES = "smiles"


def get_data_home(data_home=None):
    """Return the folder where gate_sklearn caches data sets, creating it if needed.

    Only :func:`load_physprop` writes there (the bundled small sets are
    package data). By default the folder is ``~/gate_sklearn_data``; the
    environment variable ``GATE_SKLEARN_DATA`` overrides the default, and the
    ``data_home`` argument overrides both.

    Parameters
    ----------
    data_home : str or path-like, default=None
        The folder to use. ``None`` means ``$GATE_SKLEARN_DATA`` if set, else
        ``~/gate_sklearn_data``. A leading ``~`` is expanded.

    Returns
    -------
    data_home : str
        The path of the (now existing) data folder.

    See Also
    --------
    clear_data_home : Delete the folder and everything cached in it.

    Examples
    --------
    >>> import tempfile
    >>> from gate_sklearn.datasets import get_data_home
    >>> folder = tempfile.mkdtemp()
    >>> get_data_home(folder) == folder
    True
    """
    if data_home is None:
        data_home = os.environ.get(DATA_HOME_ENV, os.path.join("~", "gate_sklearn_data"))
    data_home = os.path.expanduser(os.fspath(data_home))
    os.makedirs(data_home, exist_ok=True)
    return data_home


def clear_data_home(data_home=None):
    """Delete the data folder and everything cached in it.

    The next :func:`load_physprop` call rebuilds its table from the installed
    ``chemicals`` package.

    Parameters
    ----------
    data_home : str or path-like, default=None
        The folder to delete; resolved as in :func:`get_data_home`.

    See Also
    --------
    get_data_home : Where the cache lives.

    Examples
    --------
    >>> import os, tempfile
    >>> from gate_sklearn.datasets import clear_data_home, get_data_home
    >>> folder = get_data_home(os.path.join(tempfile.mkdtemp(), "cache"))
    >>> clear_data_home(folder)
    >>> os.path.exists(folder)
    False
    """
    shutil.rmtree(get_data_home(data_home))


def read_table(source, text_columns):
    """Read a loader CSV: ``text_columns`` as strings, empty fields as NaN.

    pandas' default NA markers ("NA", "nan", "None", ...) are turned off so
    that no SMILES, CAS number or name can be mistaken for a missing value.
    """
    return pd.read_csv(
        source,
        dtype={column: str for column in text_columns},
        keep_default_na=False,
        na_values=[""],
    )


def bunch_from_frame(frame, target, *, as_frame, return_X_y, descr):
    """Split a loader's table into scikit-learn's ``data`` / ``target`` / ``frame``.

    ``target`` follows pandas' indexing rule: a column name gives a Series
    (1-D array), a list of names a DataFrame (2-D array). ``data`` is the
    SMILES column alone, 1-D, because a molecule is one string rather than a
    row of numeric features.
    """
    X = frame[SMILES]
    y = frame[target]
    if not as_frame:
        X = X.to_numpy(dtype=object)
        y = y.to_numpy(dtype=np.float64)
        frame = None
    if return_X_y:
        return X, y
    return Bunch(
        data=X,
        target=y,
        frame=frame,
        feature_names=[SMILES],
        target_names=[target] if isinstance(target, str) else list(target),
        DESCR=descr,
    )
