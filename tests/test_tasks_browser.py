"""How the test command gets Chromium for the browser tests (tasks.sh, browser_for_tests).

It installs Debian's chromium only when that needs no password (root, passwordless sudo), always
tries under CI=true (and fails if it cannot), never when the browser tests are left out, and
otherwise skips them with one line saying how to enable them.

The functions of tasks.sh run here with fake ``id``, ``sudo`` and ``apt-get`` commands first on
PATH; nothing is installed.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from browser import DEFAULT_CHROMIUM, ENABLE_HINT

REPO = Path(__file__).resolve().parent.parent
#: tasks.sh and the browser tests' own skip (tests/browser.py) give the same hint
SKIP_LINE = "browser tests skipped: no Chromium at {path}; " + ENABLE_HINT


def _fake(bin_dir: Path, name: str, body: str) -> None:
    path = bin_dir / name
    path.write_text("#!/bin/bash\n" + body + "\n", encoding="utf-8")
    path.chmod(0o755)


@pytest.fixture
def shell(tmp_path):
    """Run browser_for_tests from tasks.sh as a given user id, with or without sudo and apt-get."""

    def run(*args: str, uid: int = 1000, sudo: str | None = None, env: dict | None = None):
        bin_dir = tmp_path / "bin"
        bin_dir.mkdir(exist_ok=True)
        chromium = tmp_path / "chromium"
        log = tmp_path / "calls.log"
        _fake(bin_dir, "id", f'[ "$1" = -u ] && echo {uid} || /usr/bin/id "$@"')
        if sudo == "passwordless":
            _fake(bin_dir, "sudo", f'echo "sudo $*" >> {log}; [ "$1" = -n ] && shift; [ "$1" = true ] || "$@"')
        elif sudo == "password":
            _fake(bin_dir, "sudo", f'echo "sudo $*" >> {log}; [ "$1" = -n ] && exit 1; "$@"')
        else:
            _fake(bin_dir, "sudo", "exit 127")  # stands for no sudo at all
        _fake(bin_dir, "apt-get", f'echo "apt-get $*" >> {log}; [ "$1" = install ] && touch {chromium} '
                                   f'&& chmod +x {chromium}; exit 0')  # fmt: skip
        # the functions of tasks.sh (everything before its command dispatch), then the one under test
        script = (
            f'eval "$(sed "/^cmd=/,\\$d" tasks.sh)"\nCHROMIUM=${{BERING_CHROMIUM:-{chromium}}}\nbrowser_for_tests "$@"'
        )
        full_env = {k: v for k, v in os.environ.items() if k not in ("CI", "BERING_CHROMIUM")}
        full_env["PATH"] = f"{bin_dir}:{full_env['PATH']}"
        full_env.update(env or {})
        result = subprocess.run(
            ["bash", "-c", script, "tasks.sh", *args],
            cwd=REPO,
            capture_output=True,
            text=True,
            env=full_env,
        )
        calls = log.read_text().splitlines() if log.exists() else []
        return result, calls, chromium

    return run


def test_tasks_looks_for_the_browser_where_the_browser_tests_do():
    env = {k: v for k, v in os.environ.items() if k != "BERING_CHROMIUM"}
    script = 'eval "$(sed "/^cmd=/,\\$d" tasks.sh)"\necho "$CHROMIUM"'
    result = subprocess.run(["bash", "-c", script], cwd=REPO, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == DEFAULT_CHROMIUM


def test_no_root_no_sudo_skips_with_one_line(shell):
    result, calls, chromium = shell()
    assert result.returncode == 0
    assert result.stdout.strip() == SKIP_LINE.format(path=chromium)
    assert calls == []


def test_password_sudo_is_not_asked_for_by_the_test_command(shell):
    result, calls, chromium = shell(sudo="password")
    assert result.returncode == 0
    assert result.stdout.strip().endswith(SKIP_LINE.format(path=chromium))
    assert not any(call.startswith("apt-get") for call in calls)


def test_root_installs_debians_chromium(shell):
    result, calls, chromium = shell(uid=0)
    assert result.returncode == 0, result.stderr
    assert calls == ["apt-get update -qq", "apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core"]
    assert "skipped" not in result.stdout and chromium.exists()


def test_passwordless_sudo_installs_through_sudo(shell):
    result, calls, chromium = shell(sudo="passwordless")
    assert result.returncode == 0, result.stderr
    assert "sudo -n apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core" in calls
    assert chromium.exists()


def test_leaving_the_browser_tests_out_installs_nothing(shell):
    for args in (["-k", "not browser"], ["-m", "not slow and not browser"]):
        result, calls, _ = shell(*args, uid=0)
        assert result.returncode == 0 and result.stdout == "" and calls == []


def test_bering_chromium_is_honoured_and_never_installed_over(shell, tmp_path):
    elsewhere = tmp_path / "my-chromium"
    result, calls, _ = shell(uid=0, env={"BERING_CHROMIUM": str(elsewhere)})
    assert result.stdout.strip() == SKIP_LINE.format(path=elsewhere) and calls == []
    elsewhere.write_text("")
    elsewhere.chmod(0o755)
    result, calls, _ = shell(uid=0, env={"BERING_CHROMIUM": str(elsewhere)})
    assert result.returncode == 0 and result.stdout == "" and calls == []


def test_ci_installs_and_fails_when_it_cannot(shell):
    result, calls, chromium = shell(uid=0, env={"CI": "true"})
    assert result.returncode == 0 and chromium.exists()
    chromium.unlink()
    result, calls, chromium = shell(env={"CI": "true"})  # no root, no sudo: cannot install
    assert result.returncode == 1
    assert "CI: no Chromium" in result.stderr and "the browser tests must run here" in result.stderr
