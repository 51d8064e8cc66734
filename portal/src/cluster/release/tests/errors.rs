use super::chart;
use crate::cluster::Error;
use crate::cluster::release::{install, render, uninstall};
use crate::cluster::testing::{mock_client, requests, status};

/// Installs against a server that refuses the first request with `code`/`message`.
async fn refused(code: u16, reason: &'static str, message: &'static str) -> Error {
    let (values, meta) = chart(None);
    let (client, task) = mock_client(1, move |_| (code, status(code, reason, message)));
    let err = install(&client, &render(&values, "hello", &meta))
        .await
        .unwrap_err();
    requests(task).await;
    err
}

#[tokio::test]
async fn forbidden_keeps_the_api_servers_reason() {
    let msg =
        "namespaces \"hello\" is forbidden: User \"learner\" cannot patch resource \"namespaces\"";
    let err = refused(403, "Forbidden", msg).await;
    assert!(matches!(err, Error::Forbidden { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!("권한이 없습니다: {msg} (Namespace hello 적용)")
    );
    assert_eq!(err.status_code(), Some(403));
}

#[tokio::test]
async fn quota_is_told_apart_from_other_403s() {
    let msg = "configmaps \"hello-hello-world-config\" is forbidden: exceeded quota: small, requested: count/configmaps=1, used: count/configmaps=1, limited: count/configmaps=1";
    let err = refused(403, "Forbidden", msg).await;
    assert!(matches!(err, Error::QuotaExceeded { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with(&format!("쿼터를 넘었습니다: {msg}")),
        "{err}"
    );
}

#[tokio::test]
async fn invalid_conflict_and_others_are_named() {
    let err = refused(
        422,
        "Invalid",
        "Namespace \"Hello\" is invalid: metadata.name: Invalid value",
    )
    .await;
    assert!(
        matches!(err, Error::Rejected { .. })
            && err
                .to_string()
                .starts_with("API 서버가 객체를 거부했습니다: Namespace \"Hello\" is invalid"),
        "{err}"
    );
    let err = refused(409, "Conflict", "Apply failed with 1 conflict").await;
    assert!(
        matches!(err, Error::Conflict { .. })
            && err
                .to_string()
                .starts_with("다른 변경과 충돌했습니다: Apply failed"),
        "{err}"
    );
    let err = refused(401, "Unauthorized", "").await;
    assert!(err.to_string().starts_with("인증에 실패했습니다"), "{err}");
    assert!(
        err.to_string().contains(": Unauthorized ("),
        "the reason stands in for an empty message: {err}"
    );
    let err = refused(500, "InternalError", "etcdserver: request timed out").await;
    assert_eq!(
        err.to_string(),
        "API 서버 오류 500: etcdserver: request timed out (Namespace hello 적용)"
    );
}

#[tokio::test]
async fn a_forbidden_delete_is_not_swallowed_like_a_404() {
    let (_, meta) = chart(None);
    let (client, task) = mock_client(1, |_| {
        (403, status(403, "Forbidden", "ingresses is forbidden"))
    });
    let err = uninstall(&client, "hello", "hello", &meta)
        .await
        .unwrap_err();
    requests(task).await;
    assert_eq!(
        err.to_string(),
        "권한이 없습니다: ingresses is forbidden (Ingress hello/hello-hello-world 삭제)"
    );
}
