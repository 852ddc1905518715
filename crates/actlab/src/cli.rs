//! The command line: clap definitions, with help text that teaches.
//!
//! One meaning per flag, in every command that has it: `--out DIR` is the folder a
//! command writes into (file names are derived inside it), `--json` prints the result as
//! JSON, `--hidden`/`--scope`/`--layer` shape every network a command builds, and
//! `--device`/`--threads` say where it computes.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use spec::{FourierInit, LayerKind, OptimizerKind, Scope};

use crate::device::DeviceChoice;
use crate::parse::{self, choice};

/// Experiments on activation functions: train the book's network with each one,
/// compare them, and probe what they do inside.
#[derive(Debug, Parser)]
#[command(name = "actlab", version, propagate_version = true)]
#[command(
    after_help = "A first session (about a minute after the build):\n  actlab train --acts ReLU,TeLU --epochs 1 --name first\n  actlab probe dead-neurons --run results/first/ReLU-s7\n  actlab plot --from results/first\n  actlab report results/first\n  actlab ls\n\nThe book's comparison:\n  actlab train --config configs/book-ch4.toml"
)]
pub struct Cli {
    /// Print the result as JSON on stdout instead of text (progress goes to stderr).
    #[arg(long, global = true)]
    pub json: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Train SimpleNetwork on FashionMNIST, one run per activation and seed.
    ///
    /// Settings come from --config (TOML) when given, else the book's defaults
    /// (784-256-192-128-64-10, SGD lr 1e-3 momentum 0.8, batch 128, 15 epochs, seed 7);
    /// flags override both. Each run writes OUT/NAME/<Activation>-s<seed>/ (run.json,
    /// checkpoints/, figures/); the experiment folder OUT/NAME gets summary.md, .csv,
    /// .json and figures/comparison.*.
    #[command(
        after_help = "Examples:\n  actlab train --acts ReLU,TeLU,STAF\n  actlab train --acts ReLU,TeLU --epochs 1 --name first\n  actlab train --config configs/book-ch4.toml --threads 2\n  actlab train --acts GELU --epochs 3 --lr 0.01 --momentum 0.9 --name gelu-quick\n  actlab train --resume results/train\n  actlab train --config configs/book-ch4-seeds.toml --jobs auto\n  actlab train --acts ReLU,Tanh,GELU --seeds 3 --epochs 2"
    )]
    Train(Box<TrainArgs>),
    /// Print the layer table (torchinfo style) and parameter count of a network.
    #[command(
        after_help = "Examples:\n  actlab summary --act PReLU\n  actlab summary --act STAF --scope per-layer --json"
    )]
    Summary(SummaryArgs),
    /// Analyse a trained or freshly initialised network.
    #[command(subcommand)]
    Probe(ProbeCommand),
    /// The activation registry.
    #[command(subcommand)]
    Acts(ActsCommand),
    /// Figures (JSON + SVG + PNG): activation curves, dead units side by side, or any
    /// saved record drawn again with --from.
    #[command(
        after_help = "Examples:\n  actlab plot acts --acts ReLU,GELU,TeLU\n  actlab plot --from results/first\n  actlab plot --from results/first/ReLU-s7\n  actlab plot --from results/probes/gradients-ReLU.json --out /tmp/figures"
    )]
    Plot(PlotArgs),
    /// One self-contained index.html for an experiment folder: summary table, every
    /// figure as inline SVG, and the config; it opens offline.
    #[command(after_help = "Example:\n  actlab report results/first")]
    Report(ReportArgs),
    /// Read a PyTorch-trained network of the book (its state dict, .pt/.pth, or
    /// safetensors) into an ordinary run folder, so that every probe, plot, report and
    /// eval works on it: OUT/NAME/<Activation>-s0/ with run.json (status imported, the
    /// file's SHA-256) and checkpoints/epoch-0.bpk.
    #[command(
        after_help = "Examples:\n  actlab import model.pt --act ReLU\n  actlab import staf.safetensors --act STAF --name book-staf\n  actlab import prelu.pth --act PReLU --hidden 256,192,128,64 --out results"
    )]
    Import(ImportArgs),
    /// Test-set loss and accuracy of a run's checkpoint, trained or imported.
    #[command(
        after_help = "Examples:\n  actlab eval --run results/first/ReLU-s7\n  actlab eval --run results/model/ReLU-s0 --logits 3 --json"
    )]
    Eval(EvalRunArgs),
    /// Write a run's checkpoint as safetensors with the book's PyTorch key names and
    /// layouts: SimpleNetwork(...).load_state_dict(safetensors.torch.load_file(FILE))
    /// works in the book's code unchanged.
    #[command(
        after_help = "Examples:\n  actlab export --run results/first/ReLU-s7 --to relu.safetensors\n  actlab export --run results/reference/book-ch4/STAF-s7 --checkpoint epoch-5 --to staf-e5.safetensors"
    )]
    Export(ExportArgs),
    /// TensorBoard event files of saved runs, written from their records: every
    /// experiment at or below DIR (up to three levels), each run into its tensorboard/
    /// folder, or OUT/<experiment>/<run>/.
    #[command(
        after_help = "Examples:\n  actlab tensorboard results/reference/book-ch4\n  actlab tensorboard results --out /tmp/tb && tensorboard --logdir /tmp/tb"
    )]
    Tensorboard(TensorboardArgs),
    /// Compare two experiment folders activation by activation: each one's mean final
    /// test accuracy in both, the change with Welch's 95 % interval and Holm-adjusted
    /// tests, and whether it regressed. With --fail-on-regression, a CI gate: exit code
    /// 3 when some activation is significantly worse than in BASELINE by more than
    /// --margin points.
    #[command(
        after_help = "Examples:\n  actlab compare results/after results/before\n  actlab compare results/after results/before --fail-on-regression --margin 0.5\n\nExit codes: 0 no regression (or no --fail-on-regression), 3 a regression (the activations are named on stderr), 2 bad input (not experiment folders, other epochs or data)."
    )]
    Compare(CompareArgs),
    /// Experiments and their runs under a folder: status, epochs, best test accuracy,
    /// when last written.
    #[command(after_help = "Examples:\n  actlab ls\n  actlab ls results/first --json")]
    Ls(LsArgs),
    /// One run at a glance: its settings, metrics per epoch, checkpoints, and the
    /// learned values of its trainable activation parameters.
    #[command(
        after_help = "Examples:\n  actlab show results/first/TeLU-s7\n  actlab show results/first/TeLU-s7 --checkpoint epoch-1 --json"
    )]
    Show(ShowArgs),
    /// Measure speed: activations alone, or training epochs split by phase.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Train a run again from its run.json alone and check that every epoch's metrics
    /// come out identical (same backend, thread count and machine kind needed).
    #[command(
        after_help = "Example:\n  actlab rerun results/first/ReLU-s7/run.json --out /tmp/rerun"
    )]
    Rerun(RerunArgs),
    /// After the shards of a sweep: check the experiment folder against its plan, name
    /// the runs missing or unfinished, and write the summary, figures and report.
    #[command(
        after_help = "Example:\n  actlab merge results/book-ch4-seeds\n\nExit codes: 0 every planned run finished, 4 some missing or unfinished (named on stderr; the summary covers the rest), 2 a foreign or unreadable run.json (named)."
    )]
    Merge(MergeArgs),
    /// Write a Slurm job array script for a config's sweep: one task per run, the merge
    /// as a job that waits for them.
    #[command(
        after_help = "Examples:\n  actlab slurm configs/book-ch4-seeds.toml --array-limit 8 --time 01:00:00\n  bash book-ch4-seeds.sbatch       # submits the array, then the merge\n  sbatch book-ch4-seeds.sbatch     # the array alone"
    )]
    Slurm(SlurmArgs),
    /// Train one run of a saved experiment for a parent's --jobs (internal).
    #[command(hide = true)]
    Worker(WorkerArgs),
    /// Print a completion script for your shell.
    #[command(
        after_help = "Examples:\n  actlab completions bash > ~/.local/share/bash-completion/completions/actlab\n  actlab completions zsh > ~/.zfunc/_actlab"
    )]
    Completions(CompletionsArgs),
}

