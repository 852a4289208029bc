"""JupyterLab exactly as ``./tasks.sh lab`` starts it, driven in headless Chromium (Debian's
``chromium``, through Playwright, which downloads no browser here).

One slow test walks through what a reader does: Lab opens at the repository root (data/,
figures/ and notebooks/ in the file browser, no news notification), notebook 03 runs in full, the
first slider of its what-if widget moves and the widget's table changes; the kernel talks over
IPC (so no "running over TCP without encryption" warning), the figures the notebook writes land in
the session's scratch folder, and afterwards neither figures/ nor the notebooks have changed
(``git status`` and the files' contents). Settings, workspaces and runtime files go to a
temporary folder; autosave is off so the run cannot write the notebook.

Without Chromium (``BERING_CHROMIUM`` to point elsewhere) or Playwright the test skips and says
how to enable it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from browser import free_port, launch, require_browser, stop, wait_for_server, write_lab_settings

pytestmark = [pytest.mark.slow, pytest.mark.browser]

REPO = Path(__file__).resolve().parent.parent
NOTEBOOK = "notebooks/03_cost_benchmarks.ipynb"
RUN_TIMEOUT_S = 600

#: The current notebook, its kernel status, and whether any cell is still queued or running.
_STATE_JS = """() => {
  const w = window.jupyterapp.shell.currentWidget;
  if (!w || !w.context || !w.sessionContext) return null;
  const kernel = w.sessionContext.session && w.sessionContext.session.kernel;
  const prompts = [...w.node.querySelectorAll('.jp-InputArea-prompt')].map(p => p.textContent);
  return {path: w.context.path, status: kernel ? kernel.status : 'none',
          busy: prompts.some(t => t.includes('*')), cells: w.node.querySelectorAll('.jp-Cell').length};
}"""
#: The first slider in the notebook: its readout and the text of the tables in its cell's outputs.
_SLIDER_JS = """() => {
  const w = window.jupyterapp.shell.currentWidget;
  const slider = w.node.querySelector('.jp-OutputArea .widget-slider');
  if (!slider) return null;
  const cell = slider.closest('.jp-Cell');
  const readout = slider.querySelector('.widget-readout');
  const tables = [...cell.querySelectorAll('.jp-OutputArea table')].map(t => t.innerText).join('\\n---\\n');
  return {readout: readout ? (readout.value !== undefined && readout.value !== '' ? readout.value
                                                                                  : readout.textContent) : '',
          tables: tables};
}"""
_FOCUS_HANDLE_JS = """() => {
  const w = window.jupyterapp.shell.currentWidget;
  const slider = w.node.querySelector('.jp-OutputArea .widget-slider');
  slider.scrollIntoView({block: 'center'});
  const handle = slider.querySelector('.noUi-handle, input[type=range], [role=slider]');
  handle.focus();
  return handle === document.activeElement;
}"""
_LISTING_JS = """() => [...document.querySelectorAll('.jp-DirListing-itemName')].map(e => e.textContent.trim())"""


def _snapshot() -> tuple[str, dict[str, str]]:
    """git status of figures/ and notebooks/, and a digest of every file in figures/."""
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all", "--", "figures", "notebooks"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    digests = {
        p.relative_to(REPO).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((REPO / "figures").rglob("*"))
        if p.is_file()
    }
    return status, digests


def _get_json(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def _kernel_transports(proc) -> list[str]:
    """The transport in the connection file of every kernel under the Lab process."""
    import psutil

    transports = []
    for child in psutil.Process(proc.pid).children(recursive=True):
        try:
            cmdline = child.cmdline()
        except psutil.Error:
            continue
        if "ipykernel_launcher" in " ".join(cmdline) and "-f" in cmdline:
            connection = Path(cmdline[cmdline.index("-f") + 1])
            transports.append(json.loads(connection.read_text())["transport"])
    return transports


def _wait(page, what: str, predicate, timeout_s: float):
    deadline = time.monotonic() + timeout_s
    value = None
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        page.wait_for_timeout(500)
    pytest.fail(f"timed out after {timeout_s:.0f} s waiting for {what} (last seen: {value!r})")


def test_lab_runs_notebook_03_moves_the_widget_and_leaves_figures_alone(tmp_path):
    require_browser()
    from playwright.sync_api import sync_playwright

    before = _snapshot()
    checkpoints = REPO / "notebooks" / ".ipynb_checkpoints"  # Lab makes one on opening (ignored by git)
    had_checkpoints = checkpoints.exists()
    home = tmp_path / "jupyter"
    settings = home / "settings"
    write_lab_settings(
        settings,
        {
            "@jupyterlab/docmanager-extension:plugin": {"autosave": False},  # running must not write the notebook
            "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},  # every cell, to find the slider
        },
    )
    port, token = free_port(), secrets.token_hex(16)
    # kernels' IPC sockets live beside their connection files: a short folder keeps their paths
    # under the 107-byte limit of a Unix socket address
    runtime = Path(tempfile.mkdtemp(prefix="bl"))
    env = {k: v for k, v in os.environ.items() if k != "BERING_FIGURES_DIR"}
    env.update(
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_RUNTIME_DIR=str(runtime),
        JUPYTER_DATA_DIR=str(home / "data"),
        IPYTHONDIR=str(home / "ipython"),
        TMPDIR=str(tmp_path),
    )
    cmd = [
        "bash", str(REPO / "tasks.sh"), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
        "--port-retries=0", f"--IdentityProvider.token={token}", f"--LabApp.user_settings_dir={settings}",
        f"--LabApp.workspaces_dir={home / 'workspaces'}", "--LabApp.expose_app_in_browser=True",
    ]  # fmt: skip
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # CI containers run as root
    log = tmp_path / "lab.log"
    with log.open("wb") as handle:
        proc = subprocess.Popen(cmd, stdout=handle, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    started = time.time()
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for_server(proc, f"{base}/api/status?token={token}", log, "./tasks.sh lab", timeout=180)
        scratch = Path(re.search(r"go to (\S+) \(removed when Lab stops\)", log.read_text()).group(1))
        assert scratch.parent == tmp_path and scratch.is_dir()

        # served from the repository root; the shipped settings switch the news off
        root = {item["name"] for item in _get_json(f"{base}/api/contents?token={token}")["content"]}
        assert {"data", "figures", "notebooks", "README.md"} <= root, root
        notices = _get_json(f"{base}/lab/api/settings/@jupyterlab/apputils-extension:notification?token={token}")
        # (overrides.json replaces the defaults of the settings schema that the server hands out)
        assert notices["schema"]["properties"]["fetchNews"]["default"] == "false"
        assert notices["schema"]["properties"]["checkForUpdates"]["default"] is False

        with sync_playwright() as pw:
            browser = launch(pw)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{base}/lab?reset&token={token}", wait_until="domcontentloaded")
            page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell", timeout=120_000)
            listing = _wait(page, "the file browser", lambda: page.evaluate(_LISTING_JS), 60)
            assert {"data", "figures", "notebooks"} <= set(listing), listing
            page.screenshot(path=str(tmp_path / "lab_root.png"))

            page.evaluate(
                "(p) => { window.jupyterapp.commands.execute('docmanager:open', {path: p, factory: 'Notebook'});"
                " return null; }",
                NOTEBOOK,
            )
            _wait(page, "the notebook's kernel", lambda: (s := page.evaluate(_STATE_JS)) and s["path"] == NOTEBOOK
                  and s["cells"] and s["status"] == "idle", 180)  # fmt: skip
            page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); return null; }")
            page.wait_for_timeout(2000)
            state = _wait(page, "notebook 03 to finish", lambda: (s := page.evaluate(_STATE_JS)) and not s["busy"]
                          and s["status"] == "idle" and s, RUN_TIMEOUT_S)  # fmt: skip
            errors = page.evaluate(
                "() => [...window.jupyterapp.shell.currentWidget.node.querySelectorAll("
                "'.jp-OutputArea-output[data-mime-type=\"application/vnd.jupyter.stderr\"] .jp-RenderedText')]"
                ".map(e => e.textContent).filter(t => /Error|Traceback/.test(t))"
            )
            assert not errors, f"notebook 03 raised in JupyterLab: {errors[:1]}"
            first = _wait(page, "the first slider of the widget", lambda: page.evaluate(_SLIDER_JS), 60)

            assert page.evaluate(_FOCUS_HANDLE_JS), "could not focus the slider's handle"
            for _ in range(3):
                page.keyboard.press("ArrowRight")
            page.wait_for_timeout(300)
            if page.evaluate(_SLIDER_JS)["readout"] == first["readout"]:  # already at the maximum
                for _ in range(6):
                    page.keyboard.press("ArrowLeft")
            moved = _wait(
                page,
                "the widget's table to change after moving the slider",
                lambda: (s := page.evaluate(_SLIDER_JS))["tables"] and s["tables"] != first["tables"] and s,
                RUN_TIMEOUT_S,
            )
            assert moved["readout"] != first["readout"]
            page.screenshot(path=str(tmp_path / "lab_widget_moved.png"))
            print(f"\nJupyterLab screenshots: {tmp_path}; {state['cells']} cells ran; slider "
                  f"{first['readout']} -> {moved['readout']}")  # fmt: skip
            assert _kernel_transports(proc) == ["ipc"]
            browser.close()

        written = [p for p in scratch.rglob("*") if p.is_file() and p.stat().st_mtime >= started]
        assert written, "notebook 03 wrote no figure into the session's scratch folder"
    finally:
        stop(proc)
        shutil.rmtree(runtime, ignore_errors=True)
        if not had_checkpoints:
            shutil.rmtree(checkpoints, ignore_errors=True)
    text = log.read_text(errors="replace")
    assert "without encryption" not in text, "a kernel ran over TCP without encryption"
    assert not scratch.exists(), "the scratch figures folder outlived the Lab session"
    after = _snapshot()
    assert after[0] == before[0], f"git status of figures/ and notebooks/ changed:\n{before[0]}\n->\n{after[0]}"
    changed = sorted(k for k in set(before[1]) | set(after[1]) if before[1].get(k) != after[1].get(k))
    assert not changed, f"JupyterLab changed files in figures/: {changed}"
