"""Command line of the collection.

``python -m bering validate [DATA_DIR]``  check every data file against the data dictionary
``python -m bering update [--force]``      execute what changed; store outputs, figures/, README
``python -m bering figures``               the same as update
``python -m bering refresh [NOTEBOOK ...]`` re-execute notebooks in place, storing outputs
``python -m bering readme``                regenerate the README's notebook table and codebook
"""

from __future__ import annotations

import argparse
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
    parser.add_argument("--timeout", type=float, default=None,
                        help="seconds a cell may run before the build fails (default: 600)")
    parser.add_argument("--no-store", action="store_true",
                        help="do not write the executed notebooks back into their files")
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
        report = runner.build(out_dir=out, store=not args.no_store, force=args.force, jobs=args.jobs,
                              timeout=args.timeout or runner.CELL_TIMEOUT_S, progress=progress,
                              cache_dir=cache)
    except runner.Interrupted as exc:
        print(f"build interrupted ({exc.signame}): every kernel was stopped; {where} and the notebooks "
              "were left as they were", file=sys.stderr)
        return 130
    except runner.BuildError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        print(f"{where} and the notebooks were left as they were", file=sys.stderr)
        return 1
    ran = report.executed
    print(f"{len(ran)} of {len(report.outcomes)} notebook(s) executed"
          + (f" ({', '.join(ran)})" if ran else " (nothing changed)")
          + f"; {where} " + ("replaced" if report.figures_changed else "unchanged")
          + f"; {len(report.stored)} notebook file(s) stored")
    if out == paths.committed_figures_dir().resolve():
        inputs = [paths.REPO_ROOT / "README.md", out / "key_numbers.csv", out / "catalogue.csv",
                  *runner.notebook_order(), Path(__file__).parent / "readme.py", Path(__file__).parent / "export.py"]
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
        print(f"refresh interrupted ({exc.signame}): every kernel was stopped; nothing was replaced",
              file=sys.stderr)
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
    for name in ("update", "figures"):
        text = "validate, execute what changed, store the outputs, replace figures/ and the README tables"
        p_upd = sub.add_parser(name, help=text + (" (the same as update)" if name == "figures" else ""))
        _build_options(p_upd)
        p_upd.set_defaults(func=_update)
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
