"""The command line's help is plain text and complete: every subcommand is listed with a one-line
help, and each has its own --help with a description, without reST markup."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from bering import __main__ as cli

MARKUP = re.compile(r"``|:(?:func|meth|class|mod|attr|data|obj|exc|ref):`|`[^`\s][^`]*`")


def _subcommands() -> dict[str, str]:
    action = next(a for a in cli.parser()._actions if a.dest == "command")
    return {choice.dest: choice.help for choice in action._choices_actions}


def _help(argv: list[str], capsys) -> str:
    with pytest.raises(SystemExit) as exit_:
        cli.main([*argv, "--help"])
    assert exit_.value.code == 0
    return capsys.readouterr().out


def test_plain_turns_rest_markup_into_words():
    text = "Run ``pytest --nbval`` via :func:`bering.runner.export_all` or :class:`~bering.site.Page`, see `docs`_."
    assert cli.plain(text) == "Run pytest --nbval via bering.runner.export_all or bering.site.Page, see docs."


def test_every_subcommand_is_listed_with_its_help(capsys):
    commands = _subcommands()
    assert {"validate", "figures", "refresh", "readme", "site", "bench"} <= set(commands)
    assert all(text and len(text.split()) >= 3 for text in commands.values()), commands
    top = _help([], capsys)
    for name, text in commands.items():
        assert re.search(rf"^\s+{name}\s+{re.escape(text[:30])}", top, re.M), f"{name} missing from --help"
    assert not MARKUP.search(top), MARKUP.search(top)


@pytest.mark.parametrize("name", sorted(_subcommands()))
def test_each_subcommand_has_plain_help_with_a_description(name, capsys):
    text = _help([name], capsys)
    assert text.startswith(f"usage: python -m bering {name}")
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    description = paragraphs[1]
    assert not description.lstrip().startswith(("positional arguments", "options")), f"{name} has no description"
    assert len(description.split()) >= 8
    found = MARKUP.search(text)
    assert found is None, f"python -m bering {name} --help shows markup {found.group(0)!r}"


def test_help_through_the_module_entry_point():
    out = subprocess.run([sys.executable, "-m", "bering", "--help"], capture_output=True, text=True, check=True).stdout
    assert "usage: python -m bering" in out and "bench" in out and "site" in out
