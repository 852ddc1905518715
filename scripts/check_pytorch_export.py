"""Loads files written by `actlab export` into the book's SimpleNetwork (or, with
convolutions, scripts/book_model.py's ConvNetwork) with load_state_dict (strict) and
compares PyTorch's logits and test accuracy with actlab's.

    python check_pytorch_export.py DATA_DIR CASE.json [...]

Each CASE.json: {"file": exported.safetensors, "act": name, "conv": [...], "hidden": [...],
"eval": output of `actlab eval --logits N --json`, "fixture": optional fixture case}.
Exits 1 on the first mismatch: a different test accuracy, or a logit beyond
1e-5 · max(1, |logit|) of actlab's.
"""

import json
import sys
from pathlib import Path

import torch
import torch.nn as nn
from safetensors.torch import load_file

sys.path.insert(0, str(Path(__file__).parent))
from book_model import STAF, ConvNetwork, SimpleNetwork, TeLU, normalised, read_idx  # noqa: E402

ACTS = {"ReLU": nn.ReLU, "PReLU": nn.PReLU, "TeLU": TeLU, "STAF": STAF,
        "Tanh": nn.Tanh, "GELU": nn.GELU, "Mish": nn.Mish, "SiLU": nn.SiLU}


def main():
    data = Path(sys.argv[1])
    test_x = normalised(read_idx(data / "t10k-images-idx3-ubyte.gz"))
    test_y = torch.from_numpy(read_idx(data / "t10k-labels-idx1-ubyte.gz").astype("int64"))
    for path in sys.argv[2:]:
        case = json.loads(Path(path).read_text())
        state = load_file(case["file"])
        scope = case.get("scope", "shared")
        conv = case.get("conv", [])
        widths = conv + case["hidden"]
        if scope == "per-layer":
            act = [ACTS[case["act"]]() for _ in widths]
        elif scope == "per-neuron":
            act = [ACTS[case["act"]](n) for n in widths]
        else:
            act = ACTS[case["act"]]()
        if conv:
            model = ConvNetwork(act, conv=conv, hidden_shape=case["hidden"])
        else:
            model = SimpleNetwork(act, hidden_shape=case["hidden"])
        model.load_state_dict(state, strict=True)
        model.eval()
        with torch.no_grad():
            logits = model(test_x)
        correct = int((logits.argmax(1) == test_y).sum())
        theirs = torch.tensor(case["eval"]["logits"])
        n = len(theirs)
        diff = float((logits[:n] - theirs).abs().max())
        # Float32 on both sides, summed in different orders (STAF's 25 sines by different
        # sin routines): 1e-5, relative beyond |logit| 1, as crates/actlab/tests/interop.rs.
        beyond = bool(((logits[:n] - theirs).abs() > 1e-5 * theirs.abs().clamp(min=1.0)).any())
        line = (f"{case['name']}: PyTorch {correct}/10000 correct, actlab "
                f"{case['eval']['test_correct']}; logits of {n} images differ by at most {diff:.2e}")
        if "fixture" in case:
            original = torch.tensor(case["fixture"]["logits"])
            same = bool(torch.equal(logits[: len(original)], original))
            line += f"; equal to the original PyTorch model's logits: {same}"
            if not same:
                print("MISMATCH: " + line)
                sys.exit(1)
        print(line)
        if correct != case["eval"]["test_correct"] or beyond:
            print("MISMATCH")
            sys.exit(1)


if __name__ == "__main__":
    main()