/// Flags of `actlab completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Flags of `actlab ls`.
#[derive(Debug, Args)]
pub struct LsArgs {
    /// The folder to look in (experiment folders below it, up to three levels deep).
    #[arg(value_name = "DIR", default_value = "results")]
    pub dir: PathBuf,
}

/// Flags of `actlab show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// A run folder (holding run.json), or its run.json.
    #[arg(value_name = "RUN")]
    pub run: PathBuf,
    /// The checkpoint whose activation parameters to show, e.g. epoch-5 [default: the last].
    #[arg(long)]
    pub checkpoint: Option<String>,
    #[command(flatten)]
    pub compute: DeviceArgs,
}

/// Flags of `actlab plot`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct PlotArgs {
    /// What to draw.
    #[command(subcommand)]
    pub command: Option<PlotCommand>,
    /// Draw again from saved data: a figure or probe report JSON, a run.json or run
    /// folder (training curves), or an experiment folder or its experiment.json (every
    /// run side by side).
    #[arg(long, value_name = "PATH")]
    pub from: Option<PathBuf>,
    /// Folder for the figure's files, NAME.json, NAME.svg and NAME.png [default:
    /// results/figures for `acts` and `dead-neurons`; beside the data for --from].
    #[arg(long, value_name = "DIR", global = true)]
    pub out: Option<PathBuf>,
}

