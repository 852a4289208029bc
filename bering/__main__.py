"""Command line of the collection: ``python -m bering COMMAND [OPTIONS]``.

Every subcommand and its description is listed by ``python -m bering --help``; each has its own
``--help``. The help is plain text (reST markup in docstrings is turned into plain text by
:func:`plain`).
"""

from __future__ import annotations

import argparse
import re
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


DESCRIPTION = """\
Sourced data and notebooks on the proposed Bering Strait crossing. Each command below has its own
help: python -m bering COMMAND --help. The usual entry points are ./tasks.sh figures and
./tasks.sh test, which set up the environment first."""

#: Subcommands implemented in their own module's ``main(argv) -> int``: module, one-line help,
#: description.
DELEGATED = {
    "site": ("site", "build the static HTML report into _site/",
             "Build the static HTML report (every notebook with its stored outputs, an index and a figure "
             "gallery) from the committed notebooks and figures/. Nothing is executed."),
    "bench": ("bench", "measure run time and memory against the kernel-start floor",
              "Measure how long the notebooks, the export and the nbval suite take and how much memory they "
              "use, against the time a bare kernel needs to start, and write the results into "
              "docs/performance.md."),
}

_ROLE = re.compile(r":(?:[a-z]+:)?(?:func|meth|class|mod|attr|data|obj|exc|ref|doc|envvar|file|term):`~?([^`]+)`")


def plain(text: str) -> str:
    """Docstring text as plain text for a terminal: reST roles (``:func:`x` ``) and literals
    (double backticks) lose their markup, keeping the words."""
    text = _ROLE.sub(lambda m: m.group(1).rsplit(" <", 1)[0], text)
    text = re.sub(r"``([^`]+)``", r"\1", text)
    return re.sub(r"`([^`]+)`_?", r"\1", text)


def parser() -> argparse.ArgumentParser:
    """The command line: every subcommand with a one-line help and a description."""
    top = argparse.ArgumentParser(prog="python -m bering", description=DESCRIPTION,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help: str, description: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, description=description)

    p_val = command("validate", "check every data file against data/datapackage.json",
                    "Check every data file against the data dictionary (data/datapackage.json) and the rules "
                    "that span tables; print each problem with its file, line, column and rule. Exit status 1 "
                    "when there is any problem.")
    p_val.add_argument("data_dir", nargs="?", help="data folder (default: the repository's data/)")
    p_val.set_defaults(func=_validate)
    p_fig = command("figures", "execute every notebook and regenerate figures/",
                    "Execute every notebook headless and write its figures, the figure catalogue and the key "
                    "numbers into figures/ (or --out). The folder is replaced only when every notebook has "
                    "run.")
    p_fig.add_argument("--out", help="write to this folder instead of figures/")
    p_fig.add_argument("--quiet", action="store_true", help="no progress bar")
    p_fig.set_defaults(func=_figures)
    p_ref = command("refresh", "re-execute notebooks in place, storing their outputs",
                    "Re-execute notebooks and store their outputs in the notebook files, without timing "
                    "metadata, so that a second run changes nothing. Figures go where BERING_FIGURES_DIR "
                    "points (default figures/).")
    p_ref.add_argument("notebooks", nargs="*", help="notebook files (default: all, in order)")
    p_ref.set_defaults(func=_refresh)
    p_readme = command("readme", "regenerate the README's notebook table and codebook",
                       "Regenerate the generated blocks of README.md: the table of notebooks with their "
                       "headline numbers and the data codebook.")
    p_readme.set_defaults(func=_readme)
    for name, (_, text, description) in DELEGATED.items():
        command(name, text, description + f" Options: python -m bering {name} --help.")
    return top


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in DELEGATED:
        import importlib

        module = importlib.import_module(f"bering.{DELEGATED[argv[0]][0]}")
        return module.main(argv[1:])
    args = parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
