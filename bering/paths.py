"""Where the collection's files live.

The repository root is found from this file's location. Two environment variables let a user or
a test point the code elsewhere without editing anything:

``BERING_DATA_DIR``
    folder holding ``datapackage.json`` and the CSVs (default: ``<repo>/data``).
``BERING_FIGURES_DIR``
    folder that figures, the catalogue and the key numbers are written to (default: ``<repo>/figures``).
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"


def data_dir() -> Path:
    """The data folder currently in force."""
    return Path(os.environ.get("BERING_DATA_DIR") or REPO_ROOT / "data")


def figures_dir() -> Path:
    """The figures folder currently in force."""
    return Path(os.environ.get("BERING_FIGURES_DIR") or REPO_ROOT / "figures")


def committed_figures_dir() -> Path:
    """The repository's own ``figures/`` folder, whatever the environment says."""
    return REPO_ROOT / "figures"