/// Figures computed afresh.
#[derive(Debug, Subcommand)]
pub enum PlotCommand {
    /// Each activation and its derivative on [-4, 4] (200 points), three per row:
    /// activations.json/.svg/.png.
    Acts(PlotActsArgs),
    /// Dead-neuron reports side by side: dead units per layer as grouped bars, one
    /// group per layer and one bar per report: dead-neurons.json/.svg/.png.
    #[command(
        after_help = "Example:\n  actlab plot dead-neurons results/first/ReLU-s7/probes/dead-neurons-epoch-1.json results/first/TeLU-s7/probes/dead-neurons-epoch-1.json"
    )]
    DeadNeurons {
        /// Reports written by `actlab probe dead-neurons`.
        #[arg(required = true, value_name = "REPORT")]
        reports: Vec<PathBuf>,
    },
}

/// Flags of `actlab plot acts`.
#[derive(Debug, Args)]
pub struct PlotActsArgs {
    /// Activations [default: the book's 13].
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    pub acts: Option<Vec<String>>,
    /// Seed of random initial parameters (STAF, Fourier).
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    #[command(flatten)]
    pub defs: DefinitionArgs,
    #[command(flatten)]
    pub compute: DeviceArgs,
}

/// Flags of `actlab report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The experiment folder (holding experiment.json).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Folder for index.html [default: the experiment folder].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// Flags of `actlab import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// A state dict of the book's SimpleNetwork: torch.save(model.state_dict(), FILE)
    /// (.pt, .pth) or a safetensors file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The network's activation (a parameter-free built-in, or PReLU, TeLU, STAF).
    #[arg(long, value_name = "NAME")]
    pub act: String,
    /// Hidden widths to expect, comma-separated [default: read from the file's shapes].
    #[arg(long, value_delimiter = ',', value_name = "W,...")]
    pub hidden: Option<Vec<usize>>,
    /// The activation's scope [default: shared when every place holds the same
    /// parameters, per-layer when they differ, per-neuron with one value per unit].
    #[arg(long, value_name = "SCOPE")]
    pub scope: Option<String>,
    /// Experiment name [default: the file's name without its extension].
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Parent folder of the experiment folder.
    #[arg(long, value_name = "DIR", default_value = "results")]
    pub out: PathBuf,
    /// Replace an experiment folder of that name.
    #[arg(long)]
    pub force: bool,
}

/// Flags of `actlab eval`.
#[derive(Debug, Args)]
pub struct EvalRunArgs {
    /// A run folder (trained or imported).
    #[arg(long, value_name = "DIR")]
    pub run: PathBuf,
    /// Which checkpoint, e.g. epoch-5 [default: the last].
    #[arg(long)]
    pub checkpoint: Option<String>,
    /// Also print the logits of the first N test images.
    #[arg(long, value_name = "N", value_parser = parse::up_to::<10_000>)]
    pub logits: Option<usize>,
    #[command(flatten)]
    pub env: EnvArgs,
}

/// Flags of `actlab export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// A run folder (trained or imported).
    #[arg(long, value_name = "DIR")]
    pub run: PathBuf,
    /// Which checkpoint, e.g. epoch-5 [default: the last].
    #[arg(long)]
    pub checkpoint: Option<String>,
    /// The safetensors file to write (refused if it exists, unless --force).
    #[arg(long, value_name = "FILE")]
    pub to: PathBuf,
    /// Replace an existing FILE.
    #[arg(long)]
    pub force: bool,
}

/// Flags of `actlab tensorboard`.
#[derive(Debug, Args)]
pub struct TensorboardArgs {
    /// An experiment folder, or a folder with experiments below it.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Write OUT/<experiment>/<run>/events.out.tfevents.* [default: into each run's
    /// tensorboard/ folder].
    #[arg(long, value_name = "OUT")]
    pub out: Option<PathBuf>,
}

/// Flags of `actlab merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The experiment folder the shards trained into.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

/// Flags of `actlab slurm`.
#[derive(Debug, Args)]
pub struct SlurmArgs {
    /// The experiment config (TOML) the array trains.
    #[arg(value_name = "CONFIG")]
    pub config: PathBuf,
    /// Tasks running at once (sbatch --array=0-N%K) [default: no limit].
    #[arg(long, value_parser = parse::positive_usize, value_name = "K")]
    pub array_limit: Option<usize>,
    /// Time limit of each task, as Slurm reads it (e.g. 01:00:00).
    #[arg(long, value_name = "HH:MM:SS")]
    pub time: Option<String>,
    /// Partition to submit to [default: the cluster's].
    #[arg(long, value_name = "P")]
    pub partition: Option<String>,
    /// Where to write the script [default: NAME.sbatch in the current folder].
    #[arg(long, value_name = "FILE")]
    pub script: Option<PathBuf>,
    /// FashionMNIST folder the tasks read [default: what actlab finds on each node].
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// The tasks skip the MD5 check of the dataset (for other IDX datasets).
    #[arg(long)]
    pub no_verify: bool,
}

