//! RFC 7644 behaviour through the real server: authentication, errors, ETags, attribute
//! selection and what clients see when the legacy API misbehaves.

mod common;

use common::{q, send, Options, Stack, USER};
use serde_json::json;
use std::time::Duration;

#[test]
fn requests_without_a_valid_key_get_401_with_a_bearer_challenge() {
    let stack = Stack::start(Options::default());
    let scim = stack.client(0);
    let url = format!("{}/Users", scim.base);
    let cases: Vec<Vec<(&str, String)>> = vec![
        vec![],
        vec![("authorization", "Bearer".into())],
        vec![("authorization", "Bearer ".into())],
        vec![(
            "authorization",
            format!("Basic {}", scim.key.clone().unwrap()),
        )],
        vec![("authorization", "Bearer scs_not_a_key".into())],
        vec![(
            "authorization",
            format!("Bearer {}x", scim.key.clone().unwrap()),
        )],
        vec![("authorization", format!("Bearer {}", "k".repeat(8000)))],
    ];
    for headers in cases {
        let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let reply = send("GET", &url, &headers, None);
        reply.assert_error(401, None);
        assert!(reply
            .header("www-authenticate")
            .is_some_and(|v| v.starts_with("Bearer")));
    }
    // Discovery endpoints need the key too: they describe a tenant's mapping.
    scim.anonymous()
        .get("/ServiceProviderConfig")
        .assert_error(401, None);
}

