//! Flags of `actlab import`.

use std::path::PathBuf;

use clap::Args;

/// Flags of `actlab import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// A state dict of the book's SimpleNetwork: torch.save(model.state_dict(), FILE)
    /// (.pt, .pth) or a safetensors file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The network's activation, one (a parameter-free built-in, or PReLU, TeLU, STAF);
    /// `--act` is the same flag.
    #[arg(long = "acts", visible_alias = "act", value_name = "NAME")]
    pub acts: String,
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
