//! The live stream shared by server and browser: what is sent ([`model`]) and, in the
//! browser, the one connection per tab that every panel island reads from ([`client`]).

pub mod client;
mod experiment;
mod model;

pub use experiment::*;
pub use model::*;
