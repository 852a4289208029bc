"""The README's generated tables match the key numbers and the data dictionary."""

from __future__ import annotations

from bering import paths, readme


def test_readme_tables_are_current():
    text = readme.README.read_text(encoding="utf-8")
    assert readme.render(text, paths.committed_figures_dir()) == text, \
        "README tables are stale: run ./tasks.sh figures (or python -m bering readme)"


def test_readme_gives_the_two_commands_and_ci_uses_the_test_one():
    text = readme.README.read_text(encoding="utf-8")
    assert "./tasks.sh figures" in text and "./tasks.sh test" in text
    ci = (paths.REPO_ROOT / ".ci" / "run").read_text()
    assert "./tasks.sh test" in ci


def test_display_number():
    from bering.export import display_number

    assert display_number("667507.2", "USD per year") == "667,507"
    assert display_number("100.926", "USD 2025 bn") == "101"
    assert display_number("3.95375", "km") == "3.95"
    assert display_number("1890", "year") == "1890"
    assert display_number("21", "count") == "21"
