"""The site and the notebooks in a real browser: headless Chromium (Debian's ``chromium`` package)
driven by Playwright, which never downloads a browser of its own here.

* every page of the built site, served from a local ``http.server`` on 127.0.0.1: plotly charts
  render, the console shows no error, no request goes to another host, every image has alt
  text, every link, script, stylesheet, image and frame inside the site resolves (fragments
  included), nothing is wider than a 390 px phone screen, and code cells are folded away until
  their toggle is clicked; the search page finds a known word;
* the index, the gallery and a notebook page opened from disk (``file://``) render their charts;
* every notebook opened in JupyterLab (started here on a free local port with its own token and
  settings, serving a copy of the notebooks, stopped after) renders its stored plotly outputs.

Chromium is told to resolve no host name but localhost, so nothing can leave the machine; every
request for another host is recorded and fails the test that caused it. Screenshots go to a
temporary folder whose path is printed: the first screenful of every page, or whole pages with
``BERING_SCREENSHOTS=DIR``. Without /usr/bin/chromium (``BERING_CHROMIUM`` to point elsewhere) or
without Playwright the tests skip and say why.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import secrets
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

import pytest
from browser import (
    DESKTOP,
    LOCAL_HOSTS,
    PHONE,
    free_port,
    launch,
    require_browser,
    screenshot_folder,
    stop,
    wait_for_server,
    write_lab_settings,
)

from bering import site

pytestmark = pytest.mark.browser

PLOT_TIMEOUT_MS = 20_000

#: Every plotly container on the page (and nothing else): how many, and how many have drawn an svg.
_PLOTS_JS = """() => {
  const divs = [...document.querySelectorAll('.plotly-graph-div')];
  return [divs.length,
          divs.filter(d => d.classList.contains('js-plotly-plot') && d.querySelector('svg.main-svg')).length];
}"""
_ALTLESS_JS = """() => [...document.images].filter(i => !(i.getAttribute('alt') || '').trim())
                                           .map(i => i.src.slice(0, 80))"""
_URLS_JS = """() => {
  const out = [];
  for (const [sel, prop] of [['a[href]', 'href'], ['link[href]', 'href'], ['script[src]', 'src'],
                             ['img[src]', 'src'], ['iframe[src]', 'src']]) {
    for (const el of document.querySelectorAll(sel)) out.push([el.tagName.toLowerCase(), el[prop]]);
  }
  return out;
}"""
_IDS_JS = """() => [...document.querySelectorAll('[id], a[name]')].map(e => e.id || e.getAttribute('name'))"""


# ---------------------------------------------------------------------------------------------
# Fixtures: the built site, a local server for it, a browser with a fresh profile


@pytest.fixture(scope="module")
def inputs(real_site) -> Path:
    """A copy of what the site is built from, so the pages and the notebooks they are checked
    against cannot change while the tests run (shared with test_site.py, read only)."""
    require_browser()
    return real_site[0]


@pytest.fixture(scope="module")
def notebooks(inputs) -> list[Path]:
    return sorted((inputs / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture(scope="module")
def built(inputs, real_site) -> Path:
    """The site, built the way ``python -m bering site`` builds it (its own checks are
    test_site.py's business: here, what a browser makes of it)."""
    return real_site[1]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # the browser may drop a connection it no longer needs (a page closed mid-download)
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


@pytest.fixture(scope="module")
def server(built):
    httpd = _Server(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(built)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(10)


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "file", "about") or parts.hostname in LOCAL_HOSTS


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """A Chromium context with a new, empty profile. Every request to another host is recorded
    (``context.outside``) and cannot leave the machine: Chromium resolves no name but localhost.
    (Requests are watched, not intercepted: interception would switch off the HTTP cache and
    make every page parse plotly.min.js from scratch.)"""
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        context = launch(pw, tmp_path_factory.mktemp("chromium-profile"), viewport=DESKTOP, service_workers="block")
        context.outside = []
        context.on("request", lambda request: None if _is_local(request.url) else context.outside.append(request.url))
        try:
            yield context
        finally:
            context.close()


@pytest.fixture(scope="module")
def shots() -> tuple[Path, bool]:
    return screenshot_folder()


class _Watch:
    """Console errors, page errors and failed requests of one page (and its frames)."""

    def __init__(self, page):
        self.errors: list[str] = []
        page.on(
            "console",
            lambda m: self.errors.append(f"console {m.type}: {m.text}") if m.type in ("error", "assert") else None,
        )
        page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: self.errors.append(f"request failed: {r.url} ({r.failure})"))
        page.on("response", lambda r: self.errors.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)


