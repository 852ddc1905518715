//! The command line's definition, shared by the `actlab` binary and its tests (which
//! check that every command the documentation shows parses) and by shell completions.

#![warn(missing_docs)]

pub mod cli;
pub mod device;
pub mod parse;
