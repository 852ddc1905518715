//! The same bits on every machine: runs trained on 1, 2 and 4 threads, and with the
//! kernels forced onto the AVX2 and the baseline x86-64 paths (`ACTLAB_ISA`), give
//! records and weights identical to the bit to a 1-thread run on the widest path
//! this CPU has (AVX-512 where it has it). The network is wide enough that its products
//! are cut over the threads, and the activations cover a composed function, a learnable
//! composed one (PReLU), a fused kernel (GELU), TeLU and STAF. The data-parallel step
//! (`--slices`) is held to the same: its slice count fixes the bits, the threads do not.

mod common;

use std::path::Path;
use std::process::Command;

use common::{BIN, epoch_outcomes, read_json, stderr, synthetic_dataset, train_args};

const ACTS: &str = "ReLU,PReLU,GELU,TeLU,STAF";

/// Trains `acts` into `out` with `threads`, `ACTLAB_ISA` = `isa` (None: the CPU's best)
/// and `more` flags.
fn train(
    cwd: &Path,
    data: &Path,
    (out, acts): (&str, &str),
    threads: &str,
    isa: Option<&str>,
    more: &[&str],
) {
    let mut command = Command::new(BIN);
    command
        .current_dir(cwd)
        .env_remove("ACTLAB_DATA")
        .env_remove("ACTLAB_ISA");
    if let Some(isa) = isa {
        command.env("ACTLAB_ISA", isa);
    }
    // Test-set and probe batches of 64, so that the 200 test and 600 training images
    // make several batches (the dead-neuron pass runs them side by side).
    let config = cwd.join("small-eval-batches.toml");
    std::fs::write(&config, "name = \"train\"\n[train]\neval_batch_size = 64\n").unwrap();
    // TINY's optimiser and epochs, with a network and batch whose products are cut over
    // the threads (and a rate at which STAF does not diverge there).
    let mut extra = vec![
        "--config",
        config.to_str().unwrap(),
        "--hidden",
        "256,192",
        "--batch-size",
        "128",
        "--threads",
        threads,
        "--lr",
        "0.01",
        "--no-verify",
    ];
    extra.extend_from_slice(more);
    let args = train_args(data, out, acts, &extra);
    let output = command
        .args(&args)
        .output()
        .expect("the actlab binary runs");
    assert!(output.status.success(), "{out}: {}", stderr(&output));
}

/// Per run: its activation, its epoch outcomes as bits (the test evaluation's among
/// them) with its dead-unit census (the dead-neuron pass's numbers) as written, its last
/// checkpoint's weights.
type Fingerprint = Vec<(String, (Vec<[u64; 4]>, String), Vec<u8>)>;

/// Every run's epoch outcomes as bits, and its last checkpoint's weights as bytes.
fn fingerprint(dir: &Path, acts: &str) -> Fingerprint {
    acts.split(',')
        .map(|act| {
            let run = dir.join(format!("{act}-s7"));
            let record = read_json(&run.join("run.json"));
            let outcomes: Vec<[u64; 4]> = epoch_outcomes(&record)
                .into_iter()
                .map(|e| e.map(f64::to_bits))
                .collect();
            let census: Vec<String> = std::iter::once(&record["initial_units"])
                .chain(
                    record["epochs"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|e| &e["units"]),
                )
                .map(|units| units.to_string())
                .collect();
            let weights = checkpoint_weights(&run, &record, 2);
            (act.to_string(), (outcomes, census.join("\n")), weights)
        })
        .collect()
}

/// The weights of `run`'s checkpoint after `epoch` (0: the initial ones), as bytes.
fn checkpoint_weights(run: &Path, record: &serde_json::Value, epoch: usize) -> Vec<u8> {
    let path = run.join(format!("checkpoints/epoch-{epoch}.bpk"));
    let checkpoint = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    // The float32 weights fill the file's end; its header holds parameter ids drawn per
    // process, which differ between any two runs.
    let weights = record["params"].as_u64().unwrap() as usize * 4;
    assert!(
        checkpoint.len() > weights,
        "{}: checkpoint shorter than its weights",
        path.display()
    );
    checkpoint[checkpoint.len() - weights..].to_vec()
}

