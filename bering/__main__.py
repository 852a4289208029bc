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

from . import paths


def _validate(args) -> int:
    from . import data

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


def _build_options(parser) -> None:
    parser.add_argument("--out", help="write figures to this folder (default: $BERING_FIGURES_DIR, else figures/)")
    parser.add_argument("--force", action="store_true", help="execute every notebook, ignoring the build cache")
    parser.add_argument("--jobs", type=int, default=None, help="kernels run at once (default: the number of cores)")
    parser.add_argument(
        "--timeout", type=float, default=None, help="seconds a cell may run before the build fails (default: 600)"
    )
    parser.add_argument(
        "--no-store", action="store_true", help="do not write the executed notebooks back into their files"
    )
    parser.add_argument("--site", action="store_true", help="also build the static report into _site/")
    parser.add_argument("--cache-dir", help="build cache folder (default: .bering-cache/ in the repository)")
    parser.add_argument("--quiet", action="store_true", help="print only the summary")


def _update(args) -> int:
    """Validate, execute what changed (in parallel), store outputs, replace figures/, README tables, site."""
    import os
    import time

    from . import runner

    if args.jobs is not None and args.jobs < 1:
        print(f"--jobs must be at least 1, not {args.jobs}", file=sys.stderr)
        return 2
    if args.timeout is not None and not args.timeout > 0:
        print(f"--timeout must be a positive number of seconds, not {args.timeout:g}", file=sys.stderr)
        return 2
    start = time.perf_counter()
    out = Path(args.out or os.environ.get("BERING_FIGURES_DIR") or paths.committed_figures_dir()).resolve()
    if os.environ.get("BERING_DATA_DIR"):
        os.environ["BERING_DATA_DIR"] = str(Path(os.environ["BERING_DATA_DIR"]).resolve())
    data_dir = paths.data_dir().resolve()
    cache = Path(args.cache_dir).resolve() if args.cache_dir else runner.default_cache_dir()
    checked = runner.data_fingerprint(data_dir)
    if runner.marker("validated", cache).get(str(data_dir)) != checked:
        from . import data

        problems = data.validate_package(data_dir)
        if problems:
            for problem in problems:
                print(problem)
            print(f"{len(problems)} problem(s) in {data_dir}; nothing was run", file=sys.stderr)
            return 1
        runner.set_marker("validated", {**runner.marker("validated", cache), str(data_dir): checked}, cache)
        print(f"ok: the data in {data_dir} match the data dictionary")
    else:
        print(f"ok: the data in {data_dir} are unchanged since they last validated")
    where = "figures/" if out == paths.committed_figures_dir().resolve() else str(out)
    progress = None if args.quiet else (lambda line: print(line, flush=True))
    try:
        report = runner.build(
            out_dir=out,
            store=not args.no_store,
            force=args.force,
            jobs=args.jobs,
            timeout=args.timeout or runner.CELL_TIMEOUT_S,
            progress=progress,
            cache_dir=cache,
        )
    except runner.Interrupted as exc:
        print(
            f"build interrupted ({exc.signame}): every kernel was stopped; {where} and the notebooks "
            "were left as they were",
            file=sys.stderr,
        )
        return 130
    except runner.BuildError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        print(f"{where} and the notebooks were left as they were", file=sys.stderr)
        return 1
    ran = report.executed
    print(
        f"{len(ran)} of {len(report.outcomes)} notebook(s) executed"
        + (f" ({', '.join(ran)})" if ran else " (nothing changed)")
        + f"; {where} "
        + ("replaced" if report.figures_changed else "unchanged")
        + f"; {len(report.stored)} notebook file(s) stored"
    )
    if out == paths.committed_figures_dir().resolve():
        inputs = [
            paths.REPO_ROOT / "README.md",
            out / "key_numbers.csv",
            out / "catalogue.csv",
            *runner.notebook_order(),
            Path(__file__).parent / "readme.py",
            Path(__file__).parent / "export.py",
        ]
        readme_key = runner.fingerprint(inputs) + checked
        if runner.marker("readme", cache).get("inputs") == readme_key:
            print("README.md tables already up to date (nothing they are made from changed)")
        else:
            from . import readme

            print("README.md tables updated" if readme.update() else "README.md tables already up to date")
            runner.set_marker("readme", {"inputs": runner.fingerprint(inputs) + checked}, cache)
    else:
        print(f"README.md left alone: its tables describe figures/, not {out}")
    if args.site:
        from . import site

        code = site.main([])
        if code:
            return code
    print(f"done in {time.perf_counter() - start:.1f} s")
    return 0


def _refresh(args) -> int:
    from . import runner

    targets = [Path(n) for n in args.notebooks] or None
    try:
        for path in runner.refresh(targets):
            print(f"refreshed {path.name}")
    except runner.Interrupted as exc:
        print(f"refresh interrupted ({exc.signame}): every kernel was stopped; nothing was replaced", file=sys.stderr)
        return 130
    except runner.BuildError as exc:
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
    "site": (
        "site",
        "build the static HTML report into _site/",
        "Build the static HTML report (every notebook with its stored outputs, an index and a figure "
        "gallery) from the committed notebooks and figures/. Nothing is executed.",
    ),
    "bench": (
        "bench",
        "measure run time and memory against the kernel-start floor",
        "Measure how long the notebooks, the export and the nbval suite take and how much memory they "
        "use, against the time a bare kernel needs to start, and write the results into "
        "docs/performance.md.",
    ),
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
    top = argparse.ArgumentParser(
        prog="python -m bering", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help: str, description: str, func=None) -> argparse.ArgumentParser:
        """A subcommand; ``func`` runs it (None: a delegated module's ``main`` does)."""
        parser = sub.add_parser(name, help=help, description=description)
        if func is not None:
            parser.set_defaults(func=func)
        return parser

    command(
        "validate",
        "check every data file against data/datapackage.json",
        "Check every data file against the data dictionary (data/datapackage.json) and the rules "
        "that span tables; print each problem with its file, line, column and rule. Exit status 1 "
        "when there is any problem.",
        _validate,
    ).add_argument("data_dir", nargs="?", help="data folder (default: the repository's data/)")
    for name in ("update", "figures"):
        p_upd = command(
            name,
            "validate, execute what changed, store the outputs, replace figures/ and the README tables"
            + (" (the same as update)" if name == "figures" else ""),
            "Validate the data, execute (in parallel kernels) only the notebooks whose inputs changed since "
            "the last build, store their outputs in place without timing metadata, replace figures/ (or "
            "--out) in one atomic step and regenerate the README tables; --site also builds the report site."
            + (" The same as update." if name == "figures" else ""),
            _update,
        )
        _build_options(p_upd)
    command(
        "refresh",
        "re-execute notebooks in place, storing their outputs",
        "Re-execute notebooks and store their outputs in the notebook files, without timing "
        "metadata, so that a second run changes nothing. Figures go where BERING_FIGURES_DIR "
        "points (default figures/).",
        _refresh,
    ).add_argument("notebooks", nargs="*", help="notebook files (default: all, in order)")
    command(
        "readme",
        "regenerate the README's notebook table and codebook",
        "Regenerate the generated blocks of README.md: the table of notebooks with their "
        "headline numbers and the data codebook.",
        _readme,
    )
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
