//! Loopback HTTP tests of the emulator, driven through a real hyper client.

use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{header, HeaderMap, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{json, Value};

use super::{start, Running};

const TOKEN: &str = "test-token";

/// A running emulator and a client that talks to it.
struct Harness {
    server: Running,
    client: Client<HttpConnector, Full<Bytes>>,
}

/// One reply, with the body parsed as JSON (`Null` when empty).
#[derive(Debug)]
struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

impl Reply {
    fn error_code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
}

impl Harness {
    fn new() -> Self {
        let server = start("127.0.0.1:0".parse().unwrap(), TOKEN).unwrap();
        // Retries would hide dropped connections, which the fault tests need to see.
        let client = Client::builder(TokioExecutor::new())
            .retry_canceled_requests(false)
            .build_http();
        Harness { server, client }
    }

    async fn send(&self, request: Request<Full<Bytes>>) -> Result<Reply, String> {
        let response = self
            .client
            .request(request)
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap()
        };
        Ok(Reply {
            status,
            headers,
            body,
        })
    }

    fn request(&self, method: Method, path: &str) -> http::request::Builder {
        Request::builder()
            .method(method)
            .uri(format!("http://{}{}", self.server.addr(), path))
            .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
    }

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let bytes = body.as_ref().map(|b| b.to_string()).unwrap_or_default();
        let request = self
            .request(method, path)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from(bytes)))
            .unwrap();
        self.send(request).await.unwrap()
    }

    async fn get(&self, path: &str) -> Reply {
        self.call(Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(body)).await
    }

    async fn patch(&self, path: &str, body: Value) -> Reply {
        self.call(Method::PATCH, path, Some(body)).await
    }

    async fn delete(&self, path: &str) -> Reply {
        self.call(Method::DELETE, path, None).await
    }

    async fn create(&self, org: &str, body: Value) -> Value {
        let reply = self.post(&format!("/v1/orgs/{org}/members"), body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
        reply.body
    }

    async fn fault(&self, rule: Value) {
        let reply = self.post("/_emulator/faults", rule).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    }
}

fn id_of(member: &Value) -> &str {
    member["id"].as_str().unwrap()
}

#[tokio::test]
async fn requests_without_the_right_bearer_token_are_unauthorized() {
    let api = Harness::new();
    let cases: [(&str, Option<String>); 6] = [
        ("missing header", None),
        ("wrong token", Some("Bearer nope".into())),
        ("token prefix", Some("Bearer test".into())),
        ("token with suffix", Some(format!("Bearer {TOKEN}x"))),
        ("basic scheme", Some(format!("Basic {TOKEN}"))),
        ("scheme only", Some("Bearer".into())),
    ];
    for path in ["/v1/orgs/acme/members", "/_emulator/stats", "/nowhere"] {
        for (case, authorization) in &cases {
            let mut request =
                Request::builder().uri(format!("http://{}{}", api.server.addr(), path));
            if let Some(value) = authorization {
                request = request.header(header::AUTHORIZATION, value);
            }
            let reply = api
                .send(request.body(Full::default()).unwrap())
                .await
                .unwrap();
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{case} on {path}");
            assert_eq!(reply.error_code(), "unauthorized", "{case}");
            assert!(reply.body["error"]["message"].is_string());
        }
    }

    let lowercase = Request::builder()
        .uri(format!("http://{}/v1/orgs/acme/members", api.server.addr()))
        .header(header::AUTHORIZATION, format!("bearer {TOKEN}"))
        .body(Full::default())
        .unwrap();
    assert_eq!(api.send(lowercase).await.unwrap().status, StatusCode::OK);
}

