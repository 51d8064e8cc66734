//! Who is guessing: the keys a wrong join code or host token is counted under (the
//! client's address and its session), and the Korean 429 that ends a search.

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use axum::extract::ConnectInfo;
use axum::http::StatusCode;
use axum::http::request::Parts;
use leptos::prelude::*;
use tower_sessions::Session;

use super::limit::Guesses;

/// `addr:<ip>` and, when the request has one, `session:<id>`. Behind a trusted proxy the
/// address is the last `X-Forwarded-For` entry: the one the proxy itself appended.
pub fn keys(parts: &Parts, session_id: Option<String>, trust_forwarded: bool) -> Vec<String> {
    let forwarded = trust_forwarded
        .then(|| parts.headers.get("x-forwarded-for")?.to_str().ok())
        .flatten()
        .and_then(|v| v.rsplit(',').next())
        .and_then(|last| last.trim().parse::<IpAddr>().ok());
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip());
    let mut keys: Vec<String> = forwarded
        .or(peer)
        .map(|ip| format!("addr:{ip}"))
        .into_iter()
        .collect();
    keys.extend(session_id.map(|id| format!("session:{id}")));
    keys
}

/// This request's keys, refused with 429 when one of them has no guesses left.
/// `trust_forwarded`: the portal sits behind a proxy that appends `X-Forwarded-For`.
pub async fn before_guess(
    guesses: &Guesses,
    trust_forwarded: bool,
) -> Result<Vec<String>, ServerFnError> {
    let parts = use_context::<Parts>().ok_or_else(|| {
        crate::request::refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "요청 정보를 읽지 못했습니다. 페이지를 새로고침한 뒤 다시 시도해 주세요.",
        )
    })?;
    let session: Session = leptos_axum::extract().await?;
    // Loading resolves whether the cookie names a stored session.
    let _ = session.get_value(super::SESSION_KEY).await;
    let keys = keys(
        &parts,
        session.id().map(|id| id.to_string()),
        trust_forwarded,
    );
    if let Err(wait) = guesses.allowed(&keys, Instant::now()) {
        tracing::warn!(?keys, "too many wrong guesses");
        return Err(crate::request::refuse(
            StatusCode::TOO_MANY_REQUESTS,
            format!("틀린 시도가 너무 많습니다. {wait}초 뒤에 다시 시도해 주세요."),
        ));
    }
    Ok(keys)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    fn parts(forwarded: Option<&str>) -> Parts {
        let mut req = http::Request::post("/api/workshop-join");
        if let Some(f) = forwarded {
            req = req.header("x-forwarded-for", f);
        }
        let (mut parts, ()) = req.body(()).unwrap().into_parts();
        parts
            .extensions
            .insert(ConnectInfo(SocketAddr::from(([10, 1, 2, 3], 4567))));
        parts
    }

    #[test]
    fn the_peer_unless_a_trusted_proxy_says_who() {
        let p = parts(Some("1.1.1.1, 192.0.2.7"));
        assert_eq!(keys(&p, None, false), ["addr:10.1.2.3"]);
        assert_eq!(
            keys(&p, Some("s1".into()), true),
            ["addr:192.0.2.7", "session:s1"]
        );
        // A header that is not an address falls back to the peer.
        assert_eq!(keys(&parts(Some("junk")), None, true), ["addr:10.1.2.3"]);
    }
}
