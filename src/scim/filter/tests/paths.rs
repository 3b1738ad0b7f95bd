//! PATCH paths and bare attribute paths: accepted shapes and rejected input with positions.

use super::*;

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const CORE: &str = "urn:ietf:params:scim:schemas:core:2.0:User";

#[test]
fn patch_paths_parse_and_print() {
    let table: Vec<(&str, PatchPath, &str)> = vec![
        (
            "active",
            PatchPath {
                attr: AttrPath::new("active"),
                filter: None,
                sub: None,
            },
            "active",
        ),
        (
            " name.givenName ",
            PatchPath {
                attr: AttrPath::new("name").with_sub("givenName"),
                filter: None,
                sub: None,
            },
            "name.givenName",
        ),
        (
            r#"emails[type eq "work"].value"#,
            PatchPath {
                attr: AttrPath::new("emails"),
                filter: Some(cmp(AttrPath::new("type"), CompareOp::Eq, s("work"))),
                sub: Some("value".to_owned()),
            },
            r#"emails[type eq "work"].value"#,
        ),
        (
            r#"members[value eq "2819c223"]"#,
            PatchPath {
                attr: AttrPath::new("members"),
                filter: Some(cmp(AttrPath::new("value"), CompareOp::Eq, s("2819c223"))),
                sub: None,
            },
            r#"members[value eq "2819c223"]"#,
        ),
        (
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
            PatchPath {
                attr: AttrPath::new("employeeNumber").with_urn(ENTERPRISE),
                filter: None,
                sub: None,
            },
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
        ),
        (
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
            PatchPath {
                attr: AttrPath::new("manager")
                    .with_sub("value")
                    .with_urn(ENTERPRISE),
                filter: None,
                sub: None,
            },
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
        ),
    ];
    for (input, expected, printed) in table {
        let path = parse_path(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(path, expected, "{input}");
        assert_eq!(path.to_string(), printed, "{input}");
    }
}

#[test]
fn rejected_patch_paths_report_position() {
    let table: &[(&str, usize, &str)] = &[
        ("", 0, "expected an attribute path"),
        ("emails[", 7, "expected an attribute path"),
        (
            r#"emails[type eq "work"]x"#,
            22,
            "expected '[', '.' or the end",
        ),
        (
            r#"emails[type eq "work"]."#,
            23,
            "expected an attribute name",
        ),
        (r#"emails[type eq "work"].a.b"#, 24, "plain sub-attribute"),
        (r#"emails[a[b pr]]"#, 8, "cannot be nested"),
        ("name.givenName[type pr]", 14, "not a sub-attribute"),
        ("active eq true", 7, "expected '[', '.' or the end"),
    ];
    for (input, position, fragment) in table {
        let error = parse_path(input).expect_err(input);
        assert_eq!(error.position, *position, "{input:?}: {error}");
        assert!(error.message.contains(fragment), "{input:?}: {error}");
    }
}

#[test]
fn attribute_paths_parse_for_sort_and_projection() {
    let table: Vec<(&str, Result<AttrPath, usize>)> = vec![
        ("userName", Ok(AttrPath::new("userName"))),
        (
            " name.familyName",
            Ok(AttrPath::new("name").with_sub("familyName")),
        ),
        (
            "urn:ietf:params:scim:schemas:core:2.0:User:meta.created",
            Ok(AttrPath::new("meta").with_sub("created").with_urn(CORE)),
        ),
        ("", Err(0)),
        ("userName eq", Err(9)),
        ("emails[type pr]", Err(6)),
        ("a.b.c", Err(3)),
    ];
    for (input, expected) in table {
        let got = parse_attr_path(input).map_err(|e| e.position);
        assert_eq!(got, expected, "{input:?}");
    }
}
