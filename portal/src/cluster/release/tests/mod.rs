//! Pure rendering tests, and the kube calls against a scripted API server.

mod apply;
mod canary;
mod errors;
mod history;
mod render;

use crate::cluster::testing::chart_dir;
use crate::cluster::values::{ChartMeta, Values};

/// The chart's defaults, optionally with one of its environment files.
fn chart(env_file: Option<&str>) -> (Values, ChartMeta) {
    let files: Vec<_> = env_file.map(|f| chart_dir().join(f)).into_iter().collect();
    (
        Values::load(&chart_dir(), &files).unwrap(),
        ChartMeta::load(&chart_dir()).unwrap(),
    )
}