/// Flags of the internal `actlab worker`.
#[derive(Debug, Args)]
pub struct WorkerArgs {
    /// The experiment folder.
    pub dir: PathBuf,
    /// The run's name.
    pub run: String,
    #[command(flatten)]
    pub env: EnvArgs,
}

/// Flags of `actlab compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The new experiment folder.
    #[arg(value_name = "NEW")]
    pub new: PathBuf,
    /// The experiment folder it is compared with.
    #[arg(value_name = "BASELINE")]
    pub baseline: PathBuf,
    /// Exit with code 3, naming them, when activations regressed: significantly worse
    /// (one-sided Welch, Holm-adjusted, α = 0.05) by more than --margin points.
    #[arg(long)]
    pub fail_on_regression: bool,
    /// Points of final test accuracy an activation may lose before it counts as
    /// regressed.
    #[arg(long, default_value_t = 0.5, value_parser = parse::non_negative_f64, value_name = "PTS")]
    pub margin: f64,
}

/// The benchmarks.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Forward + backward of each activation on a [128, 256] tensor (median µs).
    #[command(after_help = "Example:\n  actlab bench acts --acts ReLU,TeLU,STAF --threads 2")]
    Acts(BenchActsArgs),
    /// Training epochs of the book's network: epoch, evaluation and dead-neuron-pass
    /// seconds, and each step's time split into batch assembly, forward, backward and
    /// optimiser.
    #[command(after_help = "Example:\n  actlab bench train --acts ReLU,STAF --epochs 3 --json")]
    Train(BenchTrainArgs),
}

/// Flags of `actlab bench acts`.
#[derive(Debug, Args)]
pub struct BenchActsArgs {
    /// Activations [default: all of the registry].
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    pub acts: Option<Vec<String>>,
    /// Timed iterations per activation (a fifth more run first, untimed).
    #[arg(long, default_value_t = 50, value_parser = parse::up_to::<1_000_000>)]
    pub iterations: usize,
    #[command(flatten)]
    pub defs: DefinitionArgs,
    #[command(flatten)]
    pub compute: DeviceArgs,
}

/// Flags of `actlab bench train`.
#[derive(Debug, Args)]
pub struct BenchTrainArgs {
    /// Activations, one run each.
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "NAMES",
        default_value = "ReLU,TeLU,STAF"
    )]
    pub acts: Vec<String>,
    /// Epochs per run; the first is a warm-up when there are several.
    #[arg(long, default_value_t = 3, value_parser = parse::positive_usize)]
    pub epochs: usize,
    /// Training batch size.
    #[arg(long, default_value_t = 128, value_parser = parse::positive_usize)]
    pub batch_size: usize,
    /// Train on the first N training images only; epoch and dead-neuron-pass times are
    /// then scaled to the 60,000 of a full epoch (for wide networks, where a full epoch
    /// takes minutes).
    #[arg(long, value_name = "N", value_parser = parse::positive_usize)]
    pub images: Option<usize>,
    #[command(flatten)]
    pub shape: ShapeArgs,
    #[command(flatten)]
    pub env: EnvArgs,
}

/// Flags of `actlab rerun`.
#[derive(Debug, Args)]
pub struct RerunArgs {
    /// A run's run.json, or its folder.
    #[arg(value_name = "RUN_JSON")]
    pub record: PathBuf,
    /// Folder the new run folder goes in [default: results/rerun/<experiment>].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Overwrite an earlier rerun in the same place.
    #[arg(long)]
    pub force: bool,
    /// No progress output.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub env: EnvArgs,
}

