//! Flags of `actlab train`, and how they apply on top of a config.

use std::path::PathBuf;

use anyhow::{Context, anyhow};
use clap::{Args, ValueEnum};
use spec::{
    ActivationKind, ActivationSpec, ExperimentFile, FourierInit, InitScheme, LayerKind, NormKind,
    OptimizerKind, Scope,
};

use crate::cli::shared::EnvArgs;
use crate::parse::{self, choice};

/// Flags of `actlab train`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Experiment config (TOML); see configs/ for examples.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The experiment's settings, on top of --config.
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
    /// Where things run and where the data is.
    #[command(flatten)]
    pub env: EnvArgs,
}

/// What `--track` can record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Track {
    /// Per layer and epoch: mean gradient norm, and the weights' mean, std and norm.
    Grads,
    /// Per layer, at initialisation and after every epoch: dead and saturated units over
    /// the training set, and the pre-activations' mean and std.
    DeadUnits,
}

/// The settings of an experiment that flags can give or override (none of them with
/// `--resume`, which takes the saved ones).
#[derive(Debug, Args)]
#[group(id = "settings", multiple = true)]
pub struct TrainSettings {
    /// Activations to train, comma-separated, case-insensitive (see `actlab acts list`).
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    pub acts: Option<Vec<String>>,
    /// A TOML file with [[activation]] tables (name, expr, params), e.g. another
    /// experiment config; its activations become usable by name in --acts, beside the
    /// config's own.
    #[arg(long = "defs", value_name = "FILE")]
    pub defs: Option<PathBuf>,
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
    /// Cut every training batch into N slices, each slice's forward and backward pass
    /// on its own thread and the gradients summed in slice order: N, not --threads,
    /// fixes the bits, so a run repeats exactly on any number of threads. 1 trains each
    /// batch whole, as the book (bits differ between N, results do not beyond noise)
    /// [default: 1].
    #[arg(long, value_parser = parse::up_to::<64>, value_name = "N")]
    pub slices: Option<usize>,
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
    /// Convolutions before the hidden layers, their channels comma-separated (5×5
    /// kernels, the first padded by 2; each followed by the activation, per channel, and
    /// 2×2 average pooling): `--conv 6,16 --hidden 120,84` is LeNet-5 as d2l.ai trains it
    /// on FashionMNIST [default: none, the book's MLP].
    #[arg(long, value_delimiter = ',', value_name = "CHANNELS")]
    pub conv: Option<Vec<usize>>,
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
    /// How the Linear weights are drawn: pytorch (the book: U(±1/√fan_in)), he-normal,
    /// he-uniform, he-normal-fan-out, he-uniform-fan-out (with the activation's gain:
    /// √2 for ReLU, 5/3 for Tanh, ...), xavier-normal, xavier-uniform, lecun-normal,
    /// orthogonal, or lsuv (orthogonal, then each layer rescaled to unit output variance
    /// on the first 512 training images); every scheme but pytorch sets the biases to 0
    /// [default: pytorch].
    #[arg(long, visible_alias = "init-scheme", value_parser = choice::<InitScheme>(), value_name = "SCHEME")]
    pub init: Option<InitScheme>,
    /// Normalise every hidden layer's pre-activations before its activation: none (the
    /// book), layer (LayerNorm) or batch (BatchNorm; its running statistics in
    /// evaluation) [default: none].
    #[arg(long, value_parser = choice::<NormKind>(), value_name = "KIND")]
    pub norm: Option<NormKind>,
    /// Also record, per layer, `grads`: every epoch the mean gradient norm and the
    /// weights' mean, std and norm (drawn in the run's figure); `dead-units`: at
    /// initialisation and after every epoch the dead and saturated units over the
    /// training set (a dead-neuron probe each time). In run.json; comma-separated.
    #[arg(long, value_enum, value_delimiter = ',', value_name = "WHAT")]
    pub track: Option<Vec<Track>>,
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

impl TrainSettings {
    /// Applies the flags on top of the config `file` (flags win), checking each flag's
    /// value so that an error names the flag rather than a config field. `origin` and
    /// `text` name the config file (empty without one), so that an error in its own
    /// definitions names the line. (`--defs` is read by the command: its definitions are
    /// in `file` already.)
    pub fn apply(&self, file: &mut ExperimentFile, origin: &str, text: &str) -> anyhow::Result<()> {
        let args = self;
        if let Some(acts) = &args.acts {
            let names: Vec<String> = acts
                .iter()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
            if names.is_empty() {
                return Err(anyhow!(
                    "--acts is empty; name at least one of {}",
                    ActivationKind::names().join(", ")
                ));
            }
            let definitions = file
                .check_definitions(origin)
                .map_err(|e| anyhow!(e.located_in(text)))?;
            for name in &names {
                ActivationSpec::resolve(name, &definitions).context("--acts")?;
            }
            file.acts = names;
        }
        if let Some(hidden) = &args.hidden {
            if let Some(i) = hidden.iter().position(|&w| w == 0) {
                return Err(anyhow!(
                    "--hidden: width 0 at position {}; every hidden layer needs at least one unit",
                    i + 1
                ));
            }
            file.hidden = hidden.clone();
        }
        if let Some(conv) = &args.conv {
            file.conv = conv.clone();
        }
        file.layer = args.layer.unwrap_or(file.layer);
        file.init = args.init.unwrap_or(file.init);
        file.norm = args.norm.unwrap_or(file.norm);
        file.scope = args.scope.unwrap_or(file.scope);
        for track in args.track.iter().flatten() {
            match track {
                Track::Grads => file.train.track_grads = true,
                Track::DeadUnits => file.train.dead_units = true,
            }
        }
        if let Some(tau) = args.fourier_tau {
            file.fourier.get_or_insert_default().tau = tau;
        }
        if let Some(init) = args.fourier_init {
            file.fourier.get_or_insert_default().init = init;
        }
        if let Some(omega0) = args.fourier_omega0 {
            file.fourier.get_or_insert_default().omega0 = omega0;
        }
        file.train.optimizer = args.optimizer.unwrap_or(file.train.optimizer);
        if let Some(seeds) = &args.seed {
            if let Some((_, j)) = spec::first_repeat(seeds) {
                return Err(anyhow!(
                    "--seed repeats {}; each seed is one run, and a repeated one would be counted twice in every statistic",
                    seeds[j]
                ));
            }
            file.seeds = seeds.clone();
        }
        if let Some(n) = args.seeds {
            file.seeds = (1..=n as u64).collect();
        }
        if let Some(dir) = &args.tensorboard {
            file.train.tensorboard = true;
            if let Some(dir) = dir {
                file.tensorboard_dir = Some(dir.clone());
            }
        }
        if let Some(n) = args.log_every {
            file.train.log_every = n;
        }
        if let Some(baseline) = &args.baseline {
            file.baseline = Some(baseline.clone());
        }
        if let Some(name) = &args.name {
            file.name = name.clone();
        }
        if let Some(out) = &args.out {
            file.out = out.clone();
        }
        let t = &mut file.train;
        t.epochs = args.epochs.unwrap_or(t.epochs);
        t.lr = args.lr.unwrap_or(t.lr);
        t.momentum = args.momentum.unwrap_or(t.momentum);
        t.weight_decay = args.weight_decay.unwrap_or(t.weight_decay);
        t.batch_size = args.batch_size.unwrap_or(t.batch_size);
        t.slices = args.slices.unwrap_or(t.slices);
        if let Some(save) = &args.save_epochs {
            t.save_epochs = save.clone();
        }
        Ok(())
    }
}
