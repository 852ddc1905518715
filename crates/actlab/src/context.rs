//! What the command modules share, so that no command imports another: the device and
//! threads, the dataset, user definitions, the networks the flags describe, saved
//! experiments and runs, and writing records and figures.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, anyhow};
use burn::tensor::Device;
use data::FashionMnist;
use serde::Serialize;
use spec::artifact::{self, Artifact};
use spec::record::first_difference;
use spec::resources::{self, Estimate};
use spec::{
    ActivationConfig, ActivationKind, ActivationSpec, Definition, Experiment, ExperimentFile,
    ExperimentLayout, NetworkConfig, RunLayout, RunRecord, RunSpec,
};
use train::{OpenedRun, RunContext};
use viz::Drawing;

use crate::cli::{DefinitionArgs, DeviceArgs, EnvArgs, NetworkArgs, ShapeArgs};
use crate::failure::{Failure, failed, input};

/// The device a command runs on, and how it is described in records.
pub struct Runtime {
    /// The device.
    pub device: Device,
    /// e.g. `flex (cpu)`.
    pub device_name: String,
    /// Worker threads.
    pub threads: usize,
}

impl Runtime {
    /// What a run record says about where it ran; no stop requested yet.
    pub fn run_context(&self) -> RunContext {
        RunContext {
            device_name: self.device_name.clone(),
            threads: self.threads,
            revision: env!("ACTLAB_GIT_COMMIT").to_string(),
            ..RunContext::default()
        }
    }
}

/// `YYYY-MM-DD HH:MM` (UTC) of a time (the civil-from-days algorithm of H. Hinnant).
pub fn utc(time: SystemTime) -> String {
    let secs = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()) as i64;
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}",
        rest / 3600,
        (rest % 3600) / 60
    )
}

/// Sizes the thread pool and picks the device.
pub fn runtime(compute: &DeviceArgs) -> Result<Runtime, Failure> {
    let threads = compute.threads;
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
        .map_err(|e| Failure::Run(anyhow!("cannot start {threads} worker threads: {e}")))?;
    let kind = match compute.device.name() {
        "wgpu" => "gpu",
        _ => "cpu",
    };
    Ok(Runtime {
        device: compute.device.device(),
        device_name: format!("{} ({kind})", compute.device),
        threads,
    })
}

/// Prints `value` as pretty JSON on stdout.
pub fn print_json<T: Serialize>(value: &T) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value)
        .context("serialising the output")
        .map_err(failed)?;
    println!("{text}");
    Ok(())
}

/// The flex device in float64 with autodiff, for the curvature probes (second
/// derivatives by differences of gradients need float64's precision).
pub fn float64_device(compute: &DeviceArgs, command: &str) -> Result<Device, Failure> {
    if compute.device.name() != "flex" {
        return Err(input(anyhow!(
            "{command} computes in float64 on the flex device; leave --device out (it was {})",
            compute.device
        )));
    }
    acts::float64_device().map_err(|e| Failure::Run(anyhow!(e)))
}

/// Finds and reads FashionMNIST.
pub fn load_data(env: &EnvArgs) -> Result<FashionMnist, Failure> {
    let from_env = std::env::var_os(data::DATA_ENV).map(PathBuf::from);
    let dir = data::locate(env.data_dir.as_deref(), from_env.as_deref()).map_err(input)?;
    FashionMnist::load(&dir, !env.no_verify).map_err(input)
}

/// The user-defined activations of `--defs FILE` (none without it), each checked.
pub fn definitions(args: &DefinitionArgs) -> Result<Vec<Definition>, Failure> {
    let Some(path) = &args.file else {
        return Ok(Vec::new());
    };
    let text = ExperimentFile::read_text(path).map_err(input)?;
    let file = ExperimentFile::parse(&text, path).map_err(input)?;
    file.check_definitions(&path.display().to_string())
        .map_err(|e| input(e.located_in(&text)))
}

/// The activations `--acts NAMES` names (built-in or from `--defs`), or `default`.
pub fn chosen_activations(
    names: Option<&[String]>,
    defs: &DefinitionArgs,
    default: &[ActivationKind],
) -> Result<Vec<ActivationSpec>, Failure> {
    let Some(names) = names else {
        return Ok(default.iter().copied().map(ActivationSpec::from).collect());
    };
    let defs = definitions(defs)?;
    names
        .iter()
        .map(|n| ActivationSpec::resolve(n, &defs).context("--acts"))
        .collect::<Result<_, _>>()
        .map_err(input)
}

/// The book's network with `activation`, shaped by `--hidden`, `--scope` and `--layer`.
pub fn shaped(activation: ActivationConfig, shape: &ShapeArgs) -> NetworkConfig {
    NetworkConfig::book(activation.with_scope(shape.scope))
        .with_hidden(shape.hidden.clone())
        .with_layer(shape.layer)
}