/// Flags of `actlab train`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Experiment config (TOML); see configs/ for examples.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub settings: TrainSettings,
    /// Overwrite an experiment folder that already holds results.
    #[arg(long, conflicts_with = "resume")]
    pub force: bool,
    /// Continue an interrupted experiment folder (e.g. results/train): finished runs are
    /// kept, unfinished ones continue from their last completed epoch with the model,
    /// optimiser state and random stream they had, and runs not yet begun are trained.
    /// Settings come from the folder's experiment.json, so no other training flag is allowed.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["settings", "config"])]
    pub resume: Option<PathBuf>,
    /// Train only shard I of N of the planned runs, into the shared experiment folder:
    /// runs are planned activation-major (each activation with each seed), and run k
    /// belongs to shard k mod N. `auto/N` takes I from SLURM_ARRAY_TASK_ID or
    /// JOB_COMPLETION_INDEX. A shard started again keeps finished runs and resumes
    /// unfinished ones; the summary lists every run finished so far.
    #[arg(long, value_name = "I/N", value_parser = parse::shard, conflicts_with_all = ["resume", "force"])]
    pub shard: Option<parse::ShardChoice>,
    /// Runs to train at once, each in a process of its own (so each is bit-identical to
    /// training it alone); `auto` is one per core. With --threads T, a sweep uses
    /// N x T cores.
    #[arg(long, default_value = "1", value_parser = parse::jobs, value_name = "N")]
    pub jobs: usize,
    /// No progress output (the final table is still printed).
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub env: EnvArgs,
}

/// What `--track` can record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Track {
    /// Per layer and epoch: mean gradient norm, and the weights' mean, std and norm.
    Grads,
}

/// The settings of an experiment that flags can give or override (none of them with
/// `--resume`, which takes the saved ones).
#[derive(Debug, Args)]
#[group(id = "settings", multiple = true)]
pub struct TrainSettings {
    /// Activations to train, comma-separated, case-insensitive (see `actlab acts list`).
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    pub acts: Option<Vec<String>>,
    /// Experiment name: the folder under --out [default: train, or the config's name].
    #[arg(long)]
    pub name: Option<String>,
    /// Folder the experiment folder NAME goes in [default: results, or the config's
    /// `out`; a relative folder is taken from the current directory].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Passes over the training set [default: 15].
    #[arg(long, value_parser = parse::up_to::<100_000>)]
    pub epochs: Option<usize>,
    /// Learning rate [default: 0.001].
    #[arg(long, value_parser = parse::positive_f64, allow_negative_numbers = true)]
    pub lr: Option<f64>,
    /// SGD momentum, in [0, 1) [default: 0.8, as the book's train_all_models].
    #[arg(long, value_parser = parse::momentum, allow_negative_numbers = true)]
    pub momentum: Option<f64>,
    /// L2 weight decay [default: 0].
    #[arg(long, value_parser = parse::non_negative_f64, allow_negative_numbers = true)]
    pub weight_decay: Option<f64>,
    /// Samples per optimiser step [default: 128].
    #[arg(long, value_parser = parse::up_to::<1_000_000>)]
    pub batch_size: Option<usize>,
    /// Optimiser [default: sgd].
    #[arg(long, value_parser = choice::<OptimizerKind>())]
    pub optimizer: Option<OptimizerKind>,
    /// Seeds, comma-separated: one run per activation and seed [default: 7].
    #[arg(long, value_delimiter = ',')]
    pub seed: Option<Vec<u64>>,
    /// N seeds, 1 to N: one run per activation and seed (instead of --seed).
    #[arg(long, value_parser = parse::up_to::<10_000>, conflicts_with = "seed")]
    pub seeds: Option<usize>,
    /// The activation the summary compares every other with (difference, Welch's test,
    /// probability of improvement) [default: ReLU when trained, else the first of --acts].
    #[arg(long, value_name = "NAME")]
    pub baseline: Option<String>,
    /// Hidden layer widths, comma-separated [default: 256,192,128,64].
    #[arg(long, value_delimiter = ',', value_name = "WIDTHS")]
    pub hidden: Option<Vec<usize>>,
    /// Parameters of trainable activations: shared (the book), per-layer or per-neuron
    /// [default: shared].
    #[arg(long, value_parser = choice::<Scope>())]
    pub scope: Option<Scope>,
    /// Hidden-layer type: linear (the book) or glu, where the activation gates a second
    /// linear map (SwiGLU with SiLU) [default: linear].
    #[arg(long, value_parser = choice::<LayerKind>())]
    pub layer: Option<LayerKind>,
    /// Also record per layer, every epoch, the mean gradient norm and the weights' mean,
    /// std and norm (in run.json, and drawn in the run's figure): --track grads.
    #[arg(long, value_enum, value_name = "WHAT")]
    pub track: Option<Track>,
    /// Sinusoids of the Fourier activation [default: 25, as STAF].
    #[arg(long, value_parser = parse::positive_usize, value_name = "TAU")]
    pub fourier_tau: Option<usize>,
    /// Initialisation of the Fourier activation: normal (STAF's N(0, 1)) or paper (the
    /// STAF authors' code) [default: normal].
    #[arg(long, value_parser = choice::<FourierInit>(), value_name = "INIT")]
    pub fourier_init: Option<FourierInit>,
    /// Frequency scale of the paper initialisation [default: 30].
    #[arg(long, value_parser = parse::positive_f64, value_name = "OMEGA0")]
    pub fourier_omega0: Option<f64>,
    /// Write TensorBoard event files as each run trains (losses, accuracies, the running
    /// loss, with --track grads per-layer statistics and weight histograms, and the
    /// hyper-parameters for the HParams dashboard): into each run's tensorboard/ folder,
    /// or DIR/<experiment>/<run>/.
    #[arg(long, num_args = 0..=1, value_name = "DIR")]
    pub tensorboard: Option<Option<PathBuf>>,
    /// Batches between two records of the running training loss [default: 50].
    #[arg(long, value_parser = parse::up_to::<1_000_000>, value_name = "N")]
    pub log_every: Option<usize>,
    /// Epochs after which to save a checkpoint, comma-separated (the last always is).
    #[arg(long, value_delimiter = ',', value_name = "EPOCHS")]
    pub save_epochs: Option<Vec<usize>>,
}