#[test]
fn a_tenant_never_sees_another_tenants_users() {
    let stack = Stack::start(Options::default());
    let (a, b) = (stack.client(0), stack.client(1));
    let id = a.create_user(&common::user("private"));
    b.get(&format!("/Users/{id}")).assert_error(404, None);
    let search = b.get(&format!(
        "/Users?filter={}",
        q(r#"userName eq "private@example.com""#)
    ));
    assert_eq!(search.json["totalResults"], 0);
    assert_eq!(b.get("/Users").json["totalResults"], 0);
    b.delete(&format!("/Users/{id}")).assert_error(404, None);
    b.patch(
        &format!("/Users/{id}"),
        json!([{"op": "replace", "path": "active", "value": false}]),
    )
    .assert_error(404, None);
    assert_eq!(a.member(&id).json["status"], "active");
}

#[test]
fn bad_requests_get_clear_errors_and_change_nothing() {
    let stack = Stack::start(Options::default());
    let scim = stack.client(0);
    let id = scim.create_user(&common::user("steady"));
    let before = scim.member(&id).json;
    let raw = |method: &str, path: &str, body: &str, content_type: &str| {
        let auth = format!("Bearer {}", scim.key.clone().unwrap());
        send(
            method,
            &format!("{}{}", scim.base, path),
            &[("authorization", &auth), ("content-type", content_type)],
            Some(body),
        )
    };
    let user_path = format!("/Users/{id}");
    let cases: Vec<(&str, common::Reply, u16, Option<&str>)> = vec![
        (
            "invalid JSON",
            raw("POST", "/Users", "{\"userName\": ", "application/scim+json"),
            400,
            Some("invalidSyntax"),
        ),
        (
            "not an object",
            raw("POST", "/Users", "[1, 2]", "application/scim+json"),
            400,
            Some("invalidSyntax"),
        ),
        (
            "empty body",
            raw("POST", "/Users", "", "application/scim+json"),
            400,
            Some("invalidSyntax"),
        ),
        (
            "wrong media type",
            raw("POST", "/Users", "<user/>", "application/xml"),
            415,
            Some("invalidSyntax"),
        ),
        (
            "missing userName",
            scim.post(
                "/Users",
                &json!({"schemas": [USER], "emails": [{"type": "work", "value": "x@example.com"}]}),
            ),
            400,
            Some("invalidValue"),
        ),
        (
            "missing required e-mail",
            scim.post("/Users", &json!({"schemas": [USER], "userName": "nomail"})),
            400,
            Some("invalidValue"),
        ),
        (
            "wrong schemas",
            scim.post(
                "/Users",
                &json!({"schemas": ["urn:example:Other"], "userName": "x"}),
            ),
            400,
            Some("invalidSyntax"),
        ),
        (
            "wrong type",
            scim.post("/Users", &json!({"schemas": [USER], "userName": 42})),
            400,
            Some("invalidValue"),
        ),
        (
            "bad filter",
            scim.get(&format!("/Users?filter={}", q("userName eq"))),
            400,
            Some("invalidFilter"),
        ),
        (
            "unknown filter attribute",
            scim.get(&format!("/Users?filter={}", q(r#"shoeSize eq "9""#))),
            400,
            Some("invalidFilter"),
        ),
        (
            "deeply nested filter",
            scim.get(&format!(
                "/Users?filter={}{}",
                "(".repeat(500),
                q(r#"userName eq "x""#)
            )),
            400,
            Some("invalidFilter"),
        ),
        (
            "overlong filter",
            scim.get(&format!(
                "/Users?filter={}",
                q(&format!("userName eq \"{}\"", "x".repeat(5000)))
            )),
            400,
            Some("invalidFilter"),
        ),
        (
            "non-numeric count",
            scim.get("/Users?count=ten"),
            400,
            Some("invalidValue"),
        ),
        (
            "unknown op",
            scim.patch(
                &user_path,
                json!([{"op": "merge", "path": "title", "value": "x"}]),
            ),
            400,
            Some("invalidSyntax"),
        ),
        (
            "remove without path",
            scim.patch(&user_path, json!([{"op": "remove"}])),
            400,
            Some("noTarget"),
        ),
        (
            "read-only id",
            scim.patch(
                &user_path,
                json!([{"op": "replace", "path": "id", "value": "other"}]),
            ),
            400,
            Some("mutability"),
        ),
        (
            "unknown path",
            scim.patch(
                &user_path,
                json!([{"op": "replace", "path": "shoeSize", "value": "9"}]),
            ),
            400,
            Some("invalidPath"),
        ),
        (
            "one bad operation of two",
            scim.patch(
                &user_path,
                json!([
                    {"op": "replace", "path": "title", "value": "Changed"},
                    {"op": "replace", "path": "meta.created", "value": "2020-01-01T00:00:00Z"}
                ]),
            ),
            400,
            Some("mutability"),
        ),
        ("unknown endpoint", scim.get("/Widgets"), 404, None),
        (
            "wrong method",
            scim.request("PUT", "/Users", Some(&json!({})), &[]),
            405,
            None,
        ),
        ("unknown user", scim.get("/Users/mbr_nope"), 404, None),
        (
            "path traversal id",
            scim.get("/Users/..%2F..%2F_emulator%2Fstats"),
            404,
            None,
        ),
        (
            "oversized body",
            raw(
                "POST",
                "/Users",
                &format!("{{\"userName\": \"{}\"}}", "x".repeat(2 << 20)),
                "application/scim+json",
            ),
            413,
            None,
        ),
    ];
    for (name, reply, status, scim_type) in cases {
        assert_eq!(reply.status, status, "{name}: {}", reply.text);
        reply.assert_error(status, scim_type);
    }
    assert_eq!(
        scim.member(&id).json,
        before,
        "a refused request changed the member"
    );
    assert_eq!(
        scim.get("/Users").json["totalResults"],
        1,
        "a refused create made a user"
    );
}

#[test]
fn etags_guard_writes_and_spare_reads() {
    let stack = Stack::start(Options::default());
    let scim = stack.client(0);
    let id = scim.create_user(&common::user("versioned"));
    let path = format!("/Users/{id}");
    let read = scim.get(&path);
    let etag = read.header("etag").unwrap().to_owned();
    assert!(etag.starts_with("W/\""), "{etag}");
    assert_eq!(read.json["meta"]["version"], etag.as_str());

    let unchanged = scim.request("GET", &path, None, &[("if-none-match", &etag)]);
    assert_eq!(unchanged.status, 304);

    let changed = scim.patch(
        &path,
        json!([{"op": "replace", "path": "title", "value": "Lead"}]),
    );
    let fresh = changed.header("etag").unwrap().to_owned();
    assert_ne!(fresh, etag);

    let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "title", "value": "Stale"}]});
    let stale = scim.request("PATCH", &path, Some(&body), &[("if-match", &etag)]);
    stale.assert_error(412, None);
    let mut user = read.json.clone();
    user["title"] = json!("Stale");
    scim.request("PUT", &path, Some(&user), &[("if-match", &etag)])
        .assert_error(412, None);
    scim.request("DELETE", &path, None, &[("if-match", &etag)])
        .assert_error(412, None);
    assert_eq!(
        scim.member(&id).json["title"],
        "Lead",
        "a stale If-Match changed the member"
    );

    let current = scim.request("PATCH", &path, Some(&body), &[("if-match", &fresh)]);
    assert_eq!(current.status, 200, "{}", current.text);
    assert_eq!(current.json["title"], "Stale");
}

#[test]
fn attributes_and_excluded_attributes_shape_every_read() {
    let stack = Stack::start(Options::default());
    let scim = stack.client(0);
    let id = scim.create_user(&common::user("shaped"));
    let only = scim.get(&format!("/Users/{id}?attributes=userName,name.givenName"));
    assert_eq!(
        only.json,
        json!({"schemas": [USER], "id": id, "userName": "shaped@example.com", "name": {"givenName": "shaped"}})
    );
    let without = scim.get(&format!("/Users/{id}?excludedAttributes=emails,name,meta"));
    assert!(without.json.get("emails").is_none() && without.json.get("name").is_none());
    assert_eq!(without.json["userName"], "shaped@example.com");
    let listed = scim.get("/Users?attributes=userName");
    assert_eq!(
        listed.json["Resources"][0],
        json!({"schemas": [USER], "id": id, "userName": "shaped@example.com"})
    );
    let searched = scim.post(
        "/Users/.search",
        &json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
                "filter": "userName sw \"shaped\"", "attributes": ["userName"]}),
    );
    assert_eq!(searched.status, 200, "{}", searched.text);
    assert_eq!(
        searched.json["Resources"][0]["userName"],
        "shaped@example.com"
    );
    assert!(searched.json["Resources"][0].get("name").is_none());
}

