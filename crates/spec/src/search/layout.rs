//! The study folder: its config, its candidates, one experiment folder per stage (an
//! evolution's generations, the rungs, the confirmation), the leaderboard and the
//! discovered definitions. Every file name is here.

use std::path::{Path, PathBuf};

/// The folder of rung `index` (0-based): `rung-1`, `rung-2`, ...
pub fn rung_name(index: usize) -> String {
    format!("rung-{}", index + 1)
}

/// The folder of an evolution's generation `g` (0-based): `gen-0`, `gen-1`, ...
pub fn generation_name(g: usize) -> String {
    format!("gen-{g}")
}

/// The confirmation's experiment folder and name.
pub const CONFIRM: &str = "confirm";

/// Paths inside a study folder.
#[derive(Clone, Debug)]
pub struct StudyLayout {
    dir: PathBuf,
}

impl StudyLayout {
    /// The study's checked config.
    pub const CONFIG: &'static str = "search.json";
    /// Every candidate of the space and what became of it before training.
    pub const CANDIDATES: &'static str = "candidates.json";
    /// The leaderboard's stem (`.json`, `.md`, `.csv`).
    pub const LEADERBOARD: &'static str = "leaderboard";
    /// The best candidates as `[[activation]]` tables.
    pub const DISCOVERED: &'static str = "discovered.toml";
    /// The best candidates as PyTorch modules.
    pub const DISCOVERED_TORCH: &'static str = "discovered.py";
    /// The study's report page.
    pub const REPORT: &'static str = "index.html";

    /// The layout of the study folder `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The study folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `search.json`.
    pub fn config(&self) -> PathBuf {
        self.dir.join(Self::CONFIG)
    }

    /// `candidates.json`.
    pub fn candidates(&self) -> PathBuf {
        self.dir.join(Self::CANDIDATES)
    }

    /// `leaderboard.<extension>`.
    pub fn leaderboard(&self, extension: &str) -> PathBuf {
        self.dir.join(format!("{}.{extension}", Self::LEADERBOARD))
    }

    /// `index.html`: the study's report page.
    pub fn report(&self) -> PathBuf {
        self.dir.join(Self::REPORT)
    }

    /// `discovered.toml`.
    pub fn discovered(&self) -> PathBuf {
        self.dir.join(Self::DISCOVERED)
    }

    /// `discovered.py`.
    pub fn discovered_torch(&self) -> PathBuf {
        self.dir.join(Self::DISCOVERED_TORCH)
    }

    /// The leaderboard figure's stem (`figures/leaderboard`: .svg and .png).
    pub fn figure(&self) -> PathBuf {
        self.dir.join("figures").join(Self::LEADERBOARD)
    }

    /// The confirmation's experiment folder.
    pub fn confirm(&self) -> PathBuf {
        self.dir.join(CONFIRM)
    }

    /// The figure of the best candidates' shapes and slopes (`figures/discovered`).
    pub fn discovered_figure(&self) -> PathBuf {
        self.dir.join("figures").join("discovered")
    }

    /// The experiment folder of a stage.
    pub fn stage(&self, stage: super::Stage) -> PathBuf {
        self.dir.join(stage.folder())
    }

    /// The experiment folder of rung `index` (0-based).
    pub fn rung(&self, index: usize) -> PathBuf {
        self.dir.join(rung_name(index))
    }
}