/// Where things run and where the data is.
#[derive(Debug, Args)]
pub struct EnvArgs {
    #[command(flatten)]
    pub compute: DeviceArgs,
    /// FashionMNIST folder [default: $ACTLAB_DATA, ./data/fashion-mnist, /usr/share/datasets/fashion-mnist].
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Skip the MD5 check that the four files are FashionMNIST's (for other IDX datasets).
    #[arg(long)]
    pub no_verify: bool,
    /// Start even when the memory the work needs (estimated from the network and batch
    /// sizes) exceeds what this machine has available.
    #[arg(long)]
    pub no_memory_check: bool,
}

/// Where a computation runs.
#[derive(Debug, Args)]
pub struct DeviceArgs {
    /// Compute device: flex, ndarray (CPU), or wgpu (when compiled in).
    #[arg(long, default_value = "flex")]
    pub device: DeviceChoice,
    /// Worker threads. One is the default: on two cores a second thread slows a run of
    /// this small network down, and one thread keeps results bit-identical run to run.
    #[arg(long, default_value_t = 1, value_parser = parse::up_to::<1024>)]
    pub threads: usize,
}

/// The shape of every network a command builds.
#[derive(Debug, Args)]
pub struct ShapeArgs {
    /// Hidden layer widths, comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "256,192,128,64",
        value_name = "WIDTHS"
    )]
    pub hidden: Vec<usize>,
    /// Parameters of trainable activations: shared, per-layer or per-neuron.
    #[arg(long, default_value = "shared", value_parser = choice::<Scope>())]
    pub scope: Scope,
    /// Hidden-layer type: linear or glu.
    #[arg(long, default_value = "linear", value_parser = choice::<LayerKind>())]
    pub layer: LayerKind,
}

/// The network a command builds without a run folder.
#[derive(Debug, Args)]
pub struct NetworkArgs {
    /// Activation (see `actlab acts list`).
    #[arg(long, default_value = "ReLU")]
    pub act: String,
    #[command(flatten)]
    pub shape: ShapeArgs,
    /// The book's variant without any activation.
    #[arg(long)]
    pub no_act: bool,
    #[command(flatten)]
    pub defs: DefinitionArgs,
}

/// Flags of `actlab summary`.
#[derive(Debug, Args)]
pub struct SummaryArgs {
    #[command(flatten)]
    pub network: NetworkArgs,
}

