"""What every browser test needs, written once: where Chromium is, how it is started so that
nothing leaves the machine, free ports, waiting for and stopping a server the test started, and
where screenshots go.

The browser is Debian's ``chromium`` (``/usr/bin/chromium``, or ``BERING_CHROMIUM``) driven by
Playwright, which never downloads a browser of its own here. It resolves no host name but
localhost (:data:`NO_DNS`), so a request for another host fails instead of leaving; the tests
that watch requests record it too. Used by ``test_browser.py`` (the site and the notebooks in
JupyterLab) and ``test_lab_browser.py`` (``./tasks.sh lab`` end to end); ``test_tasks_browser.py``
checks that ``tasks.sh`` looks for the browser at the same place and gives the same hint.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

#: The browser the tests drive (the default is where Debian's package puts it; tasks.sh agrees).
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM = Path(os.environ.get("BERING_CHROMIUM", DEFAULT_CHROMIUM))
#: How to get a browser, as ``./tasks.sh test`` says it when it skips the browser tests.
ENABLE_HINT = "enable them with ./tasks.sh setup-browser (Debian/Ubuntu) or BERING_CHROMIUM=/path/to/chromium"
#: Chromium resolves no name but localhost: nothing a page asks for can leave the machine.
NO_DNS = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    NO_DNS,
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def require_browser() -> None:
    """Skip the calling test, saying how to enable it, when Chromium or Playwright is missing."""
    if not CHROMIUM.exists():
        pytest.skip(f"no browser at {CHROMIUM}: {ENABLE_HINT}")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("the playwright Python package is not installed (it is in the test extra)")


def launch(pw, profile: Path | None = None, **options):
    """Headless Chromium from Playwright ``pw`` with :data:`CHROMIUM_ARGS`: a browser, or with
    ``profile`` a persistent context on that (new, empty) profile folder. ``options`` go to
    Playwright (``viewport=``, ``service_workers=`` ...)."""
    common = {"executable_path": str(CHROMIUM), "headless": True, "args": list(CHROMIUM_ARGS)}
    if profile is not None:
        return pw.chromium.launch_persistent_context(str(profile), **common, **options)
    return pw.chromium.launch(**common, **options)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_server(proc, url: str, log: Path, what: str, timeout: float = 120) -> None:
    """Wait until ``url`` answers 200; fail with the end of ``log`` if ``proc`` exits or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{what} exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    pytest.fail(f"{what} did not answer on {url} within {timeout:.0f} s:\n{log.read_text(errors='replace')[-3000:]}")


def stop(proc) -> None:
    """Stop a server this test started with ``start_new_session=True``: SIGTERM to its process
    group (so the server shuts its kernels down), SIGKILL after 30 s, then every process it had
    started that is still there, by process id."""
    import psutil

    try:
        children = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    if proc.poll() is None:
        _signal_group(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            _signal_group(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    gone, alive = psutil.wait_procs(children, timeout=15)  # kernels leave after their server
    for child in alive:
        try:
            child.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(alive, timeout=10)
    _signal_group(proc.pid, signal.SIGKILL)  # anything else left in the group this test made


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def screenshot_folder() -> tuple[Path, bool]:
    """Where screenshots go, and whether they show whole pages: ``BERING_SCREENSHOTS=DIR`` chooses
    the folder and asks for whole pages; otherwise a new temporary folder and the first screenful
    (a full-page PNG of a long notebook costs seconds)."""
    chosen = os.environ.get("BERING_SCREENSHOTS")
    folder = Path(chosen or tempfile.mkdtemp(prefix="bering-screenshots-"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder, bool(chosen)


def write_lab_settings(settings: Path, values: dict[str, dict]) -> None:
    """JupyterLab user settings for a test: ``{"@jupyterlab/notebook-extension:tracker": {...}}``
    written as ``settings/@jupyterlab/notebook-extension/tracker.jupyterlab-settings``."""
    import json

    for plugin, value in values.items():
        package, name = plugin.split(":")
        path = settings / package / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value), encoding="utf-8")