#[test]
fn legacy_failures_become_retryable_errors_without_internal_detail() {
    let stack = Stack::start(Options {
        timeout_ms: 800,
        retries: 1,
        cache_ttl_ms: 0,
        ..Options::default()
    });
    let scim = stack.client(0);
    let id = scim.create_user(&common::user("fragile"));
    let path = format!("/Users/{id}");
    let cases = [
        (
            json!({"route": "get_member", "status": 503, "times": 5, "retry_after": 7}),
            503,
        ),
        (
            json!({"route": "get_member", "status": 500, "times": 5}),
            502,
        ),
        (
            json!({"route": "get_member", "drop": true, "times": 5}),
            502,
        ),
        (
            json!({"route": "get_member", "latency_ms": 2000, "times": 5}),
            504,
        ),
    ];
    for (fault, status) in cases {
        scim.fault(fault.clone());
        let reply = scim.get(&path);
        scim.clear_faults();
        reply.assert_error(status, None);
        let detail = reply.json["detail"].as_str().unwrap();
        assert!(
            !detail.contains("127.0.0.1") && !detail.contains("injected"),
            "{fault}: {detail}"
        );
        if status == 503 {
            assert_eq!(reply.header("retry-after"), Some("7"), "{fault}");
        }
        // The sidecar recovers as soon as the legacy API does.
        assert_eq!(scim.get(&path).status, 200, "{fault}");
    }
    // A create is never retried: a lost reply may hide a member that was made.
    scim.fault(json!({"route": "create_member", "status": 503, "times": 1}));
    scim.post("/Users", &common::user("once"))
        .assert_error(503, None);
    assert_eq!(scim.legacy_calls("create_member"), 2);
    scim.clear_faults();
}

#[test]
fn reads_are_served_from_the_cache_and_writes_invalidate_it() {
    let stack = Stack::start(Options {
        cache_ttl_ms: 60_000,
        ..Options::default()
    });
    let scim = stack.client(0);
    let id = scim.create_user(&common::user("cached"));
    let path = format!("/Users/{id}");
    let before = scim.legacy_calls("get_member");
    for _ in 0..5 {
        assert_eq!(scim.get(&path).status, 200);
    }
    assert_eq!(
        scim.legacy_calls("get_member"),
        before,
        "the create filled the cache"
    );
    scim.patch(
        &path,
        json!([{"op": "replace", "path": "title", "value": "Fresh"}]),
    );
    assert_eq!(
        scim.get(&path).json["title"],
        "Fresh",
        "a write must never be hidden by the cache"
    );
}

#[test]
fn rate_limits_answer_429_with_retry_after() {
    let stack = Stack::start(Options {
        rate_limit: Some((1, 3)),
        ..Options::default()
    });
    let scim = stack.client(0);
    let replies: Vec<u16> = (0..6).map(|_| scim.get("/Users").status).collect();
    assert!(replies[..3].iter().all(|s| *s == 200), "{replies:?}");
    let limited = scim.get("/Users");
    limited.assert_error(429, None);
    assert!(limited.header("retry-after").is_some());
    // Another tenant has its own budget.
    assert_eq!(stack.client(1).get("/Users").status, 200);
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(scim.get("/Users").status, 200);
}