/// The probes.
#[derive(Debug, Subcommand)]
pub enum ProbeCommand {
    /// Count hidden units that output exactly 0 for every training sample (the book's
    /// definition), per layer, with saturated units and sparsity; for a trained run or a
    /// freshly initialised network.
    #[command(
        after_help = "Examples:\n  actlab probe dead-neurons --run results/first/ReLU-s7\n  actlab probe dead-neurons --init --act ReLU --hidden 2048,1024,1024,512,512,256,128 --seed 7"
    )]
    DeadNeurons(DeadNeuronArgs),
    /// The book's gradient check: a fresh network, one training batch, backward; per
    /// Linear layer, histograms and statistics of the weight gradients and the weights.
    /// A report and a figure per activation, and for the network without activation.
    #[command(after_help = "Example:\n  actlab probe gradients --acts ReLU,Sigmoid,TeLU")]
    Gradients(GradientArgs),
    /// Per-layer output distributions of a trained run over the whole test set:
    /// histograms, statistics and the fraction of outputs that are exactly 0.
    #[command(
        after_help = "Example:\n  actlab probe outputs --run results/first/ReLU-s7 --checkpoint epoch-1"
    )]
    Outputs(OutputArgs),
    /// The chapter's activation surfaces: Z = f(X) + f(Y) on a grid over [-5, 5]² and its
    /// gradient magnitude from autodiff, as a report and a 3-D surface beside a heatmap.
    #[command(after_help = "Example:\n  actlab probe surface --acts ReLU,GELU,STAF")]
    Surface(SurfaceArgs),
    /// The loss Hessian of a run's checkpoint on a fixed subset of the training set, in
    /// float64: top and smallest eigenvalues (Lanczos), trace (Hutchinson), spectral
    /// density (stochastic Lanczos quadrature), the same per layer and for the
    /// activation's parameters, and the chapter's stability index ξ.
    #[command(
        after_help = "Examples:\n  actlab probe hessian --run results/first/ReLU-s7\n  actlab probe hessian --run results/first/TeLU-s7 --samples 4096 --steps 60 --vectors 50"
    )]
    Hessian(HessianArgs),
    /// The loss landscape of a run: along the line from its first checkpoint (epoch 0,
    /// saved with --save-epochs 0) to its last, extended past both ends, or to another
    /// run's weights; and over a plane of two filter-normalised random directions
    /// (Li et al., 2018) around the last checkpoint. Points are spread over --threads.
    #[command(
        after_help = "Examples:\n  actlab probe landscape --run results/first/ReLU-s7\n  actlab probe landscape --run results/first/ReLU-s7 --to results/first/TeLU-s7 --no-surface\n  actlab probe landscape --run results/first/GELU-s7 --steps 21 --range 0.5 --threads 2"
    )]
    Landscape(LandscapeArgs),
    /// The empirical neural tangent kernel of a freshly initialised network over test
    /// images: its eigenvalues, trace and condition number; for LeakyReLU, the
    /// chapter's claim λmin ≥ α checked.
    #[command(
        after_help = "Examples:\n  actlab probe ntk --act LeakyReLU\n  actlab probe ntk --act ReLU --samples 200 --seed 3"
    )]
    Ntk(NtkArgs),
}

/// Flags of `actlab probe hessian`.
#[derive(Debug, Args)]
pub struct HessianArgs {
    /// A run folder (trained or imported).
    #[arg(long, value_name = "DIR")]
    pub run: PathBuf,
    /// Which checkpoint of the run, e.g. epoch-5 [default: the last].
    #[arg(long)]
    pub checkpoint: Option<String>,
    /// Training images in the fixed subset the loss averages over.
    #[arg(long, default_value_t = 2048, value_parser = parse::up_to::<60_000>)]
    pub samples: usize,
    /// Seed of the subset (a permutation of the training set) and of the random vectors.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Largest eigenvalues to report.
    #[arg(long, default_value_t = 5, value_parser = parse::up_to::<100>)]
    pub top: usize,
    /// Lanczos steps (for the whole Hessian and for each density run).
    #[arg(long, default_value_t = 40, value_parser = parse::up_to::<500>)]
    pub steps: usize,
    /// Rademacher vectors for the trace and ‖H‖_F.
    #[arg(long, default_value_t = 30, value_parser = parse::up_to::<100_000>)]
    pub vectors: usize,
    /// Skip the per-block spectra (each layer, the activation).
    #[arg(long)]
    pub no_blocks: bool,
    /// Folder for hessian-<checkpoint>.json and its figure [default: the run's probes/].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub env: EnvArgs,
}

/// Flags of `actlab probe landscape`.
#[derive(Debug, Args)]
pub struct LandscapeArgs {
    /// A run folder with at least one checkpoint.
    #[arg(long, value_name = "DIR")]
    pub run: PathBuf,
    /// The line's far end: another run's last checkpoint [default: this run's last,
    /// from its first].
    #[arg(long, value_name = "DIR")]
    pub to: Option<PathBuf>,
    /// Only the line.
    #[arg(long, conflicts_with = "no_line")]
    pub no_surface: bool,
    /// Only the surface.
    #[arg(long)]
    pub no_line: bool,
    /// Grid points per axis of the surface.
    #[arg(long, default_value_t = 41, value_parser = parse::up_to::<401>)]
    pub steps: usize,
    /// The surface spans [-RANGE, RANGE] along each direction.
    #[arg(long, default_value_t = 1.0, value_parser = parse::positive_f64)]
    pub range: f64,
    /// Seed of the two random directions.
    #[arg(long, default_value_t = 1)]
    pub direction_seed: u64,
    /// Move biases and the activation's parameters too (zero in the directions by
    /// default, as in Li et al.).
    #[arg(long)]
    pub include_biases: bool,
    /// Training images the loss averages over (a fixed subset).
    #[arg(long, default_value_t = 2048, value_parser = parse::up_to::<60_000>)]
    pub samples: usize,
    /// Seed of the subset.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Folder for the reports and figures [default: the run's probes/].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub env: EnvArgs,
}

