"""The physical-property table, rebuilt from the data files of ``chemicals``.

The PyPI package ``chemicals`` (MIT) ships CAS-indexed tables compiled from
handbooks and the literature. :func:`load_physprop` merges 26 property
columns from them into one molecule-indexed table, keyed by RDKit-canonical
SMILES, and caches it as CSV in the data home. Nothing is downloaded.
"""

import json
import logging
import os
from importlib import metadata
from pathlib import Path
from typing import Callable, NamedTuple, Optional

import pandas as pd
import rdkit
from rdkit import Chem, rdBase

from ._base import SMILES, bunch_from_frame, get_data_home, read_table

logger = logging.getLogger(__name__)

# Bump when the recipe below changes the table: older caches are then rebuilt.
RECIPE_VERSION = 1
_CACHE_FOLDER = "physprop"
_CACHE_NAME = "chemicals_physprop_organic"
# Six significant digits hold every digit the handbooks report while
# dropping unit-conversion noise (1e-16) and the spurious precision of a
# few computed entries; it is also the format of the reference file.
_FLOAT_FORMAT = "%.6g"

_ORGANIC_ELEMENTS = frozenset("H B C N O F Si P S Cl Se Br I".split())
_IDENTIFIER_FILES = (  # CAS (2nd field) -> SMILES (5th field); disjoint tables
    "Identifiers/chemical identifiers pubchem small.tsv",
    "Identifiers/chemical identifiers pubchem large.tsv",
)


class _Source(NamedTuple):
    """One column of one ``chemicals`` data file (tab separated, ``CAS`` first)."""

    file: str
    column: str
    scale: float = 1.0  # multiplies the file's SI value into the column's unit
    clean: Optional[Callable[[pd.Series], pd.Series]] = None


def _drop_implausible_boiling_points(tb):
    # No organic liquid boils near 1200 K at 1 atm; above it the Yaws list
    # holds inorganic salts and errors (triallyl trimellitate at 2377 K).
    return tb[tb <= 1200.0]


def _drop_phenanthrene_tc_typo(tc):
    # The IUPAC table gives 0.869 (for 869 K); dropping it lets the CRC
    # table fill in, which has no phenanthrene entry, so Tc stays unknown.
    return tc.drop("85-01-8", errors="ignore")


_YAWS_BP = "Phase Change/Yaws Boiling Points.tsv"
_OPEN_MP = "Phase Change/OpenNotebook Melting Points.tsv"
_CRC_LOGP = "Environment/CRC logP table.tsv"
_SYRRES_LOGP = "Environment/Syrres logP data.csv.gz"
_CRC_ORGANIC = "Misc/Physical Constants of Organic Compounds.csv"
_CRC_RI = "Misc/CRC Handbook Organic RI.csv"
_YAWS_CRIT = "Critical Properties/Yaws Collection.tsv"
_YAWS_HF = "Reactions/Yaws Hf S0 (g).tsv"
_GHARAGHEIZI_HVAP = "Phase Change/Ghazerati Appendix Vaporization Enthalpy.tsv"
_IUPAC_CRIT = "Critical Properties/IUPACOrganicCriticalProps.tsv"
_CRC_CRIT = "Critical Properties/CRCCriticalOrganics.tsv"
_PSRK = "Critical Properties/Appendix to PSRK Revision 4.tsv"
_CRC_HVAP = "Phase Change/CRC Handbook Heat of Vaporization.tsv"
_CRC_HFUS = "Phase Change/CRC Handbook Heat of Fusion.tsv"
_POLING_DIPOLE = "Misc/Poling Dipole.csv"
_MULLER_DIPOLE = "Misc/Muller Supporting Info Dipoles.csv"
_CCCBDB_DIPOLE = "Misc/cccbdb.nist.gov Dipoles.csv"
_IEC = "Safety/IS IEC 60079-20-1 2010.tsv"
_NFPA = "Safety/NFPA 497 2008.tsv"
_SERAT = "Safety/DIPPR T_flash Serat.csv"
_HANSEN = "Misc/alshehri_hansen_solubility_parameters.tsv"

