#!/usr/bin/env bash
# Two builds of actlab on the same machine, the same work: a few short runs (fused and
# composed activations, a trainable one, a random one, a user expression, per-neuron
# scope, --jobs 2) and every probe, import and export on them; then every JSON file the
# two wrote is compared, with times, dates and versions left out. For a refactoring that
# must change no result: `bash scripts/check-same-behaviour.sh OLD_ACTLAB NEW_ACTLAB`
# (build the old one from a worktree with the same CARGO_TARGET_DIR, and copy its binary
# away before building the new one: both are target/release/actlab).
# Flags are spelled so that builds from before the architecture rework take them too
# (`--act`, `--steps`, `--batch` are aliases now).
set -euo pipefail
old="${1:?usage: check-same-behaviour.sh OLD_ACTLAB NEW_ACTLAB}"
new="${2:?usage: check-same-behaviour.sh OLD_ACTLAB NEW_ACTLAB}"
root="$(cd "$(dirname "$0")/.." && pwd)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat > "$work/defs.toml" <<'EOF'
[[activation]]
name = "Bumpy"
expr = "max(x, 0) + a * sin(x) * exp(min(x, 0))"
params = { a = 0.1 }
EOF

exercise() {
  local bin="$1" dir="$2"
  mkdir -p "$dir" && cp "$work/defs.toml" "$dir/" && cd "$dir"
  "$bin" train --acts ReLU,GELU,TeLU,STAF,PReLU,RReLU --epochs 1 --save-epochs 0 --name mix --quiet > /dev/null
  "$bin" train --config defs.toml --acts Bumpy,TeLU --scope per-neuron --epochs 1 --lr 0.01 --momentum 0.9 --name custom --quiet > /dev/null
  "$bin" train --acts ReLU,Mish --epochs 1 --jobs 2 --name jobs --quiet > /dev/null
  "$bin" probe dead-neurons --run results/mix/ReLU-s7 > /dev/null
  "$bin" probe dead-neurons --init --act ReLU --hidden 64,32 > /dev/null
  "$bin" probe outputs --run results/mix/TeLU-s7 > /dev/null
  "$bin" probe gradients --acts ReLU,STAF --batch 64 --out results/probes > /dev/null
  "$bin" probe surface --acts ReLU,GELU,STAF --grid 20 --out results/probes > /dev/null
  "$bin" probe hessian --run results/mix/ReLU-s7 --samples 256 --steps 8 --vectors 4 2> /dev/null > /dev/null
  "$bin" probe landscape --run results/mix/GELU-s7 --samples 256 --steps 5 2> /dev/null > /dev/null
  "$bin" probe ntk --act LeakyReLU --samples 20 --hidden 32,16 2> /dev/null > /dev/null
  "$bin" eval --run results/mix/STAF-s7 --logits 3 --json > eval.json
  "$bin" acts eval TeLU --at -3,-0.5,0,0.5,3 --json > acts-eval.json
  "$bin" export --run results/mix/PReLU-s7 --to prelu.safetensors > /dev/null
  "$bin" import prelu.safetensors --act PReLU --name imported > /dev/null
  "$bin" plot --from results/mix > /dev/null
}

echo "old: $old"
(exercise "$old" "$work/old")
echo "new: $new"
(exercise "$new" "$work/new")

python3 - "$work/old" "$work/new" <<'PY'
import json, pathlib, sys
old, new = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
# What may differ between two builds: when and how long, and which build.
SKIP = {"train_seconds", "eval_seconds", "wall_seconds", "seconds", "time_seconds",
        "actlab_version", "revision", "written", "created", "modified", "sha256"}
def clean(v):
    if isinstance(v, dict):
        return {k: clean(x) for k, x in v.items() if k not in SKIP}
    if isinstance(v, list):
        return [clean(x) for x in v]
    return v
# Claims name the process that held them.
files = sorted(p.relative_to(old) for p in old.rglob("*.json") if ".claims" not in p.parts)
missing = [str(p) for p in files if not (new / p).exists()]
extra = sorted(str(p.relative_to(new)) for p in new.rglob("*.json")
               if ".claims" not in p.parts and not (old / p.relative_to(new)).exists())
differ = []
for p in files:
    if (new / p).exists():
        a, b = (clean(json.loads((d / p).read_text())) for d in (old, new))
        if a != b:
            differ.append(str(p))
print(f"{len(files)} JSON files compared: {len(files) - len(differ) - len(missing)} identical")
for what, names in (("missing in the new build", missing), ("only in the new build", extra), ("different", differ)):
    for n in names:
        print(f"  {what}: {n}")
sys.exit(1 if differ or missing or extra else 0)
PY
