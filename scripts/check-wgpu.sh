#!/usr/bin/env bash
# The GPU backend exercised: builds with --features wgpu, runs the float32 activation
# parity suite (crates/acts/tests/parity.rs, against PyTorch's values) on the wgpu device,
# then configs/quick.toml with --device wgpu beside the same config on flex. On a machine
# without a GPU, wgpu runs on Mesa's software Vulkan (lavapipe): the script installs
# Debian's mesa-vulkan-drivers when no Vulkan driver is present.
#
#   bash scripts/check-wgpu.sh
#
# Builds into the same folder as every other script ($CARGO_TARGET_DIR, default
# ~/.cache/actlab-target); the first wgpu build compiles wgpu and CubeCL (long).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/actlab-target}"
if ! ls /usr/share/vulkan/icd.d/*.json > /dev/null 2>&1; then
  echo "== no Vulkan driver: installing Mesa's (lavapipe) from Debian"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mesa-vulkan-drivers libvulkan1 > /dev/null
fi
echo "== Vulkan drivers: $(ls /usr/share/vulkan/icd.d/ | tr '\n' ' ')"

echo "== building with --features wgpu"
t=$SECONDS
cargo build --release -q -p actlab --features wgpu
cargo test --release -q -p acts --features wgpu --test parity --no-run 2> /dev/null
echo "   $((SECONDS - t)) s"

echo "== float32 parity suite on the wgpu device"
t=$SECONDS
ACTLAB_TEST_DEVICE=wgpu cargo test --release -q -p acts --features wgpu --test parity
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