_PA_TO_BAR = 1e-5
_M3_TO_CM3 = 1e6
_J_TO_KJ = 1e-3
_PA05_TO_MPA05 = 1e-3

# Output column -> its sources in priority order: a molecule takes its value
# from the first source that has one. The dict order is the column order.
_RECIPE = {
    "Tb_K": [_Source(_YAWS_BP, "Tb", clean=_drop_implausible_boiling_points)],
    "Tm_K": [_Source(_OPEN_MP, "Tm")],
    "logP": [_Source(_CRC_LOGP, "logP"), _Source(_SYRRES_LOGP, "logP")],
    "Tb_K_CRC": [_Source(_CRC_ORGANIC, "Tb")],
    "Tm_K_CRC": [_Source(_CRC_ORGANIC, "Tm")],
    "density_kg_m3_CRC": [_Source(_CRC_ORGANIC, "rho")],
    "RI_CRC": [_Source(_CRC_RI, "RI")],
    "Tc_K_Yaws": [_Source(_YAWS_CRIT, "Tc")],
    "Pc_bar_Yaws": [_Source(_YAWS_CRIT, "Pc", _PA_TO_BAR)],
    "Vc_cm3_mol_Yaws": [_Source(_YAWS_CRIT, "Vc", _M3_TO_CM3)],
    "omega_Yaws": [_Source(_YAWS_CRIT, "omega")],
    "Hf_gas_kJ_mol_Yaws": [_Source(_YAWS_HF, "Hfg", _J_TO_KJ)],
    "S0_gas_J_molK_Yaws": [_Source(_YAWS_HF, "S0g")],
    "Hvap298_kJ_mol": [_Source(_GHARAGHEIZI_HVAP, "Hvap298", _J_TO_KJ)],
    "Tc_K": [
        _Source(_IUPAC_CRIT, "Tc", clean=_drop_phenanthrene_tc_typo),
        _Source(_CRC_CRIT, "Tc"),
    ],
    "Pc_bar": [_Source(_IUPAC_CRIT, "Pc", _PA_TO_BAR), _Source(_CRC_CRIT, "Pc", _PA_TO_BAR)],
    "Vc_cm3_mol": [_Source(_IUPAC_CRIT, "Vc", _M3_TO_CM3), _Source(_CRC_CRIT, "Vc", _M3_TO_CM3)],
    "omega_PSRK": [_Source(_PSRK, "omega")],
    "Hvap_Tb_kJ_mol": [_Source(_CRC_HVAP, "HvapTb", _J_TO_KJ)],
    "Hfus_kJ_mol": [_Source(_CRC_HFUS, "Hfus", _J_TO_KJ)],
    "dipole_D": [
        _Source(_POLING_DIPOLE, "dipole_moment"),
        _Source(_MULLER_DIPOLE, "dipole_moment"),
        _Source(_CCCBDB_DIPOLE, "dipole_moment"),
    ],
    "flash_point_K": [
        _Source(_IEC, "T_flash"),
        _Source(_NFPA, "T_flash"),
        _Source(_SERAT, "T_flash"),
    ],
    "autoignition_K": [_Source(_IEC, "T_autoignition"), _Source(_NFPA, "T_autoignition")],
    "hansen_dD_MPa05": [_Source(_HANSEN, "HANSEN_DELTA_D", _PA05_TO_MPA05)],
    "hansen_dP_MPa05": [_Source(_HANSEN, "HANSEN_DELTA_P", _PA05_TO_MPA05)],
    "hansen_dH_MPa05": [_Source(_HANSEN, "HANSEN_DELTA_H", _PA05_TO_MPA05)],
}
PROPERTY_COLUMNS = list(_RECIPE)


