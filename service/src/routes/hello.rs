use axum::Json;
use axum::extract::State;
use serde::Serialize;

use crate::{AppState, GREETING};

#[derive(Debug, Serialize)]
pub struct Hello {
    message: &'static str,
    version: String,
}

// region: root
pub async fn root(State(state): State<AppState>) -> Json<Hello> {
    tracing::info!("Hello World requested");
    Json(Hello {
        message: GREETING,
        version: state.config().app_version.clone(),
    })
}
// endregion: root

#[derive(Debug, Serialize)]
pub struct Info {
    app_env: String,
    app_version: String,
    log_level: String,
    pod_name: String,
}

/// What the pod was given: `APP_ENV`/`APP_VERSION`/`LOG_LEVEL` from the ConfigMap and
/// `POD_NAME` from the Downward API.
pub async fn info(State(state): State<AppState>) -> Json<Info> {
    let c = state.config();
    Json(Info {
        app_env: c.app_env.clone(),
        app_version: c.app_version.clone(),
        log_level: c.log_level.clone(),
        pod_name: c.pod_name.clone(),
    })
}