#[test]
fn keys_rotate_and_tenants_disable_without_a_restart() {
    let stack = Stack::start(Options::default());
    let scim = stack.client(0);
    assert_eq!(scim.get("/Users").status, 200);
    let config = std::fs::read_to_string(&stack.config_path).unwrap();
    let old_hash = hex::encode(scim_sidecar::server::auth::hash_key(
        &scim.key.clone().unwrap(),
    ));
    let new_key = "scs_rotated_key";
    let new_hash = hex::encode(scim_sidecar::server::auth::hash_key(new_key));

    // Overlap: the new key is added and the old one expires in the past.
    let rotated = config.replace(
        &format!("keys = [{{ sha256 = \"{old_hash}\" }}]"),
        &format!("keys = [{{ sha256 = \"{old_hash}\", expires = \"2020-01-01T00:00:00Z\" }}, {{ sha256 = \"{new_hash}\" }}]"),
    );
    assert_ne!(rotated, config);
    std::fs::write(&stack.config_path, &rotated).unwrap();
    wait_until(|| scim.with_key(new_key).get("/Users").status == 200);
    scim.get("/Users").assert_error(401, None);

    // A broken file leaves the last good config in force.
    std::fs::write(&stack.config_path, "this is not toml").unwrap();
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(scim.with_key(new_key).get("/Users").status, 200);

    // Disabling the tenant refuses every request, like an unknown key.
    let disabled = rotated.replacen("name = \"t0\"", "name = \"t0\"\nenabled = false", 1);
    std::fs::write(&stack.config_path, disabled).unwrap();
    wait_until(|| scim.with_key(new_key).get("/Users").status == 401);
    assert_eq!(stack.client(1).get("/Users").status, 200);
}

fn wait_until(done: impl Fn() -> bool) {
    let started = std::time::Instant::now();
    while !done() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the config was not reloaded"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn dot_segment_ids_never_reach_the_legacy_api() {
    let stack = Stack::start(Options::default());
    let scim = stack.client(0);
    let before: u64 = [
        "get_member",
        "revoke_sessions",
        "delete_member",
        "update_member",
    ]
    .iter()
    .map(|r| scim.legacy_calls(r))
    .sum();
    for id in [".", "..", "%2e%2e", "%2E", "..."] {
        scim.get(&format!("/Users/{id}")).assert_error(404, None);
        scim.delete(&format!("/Users/{id}")).assert_error(404, None);
        scim.patch(
            &format!("/Users/{id}"),
            json!([{"op": "replace", "path": "title", "value": "x"}]),
        )
        .assert_error(404, None);
    }
    let after: u64 = [
        "get_member",
        "revoke_sessions",
        "delete_member",
        "update_member",
    ]
    .iter()
    .map(|r| scim.legacy_calls(r))
    .sum();
    assert_eq!(after, before, "a dot-segment id was sent to the legacy API");
}

#[test]
fn values_the_legacy_member_cannot_hold_are_refused_not_dropped() {
    let stack = Stack::start(Options::default());
    let scim = stack.client(0);
    let id = scim.create_user(&common::user("single"));
    let path = format!("/Users/{id}");
    let second = scim.patch(&path, json!([{"op": "add", "path": "emails", "value": [{"type": "work", "value": "second@example.com"}]}]));
    second.assert_error(400, Some("invalidValue"));
    let home = scim.patch(&path, json!([{"op": "add", "path": "emails", "value": [{"type": "home", "value": "h@example.com"}]}]));
    home.assert_error(400, Some("invalidValue"));
    let mut two = common::user("two-mails");
    two["emails"] = json!([{"type": "work", "value": "a@example.com"}, {"type": "work", "value": "b@example.com"}]);
    scim.post("/Users", &two)
        .assert_error(400, Some("invalidValue"));
    let mut nul = common::user("nul");
    nul["displayName"] = json!("bad\u{0}name");
    scim.post("/Users", &nul)
        .assert_error(400, Some("invalidValue"));
    assert_eq!(scim.get("/Users").json["totalResults"], 1);
}