_DESCR = """\
.. _physprop_dataset:

Physical properties of organic molecules (from ``chemicals``)
-------------------------------------------------------------

**Data Set Characteristics:**

:Number of molecules: 20,695 single-fragment organic molecules
    (built from ``chemicals`` 1.5.2)
:Feature: ``smiles``, RDKit-canonical; ``CAS`` is kept in ``frame``
:Targets: 26 physical-property columns, NaN where not measured
:Origin: merged from the data tables of the PyPI package ``chemicals``
    (MIT), keyed by CAS number, SMILES from its PubChem identifier tables
:Licence: ``chemicals`` is MIT; the tables are compilations from the
    sources named below (see NOTICE)

**Columns** (value counts for ``chemicals`` 1.5.2; the unit is the suffix
of the name; ``MPa05`` means MPa^0.5)

Abundant, measured (pre-training sources):

=================== ========== ====== ==============================================
column              unit       count  quantity, source
=================== ========== ====== ==============================================
Tb_K                K          10,398 normal boiling point; Yaws, values > 1200 K dropped
Tm_K                K          11,276 melting point; Bradley Open Notebook (CC0)
logP                log10      4,530  octanol/water partition coefficient; CRC
                                      Handbook, then Syracuse Research (PhysProp)
=================== ========== ====== ==============================================

Scarce, experimentally measured (tasks to add):

=================== ========== ====== ==============================================
Tc_K                K          799    critical temperature; IUPAC series, then CRC
Pc_bar              bar        742    critical pressure; IUPAC series, then CRC
Vc_cm3_mol          cm3/mol    754    critical molar volume; IUPAC series, then CRC
omega_PSRK          1          838    acentric factor; PSRK revision 4 appendix
Hvap_Tb_kJ_mol      kJ/mol     442    enthalpy of vaporization at Tb; CRC Handbook
=================== ========== ====== ==============================================

Other columns:

=================== ========== ====== ==============================================
Tb_K_CRC            K          4,474  normal boiling point; CRC Handbook
Tm_K_CRC            K          6,418  melting point; CRC Handbook
density_kg_m3_CRC   kg/m3      4,866  density near room temperature; CRC Handbook
RI_CRC              1          4,035  refractive index n_D, mostly at 20 C; CRC
Tc_K_Yaws           K          5,171  critical temperature; Yaws
Pc_bar_Yaws         bar        5,171  critical pressure; Yaws
Vc_cm3_mol_Yaws     cm3/mol    5,174  critical molar volume; Yaws
omega_Yaws          1          4,508  acentric factor; Yaws
Hf_gas_kJ_mol_Yaws  kJ/mol     3,333  enthalpy of formation, ideal gas, 298.15 K; Yaws
S0_gas_J_molK_Yaws  J/(mol K)  3,263  standard entropy, ideal gas, 298.15 K; Yaws
Hvap298_kJ_mol      kJ/mol     2,034  enthalpy of vaporization at 298.15 K;
                                      Gharagheizi et al. compilation
Hfus_kJ_mol         kJ/mol     434    enthalpy of fusion at Tm; CRC Handbook
dipole_D            debye      443    dipole moment; Poling et al., then Muller
                                      et al., then NIST CCCBDB
flash_point_K       K          884    flash point; IEC 60079-20-1, then NFPA 497,
                                      then Serat et al. (DIPPR)
autoignition_K      K          307    autoignition temperature; IEC, then NFPA
hansen_dD_MPa05     MPa^0.5    847    Hansen dispersion parameter; Alshehri et al.
hansen_dP_MPa05     MPa^0.5    847    Hansen polar parameter; Alshehri et al.
hansen_dH_MPa05     MPa^0.5    847    Hansen hydrogen-bonding parameter; Alshehri
=================== ========== ====== ==============================================

**Leakage warning.** The ``*_Yaws`` columns mix measurements with
group-contribution estimates and largely repeat the scarce targets:
``Tc_K_Yaws`` exists for 630 of the 799 molecules with ``Tc_K``, lies within
1 % of it for 473 and correlates at r = 0.991. Do not use a ``*_Yaws``
column as an input or auxiliary task beside the measured column of the same
quantity (``Tc_K``, ``Pc_bar``, ``Vc_cm3_mol``, ``omega_PSRK``): that leaks
the target. Likewise the ``*_CRC`` columns repeat ``Tb_K`` and ``Tm_K``
from another handbook (r = 0.995 and 0.993 on shared molecules).

Useful relations for transfer: Tc is about 1.5 x Tb (Guldberg) and Hvap at
Tb about 88 J/(mol K) x Tb (Trouton).

**How the table is built** (no network; about 6 s, then cached):

1. CAS -> SMILES from the PubChem identifier tables of ``chemicals``.
2. Each column is read as a CAS-indexed series from its source files in the
   priority order above and converted to the unit in its name.
3. SMILES are canonicalised with RDKit; entries RDKit cannot parse, with
   several fragments (salts, mixtures), radicals, no carbon, or elements
   outside H B C N O F Si P S Cl Se Br I are dropped. Molecules sharing a
   canonical SMILES would be merged (first non-missing value, in CAS order);
   ``chemicals`` 1.5.2 has none.
4. Fixes: the Yaws boiling points above 1200 K are dropped; phenanthrene's
   IUPAC Tc of 0.869 (a unit typo for 869 K) is dropped and, as the CRC
   table has no phenanthrene, its Tc_K is missing.
5. Values are stored with 6 significant digits.

With ``chemicals`` 1.5.2 and the RDKit used for the reference this
reproduces the reference ``chemicals_physprop_organic.csv`` of the project
exactly (same molecules, same CAS, every value equal). Other ``chemicals``
versions may change the counts; other RDKit versions may write some
canonical SMILES differently.

**References**

- Bell, C. et al. ``chemicals``: chemical properties component of the
  Chemical Engineering Design Library, https://github.com/CalebBell/chemicals
- Yaws, C. L. Thermophysical Properties of Chemicals and Hydrocarbons,
  2nd ed. Gulf Professional Publishing, 2014.
- Haynes, W. M. (ed.) CRC Handbook of Chemistry and Physics, 95th ed.
  CRC Press, 2014.
- Bradley, J.-C., Williams, A. and Lang, A. Jean-Claude Bradley Open Melting
  Point Dataset (2014), figshare, CC0.
- Syracuse Research Corporation, KOWWIN/PhysProp logP data (SrcKowData2).
- IUPAC series "Vapor-liquid critical properties of elements and
  compounds", J. Chem. Eng. Data (1995-2015).
- Horstmann, S. et al. PSRK group contribution equation of state:
  comprehensive revision and extension IV. Fluid Phase Equilib. 227 (2005).
- Gharagheizi, F. et al., enthalpies of vaporization at 298.15 K,
  as compiled in ``chemicals``.
- Poling, B. E., Prausnitz, J. M. and O'Connell, J. P. The Properties of
  Gases and Liquids, 5th ed. McGraw-Hill, 2000.
- Muller, K., Mokrushina, L. and Arlt, W. J. Chem. Eng. Data 57 (2012)
  1231-1236 (dipole moments).
- NIST Computational Chemistry Comparison and Benchmark Database (CCCBDB),
  NIST SRD 101.
- IEC 60079-20-1:2010; NFPA 497 (2008); Serat, F. Z. et al. Fluid Phase
  Equilib. 449 (2017) 52-59 (flash points).
- Alshehri, A. S., Tula, A. K., You, F. and Gani, R. Hansen solubility
  parameters, as compiled in ``chemicals``.
"""


