//! Joining and the host's login through the whole router: wrong secrets are limited per
//! address and session, and a successful login gets a new session id (no fixation).

use crate::server::test_portal::{TestPortal, portal};

const CODE: &str = "open-sesame";
const TOKEN: &str = "host-secret-1234";

async fn workshop() -> TestPortal {
    portal(
        true,
        &[("PORTAL_WORKSHOP_CODE", CODE), ("PORTAL_HOST_TOKEN", TOKEN)],
    )
    .await
}

const ALICE: [u8; 4] = [192, 0, 2, 10];
const BOB: [u8; 4] = [192, 0, 2, 20];

#[tokio::test]
async fn five_wrong_join_codes_a_minute_then_429_even_for_the_right_one() {
    let p = workshop().await;
    for _ in 0..5 {
        let (status, _, body) = p
            .call("workshop-join", "code=guess&name=a", ALICE, None)
            .await;
        assert_eq!(status, 403, "{body}");
    }
    let (status, _, body) = p
        .call("workshop-join", "code=guess&name=a", ALICE, None)
        .await;
    assert_eq!(status, 429, "{body}");
    assert!(body.contains("틀린 시도가 너무 많습니다"), "{body}");
    let right = format!("code={CODE}&name=a");
    let (status, _, _) = p.call("workshop-join", &right, ALICE, None).await;
    assert_eq!(
        status, 429,
        "a right code found later in the window is refused too"
    );
    // Another address still gets its own tries (here: past the code, to the missing cluster).
    let (status, _, body) = p.call("workshop-join", &right, BOB, None).await;
    assert_eq!(status, 503, "{body}");
}

#[tokio::test]
async fn five_wrong_host_tokens_a_minute_then_429() {
    let p = workshop().await;
    for _ in 0..5 {
        let (status, _, _) = p.call("host-login", "token=nope", ALICE, None).await;
        assert_eq!(status, 403);
    }
    let (status, _, body) = p.call("host-login", "token=nope", ALICE, None).await;
    assert_eq!(status, 429, "{body}");
    let (status, _, body) = p.call("host-overview", "token=nope", ALICE, None).await;
    assert_eq!(status, 429, "the board's token is the same secret: {body}");
    let (status, _, body) = p
        .call("host-login", &format!("token={TOKEN}"), BOB, None)
        .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn host_login_rotates_the_session_id() {
    let p = workshop().await;
    let login = format!("token={TOKEN}");
    let (status, first, _) = p.call("host-login", &login, ALICE, None).await;
    let first = first.expect("a session cookie");
    assert_eq!(status, 200);
    // The same browser logs in again with the id it had (or one planted in it).
    let (status, second, _) = p.call("host-login", &login, ALICE, Some(&first)).await;
    let second = second.expect("a new session cookie");
    assert_eq!(status, 200);
    assert_ne!(first, second, "the id changes on login");
    let (status, _, _) = p.call("host-overview", "token=", ALICE, Some(&first)).await;
    assert_eq!(status, 403, "the old id has no host rights left");
    let (status, _, body) = p
        .call("host-overview", "token=", ALICE, Some(&second))
        .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn a_new_token_logs_old_host_sessions_out_and_logout_ends_one() {
    let mut p = workshop().await;
    let (_, cookie, _) = p
        .call("host-login", &format!("token={TOKEN}"), ALICE, None)
        .await;
    let cookie = cookie.expect("a session cookie");
    let (status, _, _) = p
        .call("host-overview", "token=", ALICE, Some(&cookie))
        .await;
    assert_eq!(status, 200);
    // The host token changes (a new Secret, the pod restarted): same sessions, new token.
    let ws = p.state.workshop.clone().expect("workshop mode");
    let mut config = ws.config.clone();
    config.host_token = "another-host-token".into();
    p.state.workshop = Some(crate::workshop::Workshop::new(config, ws.store.clone()));
    let (status, _, _) = p
        .call("host-overview", "token=", ALICE, Some(&cookie))
        .await;
    assert_eq!(status, 403, "the old token's session is no host any more");
    // Logging out ends a session's host rights.
    let (_, fresh, _) = p
        .call("host-login", "token=another-host-token", ALICE, None)
        .await;
    let fresh = fresh.expect("a session cookie");
    let (status, _, body) = p.call("host-logout", "", ALICE, Some(&fresh)).await;
    assert_eq!(status, 200, "{body}");
    let (status, _, _) = p.call("host-overview", "token=", ALICE, Some(&fresh)).await;
    assert_eq!(status, 403);
}
