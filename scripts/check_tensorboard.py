"""Reads actlab's TensorBoard event files back with TensorBoard's own EventAccumulator
and checks every scalar, histogram and hyper-parameter against the run's run.json.

    python check_tensorboard.py RUN_DIR=EVENTS_DIR [...]

Values are stored as float32 (TensorBoard's simple_value), so each is compared with the
record's float64 value rounded to float32: equal, not close. Exits 1 on the first
mismatch, naming it.
"""

import json
import sys
from pathlib import Path

import numpy as np
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.plugins.hparams import plugin_data_pb2

counts = {"runs": 0, "scalars": 0, "histograms": 0, "hparams": 0}


def fail(message):
    print(f"MISMATCH: {message}")
    sys.exit(1)


def same(where, got, want):
    if np.float32(got) != np.float32(want):
        fail(f"{where}: TensorBoard reads {got!r}, run.json says {want!r}")


def expected_scalars(record):
    """(tag, step) -> value, as run.json gives them."""
    out = {}
    before = 0
    for e in record["epochs"]:
        step = e["epoch"]
        out[("loss/train", step)] = e["train_loss"]
        out[("loss/test", step)] = e["test_loss"]
        out[("accuracy/train", step)] = e["train_accuracy"] * 100
        out[("accuracy/test", step)] = e["test_accuracy"] * 100
        out[("time/train_seconds", step)] = e["train_seconds"]
        out[("time/eval_seconds", step)] = e["eval_seconds"]
        for r in e.get("running_loss", []):
            out[("loss/train_running", before + r["batch"])] = r["loss"]
        for layer in e.get("layers", []):
            name = f"layer{layer['layer']}"
            for stat in ("grad_norm_mean", "weight_mean", "weight_std", "weight_norm"):
                out[(f"{name}/{stat}", step)] = layer[stat]
        before += e.get("batches", 0)
    if record["status"] != "running" and record["epochs"]:
        last = record["epochs"][-1]
        step = len(record["epochs"])
        out[("final/test_accuracy", step)] = last["test_accuracy"] * 100
        out[("final/test_loss", step)] = last["test_loss"]
    return out


def expected_hparams(record):
    network, train = record["network"], record["train"]
    activation = network.get("activation") or {}
    return {
        "activation": record["run"].rsplit("-s", 1)[0],
        "scope": activation.get("scope", ""),
        "layer": network.get("layer", "linear"),
        "hidden": ",".join(str(w) for w in network["hidden"]),
        "optimizer": train["optimizer"],
        "lr": train["lr"],
        "momentum": train["momentum"],
        "weight_decay": train["weight_decay"],
        "batch_size": train["batch_size"],
        "epochs": train["epochs"],
        "seed": train["seed"],
        "experiment": record["experiment"],
    }


def check(run_dir, events_dir):
    record = json.loads((run_dir / "run.json").read_text())
    where = f"{run_dir.name}"
    acc = EventAccumulator(
        str(events_dir), size_guidance={"scalars": 0, "histograms": 0, "tensors": 0}
    )
    acc.Reload()
    tags = acc.Tags()

    want = expected_scalars(record)
    got = {}
    for tag in tags["scalars"]:
        for s in acc.Scalars(tag):
            if (tag, s.step) in got:
                fail(f"{where}: {tag} at step {s.step} twice")
            got[(tag, s.step)] = s.value
    if set(got) != set(want):
        missing = sorted(set(want) - set(got))[:3]
        extra = sorted(set(got) - set(want))[:3]
        fail(f"{where}: scalars differ; missing {missing}, unexpected {extra}")
    for key, value in want.items():
        same(f"{where} {key[0]} step {key[1]}", got[key], value)
    counts["scalars"] += len(want)

    for e in record["epochs"]:
        for layer in e.get("layers", []):
            h = layer.get("weight_histogram")
            if h is None:
                continue
            tag = f"layer{layer['layer']}/weights"
            events = [x for x in acc.Histograms(tag) if x.step == e["epoch"]]
            if len(events) != 1:
                fail(f"{where}: {tag} at epoch {e['epoch']}: {len(events)} histograms")
            v = events[0].histogram_value
            if list(v.bucket) != [float(c) for c in h["counts"]]:
                fail(f"{where}: {tag} epoch {e['epoch']}: counts differ")
            if list(v.bucket_limit) != h["edges"][1:]:
                fail(f"{where}: {tag} epoch {e['epoch']}: bin edges differ")
            if v.num != sum(h["counts"]) or v.min != h["edges"][0]:
                fail(f"{where}: {tag} epoch {e['epoch']}: num or min differs")
            counts["histograms"] += 1

    content = acc.PluginTagToContent("hparams")
    start = content.get("_hparams_/session_start_info")
    if start is None:
        fail(f"{where}: no hparams session start")
    info = plugin_data_pb2.HParamsPluginData.FromString(start).session_start_info
    if info.group_name != record["run"]:
        fail(f"{where}: hparams group {info.group_name!r}")
    hp = expected_hparams(record)
    if set(info.hparams) != set(hp):
        fail(f"{where}: hparams {sorted(info.hparams)} vs {sorted(hp)}")
    for key, value in hp.items():
        proto = info.hparams[key]
        kind = proto.WhichOneof("kind")
        read = proto.string_value if kind == "string_value" else proto.number_value
        if read != value:
            fail(f"{where}: hparam {key}: TensorBoard reads {read!r}, run.json says {value!r}")
        counts["hparams"] += 1
    if record["status"] != "running":
        end = content.get("_hparams_/session_end_info")
        if end is None:
            fail(f"{where}: no hparams session end")
        status = plugin_data_pb2.HParamsPluginData.FromString(end).session_end_info.status
        wanted = {"completed": 1, "diverged": 2}.get(record["status"], 3)
        if status != wanted:
            fail(f"{where}: session status {status}, run.json says {record['status']}")
    counts["runs"] += 1


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for pair in sys.argv[1:]:
        run_dir, events_dir = pair.split("=", 1)
        check(Path(run_dir), Path(events_dir))
    print(
        f"{counts['runs']} runs: {counts['scalars']} scalars, "
        f"{counts['histograms']} histograms, {counts['hparams']} hyper-parameters "
        "read back by TensorBoard's EventAccumulator, every one equal to run.json"
    )


if __name__ == "__main__":
    main()
