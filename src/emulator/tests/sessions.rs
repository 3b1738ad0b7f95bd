//! Session routes: sign-in, listing, revocation, and how sessions outlive their member.

use super::*;

#[tokio::test]
async fn sessions_survive_suspension_and_removal_until_revoked() {
    let api = Harness::new();
    let member = api
        .create("acme", json!({"email": "ada@example.com"}))
        .await;
    let id = id_of(&member);
    let member_path = format!("/v1/orgs/acme/members/{id}");
    let sessions_path = format!("{member_path}/sessions");

    let first = api
        .post(
            "/v1/orgs/acme/sessions",
            json!({"email": "ADA@example.com"}),
        )
        .await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(first.body["member_id"], id);
    let session_id = first.body["id"].as_str().unwrap().to_owned();
    assert!(session_id.starts_with("ses_"));
    let second = api
        .post(
            "/v1/orgs/acme/sessions",
            json!({"email": "ada@example.com"}),
        )
        .await;
    let listed = api.get(&sessions_path).await;
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(listed.body, json!({"data": [first.body, second.body]}));

    // Suspension blocks new sign-ins but leaves existing sessions alive.
    api.patch(&member_path, json!({"status": "suspended"}))
        .await;
    let refused = api
        .post(
            "/v1/orgs/acme/sessions",
            json!({"email": "ada@example.com"}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.error_code(), "member_suspended");
    let live = api
        .get(&format!("/v1/orgs/acme/sessions/{session_id}"))
        .await;
    assert_eq!(live.status, StatusCode::OK);
    assert_eq!(live.body, first.body);

    // Removal does not end sessions either, and they stay listed under the old id.
    api.delete(&member_path).await;
    let after_removal = api
        .post(
            "/v1/orgs/acme/sessions",
            json!({"email": "ada@example.com"}),
        )
        .await;
    assert_eq!(after_removal.status, StatusCode::NOT_FOUND);
    assert_eq!(
        api.get(&sessions_path).await.body["data"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let revoked = api.delete(&sessions_path).await;
    assert_eq!(revoked.status, StatusCode::OK);
    assert_eq!(revoked.body, json!({"revoked": 2}));
    assert_eq!(api.delete(&sessions_path).await.body, json!({"revoked": 0}));
    assert_eq!(api.get(&sessions_path).await.body, json!({"data": []}));
    let dead = api
        .get(&format!("/v1/orgs/acme/sessions/{session_id}"))
        .await;
    assert_eq!(dead.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn session_routes_reject_unknown_members_and_bad_sign_ins() {
    let api = Harness::new();
    let never = "/v1/orgs/acme/members/mbr_00000000000000000000/sessions";
    assert_eq!(api.get(never).await.status, StatusCode::NOT_FOUND);
    assert_eq!(api.delete(never).await.status, StatusCode::NOT_FOUND);
    let unknown_session = api
        .get("/v1/orgs/acme/sessions/ses_000000000000000000000000")
        .await;
    assert_eq!(unknown_session.status, StatusCode::NOT_FOUND);

    let cases = [
        (
            json!({"email": "nobody@example.com"}),
            StatusCode::NOT_FOUND,
        ),
        (json!({}), StatusCode::UNPROCESSABLE_ENTITY),
        (json!({"email": 1}), StatusCode::UNPROCESSABLE_ENTITY),
        (
            json!({"email": "a@b", "password": "x"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ];
    for (body, status) in cases {
        let reply = api.post("/v1/orgs/acme/sessions", body.clone()).await;
        assert_eq!(reply.status, status, "{body}");
    }
}
