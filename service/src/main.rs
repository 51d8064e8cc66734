use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use hello_service::{AppState, Config, Error, logging, router, shutdown};

#[tokio::main]
async fn main() -> ExitCode {
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            // Logging is not up yet; a plain line on stderr is all we can do.
            #[allow(clippy::print_stderr)]
            {
                eprintln!("설정 오류: {e}");
            }
            return ExitCode::from(2);
        }
    };
    if std::env::args().nth(1).as_deref() == Some("healthcheck") {
        return if hello_service::healthcheck::check(config.port).await {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        };
    }
    if !logging::init(&config.log_level, &config.pod_name) {
        tracing::warn!(log_level = %config.log_level, "Unknown LOG_LEVEL, using info");
    }
    match run(config).await {
        Ok(()) => {
            tracing::info!("Shutdown complete");
            ExitCode::SUCCESS
        }
        Err(e) => {
            tracing::error!(error = %e, source = ?std::error::Error::source(&e), "Server failed");
            ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> Result<(), Error> {
    let addr = SocketAddr::from((Ipv4Addr::UNSPECIFIED, config.port));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(Error::Bind)?;
    tracing::info!(
        "Application started: env={}, version={}, pod={}, port={}",
        config.app_env,
        config.app_version,
        config.pod_name,
        config.port
    );
    // region: serve
    let state = AppState::new(config);
    let drained = shutdown::drained(state.clone(), shutdown::terminate_signal());
    let serve = axum::serve(listener, router(state.clone())).with_graceful_shutdown(drained);
    let hard_limit = async {
        // Wait for the drain to begin, then bound the whole shutdown.
        while !state.is_shutting_down() {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        tokio::time::sleep(state.config().drain_timeout + shutdown::CLOSE_GRACE).await;
    };
    tokio::select! {
        res = serve => res.map_err(Error::Serve),
        () = hard_limit => {
            tracing::warn!("Connections still open after the drain timeout, exiting");
            Ok(())
        }
    }
    // endregion: serve
}
