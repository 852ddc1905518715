"""PyTorch's values of a study's discovered.py: each module's output, its derivative in
x and its parameters' gradients (summed over the inputs), at the inputs the search
screens with (a grid of 49 on [-6, 6] shifted off 0 and the integers, in float32).

    python scripts/check_discovered_pytorch.py STUDY_DIR OUT.json
"""
import importlib.util
import json
import pathlib
import sys

import torch

study, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
spec = importlib.util.spec_from_file_location("discovered", study / "discovered.py")
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
xs = [-6.0 + 0.0123 + i * 0.25 for i in range(49)]
found = {}
for name, cls in sorted(vars(module).items()):
    if not (isinstance(cls, type) and issubclass(cls, torch.nn.Module)):
        continue
    if cls.__module__ != "discovered":
        continue
    m = cls()
    x = torch.tensor(xs, dtype=torch.float32, requires_grad=True)
    y = m(x)
    y.sum().backward()
    found[name] = {
        "value": y.tolist(),
        "derivative": x.grad.tolist(),
        "params": {n: p.grad.item() for n, p in m.named_parameters()},
    }
if not found:
    sys.exit(f"{study / 'discovered.py'} defines no module")
out.parent.mkdir(parents=True, exist_ok=True)
out.write_text(json.dumps({
    "study": str(study),
    "torch": torch.__version__,
    "x": [float(torch.tensor(v, dtype=torch.float32)) for v in xs],
    "modules": found,
}, indent=1) + "\n")
print(f"{out}: {len(found)} modules from {study / 'discovered.py'}")
