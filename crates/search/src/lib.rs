//! Activation search, between the config and the runs: which candidates of a study's
//! space are worth training ([`screen`]), which of them the first rung trains
//! ([`select`]), which go on to each later rung ([`promoted`], from the rung's run
//! records only, so that a parallel, sharded or resumed study decides as a sequential
//! one would), the leaderboard ([`leaderboard`]), and the confirmation of the best
//! ([`confirm_candidates`], [`confirmation`]). An evolution trains its first rung
//! generation by generation, each bred from the earlier ones' records ([`breed`]).

mod confirm;
mod evolve;
mod figure;
mod progress;
mod screen;
mod study;

pub use confirm::{confirm_candidates, confirmation};
pub use evolve::{Generation, breed, evolution_log, first_rung_of};
pub use figure::discovered_figure;
pub use progress::{StudyProgress, stage_runs, study_progress};
pub use screen::{SAMPLES, screen};
pub use study::{
    Pending, RungResults, candidate_definitions, discovered_toml, discovered_torch, leaderboard,
    promoted, rung_candidates, select,
};