/// Flags of `actlab probe ntk`.
#[derive(Debug, Args)]
pub struct NtkArgs {
    #[command(flatten)]
    pub network: NetworkArgs,
    /// Test images (the kernel is N x N).
    #[arg(long, default_value_t = 100, value_parser = parse::up_to::<2_000>)]
    pub samples: usize,
    /// Seed of the initialisation.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Folder for the report and its figure [default: results/probes].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub env: EnvArgs,
}

/// Flags of `actlab probe outputs`.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// A run folder (holding run.json and checkpoints/).
    #[arg(long, value_name = "DIR")]
    pub run: PathBuf,
    /// Which checkpoint of the run, e.g. epoch-5 [default: the last].
    #[arg(long)]
    pub checkpoint: Option<String>,
    /// Histogram bins.
    #[arg(long, default_value_t = 60, value_parser = parse::up_to::<100_000>)]
    pub bins: usize,
    /// Folder for outputs-<checkpoint>.json and its figure [default: the run's probes/].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub env: EnvArgs,
}

/// Flags of `actlab probe gradients`.
#[derive(Debug, Args)]
pub struct GradientArgs {
    /// Activations [default: the book's 13].
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    pub acts: Option<Vec<String>>,
    #[command(flatten)]
    pub shape: ShapeArgs,
    /// Initialisation seed.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Samples in the batch (the first of the training set).
    #[arg(long, default_value_t = 128, value_parser = parse::up_to::<1_000_000>)]
    pub batch: usize,
    /// Histogram bins.
    #[arg(long, default_value_t = 50, value_parser = parse::up_to::<100_000>)]
    pub bins: usize,
    /// Folder for gradients-<Activation>.json and its figure [default: results/probes].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub defs: DefinitionArgs,
    #[command(flatten)]
    pub env: EnvArgs,
}

/// Flags of `actlab probe surface`.
#[derive(Debug, Args)]
pub struct SurfaceArgs {
    /// Activations [default: the book's 13].
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    pub acts: Option<Vec<String>>,
    /// Grid points per axis.
    #[arg(long, default_value_t = 100, value_parser = parse::up_to::<4096>)]
    pub grid: usize,
    /// The grid spans [-RANGE, RANGE] on both axes.
    #[arg(long, default_value_t = 5.0, value_parser = parse::positive_f64)]
    pub range: f64,
    /// Seed of random initial parameters (STAF, Fourier).
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Folder for surface-<Activation>.json and its figure [default: results/probes].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub defs: DefinitionArgs,
    #[command(flatten)]
    pub compute: DeviceArgs,
}

/// Flags of `actlab probe dead-neurons`.
#[derive(Debug, Args)]
pub struct DeadNeuronArgs {
    /// A run folder (holding run.json and checkpoints/).
    #[arg(
        long,
        value_name = "DIR",
        conflicts_with = "init",
        required_unless_present = "init"
    )]
    pub run: Option<PathBuf>,
    /// Which checkpoint of the run, e.g. epoch-5 [default: the last].
    #[arg(long, requires = "run")]
    pub checkpoint: Option<String>,
    /// Probe a freshly initialised network instead of a run.
    #[arg(long)]
    pub init: bool,
    #[command(flatten)]
    pub network: NetworkArgs,
    /// Seed of the fresh network's initialisation.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Folder for the report (dead-neurons-<checkpoint>.json, or
    /// dead-neurons-init-<network>.json) and its figure [default: the run's probes/, or
    /// results/probes with --init].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub env: EnvArgs,
}

/// Registry commands.
#[derive(Debug, Subcommand)]
pub enum ActsCommand {
    /// List every activation: name, category, formula, parameters, scopes.
    List(ListArgs),
    /// Value and derivative of an activation at given points, and for trainable ones the
    /// gradient of the sum over the points with respect to each parameter.
    #[command(
        after_help = "Examples:\n  actlab acts eval GELU --at -3,-1,0,1,3\n  actlab acts eval TeLU --at -100,0,100 --json"
    )]
    Eval(EvalArgs),
}

/// Flags of `actlab acts list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub defs: DefinitionArgs,
}

/// Flags of `actlab acts eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Activation name (see `actlab acts list`).
    pub name: String,
    /// Points, comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        allow_hyphen_values = true,
        required = true,
        value_name = "X1,X2,..."
    )]
    pub at: Vec<f64>,
    /// Seed of random initial parameters (STAF).
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    #[command(flatten)]
    pub defs: DefinitionArgs,
    #[command(flatten)]
    pub compute: DeviceArgs,
}

/// Where user-defined activations come from.
#[derive(Debug, Args)]
pub struct DefinitionArgs {
    /// A TOML file with [[activation]] tables (name, expr, params), e.g. an experiment
    /// config; its activations become usable by name.
    #[arg(long = "defs", value_name = "FILE")]
    pub file: Option<PathBuf>,
}
