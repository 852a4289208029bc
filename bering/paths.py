"""Where the collection's files live.

The repository root is found from this file's location. Two environment variables let a user or
a test point the code elsewhere without editing anything:

``BERING_DATA_DIR``
    folder holding ``datapackage.json`` and the CSVs (default: ``<repo>/data``).
``BERING_FIGURES_DIR``
    folder that figures, the catalogue and the key numbers are written to (default: ``<repo>/figures``).

A relative value means one folder only: the one it names from the working directory of the
process that first imports this module (the entry point: ``python -m bering``, pytest, a kernel
started by hand). :func:`pin_environment` runs then, once, and writes the absolute form back into
the environment, so that every process started afterwards (the notebook kernels, which start in
``notebooks/``) sees the same folder rather than one named from its own working directory.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"

#: The environment variables that name folders.
FOLDER_VARIABLES = ("BERING_DATA_DIR", "BERING_FIGURES_DIR")


def absolute(path: str | os.PathLike, base: str | os.PathLike | None = None) -> Path:
    """``path`` as an absolute path, named from ``base`` (default: the working directory) when it is
    relative. ``~`` is expanded; symbolic links are left as they are (a link is a folder the user chose)."""
    path = Path(path).expanduser()
    if not path.is_absolute():
        path = Path(base if base is not None else os.getcwd()) / path
    return Path(os.path.normpath(path))


def pin_environment(environ: dict | None = None, base: str | os.PathLike | None = None) -> dict[str, str]:
    """Rewrite every folder variable of ``environ`` (default: ``os.environ``) that holds a relative
    path as the absolute path it names from ``base`` (default: the working directory). Returns the
    variables that changed, ``{name: absolute}``. Calling it twice changes nothing the second time."""
    environ = os.environ if environ is None else environ
    changed = {}
    for name in FOLDER_VARIABLES:
        value = environ.get(name)
        if value and not Path(value).expanduser().is_absolute():
            environ[name] = changed[name] = str(absolute(value, base))
    return changed


def _from_environment(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return absolute(value) if value else default


def data_dir() -> Path:
    """The data folder currently in force, as an absolute path."""
    return _from_environment("BERING_DATA_DIR", REPO_ROOT / "data")


def figures_dir() -> Path:
    """The figures folder currently in force, as an absolute path."""
    return _from_environment("BERING_FIGURES_DIR", REPO_ROOT / "figures")


def committed_figures_dir() -> Path:
    """The repository's own ``figures/`` folder, whatever the environment says."""
    return REPO_ROOT / "figures"


# Once, when the entry point first imports the package: relative folders become absolute for this
# process and every process it starts.
pin_environment()
