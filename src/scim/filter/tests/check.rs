//! The semantic check against the exposed schema.

use super::*;
use crate::scim::error::ScimType;
use crate::scim::schema::{ResourceSchema, ENTERPRISE_SCHEMA, USER_SCHEMA};

#[test]
fn known_attributes_and_suitable_operators_pass() {
    let table = [
        r#"userName eq "a""#,
        r#"externalId eq "a""#,
        r#"emails[type eq "work"].value eq "a@example.com""#,
        r#"emails eq "a@example.com""#,
        r#"emails co "example.com""#,
        "emails pr",
        "name pr",
        r#"name.givenName sw "a""#,
        "active eq true",
        r#"meta.created gt "2026-01-01T00:00:00Z""#,
        r#"groups[$ref co "x"]"#,
        r#"name[givenName eq "a"]"#,
        r#"urn:ietf:params:scim:schemas:core:2.0:User:userName eq "a""#,
        r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "a""#,
        r#"URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER:DEPARTMENT eq "a""#,
        r#"not (userName eq "a") or title pr and nickName ne null"#,
    ];
    let schema = ResourceSchema::user();
    for input in table {
        assert_eq!(check(&p(input), &schema), Ok(()), "{input}");
    }
}

#[test]
fn unknown_names_and_meaningless_operators_are_invalid_filters() {
    let table: &[(&str, &str)] = &[
        (r#"nope eq "a""#, "unknown attribute 'nope'"),
        (r#"name.nope eq "a""#, "unknown sub-attribute 'name.nope'"),
        (r#"department eq "a""#, "unknown attribute 'department'"),
        (
            r#"urn:example:bogus:1.0:User:title eq "a""#,
            "unknown schema 'urn:example:bogus:1.0:User'",
        ),
        (
            r#"emails[nope eq "a"]"#,
            "unknown sub-attribute 'nope' in 'emails[...]'",
        ),
        (
            r#"emails[type eq "work"].nope eq "a""#,
            "unknown sub-attribute 'nope'",
        ),
        (
            r#"emails[emails.type eq "a"]"#,
            "unknown sub-attribute 'emails.type'",
        ),
        (
            "active gt true",
            "'gt' cannot order the boolean attribute 'active'",
        ),
        (
            "emails[primary le false]",
            "'le' cannot order the boolean attribute 'primary'",
        ),
        (
            r#"name eq "a""#,
            "complex attribute 'name' needs a sub-attribute",
        ),
        (
            r#"meta lt "a""#,
            "complex attribute 'meta' needs a sub-attribute",
        ),
        (
            r#"userName[value eq "a"]"#,
            "'userName' is not a complex attribute",
        ),
        ("userName gt null", "needs a string or number"),
        ("userName co 5", "needs a string to compare with"),
        ("userName sw true", "needs a string to compare with"),
        (
            "userName gt 5",
            "is a string attribute and cannot be compared with 5",
        ),
        ("userName eq true", "cannot be compared with true"),
        (r#"active eq "maybe""#, "is a boolean attribute"),
        ("meta.created gt 2026", "is a dateTime attribute"),
        (
            r#"meta.lastModified gt "2000-01-01""#,
            "is not an RFC 3339 date-time",
        ),
        (
            r#"meta.lastModified gt "garbage""#,
            "is not an RFC 3339 date-time",
        ),
        (
            r#"meta.created eq "2026-12-03T17:00:00""#,
            "is not an RFC 3339 date-time",
        ),
        (r#"title pr and nope pr"#, "unknown attribute 'nope'"),
    ];
    let schema = ResourceSchema::user();
    for (input, fragment) in table {
        let error = check(&p(input), &schema).expect_err(input);
        assert_eq!(error.status, http::StatusCode::BAD_REQUEST, "{input}");
        assert_eq!(error.scim_type, Some(ScimType::InvalidFilter), "{input}");
        assert!(error.detail.contains(fragment), "{input}: {}", error.detail);
    }
}

#[test]
fn attributes_hidden_by_the_mapping_are_unknown() {
    let schema =
        ResourceSchema::user().restrict(|urn, name, _| urn == USER_SCHEMA && name == "userName");
    assert!(check(&p(r#"userName eq "a""#), &schema).is_ok());
    assert!(check(&p(r#"title eq "a""#), &schema).is_err());
    let qualified = format!(r#"{ENTERPRISE_SCHEMA}:department eq "a""#);
    assert!(check(&p(&qualified), &schema).is_err());
}
