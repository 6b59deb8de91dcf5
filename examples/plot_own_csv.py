"""
Bringing your own CSV
=====================

A typical spreadsheet: a SMILES column, a few measured columns with empty
cells, and some rows that are not molecules at all. Read it with pandas, let
invalid rows become NaN instead of stopping, fit, save and reload.

The same workflow without Python, with the ``gate-sklearn`` command::

    gate-sklearn fit my_data.csv --smiles-column SMILES --targets logS hydration --out model.gate --on-invalid nan
    gate-sklearn predict model.gate new_molecules.csv --out predictions.csv
"""

# %%
# A spreadsheet as users have them (written here from bundled data).
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from gate_sklearn import GATERegressor
from gate_sklearn.datasets import load_esol, load_freesolv

folder = Path(tempfile.mkdtemp())
esol, freesolv = load_esol().frame.iloc[:400], load_freesolv().frame.iloc[:300]
sheet = pd.concat(
    [
        pd.DataFrame({"SMILES": esol.smiles, "logS": esol.logSolubility}),
        pd.DataFrame({"SMILES": freesolv.smiles, "hydration": freesolv.expt}),
        pd.DataFrame({"SMILES": ["see notebook p. 12", "", "C1CC"], "logS": [-3.0, -1.0, -2.0]}),
    ],
    ignore_index=True,
)
sheet.to_csv(folder / "my_data.csv", index=False)
print(open(folder / "my_data.csv").read()[:200])

# %%
# Read it back. Empty cells become NaN: "not measured". Rows whose SMILES is
# missing or invalid are reported once and skipped (``on_invalid="nan"``).
table = pd.read_csv(folder / "my_data.csv")
model = GATERegressor(hidden_size=64, max_iter=20, on_invalid="nan", random_state=0)
model.fit(table["SMILES"], table[["logS", "hydration"]])
print("tasks:", model.tasks_)

# %%
# Rows that were not molecules predict NaN; every other row keeps its position.
new = pd.DataFrame({"SMILES": ["CCO", "not a molecule", "c1ccccc1Cl"]})
print(pd.concat([new, pd.DataFrame(model.predict(new["SMILES"]), columns=model.tasks_)], axis=1))

# %%
# Save in the safe format (no code runs when loading) and load elsewhere.
model.save(folder / "model.gate")
reloaded = GATERegressor.load(folder / "model.gate")
assert np.allclose(reloaded.predict(["CCO"]), model.predict(["CCO"]))
