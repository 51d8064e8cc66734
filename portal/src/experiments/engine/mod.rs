//! What every experiment kind runs on: the run's context ([`Ctx`]), one run per
//! namespace with its record ([`lab`], [`recorder`]), the shared watches read as a
//! scene ([`scene`], [`observe`]), traffic through the Service ([`load`]), the
//! tutorial's baseline ([`baseline`]) and the state machine ([`runner`]) that ties them
//! together. Kinds (`experiments::kinds`) use the engine; the engine names no kind.

pub mod baseline;
pub mod ctx;
pub mod inflight;
pub mod lab;
pub mod lab_store;
pub mod load;
pub mod observe;
pub mod recorder;
pub mod runner;
pub mod scene;

pub use ctx::{Ctx, Outcome, Params};
pub use recorder::Recorder;
pub use runner::{Run, Steps};
pub use scene::{Scene, Stage};
