//! Requests the engine refuses, each with its status and `scimType`, and atomicity.

use serde_json::{json, Value};

use super::{alice, check, ops, Case, Expect::*, ENT};

fn refused(name: &'static str, body: Value, status: u16, scim_type: &'static str) -> Case {
    Case {
        name,
        before: alice(),
        body,
        expect: Error(status, scim_type),
    }
}

#[test]
fn malformed_bodies_are_refused() {
    let too_many: Vec<Value> = (0..=super::super::MAX_OPERATIONS)
        .map(|_| json!({"op": "replace", "path": "title", "value": "x"}))
        .collect();
    check(vec![
        refused(
            "a body that is not an object",
            json!([]),
            400,
            "invalidSyntax",
        ),
        refused(
            "schemas without the PatchOp URN",
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                   "Operations": [{"op": "replace", "path": "title", "value": "x"}]}),
            400,
            "invalidSyntax",
        ),
        refused(
            "no Operations",
            json!({"schemas": []}),
            400,
            "invalidSyntax",
        ),
        refused("empty Operations", ops(json!([])), 400, "invalidSyntax"),
        refused(
            "Operations not a list",
            ops(json!({"op": "add"})),
            400,
            "invalidSyntax",
        ),
        refused(
            "an operation that is not an object",
            ops(json!(["add"])),
            400,
            "invalidSyntax",
        ),
        refused(
            "an unknown op",
            ops(json!([{"op": "move", "path": "title", "value": "x"}])),
            400,
            "invalidSyntax",
        ),
        refused(
            "a missing op",
            ops(json!([{"path": "title", "value": "x"}])),
            400,
            "invalidSyntax",
        ),
        refused(
            "add without a value",
            ops(json!([{"op": "add", "path": "title"}])),
            400,
            "invalidSyntax",
        ),
        refused(
            "replace without a value",
            ops(json!([{"op": "Replace", "path": "title"}])),
            400,
            "invalidSyntax",
        ),
        refused(
            "a path that is not a string",
            ops(json!([{"op": "remove", "path": 3}])),
            400,
            "invalidSyntax",
        ),
        refused(
            "a malformed path",
            ops(json!([{"op": "replace", "path": "emails[type eq", "value": "x"}])),
            400,
            "invalidPath",
        ),
        refused(
            "a pathless value that is not an object",
            ops(json!([{"op": "replace", "value": "x"}])),
            400,
            "invalidSyntax",
        ),
        refused("too many operations", ops(Value::Array(too_many)), 413, ""),
    ]);
}

#[test]
fn invalid_targets_are_refused() {
    let replace =
        |path: &str, value: Value| ops(json!([{"op": "replace", "path": path, "value": value}]));
    check(vec![
        refused(
            "remove without a path",
            ops(json!([{"op": "remove"}])),
            400,
            "noTarget",
        ),
        refused("replace id", replace("id", json!("x")), 400, "mutability"),
        refused(
            "replace meta",
            replace("meta", json!({})),
            400,
            "mutability",
        ),
        refused(
            "replace meta.created",
            replace("meta.created", json!("2020-01-01T00:00:00Z")),
            400,
            "mutability",
        ),
        refused(
            "add groups, read-only and unmapped",
            replace("groups", json!([])),
            400,
            "mutability",
        ),
        refused(
            "remove id",
            ops(json!([{"op": "remove", "path": "id"}])),
            400,
            "mutability",
        ),
        refused(
            "target schemas",
            replace("schemas", json!([])),
            400,
            "mutability",
        ),
        refused(
            "write the read-only manager display name",
            replace(&format!("{ENT}:manager.displayName"), json!("Boss")),
            400,
            "mutability",
        ),
        refused(
            "a pathless value changing id",
            ops(json!([{"op": "replace", "value": {"id": "other"}}])),
            400,
            "mutability",
        ),
        refused(
            "an unmapped attribute",
            replace("nickName", json!("Al")),
            400,
            "invalidPath",
        ),
        refused(
            "an unmapped sub-attribute",
            replace("name.middleName", json!("B")),
            400,
            "invalidPath",
        ),
        refused(
            "a sub-attribute of a simple attribute",
            replace("title.x", json!("B")),
            400,
            "invalidPath",
        ),
        refused(
            "an unknown schema",
            replace("urn:example:params:Thing:x", json!("B")),
            400,
            "invalidPath",
        ),
        refused(
            "an unmapped attribute in a pathless value",
            ops(json!([{"op": "add", "value": {"displayName": "A", "nickName": "Al"}}])),
            400,
            "invalidPath",
        ),
        refused(
            "a value filter on a single-valued attribute",
            replace("name[givenName eq \"Alice\"].familyName", json!("X")),
            400,
            "invalidPath",
        ),
        refused(
            "a value filter naming an unmapped sub-attribute",
            replace("emails[display eq \"A\"].value", json!("X")),
            400,
            "invalidPath",
        ),
        refused(
            "a value filter matching nothing that is not a type comparison",
            replace(
                "emails[value eq \"nobody@example.com\"].type",
                json!("home"),
            ),
            400,
            "noTarget",
        ),
        refused(
            "a type filter matching nothing without a sub-attribute",
            replace(
                "emails[type eq \"home\"]",
                json!({"value": "x@example.com"}),
            ),
            400,
            "noTarget",
        ),
        refused(
            "remove the required userName",
            ops(json!([{"op": "remove", "path": "userName"}])),
            400,
            "invalidValue",
        ),
        refused(
            "clear userName with null",
            replace("userName", Value::Null),
            400,
            "invalidValue",
        ),
        refused(
            "set userName to empty",
            replace("userName", json!("")),
            400,
            "invalidValue",
        ),
    ]);
}