#[tokio::test]
async fn created_member_has_every_field_and_can_be_fetched() {
    let api = Harness::new();
    let member = api
        .create(
            "acme",
            json!({"email": "Ada@Example.com", "given_name": "Ada", "department": "R&D"}),
        )
        .await;

    let id = id_of(&member);
    assert_eq!(id.len(), 24);
    assert!(id.starts_with("mbr_"));
    assert!(id[4..]
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
    let expected_keys = [
        "id",
        "email",
        "given_name",
        "family_name",
        "display_name",
        "status",
        "external_ref",
        "title",
        "department",
        "employee_number",
        "manager_id",
        "phone",
        "locale",
        "created_at",
        "updated_at",
        "version",
    ];
    let keys: Vec<&str> = member
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, expected_keys);
    assert_eq!(member["email"], "Ada@Example.com");
    assert_eq!(member["given_name"], "Ada");
    assert_eq!(member["family_name"], Value::Null);
    assert_eq!(member["status"], "active");
    assert_eq!(member["version"], 1);
    assert_eq!(member["created_at"], member["updated_at"]);
    let created = member["created_at"].as_str().unwrap();
    assert!(chrono::DateTime::parse_from_rfc3339(created).is_ok());
    assert_eq!(created.len(), "2026-12-03T10:00:00.123Z".len());
    assert!(created.ends_with('Z'));

    let fetched = api.get(&format!("/v1/orgs/acme/members/{id}")).await;
    assert_eq!(fetched.status, StatusCode::OK);
    assert_eq!(fetched.headers[header::CONTENT_TYPE], "application/json");
    assert_eq!(fetched.body, member);

    let missing = api
        .get("/v1/orgs/acme/members/mbr_00000000000000000000")
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.error_code(), "not_found");
    let other_org = api.get(&format!("/v1/orgs/other/members/{id}")).await;
    assert_eq!(other_org.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn list_pages_in_creation_order_and_counts_the_total() {
    let api = Harness::new();
    let mut ids = Vec::new();
    for i in 0..205 {
        let member = api
            .create("acme", json!({"email": format!("user{i}@example.com")}))
            .await;
        ids.push(id_of(&member).to_owned());
    }

    let cases = [
        ("", 0, 50),
        ("?offset=10&limit=5", 10, 5),
        ("?limit=0", 0, 0),
        ("?limit=1000", 0, 200),
        ("?offset=200&limit=50", 200, 5),
        ("?offset=500", 205, 0),
        ("?offset=99999999999999999999999", 205, 0),
        ("?limit=3&unknown=1", 0, 3),
    ];
    for (query, first, count) in cases {
        let reply = api.get(&format!("/v1/orgs/acme/members{query}")).await;
        assert_eq!(reply.status, StatusCode::OK, "{query}");
        assert_eq!(reply.body["total"], 205, "{query}");
        let got: Vec<&str> = reply.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(id_of)
            .collect();
        let want: Vec<&str> = ids
            .iter()
            .skip(first)
            .take(count)
            .map(String::as_str)
            .collect();
        assert_eq!(got, want, "{query}");
    }

    let deleted = api
        .delete(&format!("/v1/orgs/acme/members/{}", ids[1]))
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let page = api.get("/v1/orgs/acme/members?limit=2").await;
    assert_eq!(page.body["total"], 204);
    assert_eq!(id_of(&page.body["data"][1]), ids[2]);

    let empty = api.get("/v1/orgs/fresh-org/members").await;
    assert_eq!(empty.body, json!({"data": [], "total": 0}));
}

#[tokio::test]
async fn list_filters_by_email_ignoring_case_and_by_exact_external_ref() {
    let api = Harness::new();
    let ada = api
        .create(
            "acme",
            json!({"email": "ada@example.com", "external_ref": "okta-1"}),
        )
        .await;
    let bob = api
        .create(
            "acme",
            json!({"email": "bob@example.com", "external_ref": "okta-2"}),
        )
        .await;
    let cy = api
        .create(
            "acme",
            json!({"email": "cy@example.com", "external_ref": "okta-2"}),
        )
        .await;

    let cases: [(&str, Vec<&Value>); 8] = [
        ("email=ADA%40example.com", vec![&ada]),
        ("email=ada@example.com", vec![&ada]),
        ("email=nobody@example.com", vec![]),
        ("external_ref=okta-2", vec![&bob, &cy]),
        ("external_ref=OKTA-2", vec![]),
        ("external_ref=okta-2&offset=1", vec![&cy]),
        ("email=bob@example.com&external_ref=okta-2", vec![&bob]),
        ("email=bob@example.com&external_ref=okta-1", vec![]),
    ];
    for (query, expected) in cases {
        let reply = api.get(&format!("/v1/orgs/acme/members?{query}")).await;
        assert_eq!(reply.status, StatusCode::OK, "{query}");
        let data: Vec<&Value> = reply.body["data"].as_array().unwrap().iter().collect();
        assert_eq!(data, expected, "{query}");
        let total = if query.ends_with("offset=1") {
            2
        } else {
            expected.len()
        };
        assert_eq!(reply.body["total"], total, "{query}");
    }

    // The external_ref index must follow updates and deletes.
    let path = format!("/v1/orgs/acme/members/{}", id_of(&bob));
    api.patch(&path, json!({"external_ref": "okta-9"})).await;
    let moved = api.get("/v1/orgs/acme/members?external_ref=okta-9").await;
    assert_eq!(moved.body["total"], 1);
    api.delete(&format!("/v1/orgs/acme/members/{}", id_of(&cy)))
        .await;
    let gone = api.get("/v1/orgs/acme/members?external_ref=okta-2").await;
    assert_eq!(gone.body, json!({"data": [], "total": 0}));
}

#[tokio::test]
async fn list_rejects_paging_values_that_are_not_integers() {
    let api = Harness::new();
    for query in [
        "offset=abc",
        "limit=-1",
        "limit=",
        "offset=1.5",
        "limit=%2B5",
    ] {
        let reply = api.get(&format!("/v1/orgs/acme/members?{query}")).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert_eq!(reply.error_code(), "invalid_field", "{query}");
    }
}

#[tokio::test]
async fn email_must_be_unique_per_org_ignoring_case() {
    let api = Harness::new();
    api.create("acme", json!({"email": "ada@example.com"}))
        .await;
    let bob = api
        .create("acme", json!({"email": "bob@example.com"}))
        .await;

    let taken = api
        .post("/v1/orgs/acme/members", json!({"email": "ADA@example.COM"}))
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    assert_eq!(taken.error_code(), "email_taken");

    let path = format!("/v1/orgs/acme/members/{}", id_of(&bob));
    let renamed = api.patch(&path, json!({"email": "Ada@Example.com"})).await;
    assert_eq!(renamed.status, StatusCode::CONFLICT);
    assert_eq!(renamed.error_code(), "email_taken");

    // Changing the case of one's own email is not a conflict.
    let recased = api.patch(&path, json!({"email": "BOB@example.com"})).await;
    assert_eq!(recased.status, StatusCode::OK);
    assert_eq!(recased.body["version"], 2);

    // Another organisation has its own email space.
    api.create("globex", json!({"email": "ada@example.com"}))
        .await;
}

#[tokio::test]
async fn invalid_member_fields_are_rejected_with_422_naming_the_field() {
    let api = Harness::new();
    let long = "x".repeat(1025);
    let cases = [
        (json!({}), "email"),
        (json!({"email": null}), "email"),
        (json!({"email": 7}), "email"),
        (json!({"email": "no-at-sign"}), "email"),
        (json!({"email": "ada @example.com"}), "email"),
        (json!({"email": "a@b", "nickname": "x"}), "nickname"),
        (json!({"email": "a@b", "id": "mbr_1"}), "id"),
        (json!({"email": "a@b", "version": 3}), "version"),
        (json!({"email": "a@b", "created_at": "x"}), "created_at"),
        (json!({"email": "a@b", "updated_at": "x"}), "updated_at"),
        (json!({"email": "a@b", "status": "deleted"}), "status"),
        (json!({"email": "a@b", "status": null}), "status"),
        (json!({"email": "a@b", "given_name": 5}), "given_name"),
        (json!({"email": "a@b", "title": ["x"]}), "title"),
        (json!({"email": "a@b", "phone": long}), "phone"),
        (json!(["email"]), "body"),
    ];
    for (body, field) in cases {
        let reply = api.post("/v1/orgs/acme/members", body.clone()).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(reply.error_code(), "invalid_field", "{body}");
        let message = reply.body["error"]["message"].as_str().unwrap();
        assert!(message.contains(field), "{message} should name {field}");
    }
    let read_only = api
        .post("/v1/orgs/acme/members", json!({"email": "a@b", "id": "x"}))
        .await;
    assert!(read_only.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("field is read-only"));

    // Exactly 1024 characters, multi-byte ones included, is still allowed.
    let limit = "é".repeat(1024);
    api.create("acme", json!({"email": "a@b", "title": limit}))
        .await;
    let listed = api.get("/v1/orgs/acme/members").await;
    assert_eq!(listed.body["total"], 1);
}

#[tokio::test]
async fn patch_merges_clears_with_null_and_skips_no_op_versions() {
    let api = Harness::new();
    let member = api
        .create(
            "acme",
            json!({"email": "ada@example.com", "given_name": "Ada", "title": "Engineer"}),
        )
        .await;
    let path = format!("/v1/orgs/acme/members/{}", id_of(&member));

    let merged = api
        .patch(&path, json!({"family_name": "Lovelace", "title": null}))
        .await;
    assert_eq!(merged.status, StatusCode::OK);
    assert_eq!(merged.body["given_name"], "Ada");
    assert_eq!(merged.body["family_name"], "Lovelace");
    assert_eq!(merged.body["title"], Value::Null);
    assert_eq!(merged.body["version"], 2);
    assert_eq!(merged.body["created_at"], member["created_at"]);

    let unchanged = api
        .patch(&path, json!({"given_name": "Ada", "title": null}))
        .await;
    assert_eq!(unchanged.status, StatusCode::OK);
    assert_eq!(unchanged.body, merged.body);

    let suspended = api.patch(&path, json!({"status": "suspended"})).await;
    assert_eq!(suspended.body["status"], "suspended");
    assert_eq!(suspended.body["version"], 3);

    for body in [
        json!({"email": null}),
        json!({"status": null}),
        json!({"version": 9}),
        json!({"unknown": 1}),
    ] {
        let reply = api.patch(&path, body.clone()).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    }
    assert_eq!(api.get(&path).await.body["version"], 3);

    let missing = api
        .patch("/v1/orgs/acme/members/mbr_nope", json!({"title": "x"}))
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn patch_with_if_match_applies_only_on_the_current_version() {
    let api = Harness::new();
    let member = api
        .create("acme", json!({"email": "ada@example.com"}))
        .await;
    let path = format!("/v1/orgs/acme/members/{}", id_of(&member));

    let cases = [
        ("1", StatusCode::OK, 2),
        ("\"2\"", StatusCode::OK, 3),
        ("W/\"3\"", StatusCode::OK, 4),
        ("*", StatusCode::OK, 5),
        ("4", StatusCode::PRECONDITION_FAILED, 5),
        ("W/\"99\"", StatusCode::PRECONDITION_FAILED, 5),
        ("seven", StatusCode::UNPROCESSABLE_ENTITY, 5),
    ];
    for (i, (if_match, status, version)) in cases.into_iter().enumerate() {
        let request = api
            .request(Method::PATCH, &path)
            .header(header::IF_MATCH, if_match)
            .body(Full::new(Bytes::from(
                json!({"title": format!("t{i}")}).to_string(),
            )))
            .unwrap();
        let reply = api.send(request).await.unwrap();
        assert_eq!(reply.status, status, "{if_match}");
        if status == StatusCode::PRECONDITION_FAILED {
            assert_eq!(reply.error_code(), "version_mismatch");
            let message = reply.body["error"]["message"].as_str().unwrap();
            assert!(
                message.contains('5'),
                "{message} should say the current version"
            );
        }
        assert_eq!(api.get(&path).await.body["version"], version, "{if_match}");
    }
}

#[tokio::test]
async fn deleted_member_is_gone_and_a_second_delete_is_not_found() {
    let api = Harness::new();
    let member = api
        .create("acme", json!({"email": "ada@example.com"}))
        .await;
    let path = format!("/v1/orgs/acme/members/{}", id_of(&member));

    let first = api.delete(&path).await;
    assert_eq!(first.status, StatusCode::NO_CONTENT);
    assert_eq!(first.body, Value::Null);
    assert_eq!(api.get(&path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(api.delete(&path).await.status, StatusCode::NOT_FOUND);

    // The email is free again once its member is removed.
    api.create("acme", json!({"email": "ADA@example.com"}))
        .await;
}

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

#[tokio::test]
async fn malformed_requests_get_the_matching_error() {
    let api = Harness::new();
    let addr = api.server.addr();
    let raw = |method: Method, path: &str, body: Vec<u8>| {
        Request::builder()
            .method(method)
            .uri(format!("http://{addr}{path}"))
            .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
            .body(Full::new(Bytes::from(body)))
            .unwrap()
    };
    let huge = format!(
        "{{\"email\":\"a@b\",\"title\":\"{}\"}}",
        "x".repeat(1024 * 1024)
    );
    let deep = "[".repeat(10_000);
    let cases = [
        (
            raw(Method::POST, "/v1/orgs/acme/members", b"{nope".to_vec()),
            400,
            "invalid_json",
        ),
        (
            raw(Method::POST, "/v1/orgs/acme/members", Vec::new()),
            400,
            "invalid_json",
        ),
        (
            raw(Method::POST, "/v1/orgs/acme/members", deep.into_bytes()),
            400,
            "invalid_json",
        ),
        (
            raw(Method::POST, "/v1/orgs/acme/members", huge.into_bytes()),
            413,
            "payload_too_large",
        ),
        (
            raw(Method::GET, "/v2/anything", Vec::new()),
            404,
            "not_found",
        ),
        (
            raw(Method::GET, "/v1/orgs/acme/members/", Vec::new()),
            404,
            "not_found",
        ),
        (
            raw(Method::GET, "/v1/orgs/bad.org/members", Vec::new()),
            404,
            "not_found",
        ),
        (
            raw(
                Method::GET,
                &format!("/v1/orgs/{}/members", "a".repeat(65)),
                Vec::new(),
            ),
            404,
            "not_found",
        ),
        (
            raw(Method::PUT, "/v1/orgs/acme/members", Vec::new()),
            405,
            "method_not_allowed",
        ),
        (
            raw(Method::POST, "/v1/orgs/acme/members/mbr_x", Vec::new()),
            405,
            "method_not_allowed",
        ),
        (
            raw(Method::GET, "/_emulator/reset", Vec::new()),
            405,
            "method_not_allowed",
        ),
    ];
    for (i, (request, status, code)) in cases.into_iter().enumerate() {
        let reply = api.send(request).await.unwrap();
        assert_eq!(reply.status.as_u16(), status, "case {i}");
        assert_eq!(reply.error_code(), code, "case {i}");
    }

    let long_org = format!("/v1/orgs/{}/members", "a".repeat(64));
    assert_eq!(api.get(&long_org).await.status, StatusCode::OK);
    let not_allowed = api.call(Method::PUT, "/v1/orgs/acme/members", None).await;
    assert_eq!(not_allowed.headers[header::ALLOW], "GET, POST");
}

#[tokio::test]
async fn start_reports_bind_errors_and_stop_frees_the_port() {
    let first = start("127.0.0.1:0".parse().unwrap(), TOKEN).unwrap();
    let addr = first.addr();
    assert_ne!(addr.port(), 0);
    assert!(start(addr, TOKEN).is_err());

    first.stop();
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[test]
fn one_connection_serves_several_requests_in_turn() {
    use std::io::{Read, Write};

    // A plain socket makes the reuse visible: every reply must arrive on the same stream.
    let server = start("127.0.0.1:0".parse().unwrap(), TOKEN).unwrap();
    let mut stream = std::net::TcpStream::connect(server.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let request = format!(
        "GET /v1/orgs/acme/members HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n\r\n"
    );
    let body = r#"{"data":[],"total":0}"#;
    for _ in 0..3 {
        stream.write_all(request.as_bytes()).unwrap();
        let mut text = String::new();
        let mut buffer = [0; 4096];
        while !text.ends_with(body) {
            let read = stream.read(&mut buffer).unwrap();
            assert_ne!(read, 0, "connection closed after {text}");
            text.push_str(&String::from_utf8_lossy(&buffer[..read]));
        }
        assert!(text.starts_with("HTTP/1.1 200 OK"), "{text}");
    }
}
