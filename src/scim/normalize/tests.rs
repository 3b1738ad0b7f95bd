//! Table-driven tests of POST and PUT body normalisation.

use serde_json::{json, Value};

use super::normalize_resource;
use crate::scim::profile::IdpProfile;
use crate::scim::schema::{ENTERPRISE_SCHEMA as ENT, USER_SCHEMA};
use crate::scim::testing::tenant_schema;

fn normalize(input: &Value) -> Result<(Value, Vec<String>), (u16, &'static str)> {
    normalize_resource(input, &tenant_schema(), IdpProfile::Generic)
        .map(|(value, notes)| (value, notes.into_iter().map(|n| n.0).collect()))
        .map_err(|e| (e.status.as_u16(), e.scim_type.map_or("", |t| t.as_str())))
}

#[test]
fn accepted_bodies_are_normalised() {
    let cases: Vec<(&str, Value, Value, &[&str])> = vec![
        (
            "capitalised names become canonical at every level",
            json!({"UserName": "a@example.com", "NAME": {"GivenName": "A"}, "Emails": [{"Value": "a@example.com", "Primary": true}],
                   "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user": {"EmployeeNumber": "1"}}),
            json!({"userName": "a@example.com", "name": {"givenName": "A"}, "emails": [{"value": "a@example.com", "primary": true}],
                   ENT: {"employeeNumber": "1"}}),
            &[],
        ),
        (
            "string booleans become booleans",
            json!({"userName": "a", "active": "True", "emails": [{"value": "a@example.com", "primary": "false"}]}),
            json!({"userName": "a", "active": true, "emails": [{"value": "a@example.com", "primary": false}]}),
            &["coerced \"True\" to true at active", "coerced \"false\" to false at emails.primary"],
        ),
        (
            "Entra's bare manager id becomes an object",
            json!({"userName": "a", ENT: {"manager": "m-1"}}),
            json!({"userName": "a", ENT: {"manager": {"value": "m-1"}}}),
            &["wrapped a bare manager id as {\"value\": ..} at urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"],
        ),
        (
            "Okta's create body loses id, meta, groups silently and password with a note",
            json!({"schemas": [USER_SCHEMA], "id": "x", "meta": {"resourceType": "User"}, "groups": [],
                   "password": "hunter2", "userName": "a", "locale": "en-US"}),
            json!({"schemas": [USER_SCHEMA], "userName": "a", "locale": "en-US"}),
            &["dropped password, which this tenant does not map"],
        ),
        (
            "Entra's create body loses roles and unmapped sub-attributes with notes",
            json!({"schemas": [USER_SCHEMA, ENT], "externalId": "e1", "userName": "a", "active": true,
                   "meta": {"resourceType": "User"}, "roles": [],
                   "name": {"formatted": "A B", "familyName": "B", "givenName": "A"},
                   "emails": [{"primary": true, "type": "work", "value": "a@example.com"}]}),
            json!({"schemas": [USER_SCHEMA, ENT], "externalId": "e1", "userName": "a", "active": true,
                   "name": {"familyName": "B", "givenName": "A"},
                   "emails": [{"primary": true, "type": "work", "value": "a@example.com"}]}),
            &["dropped roles, which this tenant does not map", "dropped name.formatted, which this tenant does not map"],
        ),
        (
            "a single object for a multi-valued attribute is a list of one",
            json!({"userName": "a", "emails": {"value": "a@example.com"}}),
            json!({"userName": "a", "emails": [{"value": "a@example.com"}]}),
            &["wrapped a single value in a list at emails"],
        ),
        (
            "nulls are left out as unassigned",
            json!({"userName": "a", "title": null, "emails": [null, {"value": "a@example.com", "type": null}]}),
            json!({"userName": "a", "emails": [{"value": "a@example.com"}]}),
            &[],
        ),
        (
            "an extension the tenant does not expose is dropped with a note",
            json!({"userName": "a", "urn:example:ext:1.0:Thing": {"x": 1}}),
            json!({"userName": "a"}),
            &["dropped urn:example:ext:1.0:Thing, an extension this tenant does not expose"],
        ),
        (
            "an unmapped read-only sub-attribute is dropped with a note",
            json!({"userName": "a", ENT: {"manager": {"value": "m", "displayName": "Boss"}}}),
            json!({"userName": "a", ENT: {"manager": {"value": "m"}}}),
            &["dropped urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.displayName, which this tenant does not map"],
        ),
    ];
    for (name, input, expected, notes) in cases {
        let (output, got_notes) = normalize(&input).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(output, expected, "{name}");
        assert_eq!(got_notes, notes, "{name}");
    }
}

#[test]
fn bodies_with_unfit_values_are_refused() {
    let cases: Vec<(&str, Value, (u16, &str))> = vec![
        (
            "a body that is not an object",
            json!("x"),
            (400, "invalidSyntax"),
        ),
        (
            "a number for active",
            json!({"userName": "a", "active": 5}),
            (400, "invalidValue"),
        ),
        (
            "a word for active",
            json!({"userName": "a", "active": "yes"}),
            (400, "invalidValue"),
        ),
        (
            "a number for an e-mail",
            json!({"emails": [{"value": 7}]}),
            (400, "invalidValue"),
        ),
        (
            "a string for name",
            json!({"name": "A B"}),
            (400, "invalidValue"),
        ),
        (
            "an extension that is not an object",
            json!({ENT: "x"}),
            (400, "invalidValue"),
        ),
        (
            "two primary e-mails",
            json!({"emails": [{"value": "a", "primary": true}, {"value": "b", "primary": true}]}),
            (400, "invalidValue"),
        ),
        (
            "one name in two spellings",
            json!({"userName": "a", "USERNAME": "b"}),
            (400, "invalidSyntax"),
        ),
        (
            "an empty userName",
            json!({"userName": ""}),
            (400, "invalidValue"),
        ),
    ];
    for (name, input, expected) in cases {
        assert_eq!(normalize(&input).map(|_| ()), Err(expected), "{name}");
    }
}

#[test]
fn type_errors_name_the_attribute() {
    let error =
        normalize_resource(&json!({"active": 5}), &tenant_schema(), IdpProfile::Okta).unwrap_err();
    assert!(error.detail.contains("active"), "{}", error.detail);
}