/// The network described by `--act`, `--hidden`, `--scope`, `--layer`, `--no-act`,
/// `--defs`.
pub fn network_config(args: &NetworkArgs) -> Result<NetworkConfig, Failure> {
    let defs = definitions(&args.defs)?;
    let kind = ActivationSpec::resolve(&args.act, &defs)
        .context("--act")
        .map_err(input)?;
    let config = shaped(ActivationConfig::new(kind), &args.shape);
    let config = if args.no_act {
        config.without_activation()
    } else {
        config
    };
    config.check().context("--hidden").map_err(input)?;
    Ok(config)
}

/// The experiment saved in `dir`, checked again, placed in `dir` (the folder may have
/// been moved); `flag` (e.g. "--resume ") starts the error messages.
pub fn saved_experiment(dir: &Path, flag: &str) -> Result<Experiment, Failure> {
    let path = ExperimentLayout::new(dir).config();
    if !path.is_file() {
        return Err(input(anyhow!(
            "{flag}{}: not an experiment folder (no {}); give the folder `actlab train` wrote, e.g. results/train",
            dir.display(),
            ExperimentLayout::CONFIG
        )));
    }
    let file: ExperimentFile = artifact::read(&path)
        .with_context(|| format!("{flag}{} is not an actlab experiment", path.display()))
        .map_err(input)?;
    let experiment = file
        .check(&path.display().to_string())
        .with_context(|| format!("{flag}{} is not a usable experiment", path.display()))
        .map_err(input)?;
    Ok(experiment.at(dir.to_path_buf()))
}

/// The run record in `run_dir`.
pub fn run_record(run_dir: &Path) -> Result<RunRecord, Failure> {
    artifact::read(&RunLayout::new(run_dir).record()).map_err(input)
}

/// Experiment folders at `dir` or up to three levels below it, sorted.
pub fn experiment_folders(dir: &Path) -> Vec<PathBuf> {
    folders_below(dir, 3)
}

