//! Tests of the mapping against the shipped demo configuration.

use super::*;
use crate::config::Config;
use serde_json::{json, Value};

const DEMO: &str = include_str!("../../config/demo.toml");

fn demo_mapping() -> Mapping {
    Config::from_toml(DEMO)
        .expect("demo config is valid")
        .mapping
}

/// The demo mapping changed for a legacy API whose only identity field is the e-mail address:
/// `userName` and the work e-mail then share it.
fn shared_email_mapping() -> Mapping {
    let text = DEMO.replace(
        "scim = \"userName\"\nlegacy = \"username\"\nlookup = \"username\"",
        "scim = \"userName\"\nlegacy = \"email\"\nlookup = \"email\"",
    );
    assert_ne!(text, DEMO);
    Config::from_toml(&text)
        .expect("shared config is valid")
        .mapping
}

fn member() -> serde_json::Map<String, Value> {
    json!({
        "id": "mbr_1", "email": "ada@example.com", "username": "ada", "given_name": "Ada", "family_name": "Lovelace",
        "display_name": "Ada Lovelace", "status": "active", "external_ref": "ext-1",
        "title": null, "department": "R&D", "employee_number": "42", "manager_id": "mbr_0",
        "phone": "+1 555 0100", "locale": "en-GB", "version": 3
    })
    .as_object()
    .cloned()
    .unwrap()
}

#[test]
fn member_becomes_scim_with_typed_values_and_enterprise_extension() {
    let scim = Value::Object(demo_mapping().to_scim(&member()));
    assert_eq!(
        scim,
        json!({
            "userName": "ada",
            "emails": [{"type": "work", "value": "ada@example.com"}],
            "externalId": "ext-1",
            "active": true,
            "name": {"givenName": "Ada", "familyName": "Lovelace"},
            "displayName": "Ada Lovelace",
            "locale": "en-GB",
            "phoneNumbers": [{"type": "work", "value": "+1 555 0100"}],
            (ENTERPRISE): {"employeeNumber": "42", "department": "R&D", "manager": {"value": "mbr_0"}},
        })
    );
}

const ENTERPRISE: &str = crate::scim::schema::ENTERPRISE_SCHEMA;

#[test]
fn round_trip_keeps_every_mapped_field() {
    let mapping = demo_mapping();
    let scim = Value::Object(mapping.to_scim(&member()));
    let back = mapping.to_legacy(&scim);
    for (key, value) in member() {
        if ["id", "version"].contains(&key.as_str()) || value.is_null() {
            continue;
        }
        assert_eq!(back.get(&key), Some(&value), "field {key}");
    }
}

#[test]
fn diff_reports_only_changed_fields_and_prefers_the_changed_alias() {
    let mapping = shared_email_mapping();
    let before = Value::Object(mapping.to_scim(&member()));
    let cases: Vec<(Value, Value)> = vec![
        (
            json!({"displayName": "Countess"}),
            json!({"display_name": "Countess"}),
        ),
        (json!({"active": false}), json!({"status": "suspended"})),
        (
            json!({"emails": [{"type": "work", "value": "ada@new.example.com"}]}),
            json!({"email": "ada@new.example.com"}),
        ),
        (
            json!({"userName": "countess@example.com"}),
            json!({"email": "countess@example.com"}),
        ),
        (json!({"title": "Analyst"}), json!({"title": "Analyst"})),
    ];
    for (change, expected) in cases {
        let mut after = before.clone();
        for (k, v) in change.as_object().unwrap() {
            after[k] = v.clone();
        }
        assert_eq!(
            Value::Object(mapping.diff(&before, &after)),
            expected,
            "change {change}"
        );
    }
    let mut removed = before.clone();
    removed.as_object_mut().unwrap().remove("locale");
    assert_eq!(
        Value::Object(mapping.diff(&before, &removed)),
        json!({"locale": null})
    );
}

