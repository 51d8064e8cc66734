//! Layout pieces shared by the pages. The static parts render on the server only; the
//! islands (theme toggle) are the only code here that runs in the browser.

mod theme;
pub use theme::ThemeToggle;

#[cfg(feature = "ssr")]
mod layout;
#[cfg(feature = "ssr")]
pub use layout::{Layout, Sidebar, Toc, breadcrumbs};