#[test]
fn threads_and_vector_paths_do_not_reach_the_bits() {
    let tmp = tempfile::tempdir().unwrap();
    let data = synthetic_dataset(tmp.path());
    let census = ["--track", "dead-units"];
    train(tmp.path(), &data, ("base", ACTS), "1", None, &census);
    let base = fingerprint(&tmp.path().join("base/train"), ACTS);
    assert!(base.iter().all(|(_, (epochs, census), _)| {
        epochs.len() == 2 && census.lines().count() == 3 && !census.contains("null")
    }));
    let variants = [
        ("threads-2", "2", None),
        ("threads-4", "4", None),
        ("avx2", "2", Some("avx2")),
        ("baseline", "1", Some("baseline")),
    ];
    for (name, threads, isa) in variants {
        train(tmp.path(), &data, (name, ACTS), threads, isa, &census);
        let other = fingerprint(&tmp.path().join(name).join("train"), ACTS);
        assert_same(&base, &other, name);
    }
}

/// Runs with the same epoch outcomes and trained weights, bit for bit.
fn assert_same(base: &Fingerprint, other: &Fingerprint, name: &str) {
    for ((act, epochs, checkpoint), (_, other_epochs, other_checkpoint)) in base.iter().zip(other) {
        assert_eq!(
            epochs, other_epochs,
            "{act}: {name} changed an epoch's numbers or its unit census"
        );
        assert!(
            checkpoint == other_checkpoint,
            "{act}: {name} changed the trained weights"
        );
    }
}

/// The data-parallel step: four slices give the same bits on 1, 2 and 3 threads (3: the
/// slices finish in another order), RReLU's random slopes included (its slices run in
/// turn); and they are not the whole batch's bits, so the slices did run.
#[test]
fn the_slice_count_fixes_the_bits_not_the_threads() {
    const SLICED: &str = "ReLU,GELU,STAF,RReLU";
    let tmp = tempfile::tempdir().unwrap();
    let data = synthetic_dataset(tmp.path());
    let sliced = ["--slices", "4"];
    train(tmp.path(), &data, ("s4-t1", SLICED), "1", None, &sliced);
    let base = fingerprint(&tmp.path().join("s4-t1/train"), SLICED);
    for threads in ["2", "3"] {
        let name = format!("s4-t{threads}");
        train(tmp.path(), &data, (&name, SLICED), threads, None, &sliced);
        let other = fingerprint(&tmp.path().join(&name).join("train"), SLICED);
        assert_same(&base, &other, &name);
    }
    train(tmp.path(), &data, ("whole", SLICED), "2", None, &[]);
    let whole = fingerprint(&tmp.path().join("whole/train"), SLICED);
    for ((act, _, sliced), (_, _, whole)) in base.iter().zip(&whole) {
        assert!(sliced != whole, "{act}: --slices 4 trained the batch whole");
    }
}

/// One initial state on every device: a run on ndarray starts from the bits a run on
/// flex starts from (drawn on the host, then handed over), for lazily drawn weights
/// (ReLU), draws interleaved with the weights' (RReLU's slopes), STAF's coefficients,
/// and the initialisations that compute as they draw: orthogonal (a QR) and LSUV (which
/// measures on data).
#[test]
fn every_device_starts_from_the_hosts_weights() {
    let tmp = tempfile::tempdir().unwrap();
    let data = synthetic_dataset(tmp.path());
    let cases = [
        ("ReLU,RReLU,STAF", "pytorch"),
        ("Tanh", "orthogonal"),
        ("GELU", "lsuv"),
    ];
    for (acts, init) in cases {
        let initial = |device: &str| {
            let out = format!("{device}-{init}");
            let more = [
                "--device",
                device,
                "--init",
                init,
                "--save-epochs",
                "0",
                "--epochs",
                "1",
            ];
            train(tmp.path(), &data, (&out, acts), "1", None, &more);
            acts.split(',')
                .map(|act| {
                    let run = tmp.path().join(&out).join(format!("train/{act}-s7"));
                    let record = read_json(&run.join("run.json"));
                    (act, checkpoint_weights(&run, &record, 0))
                })
                .collect::<Vec<_>>()
        };
        let (flex, ndarray) = (initial("flex"), initial("ndarray"));
        for ((act, flex), (_, ndarray)) in flex.iter().zip(&ndarray) {
            let differing = flex
                .chunks(4)
                .zip(ndarray.chunks(4))
                .filter(|(a, b)| a != b)
                .count();
            assert!(
                differing == 0,
                "{act}, --init {init}: {differing} of {} initial weights differ between flex and ndarray",
                flex.len() / 4
            );
        }
    }
}
