"""Shared logic for the Bering Strait crossing notebooks.

The notebooks in ``notebooks/`` tell the story; everything they compute lives here so that it
can be unit-tested and reused: data loading and validation (:mod:`bering.data`), currency and
price-year conversion (:mod:`bering.money`), figure export (:mod:`bering.export`), the shared
chart style (:mod:`bering.style`) and one module per analysis.
"""

__version__ = "0.1.0"

#: The one seed for every random draw in the collection.
SEED = 20251017

# The validation layer registers the rules that span tables with bering.data; importing it here,
# first, means every way into the package (a notebook, the command line, a test) has them.
from . import checks as _checks  # noqa: E402,F401
