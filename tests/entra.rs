//! The Microsoft Entra ID provisioning flow, step by step, through the real sidecar.

mod common;

use common::{q, Options, Stack, ENTERPRISE, USER};
use serde_json::json;

fn stack() -> Stack {
    Stack::start(Options {
        profile: "entra",
        ..Options::default()
    })
}

#[test]
fn entra_test_connection_gets_an_exact_empty_list_without_accept() {
    let stack = stack();
    let scim = stack.client(0);
    for filter in [
        r#"userName eq "5f2c7a43-2c39-4bb8-9a0e-0d5c3e1d9e11""#,
        r#"externalId eq "5f2c7a43-2c39-4bb8-9a0e-0d5c3e1d9e11""#,
    ] {
        // No Accept header at all, as Entra's probe sends it.
        let reply = scim.get(&format!("/Users?filter={}", q(filter)));
        assert_eq!(reply.status, 200, "{}", reply.text);
        assert_eq!(reply.header("content-type"), Some("application/scim+json"));
        assert_eq!(
            reply.json,
            json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
                "totalResults": 0,
                "startIndex": 1,
                "itemsPerPage": 0,
                "Resources": []
            })
        );
    }
}

#[test]
fn entra_lifecycle_create_match_patch_disable_delete() {
    let stack = stack();
    let scim = stack.client(0);
    let body = json!({
        "schemas": [USER, ENTERPRISE],
        "externalId": "8b0c3c7e-entra",
        "userName": "Bo.Diaz@Contoso.example.com",
        "active": true,
        "emails": [{"primary": true, "type": "work", "value": "bo.diaz@example.com"}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "Bo Diaz", "familyName": "Diaz", "givenName": "Bo"},
        "roles": []
    });
    let created = scim.post("/Users", &body);
    assert_eq!(created.status, 201, "{}", created.text);
    let id = created.json["id"].as_str().unwrap().to_owned();
    // Values are stored as sent, case included.
    assert_eq!(created.json["userName"], "Bo.Diaz@Contoso.example.com");
    assert_eq!(
        scim.member(&id).json["username"],
        "Bo.Diaz@Contoso.example.com"
    );
    assert_eq!(scim.member(&id).json["email"], "bo.diaz@example.com");

    // Every match shape Entra uses finds the user, including the off-grammar one.
    for filter in [
        r#"userName eq "bo.diaz@contoso.example.com""#,
        r#"externalId eq "8b0c3c7e-entra""#,
        r#"emails[type eq "work"].value eq "bo.diaz@example.com""#,
        r#"userName eq "Bo.Diaz@Contoso.example.com" and externalId eq "8b0c3c7e-entra""#,
    ] {
        let reply = scim.get(&format!("/Users?filter={}", q(filter)));
        assert_eq!(reply.status, 200, "{filter}: {}", reply.text);
        assert_eq!(reply.json["totalResults"], 1, "{filter}");
        assert_eq!(reply.json["Resources"][0]["id"], id.as_str());
    }
    // externalId is case-exact: another case is another user.
    let other = scim.get(&format!(
        "/Users?filter={}",
        q(r#"externalId eq "8B0C3C7E-ENTRA""#)
    ));
    assert_eq!(other.json["totalResults"], 0);

    // Updates: capitalised ops, Add on existing values, URN paths, manager as a bare id.
    let manager = scim.create_user(&common::user("manager-of-bo"));
    let patched = scim.patch(
        &format!("/Users/{id}"),
        json!([
            {"op": "Replace", "path": "name.givenName", "value": "Bonita"},
            {"op": "Add", "path": "emails[type eq \"work\"].value", "value": "bonita.diaz@example.com"},
            {"op": "Add", "path": format!("{ENTERPRISE}:employeeNumber"), "value": "E-1042"},
            {"op": "Add", "path": format!("{ENTERPRISE}:department"), "value": "Finance"},
            {"op": "Replace", "path": format!("{ENTERPRISE}:manager"), "value": manager},
            {"op": "Add", "path": "title", "value": "Controller"}
        ]),
    );
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(patched.json["name"]["givenName"], "Bonita");
    assert_eq!(
        patched.json["emails"][0]["value"],
        "bonita.diaz@example.com"
    );
    assert_eq!(patched.json[ENTERPRISE]["employeeNumber"], "E-1042");
    assert_eq!(
        patched.json[ENTERPRISE]["manager"],
        json!({"value": manager})
    );
    assert!(patched.json["schemas"]
        .as_array()
        .unwrap()
        .contains(&json!(ENTERPRISE)));
    let member = scim.member(&id).json;
    assert_eq!(member["given_name"], "Bonita");
    assert_eq!(member["email"], "bonita.diaz@example.com");
    assert_eq!(member["manager_id"], manager.as_str());
    assert_eq!(member["department"], "Finance");

    // The newer pathless form with dotted and URN keys.
    let pathless = scim.patch(
        &format!("/Users/{id}"),
        json!([{"op": "replace", "value": {
            "displayName": "Bonita Diaz",
            "name.familyName": "Diaz-Ruiz",
            format!("{ENTERPRISE}:employeeNumber"): "E-2048"
        }}]),
    );
    assert_eq!(pathless.status, 200, "{}", pathless.text);
    assert_eq!(pathless.json["displayName"], "Bonita Diaz");
    assert_eq!(pathless.json["name"]["familyName"], "Diaz-Ruiz");
    assert_eq!(pathless.json[ENTERPRISE]["employeeNumber"], "E-2048");

    // Disable with the string "False"; the user stays visible with active false.
    let disabled = scim.patch(
        &format!("/Users/{id}"),
        json!([{"op": "Replace", "path": "active", "value": "False"}]),
    );
    assert_eq!(disabled.status, 200, "{}", disabled.text);
    assert_eq!(disabled.json["active"], false);
    assert_eq!(scim.get(&format!("/Users/{id}")).json["active"], false);
    let listed = scim.get(&format!(
        "/Users?filter={}",
        q(r#"externalId eq "8b0c3c7e-entra""#)
    ));
    assert_eq!(listed.json["Resources"][0]["active"], false);

    // Re-enable with a real boolean and a lowercase op.
    let enabled = scim.patch(
        &format!("/Users/{id}"),
        json!([{"op": "replace", "path": "active", "value": true}]),
    );
    assert_eq!(enabled.json["active"], true);
    assert_eq!(scim.member(&id).json["status"], "active");

    // Delete, later: 204, then gone.
    let deleted = scim.delete(&format!("/Users/{id}"));
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    scim.get(&format!("/Users/{id}")).assert_error(404, None);
    assert_eq!(scim.member(&id).status, 404);
}

#[test]
fn entra_replace_on_a_missing_typed_value_adds_it() {
    let stack = stack();
    let scim = stack.client(0);
    let id = scim.create_user(&common::user("phoneless"));
    let reply = scim.patch(
        &format!("/Users/{id}"),
        json!([{"op": "Replace", "path": "phoneNumbers[type eq \"work\"].value", "value": "+1 555 0199"}]),
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        reply.json["phoneNumbers"],
        json!([{"type": "work", "value": "+1 555 0199"}])
    );
    assert_eq!(scim.member(&id).json["phone"], "+1 555 0199");
}

#[test]
fn groups_probe_is_an_empty_list() {
    let stack = stack();
    let scim = stack.client(0);
    let reply = scim.get("/Groups");
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json["totalResults"], 0);
    assert_eq!(reply.json["Resources"], json!([]));
    scim.post("/Groups", &json!({"displayName": "x"}))
        .assert_error(501, None);
}
