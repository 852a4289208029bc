"""Command line of the collection.

``python -m bering validate [DATA_DIR]``  check every data file against the data dictionary
``python -m bering figures [--out DIR]``   execute every notebook and regenerate figures/
``python -m bering refresh [NOTEBOOK ...]`` re-execute notebooks in place, storing outputs
``python -m bering readme``                regenerate the README's notebook table and codebook
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import data, paths


def _validate(args) -> int:
    data_dir = Path(args.data_dir) if args.data_dir else paths.data_dir()
    problems = data.validate_package(data_dir)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) in {data_dir}", file=sys.stderr)
        return 1
    package = data.load_package(data_dir)
    print(f"ok: {len(package['resources'])} data files in {data_dir} match the data dictionary")
    return 0


def _figures(args) -> int:
    from . import runner

    try:
        timings = runner.export_all(Path(args.out) if args.out else None, progress=not args.quiet)
    except runner.NotebookFailed as exc:
        print(f"export failed: {exc}", file=sys.stderr)
        print("figures/ was left as it was before the run", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("export interrupted; figures/ was left as it was before the run", file=sys.stderr)
        return 130
    for name, seconds in timings:
        print(f"{name:<40} {seconds:6.1f} s")
    print(f"figures written to {Path(args.out) if args.out else paths.committed_figures_dir()}")
    return 0


def _refresh(args) -> int:
    from . import runner

    targets = [Path(n) for n in args.notebooks] or None
    try:
        for path in runner.refresh(targets):
            print(f"refreshed {path.name}")
    except runner.NotebookFailed as exc:
        print(f"refresh failed: {exc}", file=sys.stderr)
        return 1
    return 0


def _readme(args) -> int:
    from . import readme

    changed = readme.update()
    print("README.md tables updated" if changed else "README.md tables already up to date")
    return 0


#: Subcommands implemented in their own module's ``main(argv) -> int``.
DELEGATED = {
    "site": ("site", "build the static HTML report into _site/ (python -m bering site --help)"),
    "bench": ("bench", "measure run time and memory against the kernel-start floor (python -m bering bench --help)"),
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in DELEGATED:
        import importlib

        module = importlib.import_module(f"bering.{DELEGATED[argv[0]][0]}")
        return module.main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m bering", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p_val = sub.add_parser("validate", help="check every data file against data/datapackage.json")
    p_val.add_argument("data_dir", nargs="?", help="data folder (default: the repository's data/)")
    p_val.set_defaults(func=_validate)
    p_fig = sub.add_parser("figures", help="execute every notebook and regenerate figures/")
    p_fig.add_argument("--out", help="write to this folder instead of figures/")
    p_fig.add_argument("--quiet", action="store_true", help="no progress bar")
    p_fig.set_defaults(func=_figures)
    p_ref = sub.add_parser("refresh", help="re-execute notebooks in place, storing their outputs")
    p_ref.add_argument("notebooks", nargs="*", help="notebook files (default: all, in order)")
    p_ref.set_defaults(func=_refresh)
    for name, (_, text) in DELEGATED.items():
        sub.add_parser(name, help=text)
    p_readme = sub.add_parser("readme", help="regenerate the README's notebook table and codebook")
    p_readme.set_defaults(func=_readme)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
