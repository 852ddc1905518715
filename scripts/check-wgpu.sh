#!/usr/bin/env bash
# The GPU backend exercised: builds with --features wgpu, runs the float32 activation
# parity suite (crates/acts/tests/parity.rs, against PyTorch's values; with the GPU
# kernels, then with ACTLAB_FUSED=0) and the GPU kernels against the composed operations
# (crates/acts/tests/fused.rs, and expression_kernels.rs for user expressions) on the
# wgpu device,
# the cross-device record test (crates/actlab/tests/across_devices.rs: the book's network
# three epochs on flex and on wgpu from the same initial weights, and STAF at quick.toml's
# rate), then configs/quick.toml with --device wgpu beside the same config on flex. On a
# machine without a GPU, wgpu runs on Mesa's software Vulkan (lavapipe): the script
# installs Debian's mesa-vulkan-drivers when no Vulkan driver is present.
#
#   bash scripts/check-wgpu.sh [--record]
#       --record  also writes this output, with the date and code revision, to
#                 results/reference/gpu/check-wgpu.txt (which docs/gpu.md quotes)
#
# While it runs, build nothing else in that folder: a build without wgpu replaces the
# binary the tests start.
# Builds into the same folder as every other script ($CARGO_TARGET_DIR, default
# ~/.cache/actlab-target); the first wgpu build compiles wgpu and CubeCL (45 min on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${1:-}" == --record ]]; then
  record=results/reference/gpu/check-wgpu.txt
  mkdir -p "$(dirname "$record")"
  partial=$(mktemp)
  # The record is replaced only by a run that passed.
  bash "$0" | tee "$partial"
  { echo "# bash scripts/check-wgpu.sh --record, $(date -u +%Y-%m-%d), actlab at $(git rev-parse --short HEAD)"
    cat "$partial"; } > "$record"
  rm -f "$partial"
  echo "== written $record"
  exit 0
fi
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/actlab-target}"
# Mesa's window-system probing wants a runtime folder; without one it prints an error
# per device opened, though nothing is drawn on screen.
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
if ! ls /usr/share/vulkan/icd.d/*.json > /dev/null 2>&1; then
  echo "== no Vulkan driver: installing Mesa's (lavapipe) from Debian"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mesa-vulkan-drivers libvulkan1 > /dev/null
fi
echo "== Vulkan drivers: $(ls /usr/share/vulkan/icd.d/ | tr '\n' ' ')"

echo "== building with --features wgpu"
t=$SECONDS
# Both packages in every command: tests of acts alone would resolve other features for
# the dependencies they share and rebuild wgpu and Burn a second time.
packages=(-p actlab -p acts --features actlab/wgpu,acts/wgpu)
cargo build --release -q "${packages[@]}"
cargo test --release -q "${packages[@]}" --test parity --test fused --test expression_kernels --test across_devices --no-run 2> /dev/null
echo "   $((SECONDS - t)) s"

echo "== float32 parity suite, and the GPU kernels against the composed operations, on the wgpu device"
t=$SECONDS
ACTLAB_TEST_DEVICE=wgpu cargo test --release -q "${packages[@]}" --test parity --test fused \
  --test expression_kernels
echo "   $((SECONDS - t)) s"

echo "== float32 parity suite on the wgpu device, composed operations (ACTLAB_FUSED=0)"
t=$SECONDS
ACTLAB_FUSED=0 ACTLAB_TEST_DEVICE=wgpu cargo test --release -q "${packages[@]}" --test parity
echo "   $((SECONDS - t)) s"

echo "== flex against wgpu from the same initial weights (FashionMNIST)"
t=$SECONDS
cargo test --release -q "${packages[@]}" --test across_devices -- --nocapture --test-threads 1 2>&1
echo "   $((SECONDS - t)) s"

bin="$CARGO_TARGET_DIR/release/actlab"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for device in flex wgpu; do
  echo "== configs/quick.toml on $device"
  t=$SECONDS
  "$bin" train --config configs/quick.toml --device "$device" --out "$work/$device" --quiet > /dev/null
  echo "   $((SECONDS - t)) s"
  python3 - "$work/$device/quick" <<'PY'
import json, pathlib, sys
for run in sorted(pathlib.Path(sys.argv[1]).glob("*-s7/run.json")):
    r = json.loads(run.read_text())
    e = r["epochs"][-1]
    print(f"   {r['run']:<8} {r['device']:<12} test accuracy {100 * e['test_accuracy']:.2f} %, "
          f"test loss {e['test_loss']:.4f}, epoch {e['train_seconds']:.1f} s")
PY
done
