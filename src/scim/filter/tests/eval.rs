//! Evaluation against resources and single elements.

use serde_json::{json, Value};

use super::*;
use crate::scim::schema::{AttrType, Attribute, ResourceSchema};

fn emails() -> Attribute {
    ResourceSchema::user()
        .core
        .attribute("emails")
        .cloned()
        .expect("the core schema has emails")
}

#[test]
fn value_filters_match_single_elements() {
    let work = json!({"type": "work", "value": "Alice@Example.com", "primary": true});
    let home = json!({"Type": "home", "value": "alice@home.example.org"});
    let table: &[(&str, &Value, bool)] = &[
        (r#"type eq "work""#, &work, true),
        (r#"type eq "WORK""#, &work, true),
        (r#"TYPE eq "home""#, &home, true),
        (r#"type eq "work""#, &home, false),
        (r#"type eq "work" and value co "@example.com""#, &work, true),
        (
            r#"type eq "work" and value co "@example.org""#,
            &work,
            false,
        ),
        (r#"type eq "home" or value ew "example.com""#, &work, true),
        (r#"not (type eq "work")"#, &home, true),
        ("primary eq true", &work, true),
        ("primary eq false", &work, false),
        ("primary pr", &home, false),
        ("display pr", &work, false),
        ("display eq null", &work, true),
        (r#"display ne "x""#, &work, true),
        (r#"unknown eq "x""#, &work, false),
        (r#"value sw "alice@""#, &home, true),
    ];
    let attribute = emails();
    for (input, element, expected) in table {
        let filter = p(input);
        assert_eq!(
            matches_element(&filter, element, &attribute),
            *expected,
            "{input} on {element}"
        );
    }
}

#[test]
fn value_filters_on_simple_multi_valued_attributes_name_the_element_value() {
    let tags = Attribute::string("tags", "Labels.").multi();
    let number = Attribute::string("n", "Numbers.")
        .of_kind(AttrType::Integer)
        .multi();
    let table: &[(&str, &Attribute, Value, bool)] = &[
        (r#"value eq "blue""#, &tags, json!("Blue"), true),
        (r#"value eq "red""#, &tags, json!("Blue"), false),
        (r#"other eq "blue""#, &tags, json!("blue"), false),
        ("value gt 3", &number, json!(5), true),
        ("value le 3", &number, json!(5), false),
    ];
    for (input, attribute, element, expected) in table {
        let filter = p(input);
        assert_eq!(
            matches_element(&filter, element, attribute),
            *expected,
            "{input}"
        );
    }
}

/// A user as RFC 7643 lays it out, with the enterprise extension under its URN.
fn alice() -> Value {
    json!({
        "schemas": [
            "urn:ietf:params:scim:schemas:core:2.0:User",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
        ],
        "id": "2819c223-7f76-453a-919d-413861904646",
        "externalId": "Ext-Alice",
        "userName": "Alice@Example.com",
        "name": {"givenName": "Alice", "familyName": "O'Malley"},
        "displayName": "Zoë Ñandú",
        "title": "",
        "active": false,
        "emails": [
            {"type": "work", "value": "alice@example.com", "primary": true},
            {"type": "home", "value": "alice@home.example.org"}
        ],
        "roles": [],
        "groups": [{"value": "g1", "$ref": "https://example.com/Groups/g1"}],
        "meta": {
            "resourceType": "User",
            "created": "2026-01-05T10:00:00Z",
            "lastModified": "2026-03-01T12:30:00+02:00"
        },
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
            "employeeNumber": "E-42",
            "department": "Finance",
            "manager": {"value": "bob-id"}
        },
        "loginCount": 12
    })
}

#[test]
fn filters_match_resources() {
    let table: &[(&str, bool)] = &[
        // Entra ID and Okta probes and matches.
        (
            r#"userName eq "7f1a3e0c-0d4b-4b7e-9d8f-1b2c3d4e5f60""#,
            false,
        ),
        (r#"userName eq "alice@example.com""#, true),
        (r#"externalId eq "Ext-Alice""#, true),
        (r#"externalId eq "ext-alice""#, false),
        (
            r#"emails[type eq "work"].value eq "alice@example.com""#,
            true,
        ),
        (
            r#"emails[type eq "home"].value eq "alice@example.com""#,
            false,
        ),
        (
            r#"userName eq "alice@example.com" and externalId eq "Ext-Alice""#,
            true,
        ),
        // Case rules: names and operators are case-insensitive, values follow caseExact.
        (r#"UserName EQ "ALICE@EXAMPLE.COM""#, true),
        (r#"id eq "2819C223-7F76-453A-919D-413861904646""#, false),
        (r#"id eq "2819c223-7f76-453a-919d-413861904646""#, true),
        (r#"displayName eq "zoë ñandú""#, true),
        (r#"meta.resourceType eq "user""#, false),
        // Every operator on strings.
        (r#"userName ne "bob@example.com""#, true),
        (r#"name.familyName co "'mal""#, true),
        (r#"userName sw "ALICE""#, true),
        (r#"userName ew "@example.com""#, true),
        (r#"userName gt "alice""#, true),
        (r#"userName lt "alice""#, false),
        (r#"userName ge "alice@example.com""#, true),
        (r#"userName le "alice@example.com""#, true),
        // Presence and absence.
        ("name.givenName pr", true),
        ("nickName pr", false),
        ("title pr", false),
        ("roles pr", false),
        ("emails pr", true),
        ("nickName eq null", true),
        ("userName eq null", false),
        (r#"nickName ne "x""#, true),
        ("userName ne null", true),
        // Multi-valued attributes match when any value does.
        (r#"emails.type eq "home""#, true),
        (r#"emails co "home.example""#, true),
        (r#"emails.value ew ".org""#, true),
        (
            r#"emails[type eq "work" and value co "@example.com"]"#,
            true,
        ),
        (
            r#"emails[type eq "home" and value co "@example.com"]"#,
            false,
        ),
        (r#"groups.$ref co "/Groups/""#, true),
        (r#"groups[$ref ew "g1"]"#, true),
        // Booleans, as literals and as quoted strings some clients send.
        ("active eq false", true),
        ("active eq true", false),
        ("active ne true", true),
        (r#"active eq "False""#, true),
        ("emails[primary eq true]", true),
        // Dates compare as instants, whatever their offset.
        (r#"meta.created gt "2026-01-01T00:00:00Z""#, true),
        (r#"meta.created lt "2026-01-05T11:00:00+01:00""#, false),
        (r#"meta.created eq "2026-01-05T11:00:00+01:00""#, true),
        (r#"meta.lastModified ge "2026-03-01T10:30:00Z""#, true),
        (r#"meta.lastModified gt "2026-03-01T10:30:00Z""#, false),
        (r#"meta.created gt "yesterday""#, false),
        (r#"meta.created ne "yesterday""#, false),
        // Numbers compare numerically, also for attributes outside the schema.
        ("loginCount gt 9", true),
        ("loginCount eq 12.0", true),
        ("loginCount lt 1e1", false),
        (r#"loginCount eq "12""#, false),
        // Extension attributes by URN, and core attributes by the core URN.
        (
            r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "e-42""#,
            true,
        ),
        (
            r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "bob-id""#,
            true,
        ),
        (
            r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "BOB-ID""#,
            false,
        ),
        (
            r#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "alice""#,
            true,
        ),
        (r#"department eq "Finance""#, false),
        // Logic: precedence, parentheses and not.
        (
            r#"userName eq "x" or userName sw "a" and active eq false"#,
            true,
        ),
        (
            r#"(userName eq "x" or userName sw "a") and active eq true"#,
            false,
        ),
        (r#"not (emails.type eq "other")"#, true),
        (r#"not (userName pr)"#, false),
        // The RFC 7644 §3.4.2.2 examples.
        (r#"title pr and userType eq "Employee""#, false),
        (r#"title pr or userName pr"#, true),
        (
            r#"schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User""#,
            true,
        ),
        (
            r#"userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")"#,
            false,
        ),
        (
            r#"emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]"#,
            true,
        ),
    ];
    let schema = ResourceSchema::user();
    let resource = alice();
    for (input, expected) in table {
        assert_eq!(matches(&p(input), &resource, &schema), *expected, "{input}");
    }
}

#[test]
fn keys_are_found_whatever_their_case() {
    let schema = ResourceSchema::user();
    let resource = json!({
        "UserName": "bob",
        "Emails": [{"Value": "bob@example.com", "TYPE": "work"}],
        "URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER": {"Department": "Ops"}
    });
    let table = [
        r#"userName eq "bob""#,
        r#"emails[type eq "work"].value eq "bob@example.com""#,
        r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "ops""#,
    ];
    for input in table {
        assert!(matches(&p(input), &resource, &schema), "{input}");
    }
}
