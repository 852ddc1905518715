//! The command line: clap definitions, with help text that teaches. One module per
//! command, named as the command is and as its module in the binary's `commands/`; the
//! flag groups several commands share are in [`shared`].
//!
//! One meaning per flag, in every command that has it: `--out DIR` is the folder a
//! command writes into (file names are derived inside it), `--json` prints the result as
//! JSON, `--hidden`/`--scope`/`--layer` shape every network a command builds, and
//! `--device`/`--threads` say where it computes.

pub mod acts;
pub mod bench;
pub mod compare;
pub mod completions;
pub mod eval;
pub mod export;
pub mod import;
pub mod ls;
pub mod merge;
pub mod plot;
pub mod probe;
pub mod report;
pub mod rerun;
pub mod search;
pub mod shared;
pub mod show;
pub mod slurm;
pub mod summary;
pub mod tensorboard;
pub mod train;
pub mod worker;

use clap::{Parser, Subcommand};

use acts::ActsCommand;
use bench::BenchCommand;
use compare::CompareArgs;
use completions::CompletionsArgs;
use eval::EvalRunArgs;
use export::ExportArgs;
use import::ImportArgs;
use ls::LsArgs;
use merge::MergeArgs;
use plot::PlotArgs;
use probe::ProbeCommand;
use report::ReportArgs;
use rerun::RerunArgs;
use search::SearchArgs;
use show::ShowArgs;
use slurm::SlurmArgs;
use summary::SummaryArgs;
use tensorboard::TensorboardArgs;
use train::TrainArgs;
use worker::WorkerArgs;

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
        after_help = "Examples:\n  actlab train --acts ReLU,TeLU,STAF\n  actlab train --acts ReLU,TeLU --epochs 1 --name first\n  actlab train --config configs/book-ch4.toml --threads 2\n  actlab train --acts GELU --epochs 3 --lr 0.01 --momentum 0.9 --name gelu-quick\n  actlab train --resume results/train\n  actlab train --config configs/book-ch4-seeds.toml --jobs auto\n  actlab train --acts ReLU,Tanh,GELU --seeds 3 --epochs 2 --lr 0.01 --momentum 0.9"
    )]
    Train(Box<TrainArgs>),
    /// Print the layer table (torchinfo style) and parameter count of a network.
    #[command(
        after_help = "Examples:\n  actlab summary --acts PReLU\n  actlab summary --acts STAF --scope per-layer --json"
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
        after_help = "Examples:\n  actlab import model.pt --acts ReLU\n  actlab import staf.safetensors --acts STAF --name book-staf\n  actlab import prelu.pth --acts PReLU --hidden 256,192,128,64 --out results"
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
        after_help = "Examples:\n  actlab compare results/after results/before\n  actlab compare results/after results/before --fail-on-regression --margin 0.5\n\nExit codes: 0 no regression (or no --fail-on-regression), 3 a regression (the activations are named on stderr), 5 nothing tested (no activation with 3 runs on both sides), 2 bad input (not experiment folders, or trained differently without --accept)."
    )]
    Compare(CompareArgs),
    /// Experiments and their runs under a folder: status, epochs, final test accuracy,
    /// when last written.
    #[command(after_help = "Examples:\n  actlab ls\n  actlab ls results/first --json")]
    Ls(LsArgs),
    /// One run at a glance: its settings, metrics per epoch, checkpoints, and the
    /// learned values of its trainable activation parameters.
    #[command(
        after_help = "Examples:\n  actlab show results/first/TeLU-s7\n  actlab show results/first/TeLU-s7 --checkpoint epoch-1 --json"
    )]
    Show(ShowArgs),
    /// Measure speed: activations alone, training epochs split by phase, or this
    /// machine's limits.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Train a run again from its run.json alone and check that every epoch's metrics
    /// come out identical. A record whose `numerics` are portable repeats on any x86-64
    /// CPU with AVX2 and FMA at any thread count; `rerun` says what to expect of others.
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
    /// as a job that waits for them. For a study (a config with [[rung]] tables): one
    /// array per stage, each started when the previous one has ended, then the study's
    /// end.
    #[command(
        after_help = "Examples:\n  actlab slurm configs/book-ch4-seeds.toml --array-limit 8 --time 01:00:00\n  bash book-ch4-seeds.sbatch       # submits the array, then the merge\n  sbatch book-ch4-seeds.sbatch     # the array alone\n  actlab slurm configs/search-rediscovery.toml --array-limit 16\n  bash search-rediscovery.sbatch   # prepares the study, submits its stages and its end"
    )]
    Slurm(SlurmArgs),
    /// Search for activations: build every candidate of a space of formulas (unary
    /// and binary operators in schemas such as b(u(x), u(x))), refuse the non-finite,
    /// constant, affine and fragile ones, train candidates with equal outputs once,
    /// then successive halving: each rung trains its candidates (an ordinary
    /// experiment folder, rung-1/, rung-2/, ...) and promotes the best by recorded
    /// accuracy alone. Writes OUT/NAME/leaderboard.md, .csv, .json and
    /// discovered.toml (the best as [[activation]] definitions).
    #[command(
        after_help = "Examples:\n  actlab search configs/search-quick.toml\n  actlab search configs/search-rediscovery.toml --jobs auto\n  actlab search --resume results/search-quick\n  actlab search --status results/search-quick\n\nA killed or interrupted study continues with --resume and ends with the same leaderboard: every decision is taken from the runs' records.\nExit codes: 0 done, 130 interrupted (--resume continues), 2 bad config or folder."
    )]
    Search(Box<SearchArgs>),
    /// Train one run of a saved experiment for a parent's --jobs (internal).
    #[command(hide = true)]
    Worker(WorkerArgs),
    /// Print a completion script for your shell.
    #[command(
        after_help = "Examples:\n  actlab completions bash > ~/.local/share/bash-completion/completions/actlab\n  actlab completions zsh > ~/.zfunc/_actlab"
    )]
    Completions(CompletionsArgs),
}
