//! The typed records actlab writes: runs, the summary table, probe reports, point
//! evaluations. Plain data; [`crate::artifact`] reads and writes them with their tags.

pub mod eval;
pub mod probe;
pub mod run;
pub mod stats;
pub mod summary;
pub mod table;
