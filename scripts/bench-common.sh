# Sourced by the scripts that time actlab against PyTorch (bench-vs-pytorch.sh,
# bench-scaling.sh, bench-gpu.sh): sets $py (PyTorch's Python), $bin (actlab, built in
# the shared build folder), $data (the FashionMNIST folder) and OMP_WAIT_POLICY, and
# defines `load` and `tag`.
#
# PyTorch comes from PyPI into a venv outside the repository (a multi-GB download the
# first time): $ACTLAB_BENCH_VENV, default ~/.cache/actlab-bench-venv.

venv="${ACTLAB_BENCH_VENV:-$HOME/.cache/actlab-bench-venv}"
source scripts/python-venv.sh
python_venv "$venv" torch torch torchvision numpy
py="$venv/bin/python"

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/actlab-target}"
# $bench_features: Cargo features of the binary timed (bench-gpu.sh sets wgpu).
cargo build --release -q -p actlab ${bench_features:+--features "$bench_features"}
bin="$CARGO_TARGET_DIR/release/actlab"

data="${ACTLAB_DATA:-}"
for candidate in "$data" data/fashion-mnist /usr/share/datasets/fashion-mnist; do
  if [[ -n "$candidate" && ( -e "$candidate/train-images-idx3-ubyte.gz" || -e "$candidate/train-images-idx3-ubyte" ) ]]; then
    data="$candidate"
    break
  fi
done
[[ -n "$data" ]] || { echo "no FashionMNIST found (run scripts/setup.sh)" >&2; exit 2; }

# OpenMP's default spin-waiting made 2-thread PyTorch 27x slower whenever another
# process held a core; passive waiting keeps it honest on a shared machine.
export OMP_WAIT_POLICY=PASSIVE
load() { cut -d' ' -f1 /proc/loadavg; }

# Tags every JSON object (or every element of a JSON list) on stdin with the JSON object
# $1 and appends it, one per line, to the file $scratch (which the caller creates).
tag() {
  "$py" -c '
import json, sys
value = json.load(sys.stdin)
for r in value if isinstance(value, list) else [value]:
    r.update(json.loads(sys.argv[1]))
    print(json.dumps(r))' "$1" >> "$scratch"
}
