//! Property tests: parsing never panics, and printing a tree parses back to the same tree.

use proptest::prelude::*;

use super::*;

const URNS: [&str; 2] = [
    "urn:ietf:params:scim:schemas:core:2.0:User",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
];

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => "[a-zA-Z][a-zA-Z0-9_-]{0,7}",
        1 => Just("$ref".to_owned()),
        1 => prop::sample::select(vec!["not", "and", "or", "pr", "eq", "true", "null"])
            .prop_map(str::to_owned),
    ]
}

fn attr_path() -> impl Strategy<Value = AttrPath> {
    let urn = prop::option::of(prop::sample::select(URNS.to_vec()));
    (urn, name(), prop::option::of(name())).prop_map(|(urn, name, sub)| AttrPath {
        urn: urn.map(str::to_owned),
        name,
        sub,
    })
}

fn value() -> impl Strategy<Value = CompValue> {
    prop_oneof![
        any::<String>().prop_map(CompValue::String),
        any::<i64>().prop_map(|n| CompValue::Number(n.into())),
        any::<u64>().prop_map(|n| CompValue::Number(n.into())),
        any::<f64>()
            .prop_filter_map("finite", serde_json::Number::from_f64)
            .prop_map(CompValue::Number),
        any::<bool>().prop_map(CompValue::Bool),
        Just(CompValue::Null),
    ]
}

fn term(path: BoxedStrategy<AttrPath>) -> impl Strategy<Value = Filter> {
    let op = prop::sample::select(CompareOp::ALL.to_vec());
    prop_oneof![
        (path.clone(), op, value()).prop_map(|(path, op, value)| Filter::Compare {
            path,
            op,
            value
        }),
        path.prop_map(Filter::Present),
    ]
}

/// Trees of and, or and not over `leaf`.
fn logic(leaf: BoxedStrategy<Filter>) -> impl Strategy<Value = Filter> {
    leaf.prop_recursive(4, 24, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(l, r)| Filter::And(Box::new(l), Box::new(r))),
            (inner.clone(), inner.clone()).prop_map(|(l, r)| Filter::Or(Box::new(l), Box::new(r))),
            inner.prop_map(|f| Filter::Not(Box::new(f))),
        ]
    })
}

fn filter() -> impl Strategy<Value = Filter> {
    let plain = name().prop_map(AttrPath::new).boxed();
    let value_path =
        (name(), logic(term(plain).boxed().boxed())).prop_map(|(name, inner)| Filter::ValuePath {
            path: AttrPath::new(name),
            filter: Box::new(inner),
        });
    let leaf = prop_oneof![3 => term(attr_path().boxed()), 1 => value_path].boxed();
    logic(leaf)
}

/// Strings assembled from the pieces filters are made of, to reach deep into the parser.
fn filterish() -> impl Strategy<Value = String> {
    let token = prop::sample::select(vec![
        "userName",
        "emails",
        "name.givenName",
        ".value",
        "urn:ietf:params:scim:schemas:core:2.0:User:",
        "eq",
        "ne",
        "co",
        "gt",
        "pr",
        "and",
        "or",
        "not",
        "(",
        ")",
        "[",
        "]",
        " ",
        "\"",
        "\\",
        "\"x\"",
        "\"\\u00e9\"",
        "\\ud83d",
        "12",
        "-1.5e3",
        "true",
        "null",
        "é",
        "😀",
        ":",
        ".",
    ]);
    prop::collection::vec(token, 0..40).prop_map(|tokens| tokens.concat())
}

proptest! {
    #[test]
    fn parsing_arbitrary_text_never_panics(input in any::<String>()) {
        let _ = parse(&input, &Limits::default());
        let _ = parse_path(&input);
        let _ = parse_attr_path(&input);
    }

    #[test]
    fn parsing_filterish_text_never_panics_and_errors_point_inside_it(input in filterish()) {
        if let Err(error) = parse(&input, &Limits::default()) {
            prop_assert!(error.position <= input.chars().count());
        }
        let _ = parse_path(&input);
    }

    #[test]
    fn printed_trees_parse_back_equal(tree in filter()) {
        let text = tree.to_string();
        let unlimited = Limits { max_length: usize::MAX, max_terms: usize::MAX };
        let parsed = parse(&text, &unlimited);
        prop_assert_eq!(parsed, Ok(tree), "{}", text);
    }

    #[test]
    fn printed_patch_paths_parse_back_equal(path in attr_path(), tree in filter()) {
        let inner = match tree {
            Filter::ValuePath { filter, .. } => Some(*filter),
            _ => None,
        };
        let with_filter = inner.is_some();
        let patch = PatchPath {
            attr: AttrPath { sub: None, ..path.clone() },
            filter: inner,
            sub: if with_filter { path.sub.clone() } else { None },
        };
        let patch = if with_filter { patch } else { PatchPath { attr: path, ..patch } };
        prop_assert_eq!(parse_path(&patch.to_string()), Ok(patch.clone()), "{}", patch);
    }
}