fn folders_below(dir: &Path, depth: usize) -> Vec<PathBuf> {
    if ExperimentLayout::new(dir).config().is_file() {
        return vec![dir.to_path_buf()];
    }
    if depth == 0 {
        return Vec::new();
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut subfolders: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    subfolders.sort();
    subfolders
        .iter()
        .flat_map(|d| folders_below(d, depth - 1))
        .collect()
}

/// The experiment saved in `dir` and the records of its runs that have one, in the
/// experiment's run order, each checked against what the experiment plans for it.
pub fn experiment_records(dir: &Path) -> Result<(Experiment, Vec<RunRecord>), Failure> {
    let experiment = saved_experiment(dir, "")?;
    let config = ExperimentLayout::new(dir).config();
    let mut records = Vec::new();
    for spec in experiment.runs() {
        let file = RunLayout::new(spec.dir()).record();
        if file.is_file() {
            let record = run_record(spec.dir())?;
            contradiction(&record, &spec, &file, &config)?;
            records.push(record);
        }
    }
    Ok((experiment, records))
}

/// Refuses work whose memory estimate exceeds what the machine has available now, in
/// one line that says how much, of what, and what to change (`advice`); `--no-memory-check`
/// lets it start anyway.
pub fn check_memory(estimate: &Estimate, advice: &str, env: &EnvArgs) -> Result<(), Failure> {
    let Some(available) = resources::available() else {
        return Ok(());
    };
    let needed = estimate.total();
    if env.no_memory_check || needed <= available {
        return Ok(());
    }
    Err(input(anyhow!(
        "needs about {} of memory ({}); this machine has {} available; {advice}, or pass --no-memory-check to try anyway",
        resources::human(needed),
        estimate.describe(),
        resources::human(available)
    )))
}

/// The run in `run_dir` at its checkpoint `name` (the last when `None`), on `device`,
/// once its files agree with each other ([`cross_check`]).
pub fn open_run(run_dir: &Path, name: Option<&str>, device: &Device) -> Result<OpenedRun, Failure> {
    let opened = train::open_run(run_dir, name, device).map_err(input)?;
    cross_check(run_dir, &opened.record)?;
    Ok(opened)
}

/// What a run folder's files say about the run, compared: its folder's name and
/// `run.json`'s, and what `run.json` records against what the `experiment.json` beside
/// it plans (network, activation, training settings). A contradiction (a hand-edited
/// or mixed-up folder) names both files and the first field that differs.
pub fn cross_check(run_dir: &Path, record: &RunRecord) -> Result<(), Failure> {
    let record_file = RunLayout::new(run_dir).record();
    let folder = run_dir
        .canonicalize()
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()));
    if let Some(folder) = folder.filter(|f| *f != record.run) {
        return Err(input(anyhow!(
            "{}: records run `{}`, but its folder is named {folder}; the folder was renamed or its run.json copied from another run",
            record_file.display(),
            record.run
        )));
    }
    let Some(experiment_dir) = run_dir
        .canonicalize()
        .ok()
        .and_then(|d| d.parent().map(Path::to_path_buf))
    else {
        return Ok(());
    };
    let config = ExperimentLayout::new(&experiment_dir).config();
    if !config.is_file() {
        return Ok(());
    }
    let experiment = saved_experiment(&experiment_dir, "")?;
    let Some(planned) = experiment
        .runs()
        .into_iter()
        .find(|r| r.name() == record.run)
    else {
        return Err(input(anyhow!(
            "{}: records run `{}`, which {} does not plan (it plans {}); the folder was mixed up",
            record_file.display(),
            record.run,
            config.display(),
            experiment
                .runs()
                .iter()
                .map(|r| r.name().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    };
    contradiction(record, &planned, &record_file, &config)
}

/// Refuses a run record that contradicts its plan: one line naming both files and the
/// first field that differs.
pub fn contradiction(
    record: &RunRecord,
    planned: &RunSpec,
    record_file: &Path,
    config: &Path,
) -> Result<(), Failure> {
    let difference = first_difference(&record.network, planned.network())
        .map(|(field, a, b)| (format!("network.{field}"), a, b))
        .or_else(|| {
            first_difference(&record.train, &planned.train().recorded())
                .map(|(field, a, b)| (format!("train.{field}"), a, b))
        });
    match difference {
        Some((field, recorded, plan)) => Err(input(anyhow!(
            "{} says `{field}` is {recorded}, but {} plans {plan} for {}; the folder was edited or mixed up",
            record_file.display(),
            config.display(),
            record.run
        ))),
        None => Ok(()),
    }
}

/// Checks that `data` is what the run trained on (by the MD5s its record keeps), unless
/// `--no-verify` says other data is meant.
pub fn check_run_data(
    record: &RunRecord,
    data: &FashionMnist,
    env: &EnvArgs,
) -> Result<(), Failure> {
    if env.no_verify {
        return Ok(());
    }
    data.check_recorded(&record.dataset_md5)
        .with_context(|| {
            format!(
                "run {} trained on other data (pass --no-verify to probe it on this data anyway)",
                record.run
            )
        })
        .map_err(input)
}

/// Writes `value` to `path` with its tag.
pub fn write_record<T: Artifact>(path: &Path, value: &T) -> Result<(), Failure> {
    artifact::write(path, value)
        .with_context(|| format!("cannot write {}", path.display()))
        .map_err(failed)
}

/// Writes the picture of a saved record (`<stem>.svg` and `.png`; the record is its
/// data) and returns their paths.
pub fn write_drawing(drawing: impl Into<Drawing>, stem: &Path) -> Result<Vec<PathBuf>, Failure> {
    drawing
        .into()
        .write_pictures(stem)
        .with_context(|| format!("cannot write the figure {}", stem.display()))
        .map_err(failed)
}

/// Writes a figure that no saved record holds the data of: `<stem>.json` (its data, so
/// that `plot --from` draws it again) beside its `.svg` and `.png`.
pub fn write_figure(drawing: impl Into<Drawing>, stem: &Path) -> Result<Vec<PathBuf>, Failure> {
    drawing
        .into()
        .write_all(stem)
        .with_context(|| format!("cannot write the figure {}", stem.display()))
        .map_err(failed)
}

/// What a command wrote, as `--json` prints it: the record's file, its figure's files,
/// and the record itself.
#[derive(Serialize)]
pub struct Written<'a, T: Serialize> {
    /// The record's file.
    pub report: &'a Path,
    /// The figure's JSON, SVG and PNG.
    pub figure: &'a [PathBuf],
    /// The record.
    pub record: &'a T,
}

/// Writes a probe's report to `out` and its figure beside it; with `--json` prints both
/// (as [`Written`]) and returns `None`, else the figure's files for the text output.
pub fn write_probe<T: Artifact>(
    out: &Path,
    record: &T,
    drawing: impl Into<Drawing>,
    json: bool,
) -> Result<Option<Vec<PathBuf>>, Failure> {
    write_record(out, record)?;
    let figure = write_drawing(drawing, &spec::layout::probe_figure(out))?;
    if json {
        print_json(&Written {
            report: out,
            figure: &figure,
            record,
        })?;
        return Ok(None);
    }
    Ok(Some(figure))
}

/// Prints, as JSON, what a command wrote for each of several inputs: (the record's file,
/// its figure's files, the record).
pub fn print_written<T: Serialize>(written: &[(PathBuf, Vec<PathBuf>, T)]) -> Result<(), Failure> {
    let list: Vec<Written<T>> = written
        .iter()
        .map(|(report, figure, record)| Written {
            report,
            figure,
            record,
        })
        .collect();
    print_json(&list)
}

/// Says where files went, on one line.
pub fn print_paths(paths: &[PathBuf]) {
    let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    println!("{}", names.join("  "));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn times_are_utc_dates() {
        assert_eq!(utc(UNIX_EPOCH), "1970-01-01 00:00");
        let t = UNIX_EPOCH + Duration::from_secs(1_764_476_733);
        assert_eq!(utc(t), "2025-11-30 04:25");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(utc(leap), "2000-02-29 00:00");
    }
}
