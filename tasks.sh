#!/usr/bin/env bash
# The README's two commands:  bash tasks.sh book   |   bash tasks.sh test
# Each one does all the set-up it needs (a .venv beside this file, pip, and for the tests a second
# venv, .venv-oldest, with the oldest versions requirements.txt allows, and Debian's chromium),
# then builds the book into _build/html or runs the whole test suite.
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

oldest_python() {  # a Python 3.10 or 3.11: the oldest numpy allowed has no wheels for later ones
  local c
  for c in "${PYTHON_OLDEST:-}" "$PY" python3.11 python3.10; do
    [[ -n $c ]] && "$c" -c 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 11))' \
      2>/dev/null && { echo "$c"; return; }
  done
  echo "tasks.sh: the second test environment needs Python 3.10 or 3.11 (set PYTHON_OLDEST)" >&2
  return 1
}

oldest() {  # .venv-oldest: the LOWEST numpy, matplotlib, pillow, ipywidgets requirements.txt allows
  local stamp=.venv-oldest/.installed pins py
  if [[ ! -x .venv-oldest/bin/python ]]; then py=$(oldest_python); "$py" -m venv .venv-oldest; fi
  if [[ ! -f $stamp ]] || ! cmp -s <(cat requirements*.txt pyproject.toml) "$stamp"; then
    echo "== installing the oldest allowed numpy/matplotlib/pillow/ipywidgets into .venv-oldest"
    pins=$(sed -nE 's/^(numpy|matplotlib|pillow|ipywidgets)>=([^,; ]+).*/\1==\2/p' requirements.txt)
    [[ $(wc -l <<<"$pins") == 4 ]] || { echo "tasks.sh: no lower bounds in requirements.txt" >&2; exit 1; }
    .venv-oldest/bin/python -m pip install -q --upgrade pip
    # wheels only: a lower bound that has no wheel for this Python is not a true lower bound
    # shellcheck disable=SC2046  # one word per requirement
    .venv-oldest/bin/python -m pip install -q --only-binary numpy,matplotlib,pillow,contourpy,kiwisolver \
      $pins ipykernel threadpoolctl $(grep -E '^(pytest|nbval)\b' requirements-dev.txt)
    .venv-oldest/bin/python -m pip install -q --no-deps -e .  # the book's package, nothing newer
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
  student)  # the notebooks without their solutions, into _student/ (scripts/student_build.py)
    venv requirements.txt
    .venv/bin/python scripts/student_build.py --out _student
    ;;
  test)
    venv requirements-dev.txt
    oldest  # tests/test_oldest_environment.py runs every notebook in it
    browser
    shift
    .venv/bin/python -m pytest "$@"
    ;;
  *)
    echo "usage: bash tasks.sh book | test [pytest args] | student" >&2
    exit 2
    ;;
esac
