"""Values made JSON-able (the safe save format and the fitted records hold plain Python numbers)."""

import numpy as np


def to_python(value):
    """A numpy scalar as the Python number it holds, anything else as is."""
    return value.item() if isinstance(value, np.generic) else value