#[test]
fn values_of_the_wrong_type_are_refused() {
    let replace =
        |path: &str, value: Value| ops(json!([{"op": "replace", "path": path, "value": value}]));
    check(vec![
        refused(
            "a non-boolean string for active",
            replace("active", json!("yes")),
            400,
            "invalidValue",
        ),
        refused(
            "a number for active",
            replace("active", json!(1)),
            400,
            "invalidValue",
        ),
        refused(
            "a number for a string",
            replace("displayName", json!(42)),
            400,
            "invalidValue",
        ),
        refused(
            "an object for a string",
            replace("title", json!({"a": 1})),
            400,
            "invalidValue",
        ),
        refused(
            "a string for a complex attribute",
            replace("name", json!("Alice")),
            400,
            "invalidValue",
        ),
        refused(
            "a string for a multi-valued complex value",
            replace("emails", json!("a@example.com")),
            400,
            "invalidValue",
        ),
        refused(
            "nested lists",
            replace("emails", json!([[{"value": "a@example.com"}]])),
            400,
            "invalidValue",
        ),
        refused(
            "a number for a sub-attribute",
            replace("emails[type eq \"work\"].value", json!(7)),
            400,
            "invalidValue",
        ),
        refused(
            "a string for primary",
            replace("emails[type eq \"work\"].primary", json!("yes")),
            400,
            "invalidValue",
        ),
        refused(
            "a number for the manager",
            replace(&format!("{ENT}:manager"), json!(5)),
            400,
            "invalidValue",
        ),
        refused(
            "an extension value that is not an object",
            replace(ENT, json!("x")),
            400,
            "invalidValue",
        ),
    ]);
}

#[test]
fn one_bad_operation_fails_the_whole_request_and_changes_nothing() {
    check(vec![
        refused(
            "a good replace then an unknown attribute",
            ops(json!([
                {"op": "replace", "path": "displayName", "value": "Changed"},
                {"op": "replace", "path": "nickName", "value": "Al"}
            ])),
            400,
            "invalidPath",
        ),
        refused(
            "a good add then a read-only target",
            ops(json!([
                {"op": "add", "path": "emails", "value": [{"value": "x@example.com"}]},
                {"op": "remove", "path": "meta"}
            ])),
            400,
            "mutability",
        ),
        refused(
            "a good pathless replace then an unknown op",
            ops(json!([
                {"op": "replace", "value": {"active": false}},
                {"op": "delete", "path": "title"}
            ])),
            400,
            "invalidSyntax",
        ),
        refused(
            "a pathless value whose second key is bad",
            ops(json!([{"op": "replace", "value": {"displayName": "Changed", "active": "maybe"}}])),
            400,
            "invalidValue",
        ),
    ]);
}
