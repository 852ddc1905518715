# Sourced by the scripts that need Python packages from PyPI: `python_venv DIR IMPORTS
# PACKAGE...` makes a venv at DIR (outside the repository) with the packages unless
# `import IMPORTS` already works there. Debian splits venv (ensurepip) out of python3:
# where `python3 -m venv` fails, python3-venv is installed first (CI runs as root).
python_venv() {
  local venv=$1 imports=$2
  shift 2
  if "$venv/bin/python" -c "import $imports" 2>/dev/null; then
    return
  fi
  echo "== creating $venv with $* from PyPI"
  if ! python3 -m venv "$venv" 2>/dev/null; then
    rm -rf "$venv"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv > /dev/null
    python3 -m venv "$venv"
  fi
  "$venv/bin/pip" install --quiet "$@"
}
