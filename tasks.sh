#!/usr/bin/env bash
# One entry point for every job in this repository. Each command first sets up what is missing:
# a local virtual environment (.venv) with the exact versions pinned in requirements.lock, and
# the `bering` package installed in editable mode.
#
#   ./tasks.sh update         after any edit: validate, execute what changed, store outputs, figures/, README
#   ./tasks.sh figures        the same as update (the main job)
#   ./tasks.sh test           unit tests, data validation, strict nbval on every notebook, staleness check
#   ./tasks.sh test fast      unit tests and data validation only (no notebook, kernel or browser)
#   ./tasks.sh site           build the report site into _site/ (open _site/index.html)
#   ./tasks.sh lab            open JupyterLab at the repository root; figures go to a scratch folder
#   ./tasks.sh lab --export   the same, but notebooks run in Lab write figures/ (the committed results)
#   ./tasks.sh refresh        re-execute the notebooks in place, storing their outputs (maintainers)
#   ./tasks.sh lock           regenerate requirements.lock from pyproject.toml for Python 3.11-3.13 (maintainers)
#   ./tasks.sh setup          only set up (PYTHON=/path/to/python3.x chooses the interpreter)
#   ./tasks.sh setup-browser  install Debian's chromium for the browser tests (apt-get; sudo when not root)
set -euo pipefail
cd "$(dirname "$0")"

VENV=.venv
STAMP="$VENV/.setup-stamp"
# Supported Python versions, oldest first: keep in step with requires-python in pyproject.toml and
# with the lock (./tasks.sh lock resolves it for every one of them).
SUPPORTED_MINORS="11 12 13"
OLDEST=3.11
CHROMIUM=${BERING_CHROMIUM:-/usr/bin/chromium}

checksum() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum | cut -d' ' -f1; else shasum -a 256 | cut -d' ' -f1; fi
}

# The minor version of a Python 3 that really runs and can make a virtual environment, or nothing.
# (A pyenv shim for a version that is installed but not selected is on PATH and fails when run;
# Debian's python3 without python3-venv runs but cannot make a venv.)
python_minor() {
  "$1" -c 'import sys, venv, ensurepip; print(sys.version_info[1] if sys.version_info[0] == 3 else "")' 2>/dev/null
}

# The newest supported interpreter found: $PYTHON if set, else python3.13, python3.12, python3.11, python3.
find_python() {
  local candidate minor best="" best_minor=0 supported
  if [ -n "${PYTHON:-}" ]; then
    minor=$(python_minor "$PYTHON" || true)
    for supported in $SUPPORTED_MINORS; do
      if [ "$minor" = "$supported" ]; then echo "$PYTHON"; return 0; fi
    done
    echo "PYTHON=$PYTHON is not a working Python 3.${SUPPORTED_MINORS// /, 3.} with venv" >&2
    return 1
  fi
  for candidate in python3.13 python3.12 python3.11 python3; do
    command -v "$candidate" >/dev/null 2>&1 || continue
    minor=$(python_minor "$candidate" || true)
    for supported in $SUPPORTED_MINORS; do
      if [ "$minor" = "$supported" ] && [ "$minor" -gt "$best_minor" ]; then
        best=$candidate; best_minor=$minor
      fi
    done
  done
  if [ -n "$best" ]; then echo "$best"; return 0; fi
  echo "Python 3.${SUPPORTED_MINORS// /, 3.} with venv is required: none of python3.13, python3.12, python3.11," \
       "python3 on PATH runs with the venv module (Debian/Ubuntu: apt-get install python3 python3-venv;" \
       "or set PYTHON=/path/to/python3.x)" >&2
  return 1
}

# JupyterLab settings and server configuration shipped with the repository (lab/) go into the
# environment itself, so every Lab started from .venv has them and no user file is touched.
install_lab_settings() {
  # (the server reads traits from jupyter_server_config.json in each config folder; files in
  # jupyter_server_config.d/ only enable extensions)
  mkdir -p "$VENV/share/jupyter/lab/settings" "$VENV/etc/jupyter"
  cp lab/overrides.json "$VENV/share/jupyter/lab/settings/overrides.json"
  cp lab/jupyter_server_config.json "$VENV/etc/jupyter/jupyter_server_config.json"
}

setup() {
  local want
  want=$(cat requirements.lock pyproject.toml | checksum)
  if [ -x "$VENV/bin/python" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$want" ]; then
    install_lab_settings    # cheap, and keeps an existing .venv in step with lab/
    return 0
  fi
  local py
  py=$(find_python)
  echo "setting up $VENV with $("$py" --version) from requirements.lock ..."
  "$py" -m venv "$VENV"
  # the lock is the complete, resolved set for every supported Python and platform (pip skips
  # the lines whose markers do not match): install exactly it, nothing more
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -r requirements.lock
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -e .
  "$VENV/bin/python" -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (bering)" >/dev/null
  install_lab_settings
  echo "$want" > "$STAMP"
}

chromium_ready() { [ -x "$CHROMIUM" ]; }

# Install Debian's chromium with apt-get. $1 = ask: the user asked for it (sudo may prompt);
# auto: only when that needs no password (root, or passwordless sudo). Returns non-zero if not done.
install_chromium() {
  local sudo=""
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "no apt-get here: install Chromium with the system's package manager and set BERING_CHROMIUM=/path/to/it" >&2
    return 1
  fi
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo="sudo -n"
    elif [ "$1" = ask ] && command -v sudo >/dev/null 2>&1; then
      sudo="sudo"
    else
      return 1
    fi
  fi
  echo "installing Debian's chromium for the browser tests (apt-get${sudo:+ through $sudo}) ..."
  $sudo apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core
}

# Before the tests: make Chromium available when that is possible without asking, always under CI
# (CI=true), never when the browser tests are left out (-k/-m "not browser"). Otherwise say, in one
# line, that the browser tests are skipped and how to enable them.
browser_for_tests() {
  case " $* " in *"not browser"*) return 0 ;; esac
  chromium_ready && return 0
  if [ "${CI:-}" = true ]; then
    if [ -n "${BERING_CHROMIUM:-}" ] || ! install_chromium ask || ! chromium_ready; then
      echo "CI: no Chromium at $CHROMIUM and it could not be installed; the browser tests must run here" >&2
      return 1
    fi
    return 0
  fi
  [ -n "${BERING_CHROMIUM:-}" ] || install_chromium auto || true
  chromium_ready ||
    echo "browser tests skipped: no Chromium at $CHROMIUM; enable them with ./tasks.sh setup-browser" \
         "(Debian/Ubuntu) or BERING_CHROMIUM=/path/to/chromium"
}

