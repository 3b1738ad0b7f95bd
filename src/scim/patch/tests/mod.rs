//! Table-driven tests of the PATCH engine: each case is a stored resource, a request body and
//! the expected resource or error.

mod errors;
mod idp;
mod rfc;

use serde_json::{json, Value};

use super::{apply, parse_request};
use crate::scim::normalize::Normalization;
use crate::scim::profile::IdpProfile;
use crate::scim::schema::{ENTERPRISE_SCHEMA, USER_SCHEMA};
use crate::scim::testing::tenant_schema;

/// The enterprise extension URN, shortened for table rows.
const ENT: &str = ENTERPRISE_SCHEMA;

/// What a case expects.
enum Expect {
    /// The request succeeds and leaves this resource.
    Resource(Value),
    /// The request fails with this status and `scimType`, and changes nothing.
    Error(u16, &'static str),
}

struct Case {
    name: &'static str,
    before: Value,
    body: Value,
    expect: Expect,
}

/// A stored user with core, multi-valued and enterprise attributes.
fn alice() -> Value {
    json!({
        "schemas": [USER_SCHEMA, ENT],
        "id": "2819c223-7f76-453a-919d-413861904646",
        "externalId": "ext-701984",
        "userName": "alice@example.com",
        "name": {"givenName": "Alice", "familyName": "Smith"},
        "displayName": "Alice Smith",
        "active": true,
        "emails": [{"value": "alice@example.com", "type": "work", "primary": true}],
        ENT: {"employeeNumber": "701984", "manager": {"value": "26118915-6090-4610-87e4-49d8ca9f808d"}},
        "meta": {"resourceType": "User"}
    })
}

/// A stored user with only the core schema and no multi-valued attributes.
fn bob() -> Value {
    json!({
        "schemas": [USER_SCHEMA],
        "id": "b0b",
        "userName": "bob@example.com",
        "active": true,
        "meta": {"resourceType": "User"}
    })
}

/// `base` changed by `edit`, for expected resources.
fn edited(base: Value, edit: impl FnOnce(&mut Value)) -> Value {
    let mut value = base;
    edit(&mut value);
    value
}

/// A PatchOp body with the given operations.
fn ops(operations: Value) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": operations})
}

/// Parses and applies `body` to a copy of `before`.
fn run(
    before: &Value,
    body: &Value,
) -> (
    Value,
    Result<Vec<Normalization>, crate::scim::error::ScimError>,
) {
    let mut resource = before.clone();
    let result = parse_request(body)
        .and_then(|ops| apply(&mut resource, &ops, &tenant_schema(), IdpProfile::Generic));
    (resource, result)
}

fn check(cases: Vec<Case>) {
    for case in cases {
        let (after, result) = run(&case.before, &case.body);
        match case.expect {
            Expect::Resource(expected) => {
                if let Err(e) = &result {
                    panic!(
                        "{}: unexpected error {:?} {}",
                        case.name, e.scim_type, e.detail
                    );
                }
                assert_eq!(after, expected, "{}", case.name);
            }
            Expect::Error(status, scim_type) => {
                let Err(error) = result else {
                    panic!("{}: expected {status} {scim_type}, got {after}", case.name);
                };
                assert_eq!(
                    error.status.as_u16(),
                    status,
                    "{}: {}",
                    case.name,
                    error.detail
                );
                assert_eq!(
                    error.scim_type.map_or("", |t| t.as_str()),
                    scim_type,
                    "{}: {}",
                    case.name,
                    error.detail
                );
                assert_eq!(
                    after, case.before,
                    "{}: resource changed on error",
                    case.name
                );
            }
        }
    }
}

#[test]
fn every_profile_applies_the_same_tolerances() {
    let body = ops(json!([{"op": "Replace", "path": "active", "value": "False"}]));
    for profile in [IdpProfile::Generic, IdpProfile::Okta, IdpProfile::Entra] {
        let mut resource = alice();
        let ops = parse_request(&body).unwrap();
        apply(&mut resource, &ops, &tenant_schema(), profile).unwrap();
        assert_eq!(resource["active"], json!(false), "{profile}");
    }
}

#[test]
fn string_boolean_coercion_is_reported_as_a_normalization() {
    let body = ops(json!([{"op": "Replace", "path": "active", "value": "False"}]));
    let (_, result) = run(&alice(), &body);
    let notes: Vec<String> = result.unwrap().into_iter().map(|n| n.to_string()).collect();
    assert_eq!(notes, ["coerced \"False\" to false at active"]);
}

#[test]
fn error_detail_names_the_failing_operation_and_attribute() {
    let body = ops(json!([
        {"op": "replace", "path": "displayName", "value": "A"},
        {"op": "replace", "path": "nickName", "value": "Al"}
    ]));
    let (_, result) = run(&alice(), &body);
    let detail = result.unwrap_err().detail;
    assert!(detail.starts_with("operation 2: "), "{detail}");
    assert!(detail.contains("nickName"), "{detail}");
}

#[test]
fn path_syntax_errors_carry_the_parser_position() {
    let body = ops(json!([{"op": "replace", "path": "emails[type eq", "value": "x"}]));
    let detail = parse_request(&body).unwrap_err().detail;
    assert!(detail.contains("at position"), "{detail}");
}
