use std::process::ExitCode;

use portal::server::{Config, run};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // `PORTAL_LOG_FORMAT=json`: one JSON object per line, for a log collector.
    if std::env::var("PORTAL_LOG_FORMAT").is_ok_and(|f| f.trim() == "json") {
        tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
    let result = match Config::from_env() {
        Ok(config) => run(config, portal::router::router).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            ExitCode::FAILURE
        }
    }
}
