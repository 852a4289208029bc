"""The CI workflow, the pre-commit configuration and the launch configuration are valid and do
what docs/DEVELOPING.md says: a broken workflow fails here, not on the forge.

The workflow is checked against the GitHub Actions workflow schema that check-jsonschema ships
(offline), then for what this collection needs of it: its jobs run only the README's commands, on
every supported Python, with the lock as cache key, the site and figures/ as artifacts, a weekly
schedule, and a new push cancelling the old run.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
README_COMMANDS = re.compile(r'\./tasks\.sh (test|figures|site)( -m "not slow and not browser")?')


def _schema_check(*files: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", *map(str, files)],
        capture_output=True,
        text=True,
    )


def _workflow() -> dict:
    (path,) = WORKFLOWS
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as True
    return data


def _locked(name: str) -> str:
    match = re.search(rf"^{re.escape(name)}==(\S+)", (REPO / "requirements.lock").read_text(encoding="utf-8"), re.M)
    assert match, f"{name} is not in requirements.lock"
    return match.group(1)


def test_workflow_is_valid_against_the_schema():
    assert WORKFLOWS, "no workflow in .github/workflows"
    result = _schema_check(*WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_broken_workflow_fails_the_check(tmp_path):
    broken = yaml.safe_load(WORKFLOWS[0].read_text(encoding="utf-8"))
    broken["jobs"]["test"]["stepz"] = broken["jobs"]["test"].pop("steps")
    path = tmp_path / "broken.yml"
    path.write_text(yaml.safe_dump(broken), encoding="utf-8")
    result = _schema_check(path)
    assert result.returncode == 1
    assert "'stepz' was unexpected" in result.stdout


def test_jobs_run_only_the_readme_commands():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    runs = [step["run"] for job in _workflow()["jobs"].values() for step in job["steps"] if "run" in step]
    assert runs
    for run in runs:
        assert README_COMMANDS.fullmatch(run.strip()), f"a CI step runs another command than the README's: {run!r}"
        assert run.split()[1] in readme
    assert (REPO / ".ci" / "run").read_text(encoding="utf-8").strip().endswith("./tasks.sh test")


def test_every_supported_python_is_tested_with_the_browser():
    classifiers = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["classifiers"]
    supported = [c.rsplit(" ", 1)[1] for c in classifiers if re.fullmatch(r".*:: 3\.\d+", c)]
    test = _workflow()["jobs"]["test"]
    assert test["strategy"]["matrix"]["python"] == supported
    assert "bookworm" in test["container"]  # Debian, so apt-get installs the real chromium
    assert [s["run"] for s in test["steps"] if "run" in s] == ["./tasks.sh test"]
    macos = _workflow()["jobs"]["macos"]
    assert macos["runs-on"].startswith("macos")
    assert [s["run"] for s in macos["steps"] if "run" in s] == ['./tasks.sh test -m "not slow and not browser"']


def test_caching_schedule_concurrency_and_artifacts():
    workflow = _workflow()
    assert any("cron" in entry for entry in workflow["on"]["schedule"])
    cron = workflow["on"]["schedule"][0]["cron"].split()
    assert cron[2] == "*" and cron[3] == "*" and cron[4] != "*", "the scheduled run is weekly"
    assert workflow["concurrency"]["cancel-in-progress"] is True
    for name, job in workflow["jobs"].items():
        caches = [s for s in job["steps"] if s.get("uses", "").startswith(("actions/cache", "actions/setup-python"))]
        assert caches, f"job {name} caches nothing"
        for step in caches:
            assert "requirements.lock" in str(step.get("with", {})), f"job {name}: cache not keyed on the lock"
    uploads = {
        s["with"]["path"]
        for s in workflow["jobs"]["figures"]["steps"]
        if s.get("uses", "").startswith("actions/upload-artifact")
    }
    assert uploads == {"figures/", "_site/"}


def test_pre_commit_runs_the_linters_of_the_test_suite_at_the_locked_versions():
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    repos = {r["repo"].rsplit("/", 1)[1]: r for r in config["repos"]}
    ruff = repos["ruff-pre-commit"]
    assert ruff["rev"] == f"v{_locked('ruff')}"
    assert {h["id"] for h in ruff["hooks"]} == {"ruff-check", "ruff-format"}
    schema = repos["check-jsonschema"]
    assert schema["rev"] == _locked("check-jsonschema")
    assert {h["id"] for h in schema["hooks"]} == {"check-github-workflows"}


@pytest.mark.parametrize("script", ["tasks.sh", ".ci/run", "binder/postBuild", "binder/start"])
def test_shell_scripts_parse(script):
    result = subprocess.run(["bash", "-n", str(REPO / script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
