//! Parsing and printing: accepted shapes, their trees, and rejected input with positions.

use super::*;

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const CORE: &str = "urn:ietf:params:scim:schemas:core:2.0:User";

#[test]
fn accepted_filters_print_canonically() {
    let table: &[(&str, &str)] = &[
        // Every operator, in any case.
        (r#"userName eq "bjensen""#, r#"userName eq "bjensen""#),
        (r#"UserName EQ "x""#, r#"UserName eq "x""#),
        (r#"title Ne "x""#, r#"title ne "x""#),
        (
            r#"name.familyName co "O'Malley""#,
            r#"name.familyName co "O'Malley""#,
        ),
        (r#"userName sw "J""#, r#"userName sw "J""#),
        (r#"userName EW "n""#, r#"userName ew "n""#),
        (
            r#"meta.lastModified gt "2011-05-13T04:42:34Z""#,
            r#"meta.lastModified gt "2011-05-13T04:42:34Z""#,
        ),
        (
            r#"meta.lastModified ge "2011-05-13T04:42:34Z""#,
            r#"meta.lastModified ge "2011-05-13T04:42:34Z""#,
        ),
        (
            r#"meta.lastModified lt "2011-05-13T04:42:34Z""#,
            r#"meta.lastModified lt "2011-05-13T04:42:34Z""#,
        ),
        (
            r#"meta.lastModified LE "2011-05-13T04:42:34Z""#,
            r#"meta.lastModified le "2011-05-13T04:42:34Z""#,
        ),
        ("title pr", "title pr"),
        ("title PR", "title pr"),
        // Literals.
        ("active eq true", "active eq true"),
        ("active eq FALSE", "active eq false"),
        ("title eq null", "title eq null"),
        ("x eq 42", "x eq 42"),
        ("x gt -1.5e3", "x gt -1500.0"),
        ("x lt 0.25", "x lt 0.25"),
        (r#"x eq "a\"b\\c\u00e9\n""#, r#"x eq "a\"b\\cé\n""#),
        (r#"x eq "\ud83d\ude00""#, r#"x eq "😀""#),
        (r#"x eq "\/""#, r#"x eq "/""#),
        (
            r#"displayName eq "Zoë Ñandú""#,
            r#"displayName eq "Zoë Ñandú""#,
        ),
        // Precedence, associativity and parentheses.
        ("a pr or b pr and c pr", "a pr or b pr and c pr"),
        ("(a pr or b pr) and c pr", "(a pr or b pr) and c pr"),
        ("a pr and (b pr and c pr)", "a pr and (b pr and c pr)"),
        ("(a pr and b pr) and c pr", "a pr and b pr and c pr"),
        ("a pr or (b pr or c pr)", "a pr or (b pr or c pr)"),
        ("((a pr))", "a pr"),
        ("not (a pr)", "not (a pr)"),
        ("NOT(a pr or b pr)", "not (a pr or b pr)"),
        ("not (not (a pr))", "not (not (a pr))"),
        ("a pr and not (b pr)", "a pr and not (b pr)"),
        // Value paths and the off-grammar form Entra ID sends.
        (r#"emails[type eq "work"]"#, r#"emails[type eq "work"]"#),
        (
            r#"emails[type eq "work" and value co "@example.com"]"#,
            r#"emails[type eq "work" and value co "@example.com"]"#,
        ),
        (
            r#"emails[type eq "work"].value eq "a@example.com""#,
            r#"emails[type eq "work" and value eq "a@example.com"]"#,
        ),
        (
            r#"emails[type eq "work"].value pr"#,
            r#"emails[type eq "work" and value pr]"#,
        ),
        (
            r#"emails[type eq "work" or type eq "home"].value sw "a""#,
            r#"emails[(type eq "work" or type eq "home") and value sw "a"]"#,
        ),
        (
            r#"emails [ not (type eq "work") ]"#,
            r#"emails[not (type eq "work")]"#,
        ),
        (
            r#"groups[$ref co "/Groups/"]"#,
            r#"groups[$ref co "/Groups/"]"#,
        ),
        // Sub-attributes and URN-qualified paths.
        ("groups.$ref pr", "groups.$ref pr"),
        (
            &format!(r#"{CORE}:userName eq "a""#),
            &format!(r#"{CORE}:userName eq "a""#),
        ),
        (
            &format!(r#"{ENTERPRISE}:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d""#),
            &format!(r#"{ENTERPRISE}:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d""#),
        ),
        // Whitespace leniency.
        ("  userName   eq   \"x\"  ", r#"userName eq "x""#),
        ("a pr\tand\nb pr", "a pr and b pr"),
        (r#"userName eq"x""#, r#"userName eq "x""#),
        // An attribute may be called like a keyword.
        ("not pr", "not pr"),
        (r#"and eq "x" or or pr"#, r#"and eq "x" or or pr"#),
    ];
    for (input, canonical) in table {
        let filter = p(input);
        assert_eq!(filter.to_string(), *canonical, "printing {input:?}");
        assert_eq!(p(canonical), filter, "reparsing {canonical:?}");
    }
}

#[test]
fn rfc_7644_example_filters_parse() {
    let table = [
        r#"userName Eq "john""#,
        r#"Username eq "john""#,
        r#"userName eq "bjensen""#,
        r#"name.familyName co "O'Malley""#,
        r#"userName sw "J""#,
        r#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J""#,
        "title pr",
        r#"meta.lastModified gt "2011-05-13T04:42:34Z""#,
        r#"meta.lastModified ge "2011-05-13T04:42:34Z""#,
        r#"meta.lastModified lt "2011-05-13T04:42:34Z""#,
        r#"meta.lastModified le "2011-05-13T04:42:34Z""#,
        r#"title pr and userType eq "Employee""#,
        r#"title pr or userType eq "Intern""#,
        r#"schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User""#,
        r#"userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")"#,
        r#"userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")"#,
        r#"userType eq "Employee" and (emails.type eq "work")"#,
        r#"userType eq "Employee" and emails[type eq "work" and value co "@example.com"]"#,
        r#"emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]"#,
    ];
    for input in table {
        let filter = p(input);
        assert_eq!(p(&filter.to_string()), filter, "{input}");
    }
}

#[test]
fn parsed_trees_have_the_expected_shape() {
    let work = || cmp(AttrPath::new("type"), CompareOp::Eq, s("work"));
    let (enterprise, core) = (
        format!("{ENTERPRISE}:manager.value pr"),
        format!(r#"{CORE}:name.givenName eq "x""#),
    );
    let table: Vec<(&str, Filter)> = vec![
        (
            r#"a eq "1" or b eq "2" and c eq "3""#,
            or(
                cmp(AttrPath::new("a"), CompareOp::Eq, s("1")),
                and(
                    cmp(AttrPath::new("b"), CompareOp::Eq, s("2")),
                    cmp(AttrPath::new("c"), CompareOp::Eq, s("3")),
                ),
            ),
        ),
        (
            "a pr or b pr or c pr",
            or(
                or(
                    Filter::Present(AttrPath::new("a")),
                    Filter::Present(AttrPath::new("b")),
                ),
                Filter::Present(AttrPath::new("c")),
            ),
        ),
        (
            r#"emails[type eq "work"].value eq "x@example.com""#,
            Filter::ValuePath {
                path: AttrPath::new("emails"),
                filter: Box::new(and(
                    work(),
                    cmp(AttrPath::new("value"), CompareOp::Eq, s("x@example.com")),
                )),
            },
        ),
        (
            &enterprise,
            Filter::Present(
                AttrPath::new("manager")
                    .with_sub("value")
                    .with_urn(ENTERPRISE),
            ),
        ),
        (
            &core,
            cmp(
                AttrPath::new("name").with_sub("givenName").with_urn(CORE),
                CompareOp::Eq,
                s("x"),
            ),
        ),
        (
            "x eq 7",
            cmp(
                AttrPath::new("x"),
                CompareOp::Eq,
                CompValue::Number(7.into()),
            ),
        ),
        (
            "x eq True",
            cmp(AttrPath::new("x"), CompareOp::Eq, CompValue::Bool(true)),
        ),
        (
            "x ne Null",
            cmp(AttrPath::new("x"), CompareOp::Ne, CompValue::Null),
        ),
    ];
    for (input, expected) in table {
        assert_eq!(p(input), expected, "{input}");
    }
}

#[test]
fn rejected_filters_report_position_and_expectation() {
    let table: &[(&str, usize, &str)] = &[
        ("", 0, "expected an attribute path, '(' or 'not'"),
        ("   ", 3, "found the end"),
        ("userName", 8, "expected an operator"),
        ("userName xx \"a\"", 9, "expected an operator"),
        ("userName eq", 11, "expected a value"),
        ("userName eq bjensen", 12, "unquoted 'bjensen'"),
        ("userName eq 'x'", 12, "found '''"),
        ("userName eq \"abc", 12, "unterminated string"),
        (r#"userName eq "a\qb""#, 14, "invalid escape"),
        (r#"userName eq "\ud800""#, 13, "invalid unicode escape"),
        ("userName eq \"a\u{1}\"", 14, "control character"),
        ("x eq 01", 5, "must not start with 0"),
        ("x eq 1.", 7, "expected a digit after '.'"),
        ("x eq 1e", 7, "exponent"),
        ("x eq 5abc", 6, "unexpected character after number"),
        ("x eq -", 6, "expected a digit"),
        ("x eq 1e999", 5, "out of range"),
        (r#"a eq "x" b eq "y""#, 9, "expected 'and', 'or' or the end"),
        (r#"a eq "x" and"#, 12, "expected an attribute path"),
        (r#"a eq "x" or or"#, 14, "expected an operator"),
        (r#"(a eq "x""#, 9, "closing '(' at position 0"),
        (r#"a eq "x")"#, 8, "found ')'"),
        (r#"not a eq "x""#, 4, "expected '(' after 'not'"),
        ("not", 3, "expected '(' after 'not'"),
        (r#"emails[type eq "work""#, 21, "closing '[' at position 6"),
        (
            r#"emails[type eq "work"] eq "x""#,
            23,
            "expected 'and', 'or' or the end",
        ),
        (r#"emails[phones[type eq "x"]]"#, 13, "cannot be nested"),
        (r#"emails[(phones[type eq "x"])]"#, 14, "cannot be nested"),
        (r#"name.givenName[type eq "x"]"#, 14, "not a sub-attribute"),
        (
            r#"emails[type eq "work"].a.b eq "x""#,
            24,
            "plain sub-attribute name",
        ),
        (
            r#"emails[type eq "work"]. eq "x""#,
            23,
            "expected an attribute name",
        ),
        (r#"name.given.x eq "a""#, 10, "at most one sub-attribute"),
        (r#"1abc eq "a""#, 0, "must start with a letter"),
        (r#"a$b eq "a""#, 1, "invalid character '$'"),
        (r#":userName eq "a""#, 0, "expected a schema URN"),
        (r#"urn:x: eq "a""#, 6, "expected an attribute name"),
        (r#"urn:x::a eq "a""#, 0, "expected a schema URN"),
        (r#"name. eq "a""#, 5, "expected an attribute name"),
        (
            r#"userName eq "é" and ü eq "x""#,
            20,
            "expected an attribute path",
        ),
        ("émails pr", 0, "expected an attribute path"),
        ("title pr \"x\"", 9, "expected 'and', 'or' or the end"),
        ("title prx", 6, "expected an operator"),
        (r#"userName eq-"x""#, 9, "expected an operator"),
    ];
    for (input, position, fragment) in table {
        let error = parse(input, &Limits::default()).expect_err(input);
        assert_eq!(error.position, *position, "{input:?}: {error}");
        assert!(error.message.contains(fragment), "{input:?}: {error}");
    }
}

#[test]
fn limits_bound_length_terms_and_depth() {
    let tight = Limits {
        max_length: 20,
        max_terms: 2,
    };
    let long = format!(r#"userName eq "{}""#, "a".repeat(30));
    let error = parse(&long, &tight).unwrap_err();
    assert_eq!(
        (error.position, error.message.as_str()),
        (20, "filter is longer than 20 bytes")
    );

    // Multi-byte characters: the position counts characters, not bytes.
    let error = parse("ééééééééééééé", &tight).unwrap_err();
    assert_eq!(error.position, 10);

    let two_terms = Limits {
        max_length: 99,
        max_terms: 2,
    };
    let error = parse("a pr and b pr or c pr", &two_terms).unwrap_err();
    assert_eq!(
        (error.position, error.message.as_str()),
        (17, "filter has more than 2 terms")
    );
    let error = parse(
        r#"e[a pr].b eq "x""#,
        &Limits {
            max_length: 99,
            max_terms: 1,
        },
    )
    .unwrap_err();
    assert_eq!(error.position, 8);

    let deep = format!("{}a pr{}", "(".repeat(32), ")".repeat(32));
    assert!(parse(&deep, &Limits::default()).is_ok());
    let too_deep = format!("{}a pr{}", "(".repeat(33), ")".repeat(33));
    let error = parse(&too_deep, &Limits::default()).unwrap_err();
    assert_eq!(error.position, 32);
    assert!(error.message.contains("deeper than 32"));

    let nots = format!("{}a pr{}", "not (".repeat(40), ")".repeat(40));
    let error = parse(&nots, &Limits::default()).unwrap_err();
    assert_eq!(error.position, 32 * 5 + 4);

    let huge = "(".repeat(100_000);
    let unlimited = Limits {
        max_length: usize::MAX,
        max_terms: usize::MAX,
    };
    assert!(parse(&huge, &unlimited).is_err());
}

#[test]
fn filter_error_displays_message_and_position_and_maps_to_invalid_filter() {
    let error = parse("userName eq", &Limits::default()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "expected a value (a quoted string, a number, true, false or null), found the end at position 11"
    );
    let scim: crate::scim::error::ScimError = error.clone().into();
    assert_eq!(scim.status, http::StatusCode::BAD_REQUEST);
    assert_eq!(
        scim.scim_type,
        Some(crate::scim::error::ScimType::InvalidFilter)
    );
    assert_eq!(scim.detail, error.to_string());
}
