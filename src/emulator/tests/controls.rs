//! Test controls: injected faults, call statistics and reset.

use super::*;

#[tokio::test]
async fn injected_status_answers_the_next_calls_then_the_route_recovers() {
    let api = Harness::new();
    api.fault(json!({"route": "list_members", "status": 503, "times": 2, "retry_after": 7}))
        .await;

    for _ in 0..2 {
        let reply = api.get("/v1/orgs/acme/members").await;
        assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(reply.error_code(), "injected");
        assert_eq!(reply.headers[header::RETRY_AFTER], "7");
    }
    // Other routes are untouched by a fault aimed at one route.
    api.create("acme", json!({"email": "ada@example.com"}))
        .await;
    let healed = api.get("/v1/orgs/acme/members").await;
    assert_eq!(healed.status, StatusCode::OK);
    assert!(!healed.headers.contains_key(header::RETRY_AFTER));
}

#[tokio::test]
async fn queued_faults_apply_in_order_and_can_be_cleared() {
    let api = Harness::new();
    api.fault(json!({"route": "*", "status": 500})).await;
    api.fault(json!({"route": "get_session", "status": 429, "retry_after": "1"}))
        .await;
    api.fault(json!({"route": "*", "status": 502, "times": 5}))
        .await;

    let first = api.get("/v1/orgs/acme/sessions/ses_x").await;
    assert_eq!(first.status, StatusCode::INTERNAL_SERVER_ERROR);
    let second = api.get("/v1/orgs/acme/sessions/ses_x").await;
    assert_eq!(second.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(second.headers[header::RETRY_AFTER], "1");
    let third = api.get("/v1/orgs/acme/members").await;
    assert_eq!(third.status, StatusCode::BAD_GATEWAY);

    let cleared = api.delete("/_emulator/faults").await;
    assert_eq!(cleared.body, json!({"cleared": 1}));
    assert_eq!(
        api.get("/v1/orgs/acme/members").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn injected_latency_delays_the_call_which_then_succeeds() {
    let api = Harness::new();
    api.fault(json!({"route": "list_members", "latency_ms": 300}))
        .await;

    let started = Instant::now();
    let slow = api.get("/v1/orgs/acme/members").await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(slow.status, StatusCode::OK);

    let started = Instant::now();
    api.get("/v1/orgs/acme/members").await;
    assert!(started.elapsed() < Duration::from_millis(300));
}

#[tokio::test]
async fn dropped_connection_gets_no_response_and_the_next_call_works() {
    let api = Harness::new();
    api.fault(json!({"route": "create_member", "drop": true}))
        .await;

    let request = api
        .request(Method::POST, "/v1/orgs/acme/members")
        .body(Full::new(Bytes::from(json!({"email": "a@b"}).to_string())))
        .unwrap();
    assert!(api.send(request).await.is_err());
    assert_eq!(api.get("/v1/orgs/acme/members").await.body["total"], 0);
    api.create("acme", json!({"email": "a@b"})).await;
}

#[tokio::test]
async fn invalid_fault_rules_are_rejected() {
    let api = Harness::new();
    let cases = [
        json!({"status": 503}),
        json!({"route": "nope", "status": 503}),
        json!({"route": "*", "status": 200}),
        json!({"route": "*", "status": "503"}),
        json!({"route": "*", "status": 503, "times": 0}),
        json!({"route": "*", "latency_ms": 600000}),
        json!({"route": "*"}),
        json!({"route": "*", "status": 503, "colour": "red"}),
    ];
    for body in cases {
        let reply = api.post("/_emulator/faults", body.clone()).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    }
    assert_eq!(
        api.get("/v1/orgs/acme/members").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn stats_count_handled_calls_per_route_including_faulted_ones() {
    let api = Harness::new();
    api.fault(json!({"route": "get_member", "status": 503}))
        .await;
    api.create("acme", json!({"email": "ada@example.com"}))
        .await;
    api.get("/v1/orgs/acme/members/mbr_x").await;
    api.get("/v1/orgs/acme/members/mbr_x").await;
    api.get("/v1/orgs/acme/members").await;

    let stats = api.get("/_emulator/stats").await;
    assert_eq!(stats.status, StatusCode::OK);
    let calls = &stats.body["calls"];
    assert_eq!(calls["create_member"], 1);
    assert_eq!(calls["get_member"], 2);
    assert_eq!(calls["list_members"], 1);
    assert_eq!(calls["sign_in"], 0);
    assert_eq!(calls.as_object().unwrap().len(), 9);
}

#[tokio::test]
async fn reset_clears_members_sessions_faults_and_stats() {
    let api = Harness::new();
    let member = api
        .create("acme", json!({"email": "ada@example.com"}))
        .await;
    api.post(
        "/v1/orgs/acme/sessions",
        json!({"email": "ada@example.com"}),
    )
    .await;
    api.fault(json!({"route": "*", "status": 503})).await;

    let reset = api.post("/_emulator/reset", json!({})).await;
    assert_eq!(reset.status, StatusCode::NO_CONTENT);

    let listed = api.get("/v1/orgs/acme/members").await;
    assert_eq!(listed.body, json!({"data": [], "total": 0}));
    let sessions = api
        .get(&format!(
            "/v1/orgs/acme/members/{}/sessions",
            id_of(&member)
        ))
        .await;
    assert_eq!(sessions.status, StatusCode::NOT_FOUND);
    let stats = api.get("/_emulator/stats").await;
    assert_eq!(stats.body["calls"]["list_members"], 1);
    assert_eq!(stats.body["calls"]["create_member"], 0);
}