def _import_chemicals():
    try:
        import chemicals
    except ImportError as exc:
        raise ImportError(
            "load_physprop builds its table from the data files of the optional "
            "dependency 'chemicals', which is not installed. Install it with:\n"
            '    pip install "gate_sklearn[datasets]"'
        ) from exc
    return chemicals


def _read_sources(chemicals_dir):
    """Read every file the recipe names, once each, as CAS-indexed numbers."""
    columns_by_file = {}
    for sources in _RECIPE.values():
        for source in sources:
            columns_by_file.setdefault(source.file, set()).add(source.column)
    tables = {}
    for file, columns in columns_by_file.items():
        path = chemicals_dir / file
        if not path.exists():
            raise FileNotFoundError(
                f"The installed chemicals package has no data file {file!r}; "
                f"load_physprop's recipe follows chemicals 1.5.2."
            )
        table = pd.read_csv(path, sep="\t", usecols=["CAS", *columns], dtype={"CAS": str})
        table = table.dropna(subset=["CAS"])
        table["CAS"] = table["CAS"].map(_normalise_cas)
        table = table.drop_duplicates("CAS").set_index("CAS")
        tables[file] = table.apply(pd.to_numeric, errors="coerce")
    return tables


def _normalise_cas(cas):
    # Some chemicals tables store CAS numbers as integers (50000 for 50-00-0).
    cas = str(cas).strip()
    if cas.isdigit():
        cas = f"{cas[:-3]}-{cas[-3:-1]}-{cas[-1]}"
    return cas


