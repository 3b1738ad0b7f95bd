//! Projection tables: which members survive `attributes` and `excludedAttributes`.

use serde_json::{json, Value};

use super::*;
use crate::scim::schema::{Returned, ENTERPRISE_SCHEMA, USER_SCHEMA};

/// The user schema with a `request`-only attribute, to exercise that rule too.
fn schema() -> ResourceSchema {
    let mut schema = ResourceSchema::user();
    schema
        .core
        .attributes
        .push(Attribute::string("secretQuestion", "Only when asked.").returned(Returned::Request));
    schema
}

fn user() -> Value {
    json!({
        "schemas": [USER_SCHEMA, ENTERPRISE_SCHEMA],
        "id": "u1",
        "userName": "alice@example.com",
        "name": {"givenName": "Alice", "familyName": "Smith"},
        "active": true,
        "password": "hunter2",
        "secretQuestion": "pet",
        "emails": [{"type": "work", "value": "alice@example.com"}],
        "roles": [],
        "meta": {"resourceType": "User"},
        ENTERPRISE_SCHEMA: {"department": "Finance", "manager": {"value": "bob"}}
    })
}

#[test]
fn projections_keep_what_the_parameters_and_returned_rules_allow() {
    let both = json!([USER_SCHEMA, ENTERPRISE_SCHEMA]);
    let core_only = json!([USER_SCHEMA]);
    let enterprise = json!({"department": "Finance", "manager": {"value": "bob"}});
    let table: Vec<(Option<&str>, Option<&str>, Value)> = vec![
        (
            Some("userName"),
            None,
            json!({"schemas": core_only, "id": "u1", "userName": "alice@example.com"}),
        ),
        (
            Some("USERNAME, name.givenName"),
            None,
            json!({"schemas": core_only, "id": "u1", "userName": "alice@example.com",
                   "name": {"givenName": "Alice"}}),
        ),
        (
            Some("urn:ietf:params:scim:schemas:core:2.0:User:emails.value,password"),
            None,
            json!({"schemas": core_only, "id": "u1", "emails": [{"value": "alice@example.com"}]}),
        ),
        (
            Some(ENTERPRISE_SCHEMA),
            None,
            json!({"schemas": both, "id": "u1", ENTERPRISE_SCHEMA: enterprise}),
        ),
        (
            Some("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value"),
            None,
            json!({"schemas": both, "id": "u1", ENTERPRISE_SCHEMA: {"manager": {"value": "bob"}}}),
        ),
        (
            Some("secretQuestion,id,nosuch,name.nosuch,"),
            None,
            json!({"schemas": core_only, "id": "u1", "secretQuestion": "pet"}),
        ),
        (
            None,
            None,
            json!({"schemas": both, "id": "u1", "userName": "alice@example.com",
                   "name": {"givenName": "Alice", "familyName": "Smith"}, "active": true,
                   "emails": [{"type": "work", "value": "alice@example.com"}], "roles": [],
                   "meta": {"resourceType": "User"}, ENTERPRISE_SCHEMA: enterprise}),
        ),
        (
            None,
            Some("id,schemas,emails,name.familyName,meta,roles,active,userName"),
            json!({"schemas": both, "id": "u1", "name": {"givenName": "Alice"},
                   ENTERPRISE_SCHEMA: enterprise}),
        ),
        (
            None,
            Some("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department,name,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value,emails,roles,meta,active,userName"),
            json!({"schemas": core_only, "id": "u1"}),
        ),
        (
            Some("userName,name"),
            Some("name.givenName"),
            json!({"schemas": core_only, "id": "u1", "userName": "alice@example.com",
                   "name": {"familyName": "Smith"}}),
        ),
    ];
    let schema = schema();
    for (attributes, excluded, expected) in table {
        let projection = Projection::parse(attributes, excluded, &schema).unwrap();
        let mut resource = user();
        projection.apply(&mut resource, &schema);
        assert_eq!(
            resource, expected,
            "attributes={attributes:?} excluded={excluded:?}"
        );
    }
}

#[test]
fn malformed_lists_are_invalid_values_with_positions() {
    let table: &[(Option<&str>, Option<&str>, &str)] = &[
        (Some("userName eq"), None, "attributes: expected the end of the attribute path, found 'e' at position 9"),
        (Some("userName,emails[type pr]"), None, "attributes: expected the end of the attribute path, found '[' at position 15"),
        (None, Some("a.b.c"), "excludedAttributes: an attribute path has at most one sub-attribute at position 3"),
        (None, Some("name, 1x"), "excludedAttributes: an attribute name must start with a letter, found '1' at position 6"),
    ];
    let schema = schema();
    for (attributes, excluded, detail) in table {
        let error = Projection::parse(*attributes, *excluded, &schema).unwrap_err();
        assert_eq!(error.scim_type, Some(ScimType::InvalidValue));
        assert_eq!(error.status, http::StatusCode::BAD_REQUEST);
        assert_eq!(error.detail, *detail);
    }
}