def _wait_for_plots(frame, expected: int | None, where: str) -> int:
    """Wait until every plotly container in ``frame`` has drawn; return how many there are."""
    deadline = time.monotonic() + PLOT_TIMEOUT_MS / 1000
    while True:
        total, drawn = frame.evaluate(_PLOTS_JS)
        if total == drawn and (expected is None or total == expected):
            return total
        if time.monotonic() > deadline:
            pytest.fail(
                f"{where}: {drawn} of {total} plotly charts rendered (.js-plotly-plot with an "
                f"svg.main-svg), expected {expected if expected is not None else total}"
            )
        frame.wait_for_timeout(100)


def _expected_plots(html_file: Path) -> int:
    """How many plotly containers a page of the site holds, from its file."""
    text = html_file.read_text(encoding="utf-8")
    return len(re.findall(r'class="plotly-graph-div[" ]', text))


def _site_pages(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.html") if "_static" not in p.parts)


#: Code cell inputs a reader can see (MyST-NB folds them in <details class="hide">).
_VISIBLE_CODE_JS = """() => [...document.querySelectorAll('div.cell div.cell_input')]
                         .filter(e => e.checkVisibility()).length"""


# ---------------------------------------------------------------------------------------------
# Every page over http


def test_every_page_in_the_browser(built, notebooks, server, browser, shots, capsys):
    pages = _site_pages(built)
    assert "index.html" in pages and "gallery.html" in pages and "citation.html" in pages
    already_outside = len(browser.outside)
    problems: list[str] = []
    links: dict[str, set[str]] = {}  # target URL without fragment -> pages linking it
    fragments: dict[str, set[tuple[str, str]]] = {}
    ids: dict[str, set[str]] = {}
    for name in pages:
        page = browser.new_page()
        watch = _Watch(page)
        url = server + name
        page.goto(url, wait_until="load")
        frames = [page.main_frame, *page.main_frame.child_frames]
        for frame in frames:
            file_name = urlsplit(frame.url).path.lstrip("/")
            where = f"{name} (frame {file_name})" if frame is not page.main_frame else name
            _wait_for_plots(frame, _expected_plots(built / file_name), where)
            for src in frame.evaluate(_ALTLESS_JS):
                problems.append(f"{where}: <img src={src}...> has no alt text")
        if name in {f"notebooks/{p.stem}.html" for p in notebooks}:
            nb = next(p for p in notebooks if f"notebooks/{p.stem}.html" == name)
            drawn = page.evaluate(_PLOTS_JS)[1]
            if drawn != site.plotly_outputs(nb):
                problems.append(f"{name}: {drawn} charts drawn for {site.plotly_outputs(nb)} plotly outputs")
            if page.evaluate(_VISIBLE_CODE_JS):
                problems.append(f"{name}: {page.evaluate(_VISIBLE_CODE_JS)} code cells shown before their toggle")
        ids[url] = set(page.evaluate(_IDS_JS))
        for tag, target in page.evaluate(_URLS_JS):
            if urlsplit(target).hostname in LOCAL_HOSTS:
                bare, fragment = urldefrag(target)
                links.setdefault(bare, set()).add(name)
                if fragment and tag == "a":
                    fragments.setdefault(bare, set()).add((fragment, name))
        folder, full = shots
        page.screenshot(path=str(folder / (name.replace("/", "__") + ".png")), full_page=full)
        page.set_viewport_size(PHONE)
        page.wait_for_timeout(200)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            problems.append(f"{name}: {width} px wide on a {PHONE['width']} px screen")
        if name in ("index.html", "gallery.html", "notebooks/01_proposal_timeline.html") or name.startswith(
            "figures/01_"
        ):
            page.screenshot(path=str(folder / (name.replace("/", "__") + "-390.png")))
        problems += [f"{name}: {e}" for e in watch.errors]
        page.close()
    for target, sources in sorted(links.items()):
        try:
            with urllib.request.urlopen(target, timeout=10) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        if status != 200:
            problems.append(f"broken link {target} (HTTP {status}) on {', '.join(sorted(sources))}")
    for target, wanted in sorted(fragments.items()):
        if target not in ids:
            path = built / urlsplit(target).path.lstrip("/")
            ids[target] = site.scan_page(path).ids if path.suffix == ".html" and path.is_file() else set()
        for fragment, source in sorted(wanted):
            if fragment not in ids[target] and unquote(fragment) not in ids[target]:
                problems.append(f"{source}: link to {target}#{fragment} finds no such id")
    problems += [f"request to another host: {u}" for u in browser.outside[already_outside:]]
    with capsys.disabled():
        how = "whole pages" if shots[1] else "first screenful; BERING_SCREENSHOTS=DIR for whole pages"
        print(f"\nscreenshots of {len(pages)} pages ({how}): {shots[0]}")
    assert problems == [], "\n".join(problems)


def test_pages_work_opened_from_disk(built, notebooks, browser):
    """file:// : the shared plotly.min.js and the figure frames load by relative paths. All
    notebook pages are alike in that, so the index, the gallery and the first notebook page with
    a chart stand for them."""
    problems: list[str] = []
    already_outside = len(browser.outside)
    with_charts = [f"notebooks/{p.stem}.html" for p in notebooks if site.plotly_outputs(p)]
    names = ["index.html", "gallery.html", *with_charts[:1]]
    for name in names:
        page = browser.new_page()
        watch = _Watch(page)
        page.goto((built / name).as_uri(), wait_until="load")
        for frame in [page.main_frame, *page.main_frame.child_frames]:
            file_name = Path(unquote(urlsplit(frame.url).path)).relative_to(built).as_posix()
            _wait_for_plots(frame, _expected_plots(built / file_name), f"file://{name} ({file_name})")
        problems += [f"file://{name}: {e}" for e in watch.errors]
        page.close()
    problems += [f"request to another host: {u}" for u in browser.outside[already_outside:]]
    assert problems == [], "\n".join(problems)


def test_code_toggle_and_search(built, notebooks, server, browser, shots):
    """Code is folded by default and one click shows it; the search page finds a word every
    notebook about the crossing uses."""
    name = f"notebooks/{notebooks[1].stem}.html"
    page = browser.new_page()
    watch = _Watch(page)
    page.goto(server + name, wait_until="load")
    assert page.evaluate(_VISIBLE_CODE_JS) == 0
    page.locator("div.cell details.hide summary").first.click()
    assert page.evaluate(_VISIBLE_CODE_JS) == 1
    page.goto(server + "search.html?q=tunnel", wait_until="load")
    page.wait_for_selector("#search-results ul.search li", timeout=PLOT_TIMEOUT_MS)
    hits = page.locator("#search-results ul.search li a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    page.screenshot(path=str(shots[0] / "search-tunnel.png"))
    page.close()
    assert any(h.startswith("notebooks/") for h in hits), hits
    assert watch.errors == []


def test_the_guard_sees_requests_to_other_hosts(browser, tmp_path):
    """A page that loads from another host is caught (and the request goes nowhere)."""
    (tmp_path / "leak.html").write_text(
        '<!DOCTYPE html><title>leak</title><img alt="x" src="https://example.org/pixel.png">', encoding="utf-8"
    )
    already_outside = len(browser.outside)
    page = browser.new_page()
    watch = _Watch(page)
    page.goto((tmp_path / "leak.html").as_uri(), wait_until="load")
    page.close()
    assert browser.outside[already_outside:] == ["https://example.org/pixel.png"]
    del browser.outside[already_outside:]
    assert any("request failed: https://example.org/pixel.png" in e for e in watch.errors)


# ---------------------------------------------------------------------------------------------
# JupyterLab


#: The notebook ``p`` is the current document and its cells are on screen.
_LAB_CELLS_JS = """(p) => { const w = window.jupyterapp.shell.currentWidget;
                          return !!(w && w.context && w.context.path === p && w.node.querySelector('.jp-Cell')); }"""
#: How many plotly outputs of the current notebook have drawn (a .js-plotly-plot with an svg.main-svg).
_LAB_PLOTS_JS = """([p, n]) => [...window.jupyterapp.shell.currentWidget.node.querySelectorAll('.js-plotly-plot')]
                               .filter(plot => plot.querySelector('svg.main-svg')).length"""


def test_notebooks_render_their_plotly_outputs_in_jupyterlab(notebooks, browser, tmp_path, shots):
    # JupyterLab serves a copy: opening a notebook must never write into the repository
    # (autosave, checkpoints, trust database, workspaces).
    assert notebooks
    root = tmp_path / "notebooks"
    root.mkdir()
    for path in notebooks:
        shutil.copyfile(path, root / path.name)
    home = tmp_path / "jupyter"
    settings = home / "settings"
    write_lab_settings(
        settings,
        {
            "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},  # every cell, not only visible ones
            "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
        },
    )
    port, token = free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "IPYTHONDIR": str(home / "ipython"),
        "JUPYTER_NO_CONFIG": "1",
    }
    log = tmp_path / "jupyterlab.log"
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--port-retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--ServerApp.open_browser=False",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
        f"--LabApp.user_settings_dir={settings}",
        f"--LabApp.workspaces_dir={home / 'workspaces'}",
        "--LabApp.expose_app_in_browser=True",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # CI containers run as root
    with log.open("wb") as handle:
        proc = subprocess.Popen(
            cmd, stdout=handle, stderr=subprocess.STDOUT, env=env, cwd=tmp_path, start_new_session=True
        )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for_server(proc, f"{base}/api/status?token={token}", log, "jupyter lab", timeout=90)
        problems = []
        already_outside = len(browser.outside)
        page = browser.new_page()
        for i, path in enumerate(notebooks):
            expected = site.plotly_outputs(path)
            if i == 0:
                # the address a reader opens: /lab/tree/NAME.ipynb (a fresh workspace, nothing else open)
                page.goto(f"{base}/lab/tree/{path.name}?reset&token={token}", wait_until="domcontentloaded")
                page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell", timeout=60_000)
            else:
                # the next ones in the same tab, as the file browser opens them: reloading JupyterLab
                # for each notebook would double the time of the test for nothing
                page.evaluate(
                    "(p) => { window.jupyterapp.commands.execute('docmanager:open', "
                    "{path: p, factory: 'Notebook'}); return null; }",
                    path.name,
                )
            try:
                page.wait_for_function(_LAB_CELLS_JS, arg=path.name, timeout=60_000)
                page.wait_for_function(_LAB_PLOTS_JS + " === n", arg=[path.name, expected], timeout=60_000)
            except Exception as exc:  # playwright's TimeoutError
                drawn = page.evaluate(_LAB_PLOTS_JS, [path.name, expected])
                problems.append(
                    f"{path.name}: {drawn} of {expected} plotly outputs rendered in JupyterLab ({type(exc).__name__})"
                )
            if expected:
                page.evaluate(
                    "() => { window.jupyterapp.shell.currentWidget.node.querySelector('.js-plotly-plot')"
                    ".scrollIntoView({block: 'center'}); return null; }"
                )
                page.wait_for_timeout(300)
            page.screenshot(path=str(shots[0] / f"jupyterlab__{path.stem}.png"))
        page.close()
        problems += [f"request to another host: {u}" for u in browser.outside[already_outside:]]
        assert problems == [], "\n".join(problems)
    finally:
        stop(proc)
    assert proc.poll() is not None