def _merge_property(tables, sources):
    merged = None
    for source in sources:
        values = tables[source.file][source.column].dropna() * source.scale
        if source.clean is not None:
            values = source.clean(values)
        merged = values if merged is None else merged.combine_first(values)
    return merged


def _cas_to_smiles(chemicals_dir, wanted):
    """SMILES of the ``wanted`` CAS numbers from the PubChem identifier tables."""
    smiles = {}
    for file in _IDENTIFIER_FILES:
        # Plain line splitting: rows have a variable number of synonym fields.
        with open(chemicals_dir / file, encoding="utf-8") as f:
            for line in f:
                fields = line.split("\t", 5)
                if len(fields) > 4 and fields[1] in wanted:
                    smiles.setdefault(fields[1], fields[4])
    return smiles


def _canonical_organic_smiles(smiles):
    """RDKit-canonical SMILES of a single organic molecule, else None."""
    mol = Chem.MolFromSmiles(smiles)
    if mol is None or len(Chem.GetMolFrags(mol)) > 1:
        return None
    atoms = mol.GetAtoms()
    elements = {atom.GetSymbol() for atom in atoms}
    if "C" not in elements or not elements <= _ORGANIC_ELEMENTS:
        return None
    if any(atom.GetNumRadicalElectrons() for atom in atoms):
        return None
    return Chem.MolToSmiles(mol)


def _build_frame():
    """Build the table from the installed ``chemicals`` package (about 6 s)."""
    chemicals_dir = Path(_import_chemicals().__file__).parent
    tables = _read_sources(chemicals_dir)
    properties = pd.DataFrame(
        {name: _merge_property(tables, sources) for name, sources in _RECIPE.items()}
    ).sort_index()
    properties.index.name = "CAS"

    raw_smiles = _cas_to_smiles(chemicals_dir, set(properties.index))
    # Many entries are salts, metals or unparsable: keep RDKit's complaints
    # about them off the user's terminal, restoring the log state afterwards.
    with rdBase.BlockLogs():
        canonical = {cas: _canonical_organic_smiles(s) for cas, s in raw_smiles.items()}

    frame = properties.reset_index()
    frame.insert(0, SMILES, frame["CAS"].map(canonical))
    frame = frame.dropna(subset=[SMILES])
    # One row per molecule: CAS numbers sharing a structure are merged,
    # taking the first non-missing value of each column in CAS order.
    frame = frame.groupby(SMILES, sort=True).first().reset_index()
    return frame[[SMILES, "CAS", *PROPERTY_COLUMNS]]


def _current_stamp():
    """What a valid cache must have been built with (chemicals only if installed)."""
    stamp = {"recipe_version": RECIPE_VERSION, "rdkit_version": rdkit.__version__}
    try:  # the installed version, without paying for importing the package
        stamp["chemicals_version"] = metadata.version("chemicals")
    except metadata.PackageNotFoundError:
        pass  # an existing cache is then the only way to get the table
    return stamp


