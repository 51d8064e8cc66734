//! One page per file. Page components render on the server only; the islands and
//! server functions they use live next to them.

#[cfg(feature = "ssr")]
pub mod cluster;
pub mod host;
pub mod join;
#[cfg(feature = "ssr")]
pub mod landing;
pub mod lesson;
#[cfg(feature = "ssr")]
pub mod not_found;
#[cfg(feature = "ssr")]
pub mod search;
