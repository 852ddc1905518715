//! What the command modules share, so that no command imports another, one module per
//! concern: where work runs ([`runtime`]), the dataset ([`data`]), the networks and
//! activations the flags describe ([`networks`]), saved experiments and runs
//! ([`saved`]), a study folder ([`study`]), a probe's run and report ([`probe`]), and
//! what commands write and print ([`write`], [`print`]).

pub mod data;
pub mod networks;
pub mod print;
pub mod probe;
pub mod runtime;
pub mod saved;
pub mod study;
pub mod write;
