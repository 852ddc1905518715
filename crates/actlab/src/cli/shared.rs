//! Flag groups that several commands flatten in: where work runs and where the data is, the shape of a network, user definitions.

use std::path::PathBuf;

use clap::Args;
use spec::{ExperimentFile, InitScheme, LayerKind, NormKind, Scope};

use crate::device::DeviceChoice;
use crate::parse::{self, choice};

/// Where things run and where the data is.
#[derive(Debug, Args)]
pub struct EnvArgs {
    /// Where the computation runs.
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
    /// Worker threads of each run; the results are the same bits on any count. One is
    /// the default: a sweep's `--jobs` (runs side by side) uses the cores better than
    /// threads inside each run, while a single run is faster with one thread per core.
    #[arg(long, default_value_t = 1, value_parser = parse::up_to::<1024>)]
    pub threads: usize,
}

/// The shape of every network a command builds.
#[derive(Debug, Args)]
pub struct ShapeArgs {
    /// Convolutions before the hidden layers, their channels comma-separated (5×5
    /// kernels, each followed by the activation per channel and 2×2 average pooling):
    /// `--conv 6,16 --hidden 120,84` is LeNet-5 [default: none].
    #[arg(long, value_delimiter = ',', value_name = "CHANNELS")]
    pub conv: Vec<usize>,
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
    /// How the Linear weights are drawn: pytorch (the book's), he-normal, he-uniform,
    /// xavier-normal, lecun-normal, orthogonal, lsuv, ... (`actlab train --init`; here
    /// `--init-scheme`, as `probe dead-neurons --init` means "at initialisation").
    #[arg(
        id = "init_scheme",
        long = "init-scheme",
        default_value = "pytorch",
        value_parser = choice::<InitScheme>(),
        value_name = "SCHEME"
    )]
    pub init: InitScheme,
    /// Normalise every activated layer's pre-activations: none (the book), layer
    /// (LayerNorm) or batch (BatchNorm).
    #[arg(long, default_value = "none", value_parser = choice::<NormKind>(), value_name = "KIND")]
    pub norm: NormKind,
}

impl ShapeArgs {
    /// Gives `file` this shape: convolutions, hidden widths, scope, layer type,
    /// initialisation and normalisation.
    pub fn apply(&self, file: &mut ExperimentFile) {
        file.conv = self.conv.clone();
        file.norm = self.norm;
        file.hidden = self.hidden.clone();
        file.scope = self.scope;
        file.layer = self.layer;
        file.init = self.init;
    }
}

/// The network a command builds without a run folder.
#[derive(Debug, Args)]
pub struct NetworkArgs {
    /// The activation, one (see `actlab acts list`); `--act` is the same flag.
    #[arg(
        long = "acts",
        visible_alias = "act",
        default_value = "ReLU",
        value_name = "NAME"
    )]
    pub acts: String,
    /// The shape of every network built.
    #[command(flatten)]
    pub shape: ShapeArgs,
    /// The book's variant without any activation.
    #[arg(long)]
    pub no_act: bool,
    /// Where user-defined activations come from.
    #[command(flatten)]
    pub defs: DefinitionArgs,
}

/// Where user-defined activations come from.
#[derive(Debug, Args)]
pub struct DefinitionArgs {
    /// A TOML file with [[activation]] tables (name, expr, params), e.g. an experiment
    /// config; its activations become usable by name.
    #[arg(long = "defs", value_name = "FILE")]
    pub file: Option<PathBuf>,
}
