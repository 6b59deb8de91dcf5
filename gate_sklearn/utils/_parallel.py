"""Order-preserving, chunked parallel map with an optional progress bar."""

import math

from joblib import effective_n_jobs
from sklearn.utils.parallel import Parallel, delayed

from ._progress import progress_bar


def chunk_slices(n_items, n_chunks):
    """Split ``range(n_items)`` into ``n_chunks`` contiguous, near-equal slices."""
    n_chunks = max(1, min(n_chunks, n_items))
    bounds = [round(i * n_items / n_chunks) for i in range(n_chunks + 1)]
    return [slice(bounds[i], bounds[i + 1]) for i in range(n_chunks)]


def parallel_map_chunks(func, items, *, n_jobs=None, verbose=0, desc=None, chunk_size=2000):
    """Apply ``func`` to contiguous chunks of ``items`` and return the results in order.

    Serial and parallel runs split ``items`` identically, so, as long as
    ``func`` is deterministic, their outputs are equal element for element.

    Parameters
    ----------
    func : callable
        Takes a list (a chunk of ``items``) and returns one result for it.
    items : sequence
        The work, e.g. a list of SMILES.
    n_jobs : int or None
        Number of joblib workers (``None`` means 1 unless inside a
        :func:`joblib.parallel_backend` context, ``-1`` means all cores).
    verbose : int, bool or dict
        Progress bar over chunks, see :func:`~gate_sklearn.utils._progress.progress_bar`.
    desc : str, optional
        Label of the progress bar.
    chunk_size : int
        Largest chunk; smaller chunks give a smoother progress bar and better
        load balancing at the cost of per-task overhead.

    Returns
    -------
    list
        ``[func(chunk) for chunk in chunks]``.
    """
    n_items = len(items)
    if n_items == 0:
        return []
    workers = effective_n_jobs(n_jobs)
    # Enough chunks to balance the workers and to move the bar, never tiny ones.
    n_chunks = max(math.ceil(n_items / chunk_size), workers if n_items >= 4 * workers else 1)
    slices = chunk_slices(n_items, n_chunks)
    chunks = [items[s] for s in slices]
    if workers == 1:
        results = (func(chunk) for chunk in chunks)
    else:
        results = Parallel(n_jobs=n_jobs, return_as="generator")(delayed(func)(chunk) for chunk in chunks)
    return list(progress_bar(results, verbose=verbose, total=len(chunks), desc=desc, unit="chunk"))
