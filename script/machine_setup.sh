#!/usr/bin/env bash
# Sets up a fresh machine for hmtl: a Python 3.11 virtual environment in .venv with the pinned
# stack (AllenNLP 2.10.1 installed with --no-deps beside its tested dependencies), the project
# itself in editable mode, then (unless HMTL_SKIP_DEMO=1) generates the demo corpus and trains
# configs/demo.json. Idempotent: a second run only checks what is there.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
venv="$root/.venv"
stamp="$venv/.hmtl-installed"

say() { printf '==> %s\n' "$*"; }
die() { printf 'machine_setup.sh: error: %s\n' "$*" >&2; exit 1; }

python_bin="${PYTHON:-}"
if [ -z "$python_bin" ]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && \
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' 2>/dev/null; then
      python_bin="$candidate"; break
    fi
  done
fi
[ -n "$python_bin" ] || die "Python 3.11 not found (set PYTHON=/path/to/python3.11)."

if [ ! -x "$venv/bin/python" ]; then
  say "creating $venv with $($python_bin --version)"
  "$python_bin" -m venv "$venv"
fi
pip=("$venv/bin/python" -m pip)

wanted="$(cat requirements.txt requirements-dev.txt pyproject.toml | sha256sum | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
  say "pinned stack already installed in .venv (delete $stamp to force a reinstall)"
else
  say "installing the pinned stack with --no-deps (requirements.txt, requirements-dev.txt)"
  "${pip[@]}" install --quiet --no-deps -r requirements.txt -r requirements-dev.txt 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2) \
    || die "pip could not install the pinned requirements"
  say "installing hmtl itself (editable)"
  "${pip[@]}" install --quiet --no-deps --no-build-isolation -e . \
    || die "pip could not install the hmtl package"
  say "checking that the stack imports"
  "$venv/bin/python" -c 'import hmtl, torch, allennlp; print("torch", torch.__version__, "| allennlp ok | hmtl ok")' \
    || die "the installed stack does not import"
  echo "$wanted" > "$stamp"
fi

# The web demo's page is tested in a real headless browser: Debian's chromium package.
if command -v chromium >/dev/null 2>&1; then
  say "chromium found ($(command -v chromium)) for the web page's browser test"
elif command -v apt-get >/dev/null 2>&1; then
  as_root=()
  [ "$(id -u)" = "0" ] || as_root=(sudo -n)
  say "installing Debian's chromium for the web page's browser test"
  if ! DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1 \
      || say "warning: could not install chromium; the browser test of the web page will be skipped (it fails under CI=true)"
  fi
else
  say "warning: no chromium and no apt-get; the browser test of the web page will be skipped"
fi

if [ "${HMTL_SKIP_DEMO:-0}" = "1" ]; then
  say "HMTL_SKIP_DEMO=1: not running the demo"
  exit 0
fi
if [ -f configs/demo.json ] && "$venv/bin/python" -c 'import hmtl.commands.train' 2>/dev/null; then
  say "generating the demo corpus in data/demo and training configs/demo.json into runs/demo"
  "$venv/bin/hmtl" demo --data-dir data/demo --serialization-dir runs/demo \
    || die "the demo training failed"
else
  say "demo training not available yet in this version"
fi
say "done"
