"""Progress bars driven by scikit-learn style ``verbose`` parameters."""

from tqdm.auto import tqdm


def progress_bar(iterable, *, verbose=0, total=None, desc=None, unit="it"):
    """Wrap ``iterable`` in a tqdm bar when ``verbose`` asks for one.

    Parameters
    ----------
    iterable : iterable
        What to iterate over.
    verbose : int, bool or dict, default=0
        ``0``/``False``: no bar. A positive int or ``True``: a default bar.
        A dict: keyword arguments forwarded to :class:`tqdm.tqdm`, which lets a
        user pick the output stream, position, colour and so on.
    total, desc, unit
        Defaults for the bar; a ``verbose`` dict overrides them.

    Returns
    -------
    iterable
        ``iterable`` itself, or a tqdm object iterating over it.
    """
    if isinstance(verbose, dict):
        options = {"total": total, "desc": desc, "unit": unit, **verbose}
        return tqdm(iterable, **options)
    if verbose:
        return tqdm(iterable, total=total, desc=desc, unit=unit)
    return iterable
