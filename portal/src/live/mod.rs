//! The live stream shared by server and browser: what is sent ([`model`], the host's [`Board`]) and, in the
//! browser, the one connection per tab that every panel island reads from ([`client`]).

mod board;
pub mod client;
mod experiment;
mod model;

pub use board::{Board, LearnerRow};
pub use experiment::*;
pub use model::*;