cmd=${1:-help}
case "$cmd" in
  setup)
    setup ;;
  update|figures)
    setup
    # validates, executes only what changed (in parallel), stores outputs, replaces figures/ and the
    # README tables; options: --force --jobs N --timeout S --site --out DIR (python -m bering update -h)
    exec "$VENV/bin/python" -m bering update "${@:2}" ;;
  test)
    setup
    if [ "${2:-}" = fast ]; then
      # the edit loop: unit tests and data validation; no integration test (notebook, kernel, Lab,
      # browser, site build, the collection's figures, the sensitivity: those are marked slow);
      # one pytest-xdist worker per core (-n 0 after "fast" runs them in this process)
      "$VENV/bin/python" -m bering validate
      exec "$VENV/bin/python" -m pytest tests -m "not slow" -n auto --dist loadfile -p no:cacheprovider "${@:3}"
    fi
    # browser tests: Debian's Chromium, driven by Playwright (which never downloads a browser)
    browser_for_tests "${@:2}"
    # Every notebook runs once, under strict nbval, writing its figures to a scratch folder of its
    # own that tests/conftest.py makes, with the network guard of tests/test_offline.py in every
    # kernel; the freshness and offline checks use that run. One pytest-xdist worker per core, a
    # file at a time (a notebook's cells stay in one kernel, in order); -n 0 runs in one process.
    "$VENV/bin/python" -m pytest tests notebooks -n auto --dist loadfile \
      --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-current-env -p no:cacheprovider "${@:2}" ;;
  site)
    setup
    "$VENV/bin/python" -m bering site "${@:2}" ;;
  setup-browser)
    if chromium_ready; then echo "Chromium is at $CHROMIUM: the browser tests will run"; exit 0; fi
    if [ -n "${BERING_CHROMIUM:-}" ]; then echo "BERING_CHROMIUM=$BERING_CHROMIUM is not an executable" >&2; exit 1; fi
    install_chromium ask || { echo "Chromium was not installed" >&2; exit 1; }
    chromium_ready && echo "Chromium is at $CHROMIUM: the browser tests will run" ;;
  lab)
    setup
    # JupyterLab at the repository root (data/, figures/ and notebooks/ all browsable). Notebooks
    # run in Lab write their figures to a scratch copy of figures/, removed when Lab stops, so
    # exploring never changes the committed results; --export (or BERING_FIGURES_DIR=DIR) chooses
    # otherwise. The kernel's transport and the Lab settings come from lab/ (installed by setup).
    lab_args=()
    export_figures=no
    for arg in "${@:2}"; do
      if [ "$arg" = --export ]; then export_figures=yes; else lab_args+=("$arg"); fi
    done
    if [ "$export_figures" = yes ]; then
      export BERING_FIGURES_DIR="$PWD/figures"
      echo "figures made in this Lab session are written to figures/ (--export)"
    elif [ -z "${BERING_FIGURES_DIR:-}" ]; then
      lab_scratch=$(mktemp -d "${TMPDIR:-/tmp}/bering-lab-figures.XXXXXX")
      trap 'rm -rf "$lab_scratch"' EXIT
      cp -a figures/. "$lab_scratch/"
      export BERING_FIGURES_DIR="$lab_scratch"
      echo "figures made in this Lab session go to $lab_scratch (removed when Lab stops);" \
           "./tasks.sh lab --export writes figures/ instead"
    else
      echo "figures made in this Lab session go to BERING_FIGURES_DIR=$BERING_FIGURES_DIR"
    fi
    # Jupyter refuses to run as root without being told; containers and CI machines often are root
    if [ "$(id -u)" = 0 ]; then lab_args=(--allow-root ${lab_args[@]+"${lab_args[@]}"}); fi
    "$VENV/bin/jupyter" lab --ServerApp.root_dir="$PWD" ${lab_args[@]+"${lab_args[@]}"} ;;
  refresh)
    # re-execute the named notebooks (default: all) regardless of the cache and store their outputs
    setup
    "$VENV/bin/python" -m bering refresh "${@:2}" ;;
  lock)
    # needs only uv, not the environment the old lock describes (which may no longer install)
    [ -x "$VENV/bin/python" ] || "$(find_python)" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "uv>=0.5"
    # one universal lock for every supported Python and platform: a package that needs another
    # version somewhere gets one line per case, with its environment marker
    "$VENV/bin/uv" pip compile pyproject.toml --extra test --universal --python-version "$OLDEST" --no-header \
      --output-file requirements.lock ;;
  *)
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
    [ "$cmd" = help ] ;;
esac