#[test]
fn searches_refuse_what_they_would_otherwise_ignore() {
    let stack = Stack::start(Options::default());
    let scim = stack.client(0);
    scim.create_user(&common::user("searched"));
    let misspelt = scim.post(
        "/Users/.search",
        &json!({"filtre": "userName eq \"nobody\""}),
    );
    misspelt.assert_error(400, Some("invalidSyntax"));
    let in_query = scim.request(
        "POST",
        &format!("/Users/.search?filter={}", q(r#"userName eq "nobody""#)),
        Some(&json!({})),
        &[],
    );
    in_query.assert_error(400, Some("invalidSyntax"));
    let wrong_method = scim.request("PATCH", "/Users", Some(&json!({})), &[]);
    wrong_method.assert_error(405, None);
    assert_eq!(wrong_method.header("allow"), Some("GET, POST"));
}

#[test]
fn writes_get_the_whole_legacy_deadline_because_they_are_never_retried() {
    let stack = Stack::start(Options {
        timeout_ms: 3000,
        retries: 2,
        ..Options::default()
    });
    let scim = stack.client(0);
    let id = scim.create_user(&common::user("slow-write"));
    // Longer than a third of the deadline (a retried call's share), shorter than all of it.
    scim.fault(json!({"route": "update_member", "latency_ms": 1800, "times": 1}));
    let reply = scim.patch(
        &format!("/Users/{id}"),
        json!([{"op": "replace", "path": "title", "value": "Slow"}]),
    );
    scim.clear_faults();
    assert_eq!(reply.status, 200, "{}", reply.text);
}

#[test]
fn a_rotated_legacy_token_file_is_picked_up_without_a_restart() {
    let stack = Stack::start(Options {
        cache_ttl_ms: 0,
        ..Options::default()
    });
    let scim = stack.client(0);
    let token_file = stack.config_path.with_extension("token");
    std::fs::write(&token_file, "wrong-token\n").unwrap();
    let config = std::fs::read_to_string(&stack.config_path).unwrap();
    let from_file = config.replace(
        &format!("token = {{ value = \"{}\" }}", stack.legacy_token),
        &format!("token = {{ file = \"{}\" }}", token_file.display()),
    );
    assert_ne!(from_file, config);
    std::fs::write(&stack.config_path, &from_file).unwrap();
    wait_until(|| scim.get("/Users").status == 502);
    std::fs::write(&token_file, format!("{}\n", stack.legacy_token)).unwrap();
    // The file is re-read when the config is; touching the config triggers that.
    std::thread::sleep(Duration::from_millis(1100));
    std::fs::write(&stack.config_path, format!("{from_file}\n")).unwrap();
    wait_until(|| scim.get("/Users").status == 200);
    let _ = std::fs::remove_file(token_file);
}

#[test]
fn concurrent_writes_without_if_match_all_land() {
    let stack = Stack::start(Options::default());
    let scim = stack.client(0);
    let id = scim.create_user(&common::user("contended"));
    let path = format!("/Users/{id}");
    let attributes = ["title", "displayName", "locale"];
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let (scim, path) = (scim.clone(), path.clone());
            let attribute = attributes[i % attributes.len()];
            std::thread::spawn(move || {
                let value = format!("{attribute}-{i}");
                let reply = scim.patch(
                    &path,
                    json!([{"op": "replace", "path": attribute, "value": value}]),
                );
                (reply.status, attribute, value)
            })
        })
        .collect();
    let results: Vec<(u16, &str, String)> =
        handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert!(
        results.iter().all(|(status, _, _)| *status == 200),
        "{results:?}"
    );
    let member = scim.get(&path).json;
    for attribute in attributes {
        let last = member[attribute].as_str().unwrap();
        assert!(
            results.iter().any(|(_, a, v)| *a == attribute && v == last),
            "{attribute}: {last}"
        );
    }
}

#[test]
fn required_values_are_checked_before_the_legacy_api_sees_the_change() {
    let stack = Stack::start(Options::default());
    let scim = stack.client(0);
    let id = scim.create_user(&common::user("keeps-mail"));
    let path = format!("/Users/{id}");
    for operation in [
        json!({"op": "remove", "path": "emails[type eq \"work\"]"}),
        json!({"op": "replace", "path": "emails", "value": []}),
    ] {
        let reply = scim.patch(&path, json!([operation]));
        reply.assert_error(400, Some("invalidValue"));
        assert!(
            reply.json["detail"]
                .as_str()
                .unwrap()
                .contains("is required"),
            "{}",
            reply.text
        );
    }
    assert_eq!(scim.legacy_calls("update_member"), 0);
}
