#!/usr/bin/env bash
# The README's two commands:  bash tasks.sh book   |   bash tasks.sh test
# Each one does all the set-up it needs (a .venv beside this file, pip, and for the tests Debian's
# chromium), then builds the book into _build/html or runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3}

venv() {  # create .venv and install $1 when it changed since the last install
  local reqs=$1 stamp=.venv/.installed-$1
  [[ -x .venv/bin/python ]] || "$PY" -m venv .venv
  if [[ ! -f $stamp ]] || ! cmp -s <(cat requirements*.txt pyproject.toml) "$stamp"; then
    echo "== installing $reqs into .venv"
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -r "$reqs"
    cat requirements*.txt pyproject.toml > "$stamp"
  fi
}

browser() {  # Debian's chromium, driven by Playwright through executable_path
  if ! command -v chromium >/dev/null; then
    echo "== installing chromium (apt)"
    local sudo=""; [[ $(id -u) == 0 ]] || sudo=sudo
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
  fi
}

case "${1:-}" in
  book)
    venv requirements.txt
    .venv/bin/jupyter-book build . --all -W -n --keep-going  # --all: re-run every chapter
    ;;
  test)
    venv requirements-dev.txt
    browser
    shift
    .venv/bin/python -m pytest "$@"
    ;;
  *)
    echo "usage: bash tasks.sh book | test [pytest args]" >&2
    exit 2
    ;;
esac