def _cache_is_current(csv_path, stamp_path):
    try:
        stamp = json.loads(stamp_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    expected = _current_stamp()
    return csv_path.exists() and all(stamp.get(key) == value for key, value in expected.items())


def _write_cache(frame, csv_path, stamp_path):
    """Write CSV, then stamp, each atomically: a stamp always vouches for a complete CSV."""
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    stamp_path.unlink(missing_ok=True)
    suffix = f".tmp{os.getpid()}"
    tmp = csv_path.with_name(csv_path.name + suffix)
    frame.to_csv(tmp, index=False, float_format=_FLOAT_FORMAT)
    os.replace(tmp, csv_path)
    stamp = {**_current_stamp(), "n_molecules": len(frame)}
    tmp = stamp_path.with_name(stamp_path.name + suffix)
    tmp.write_text(json.dumps(stamp, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, stamp_path)


def _check_targets(targets):
    if targets is None:
        return list(PROPERTY_COLUMNS)
    names = [targets] if isinstance(targets, str) else list(targets)
    unknown = [name for name in names if name not in _RECIPE]
    if unknown or not names:
        raise ValueError(
            f"targets must be one or more of the property columns {PROPERTY_COLUMNS}; "
            f"got {targets!r}."
        )
    if len(set(names)) != len(names):
        raise ValueError(f"targets has repeated columns: {targets!r}.")
    return targets if isinstance(targets, str) else names


# Columns kept out of every benchmark, test and choice of a default: an evaluation nothing was tuned on.
PHYSPROP_EVALUATION_COLUMNS = (
    "Hfus_kJ_mol",
    "dipole_D",
    "flash_point_K",
    "autoignition_K",
    "hansen_dD_MPa05",
    "hansen_dP_MPa05",
    "hansen_dH_MPa05",
)


def load_physprop(*, data_home=None, as_frame=True, return_X_y=False, targets=None, refresh=False):
    """Load physical properties of 20,695 organic molecules (regression).

    The table is built from the data files of the installed ``chemicals``
    package (no network) on the first call, in about 6 seconds, and cached
    as CSV in the data home; later calls read the cache. It holds 26
    property columns, NaN where a property was not measured: three abundant
    ones to pre-train on, five scarce measured ones to add as tasks, and
    further handbook columns. ``DESCR`` gives every column's source and
    count, the build recipe and references.

    ======================= ============================================
    column (unit)           quantity
    ======================= ============================================
    ``Tb_K`` (K)            normal boiling point (abundant)
    ``Tm_K`` (K)            melting point (abundant)
    ``logP`` (log10)        octanol/water partition coefficient (abundant)
    ``Tc_K`` (K)            critical temperature (scarce)
    ``Pc_bar`` (bar)        critical pressure (scarce)
    ``Vc_cm3_mol``          critical molar volume, cm3/mol (scarce)
    ``omega_PSRK`` (1)      acentric factor (scarce)
    ``Hvap_Tb_kJ_mol``      enthalpy of vaporization at Tb, kJ/mol (scarce)
    ``Tb_K_CRC`` (K)        normal boiling point, CRC Handbook
    ``Tm_K_CRC`` (K)        melting point, CRC Handbook
    ``density_kg_m3_CRC``   density near room temperature, kg/m3
    ``RI_CRC`` (1)          refractive index n_D, mostly at 20 C
    ``Tc_K_Yaws`` (K)       critical temperature, Yaws
    ``Pc_bar_Yaws`` (bar)   critical pressure, Yaws
    ``Vc_cm3_mol_Yaws``     critical molar volume, cm3/mol, Yaws
    ``omega_Yaws`` (1)      acentric factor, Yaws
    ``Hf_gas_kJ_mol_Yaws``  enthalpy of formation of the gas at 298 K, kJ/mol
    ``S0_gas_J_molK_Yaws``  standard entropy of the gas at 298 K, J/(mol K)
    ``Hvap298_kJ_mol``      enthalpy of vaporization at 298.15 K, kJ/mol
    ``Hfus_kJ_mol``         enthalpy of fusion at Tm, kJ/mol
    ``dipole_D`` (debye)    dipole moment
    ``flash_point_K`` (K)   flash point
    ``autoignition_K`` (K)  autoignition temperature
    ``hansen_dD_MPa05``     Hansen dispersion parameter, MPa^0.5
    ``hansen_dP_MPa05``     Hansen polar parameter, MPa^0.5
    ``hansen_dH_MPa05``     Hansen hydrogen-bonding parameter, MPa^0.5
    ======================= ============================================

    The last seven columns (:data:`PHYSPROP_EVALUATION_COLUMNS`: enthalpy of
    fusion, dipole moment, flash point, autoignition temperature and the
    three Hansen parameters) are this package's independent evaluation
    set: none of its benchmarks, tests or defaults ever used them, so a
    figure measured on them is one nothing was tuned on. Use them freely;
    they are a fair test of any method built on the other columns.

    .. warning::
       The ``*_Yaws`` columns mix measurements with group-contribution
       estimates and largely repeat ``Tc_K``, ``Pc_bar``, ``Vc_cm3_mol`` and
       ``omega_PSRK`` (``*_CRC`` likewise repeat ``Tb_K`` and ``Tm_K``). Do
       not use them as inputs or auxiliary tasks beside the measured column
       of the same quantity: that leaks the target.

    With ``chemicals`` 1.5.2 the table reproduces the project's reference
    file ``chemicals_physprop_organic.csv`` exactly. Values are stored with
    6 significant digits; SMILES are RDKit-canonical, so another RDKit
    version may write some of them differently.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Where to cache the table; see :func:`get_data_home`.
    as_frame : bool, default=True
        If True, ``data`` is a pandas Series of SMILES, ``target`` a
        DataFrame (a Series if ``targets`` is one column name) and ``frame``
        the whole table. If False, ``data`` is a 1-D object array of SMILES,
        ``target`` a float array and ``frame`` is None.
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.
    targets : str or list of str, default=None
        Property columns to put in ``target``. A single name gives a 1-D
        target, a list a 2-D one; None means all 26 property columns. Rows
        are never dropped: NaN marks a property that was not measured.
    refresh : bool, default=False
        Rebuild the table even if a current cache exists. A cache is current
        when it was built by the same recipe version with the installed
        ``chemicals`` and RDKit versions.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the following attributes.

        data : {Series, ndarray} of shape (20695,)
            RDKit-canonical SMILES.
        target : {DataFrame, Series, ndarray} of shape (20695,) or (20695, n_targets)
            The chosen property columns, NaN where not measured.
        frame : DataFrame of shape (20695, 28) or None
            ``smiles``, ``CAS`` and the 26 property columns, sorted by SMILES.
            None if ``as_frame=False``.
        feature_names : list of str
            ``["smiles"]``.
        target_names : list of str
            The chosen property columns.
        DESCR : str
            Sources, counts and units of every column, the build recipe,
            the leakage warning and references.

    (data, target) : tuple if ``return_X_y`` is True
        SMILES and targets, as described above.

    Raises
    ------
    ImportError
        If the table must be built and ``chemicals`` is not installed
        (``pip install "gate_sklearn[datasets]"``).

    See Also
    --------
    get_data_home : Where the cache lives.
    clear_data_home : Delete the cache.

    Notes
    -----
    Counts above are for ``chemicals`` 1.5.2. Without ``chemicals``, an
    existing cache of the same recipe and RDKit version is still used.

    Examples
    --------
    The whole table, as a DataFrame:

    >>> from gate_sklearn.datasets import load_physprop
    >>> physprop = load_physprop().frame
    >>> physprop.shape
    (20695, 28)
    >>> physprop[["Tb_K", "Tm_K", "logP"]].notna().sum().tolist()
    [10398, 11276, 4530]

    The molecules with a measured critical temperature, as ``X, y``:

    >>> smiles, tc = load_physprop(targets="Tc_K", return_X_y=True)
    >>> measured = tc.notna()
    >>> smiles[measured].shape, float(tc[measured].min())
    ((799,), 189.2)
    """
    target = _check_targets(targets)
    folder = Path(get_data_home(data_home)) / _CACHE_FOLDER
    csv_path = folder / f"{_CACHE_NAME}.csv"
    stamp_path = folder / f"{_CACHE_NAME}.json"
    if refresh or not _cache_is_current(csv_path, stamp_path):
        logger.info("Building the physical-property table from the chemicals package")
        _write_cache(_build_frame(), csv_path, stamp_path)
    # Always return what the cache holds, so the first call and later ones agree.
    frame = read_table(csv_path, text_columns=[SMILES, "CAS"])
    return bunch_from_frame(frame, target, as_frame=as_frame, return_X_y=return_X_y, descr=_DESCR)
