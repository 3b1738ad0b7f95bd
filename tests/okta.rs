//! The Okta provisioning flow, step by step, through the real sidecar and legacy API.

mod common;

use common::{q, Options, Stack, USER};
use serde_json::json;

fn stack() -> Stack {
    Stack::start(Options {
        profile: "okta",
        ..Options::default()
    })
}

const OKTA_AGENT: (&str, &str) = ("user-agent", "Okta SCIM Client 1.0.0");

#[test]
fn okta_lifecycle_probe_match_create_update_deactivate() {
    let stack = stack();
    let scim = stack.client(0);

    // Probe: the first page of two; paging numbers are JSON integers.
    let probe = scim.request("GET", "/Users?startIndex=1&count=2", None, &[OKTA_AGENT]);
    assert_eq!(probe.status, 200, "{}", probe.text);
    assert_eq!(probe.header("content-type"), Some("application/scim+json"));
    assert!(probe.json["totalResults"].is_u64());
    assert!(probe.json["startIndex"].is_u64());
    assert!(probe.json["itemsPerPage"].is_u64());
    assert!(probe.json["Resources"].is_array());

    // Match before create: no user yet is 200 with totalResults 0, never 404.
    let filter = format!(
        "/Users?filter={}&startIndex=1&count=100",
        q(r#"userName eq "alice@example.com""#)
    );
    let none = scim.request("GET", &filter, None, &[OKTA_AGENT]);
    assert_eq!(none.status, 200, "{}", none.text);
    assert_eq!(none.json["totalResults"], 0);
    assert_eq!(none.json["Resources"], json!([]));

    // Create, as Okta sends it, with application/json and the attributes Okta adds.
    let body = json!({
        "schemas": [USER],
        "userName": "alice@example.com",
        "name": {"givenName": "Alice", "familyName": "Ng"},
        "emails": [{"primary": true, "value": "alice@example.com", "type": "work"}],
        "displayName": "Alice Ng",
        "locale": "en-US",
        "externalId": "00u1abcd",
        "groups": [],
        "password": "correct horse battery staple",
        "active": true
    });
    let created = scim.request(
        "POST",
        "/Users",
        Some(&body),
        &[OKTA_AGENT, ("content-type", "application/json")],
    );
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.json["id"].as_str().unwrap().to_owned();
    assert_eq!(created.json["userName"], "alice@example.com");
    assert_eq!(created.json["name"]["givenName"], "Alice");
    assert_eq!(created.json["emails"][0]["value"], "alice@example.com");
    assert_eq!(created.json["active"], true);
    assert!(
        created.json.get("password").is_none(),
        "password must never be returned"
    );
    assert_eq!(
        created.header("location"),
        Some(format!("{}/Users/{id}", scim.base).as_str())
    );
    assert_eq!(
        created.json["meta"]["location"],
        format!("{}/Users/{id}", scim.base)
    );

    // The member appears in the legacy system at once.
    let member = scim.member(&id);
    assert_eq!(member.status, 200);
    assert_eq!(member.json["email"], "alice@example.com");
    assert_eq!(member.json["username"], "alice@example.com");
    assert_eq!(member.json["status"], "active");

    // A duplicate is 409 uniqueness.
    scim.request("POST", "/Users", Some(&body), &[OKTA_AGENT])
        .assert_error(409, Some("uniqueness"));

    // The match now finds exactly this user.
    let found = scim.request("GET", &filter, None, &[OKTA_AGENT]);
    assert_eq!(found.json["totalResults"], 1);
    assert_eq!(found.json["Resources"][0]["id"], id.as_str());

    // Profile update: GET, then PUT of the whole object, read-only parts included.
    let mut current = scim.get(&format!("/Users/{id}")).json;
    current["name"]["familyName"] = json!("Ng-Smith");
    current["title"] = json!("Engineer");
    current["groups"] = json!([]);
    let updated = scim.put(&format!("/Users/{id}"), &current);
    assert_eq!(updated.status, 200, "{}", updated.text);
    assert_eq!(updated.json["name"]["familyName"], "Ng-Smith");
    assert_eq!(updated.json["title"], "Engineer");
    assert_eq!(scim.member(&id).json["family_name"], "Ng-Smith");

    // Deactivate with a pathless replace; a 200 must really change the member.
    let off = scim.patch(
        &format!("/Users/{id}"),
        json!([{"op": "replace", "value": {"active": false}}]),
    );
    assert_eq!(off.status, 200, "{}", off.text);
    assert_eq!(off.json["active"], false);
    assert_eq!(scim.member(&id).json["status"], "suspended");

    // Some app types deactivate with PUT instead; reactivating works the same way.
    let mut again = scim.get(&format!("/Users/{id}")).json;
    again["active"] = json!(true);
    assert_eq!(
        scim.put(&format!("/Users/{id}"), &again).json["active"],
        true
    );
    assert_eq!(scim.member(&id).json["status"], "active");
    again["active"] = json!(false);
    assert_eq!(
        scim.put(&format!("/Users/{id}"), &again).json["active"],
        false
    );
    assert_eq!(scim.member(&id).json["status"], "suspended");
}

#[test]
fn okta_import_pages_are_stable_and_complete() {
    let stack = stack();
    let scim = stack.client(0);
    let mut ids = Vec::new();
    for i in 0..7 {
        ids.push(scim.create_user(&common::user(&format!("import{i}"))));
    }
    let mut seen = Vec::new();
    for start in [1, 3, 5, 7] {
        let page = scim.get(&format!("/Users?startIndex={start}&count=2"));
        assert_eq!(page.status, 200, "{}", page.text);
        assert_eq!(page.json["totalResults"], 7);
        assert_eq!(page.json["startIndex"], start);
        let resources = page.json["Resources"].as_array().unwrap();
        assert_eq!(page.json["itemsPerPage"], resources.len());
        for resource in resources {
            assert!(resource["id"].is_string() && resource["userName"].is_string());
            assert!(resource["name"]["givenName"].is_string());
            assert!(resource["active"].is_boolean());
            assert!(resource["emails"][0]["value"].is_string());
            seen.push(resource["id"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(
        seen, ids,
        "pages must cover every user once, in a stable order"
    );
}

#[test]
fn okta_errors_carry_the_error_schema_and_detail() {
    let stack = stack();
    let scim = stack.client(0);
    scim.get("/Users/does-not-exist").assert_error(404, None);
    let bad = scim.with_key("scs_wrong").get("/Users");
    bad.assert_error(401, None);
    assert!(bad
        .header("www-authenticate")
        .is_some_and(|v| v.starts_with("Bearer")));
    scim.anonymous().get("/Users").assert_error(401, None);
}
