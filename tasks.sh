#!/usr/bin/env bash
# One entry point for every job in this repository. Each command first sets up what is missing:
# a local virtual environment (.venv) with the exact versions pinned in requirements.lock, and
# the `bering` package installed in editable mode.
#
#   ./tasks.sh update    after any edit: validate, execute what changed, store outputs, figures/, README
#   ./tasks.sh figures   the same as update
#   ./tasks.sh test      unit tests, data validation, strict nbval on every notebook, staleness check
#   ./tasks.sh test fast unit tests and data validation only (no notebook, kernel or browser)
#   ./tasks.sh site      build the static HTML report into _site/ (open _site/index.html)
#   ./tasks.sh lab       open the notebooks in JupyterLab
#   ./tasks.sh refresh   re-execute the notebooks in place, storing their outputs (maintainers)
#   ./tasks.sh lock      regenerate requirements.lock from pyproject.toml (maintainers)
#   ./tasks.sh setup     only set up
set -euo pipefail
cd "$(dirname "$0")"

VENV=.venv
STAMP="$VENV/.setup-stamp"

find_python() {
  for candidate in "${PYTHON:-}" python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "Python 3.11 is required (set PYTHON=/path/to/python3.11)" >&2
  return 1
}

setup() {
  local want
  want=$(cat requirements.lock pyproject.toml | sha256sum | cut -d' ' -f1)
  if [ -x "$VENV/bin/python" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$want" ]; then
    return 0
  fi
  local py
  py=$(find_python)
  echo "setting up $VENV with $("$py" --version) from requirements.lock ..."
  "$py" -m venv "$VENV"
  # the lock is the complete, resolved set: install exactly it, nothing more
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -r requirements.lock
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -e .
  "$VENV/bin/python" -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (bering)" >/dev/null
  echo "$want" > "$STAMP"
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
      # the edit loop: unit tests and data validation, nothing that starts a kernel or a browser
      "$VENV/bin/python" -m bering validate
      exec "$VENV/bin/python" -m pytest tests -m "not slow" -p no:cacheprovider "${@:3}"
    fi
    # browser tests: Debian's Chromium, driven by Playwright (which never downloads a browser)
    if ! [ -x /usr/bin/chromium ]; then
      SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
      $SUDO apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core
    fi
    # Every notebook runs once, under strict nbval, writing its figures to a scratch folder that
    # tests/conftest.py makes, with the network guard of tests/test_offline.py in every kernel; the
    # freshness and offline checks use that run.
    "$VENV/bin/python" -m pytest tests notebooks \
      --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-current-env -p no:cacheprovider "${@:2}" ;;
  site)
    setup
    "$VENV/bin/python" -m bering site "${@:2}" ;;
  lab)
    setup
    exec "$VENV/bin/jupyter" lab notebooks "${@:2}" ;;
  refresh)
    # re-execute the named notebooks (default: all) regardless of the cache and store their outputs
    setup
    "$VENV/bin/python" -m bering refresh "${@:2}" ;;
  lock)
    setup
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check uv
    "$VENV/bin/uv" pip compile pyproject.toml --extra test --python-version 3.11 --no-header \
      --output-file requirements.lock ;;
  *)
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
    [ "$cmd" = help ] ;;
esac