#[test]
fn exposed_schema_covers_exactly_the_mapped_attributes() {
    let mapping = demo_mapping();
    let schema = mapping.schema();
    let core: Vec<&str> = schema
        .core
        .attributes
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(
        core,
        [
            "id",
            "externalId",
            "userName",
            "name",
            "displayName",
            "title",
            "locale",
            "active",
            "emails",
            "phoneNumbers",
            "meta"
        ]
    );
    let emails: Vec<&str> = schema
        .core
        .attribute("emails")
        .unwrap()
        .sub_attributes
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(emails, ["value", "type"]);
    assert_eq!(schema.extensions.len(), 1);
    assert!(schema.extensions[0].attribute("manager").is_some());
    assert!(schema.extensions[0].attribute("costCenter").is_none());
}

#[test]
fn bad_mapping_entries_are_reported_with_their_location() {
    let cases = [
        (
            "scim = \"nickNam\"\nlegacy = \"x\"",
            "mapping[0].scim",
            "unknown attribute",
        ),
        (
            "scim = \"emails.value\"\nlegacy = \"x\"",
            "mapping[0].scim",
            "multi-valued",
        ),
        (
            "scim = \"name\"\nlegacy = \"x\"",
            "mapping[0].scim",
            "complex",
        ),
        (
            "scim = \"id\"\nlegacy = \"x\"",
            "mapping[0].scim",
            "read-only",
        ),
        (
            "scim = \"active\"\nlegacy = \"x\"",
            "mapping[0].values",
            "is boolean",
        ),
        (
            "scim = \"title\"\nlegacy = \"x\"\nvalues = { \"true\" = \"a\", \"false\" = \"b\" }",
            "mapping[0].values",
            "only for boolean",
        ),
        (
            "scim = \"title\"\nlegacy = \"\"",
            "mapping[0].legacy",
            "empty",
        ),
        (
            "scim = \"urn:example:nope:attr\"\nlegacy = \"x\"",
            "mapping[0].scim",
            "unknown schema",
        ),
    ];
    for (entry, location, message) in cases {
        let raw: crate::config::raw::RawMapping = toml::from_str(entry).unwrap();
        let mut problems = Problems::default();
        assert!(Mapping::from_raw(&[raw], &mut problems).is_none());
        let found = problems.0.iter().find(|p| p.location == location);
        assert!(
            found.is_some_and(|p| p.message.contains(message)),
            "{entry}: {:?}",
            problems.0
        );
    }
}

#[test]
fn pushdown_finds_lookups_for_idp_match_filters() {
    use crate::scim::filter::{AttrPath, CompValue, CompareOp, Filter};
    let mapping = demo_mapping();
    let eq = |path: AttrPath, v: &str| Filter::Compare {
        path,
        op: CompareOp::Eq,
        value: CompValue::String(v.to_owned()),
    };
    let email = Lookup {
        param: "email".into(),
        value: "a@example.com".into(),
    };
    let username = Lookup {
        param: "username".into(),
        value: "a@example.com".into(),
    };
    let cases = vec![
        (
            eq(AttrPath::new("UserName"), "a@example.com"),
            Some(username.clone()),
        ),
        (
            eq(AttrPath::new("externalId"), "e1"),
            Some(Lookup {
                param: "external_ref".into(),
                value: "e1".into(),
            }),
        ),
        (
            Filter::ValuePath {
                path: AttrPath::new("emails"),
                filter: Box::new(Filter::And(
                    Box::new(eq(AttrPath::new("type"), "work")),
                    Box::new(eq(AttrPath::new("value"), "a@example.com")),
                )),
            },
            Some(email.clone()),
        ),
        (
            Filter::And(
                Box::new(eq(AttrPath::new("displayName"), "Ada")),
                Box::new(eq(AttrPath::new("userName"), "a@example.com")),
            ),
            Some(username.clone()),
        ),
        (eq(AttrPath::new("displayName"), "Ada"), None),
        (
            Filter::Or(
                Box::new(eq(AttrPath::new("userName"), "a@example.com")),
                Box::new(eq(AttrPath::new("displayName"), "Ada")),
            ),
            None,
        ),
    ];
    for (filter, expected) in cases {
        assert_eq!(mapping.pushdown(&filter), expected, "{filter:?}");
    }
}
