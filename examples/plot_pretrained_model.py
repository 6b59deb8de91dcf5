"""
Add your property to the shipped pre-trained model
==================================================

No abundant data of your own? Start from ``moses-physchem``, the model shipped
with the package: pre-trained on measured physical properties and on properties
computed with RDKit for tens of thousands of molecules. Here it learns hydration
free energy (FreeSolv) from 100 labels with
:meth:`~gate_sklearn.GATERegressor.add_task`, against a single-task model
trained on the same 100 labels. No FreeSolv molecule was in the pre-training.
"""

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import train_test_split

from gate_sklearn import GATERegressor, pretrained
from gate_sklearn.datasets import load_freesolv

X, y = load_freesolv(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
X_train, y_train = X_train.iloc[:100], y_train.iloc[:100]  # a scarce property: 100 labels

# %%
# Load the model (offline, checksum verified) and see what it was trained on.
start = time.perf_counter()
model = pretrained.load("moses-physchem")
print(f"loaded in {time.perf_counter() - start:.1f} s")
card = pretrained.model_card("moses-physchem")
print(f"{card['corpus']['molecules']:,} molecules; tasks: {', '.join(model.tasks_)}")

# %%
# Add the property: only its own modules train. The start is chosen on its labels.
start = time.perf_counter()
model.add_task(X_train, y_train.rename("hydration"), random_state=0)
added_s = time.perf_counter() - start
added = model.added_tasks_[-1]
print(f"added in {added_s:.0f} s; start: {added['chart_init']}, copied from: {added['initialised_from']}")
print("validation RMSE (standardised) per start:", added["selection"]["scores"])

# %%
# The same 100 labels, learned alone.
start = time.perf_counter()
alone = GATERegressor(random_state=0).fit(X_train, y_train)
alone_s = time.perf_counter() - start

predictions = {
    f"add_task on moses-physchem ({added_s:.0f} s)": model.predict(X_test, tasks="hydration"),
    f"single-task ({alone_s:.0f} s)": alone.predict(X_test),
}
fig, axes = plt.subplots(1, 2, figsize=(7.5, 3.5), sharex=True, sharey=True)
lims = [y_test.min() - 1, y_test.max() + 1]
for ax, (name, prediction) in zip(axes, predictions.items()):
    rmse = np.sqrt(np.mean((prediction - y_test.to_numpy()) ** 2))
    print(f"{name}: test RMSE {rmse:.2f} kcal/mol")
    ax.scatter(y_test, prediction, s=10, alpha=0.6)
    ax.plot(lims, lims, color="gray", lw=1)
    ax.set(title=f"{name}\nRMSE {rmse:.2f} kcal/mol", xlabel="measured (kcal/mol)")
axes[0].set_ylabel("predicted")
fig.tight_layout()

# %%
# The pre-trained predictions are unchanged by the addition, and the model keeps
# predicting them: here the RDKit logP and the polar surface area beside the new task.
print(model.predict(["CCO", "c1ccccc1O"], tasks=["crippen_logP", "TPSA", "hydration"]))
