//! RFC 7644 §3.5.2 semantics: add, replace and remove on each kind of target, and `primary`.

use serde_json::json;

use super::{alice, bob, check, edited, ops, Case, Expect::*, ENT};
use crate::scim::schema::USER_SCHEMA;

#[test]
fn add_follows_rfc_7644_section_3_5_2_1() {
    check(vec![
        Case {
            name: "add to a multi-valued attribute appends",
            before: alice(),
            body: ops(json!([{
                "op": "add",
                "path": "emails",
                "value": [{"value": "alice@home.example.com", "type": "home"}]
            }])),
            expect: Resource(edited(alice(), |u| {
                u["emails"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!({"value": "alice@home.example.com", "type": "home"}));
            })),
        },
        Case {
            name: "a single object added to a multi-valued attribute is a list of one",
            before: bob(),
            body: ops(
                json!([{"op": "add", "path": "emails", "value": {"value": "b@example.com"}}]),
            ),
            expect: Resource(edited(bob(), |u| {
                u["emails"] = json!([{"value": "b@example.com"}])
            })),
        },
        Case {
            name: "adding an exact duplicate changes nothing",
            before: alice(),
            body: ops(json!([{
                "op": "add",
                "path": "emails",
                "value": [{"value": "alice@example.com", "type": "work", "primary": true}]
            }])),
            expect: Resource(alice()),
        },
        Case {
            name: "adding a known address and type again merges into it",
            before: edited(alice(), |u| u["emails"][0]["primary"] = json!(false)),
            body: ops(json!([{
                "op": "add",
                "path": "emails",
                "value": [{"value": "ALICE@example.com", "type": "work", "primary": "true"}]
            }])),
            expect: Resource(edited(alice(), |u| {
                u["emails"][0]["value"] = json!("ALICE@example.com");
            })),
        },
        Case {
            name: "pathless add with a list and a single attribute",
            before: bob(),
            body: ops(json!([{
                "op": "add",
                "value": {"emails": [{"value": "bob@home.example.com", "type": "home"}], "title": "Chef"}
            }])),
            expect: Resource(edited(bob(), |u| {
                u["emails"] = json!([{"value": "bob@home.example.com", "type": "home"}]);
                u["title"] = json!("Chef");
            })),
        },
        Case {
            name: "add to a complex attribute merges sub-attributes",
            before: alice(),
            body: ops(json!([{"op": "add", "path": "name", "value": {"GivenName": "Al"}}])),
            expect: Resource(edited(alice(), |u| u["name"]["givenName"] = json!("Al"))),
        },
        Case {
            name: "adding an enterprise attribute lists the extension in schemas",
            before: bob(),
            body: ops(json!([{"op": "add", "path": format!("{ENT}:department"), "value": "Ops"}])),
            expect: Resource(edited(bob(), |u| {
                u["schemas"] = json!([USER_SCHEMA, ENT]);
                u[ENT] = json!({"department": "Ops"});
            })),
        },
    ]);
}

#[test]
fn replace_follows_rfc_7644_section_3_5_2_3() {
    check(vec![
        Case {
            name: "replace on an absent attribute adds it",
            before: alice(),
            body: ops(json!([{"op": "replace", "path": "locale", "value": "en-GB"}])),
            expect: Resource(edited(alice(), |u| u["locale"] = json!("en-GB"))),
        },
        Case {
            name: "replace a multi-valued attribute without a filter replaces the list",
            before: alice(),
            body: ops(json!([{
                "op": "replace",
                "path": "emails",
                "value": [{"value": "a@example.org", "type": "other"}]
            }])),
            expect: Resource(edited(alice(), |u| {
                u["emails"] = json!([{"value": "a@example.org", "type": "other"}]);
            })),
        },
        Case {
            name: "replace through a filter without a sub-attribute replaces the value",
            before: alice(),
            body: ops(json!([{
                "op": "replace",
                "path": "emails[type eq \"work\"]",
                "value": {"value": "new@example.com", "type": "work"}
            }])),
            expect: Resource(edited(alice(), |u| {
                u["emails"] = json!([{"value": "new@example.com", "type": "work"}]);
            })),
        },
        Case {
            name: "replace a complex attribute keeps sub-attributes not given",
            before: alice(),
            body: ops(json!([{"op": "replace", "path": "name", "value": {"familyName": "Jones"}}])),
            expect: Resource(edited(alice(), |u| {
                u["name"]["familyName"] = json!("Jones")
            })),
        },
        Case {
            name: "a null value clears the attribute",
            before: edited(alice(), |u| u["title"] = json!("Engineer")),
            body: ops(json!([{"op": "replace", "path": "title", "value": null}])),
            expect: Resource(alice()),
        },
        Case {
            name: "an empty list clears a multi-valued attribute",
            before: alice(),
            body: ops(json!([{"op": "replace", "path": "emails", "value": []}])),
            expect: Resource(edited(alice(), |u| {
                u.as_object_mut().unwrap().remove("emails");
            })),
        },
        Case {
            name: "a core URN-qualified path names a core attribute",
            before: alice(),
            body: ops(
                json!([{"op": "replace", "path": format!("{USER_SCHEMA}:title"), "value": "X"}]),
            ),
            expect: Resource(edited(alice(), |u| u["title"] = json!("X"))),
        },
        Case {
            name: "operations apply in order",
            before: alice(),
            body: ops(json!([
                {"op": "replace", "path": "title", "value": "First"},
                {"op": "replace", "path": "title", "value": "Second"}
            ])),
            expect: Resource(edited(alice(), |u| u["title"] = json!("Second"))),
        },
    ]);
}

#[test]
fn remove_follows_rfc_7644_section_3_5_2_2() {
    let two_emails = || {
        edited(alice(), |u| {
            u["emails"]
                .as_array_mut()
                .unwrap()
                .push(json!({"value": "alice@home.example.com", "type": "home"}));
        })
    };
    check(vec![
        Case {
            name: "remove a single-valued attribute",
            before: alice(),
            body: ops(json!([{"op": "remove", "path": "displayName"}])),
            expect: Resource(edited(alice(), |u| {
                u.as_object_mut().unwrap().remove("displayName");
            })),
        },
        Case {
            name: "remove a sub-attribute of a complex attribute",
            before: alice(),
            body: ops(json!([{"op": "remove", "path": "name.familyName"}])),
            expect: Resource(edited(alice(), |u| {
                u["name"] = json!({"givenName": "Alice"})
            })),
        },
        Case {
            name: "remove values matching a value filter",
            before: two_emails(),
            body: ops(json!([{
                "op": "remove",
                "path": "emails[type eq \"home\" and value ew \"example.com\"]"
            }])),
            expect: Resource(alice()),
        },
        Case {
            name: "remove a sub-attribute of matching values",
            before: alice(),
            body: ops(json!([{"op": "remove", "path": "emails[type eq \"work\"].primary"}])),
            expect: Resource(edited(alice(), |u| {
                u["emails"] = json!([{"value": "alice@example.com", "type": "work"}]);
            })),
        },
        Case {
            name: "removing the last value removes the attribute",
            before: alice(),
            body: ops(json!([{"op": "remove", "path": "emails[value eq \"alice@example.com\"]"}])),
            expect: Resource(edited(alice(), |u| {
                u.as_object_mut().unwrap().remove("emails");
            })),
        },
        Case {
            name: "a value filter matching nothing removes nothing and succeeds",
            before: alice(),
            body: ops(json!([{"op": "remove", "path": "phoneNumbers[type eq \"fax\"]"}])),
            expect: Resource(alice()),
        },
        Case {
            name: "removing an attribute without a value succeeds",
            before: alice(),
            body: ops(json!([{"op": "remove", "path": "title"}])),
            expect: Resource(alice()),
        },
        Case {
            name: "remove with listed values removes just those",
            before: two_emails(),
            body: ops(json!([{
                "op": "remove",
                "path": "emails",
                "value": [{"value": "ALICE@home.example.com"}]
            }])),
            expect: Resource(alice()),
        },
        Case {
            name: "removing the last enterprise attribute drops the extension from schemas",
            before: edited(alice(), |u| u[ENT] = json!({"department": "Ops"})),
            body: ops(json!([{"op": "remove", "path": format!("{ENT}:department")}])),
            expect: Resource(edited(alice(), |u| {
                u["schemas"] = json!([USER_SCHEMA]);
                u.as_object_mut().unwrap().remove(ENT);
            })),
        },
        Case {
            name: "remove a whole extension",
            before: alice(),
            body: ops(json!([{"op": "remove", "path": ENT}])),
            expect: Resource(edited(alice(), |u| {
                u["schemas"] = json!([USER_SCHEMA]);
                u.as_object_mut().unwrap().remove(ENT);
            })),
        },
    ]);
}

#[test]
fn at_most_one_value_stays_primary() {
    let with_home = edited(alice(), |u| {
        u["emails"]
            .as_array_mut()
            .unwrap()
            .push(json!({"value": "alice@home.example.com", "type": "home"}));
    });
    check(vec![
        Case {
            name: "adding a primary value clears the old primary",
            before: alice(),
            body: ops(json!([{
                "op": "add",
                "path": "emails",
                "value": [{"value": "alice@home.example.com", "type": "home", "primary": true}]
            }])),
            expect: Resource(edited(alice(), |u| {
                u["emails"] = json!([
                    {"value": "alice@example.com", "type": "work", "primary": false},
                    {"value": "alice@home.example.com", "type": "home", "primary": true}
                ]);
            })),
        },
        Case {
            name: "making a value primary through a filter clears the others",
            before: with_home.clone(),
            body: ops(json!([{
                "op": "replace",
                "path": "emails[type eq \"home\"].primary",
                "value": "True"
            }])),
            expect: Resource(edited(with_home.clone(), |u| {
                u["emails"][0]["primary"] = json!(false);
                u["emails"][1]["primary"] = json!(true);
            })),
        },
        Case {
            name: "two primary values in one operation are refused",
            before: bob(),
            body: ops(json!([{
                "op": "add",
                "path": "emails",
                "value": [
                    {"value": "a@example.com", "primary": true},
                    {"value": "b@example.com", "primary": true}
                ]
            }])),
            expect: Error(400, "invalidValue"),
        },
        Case {
            name: "setting primary on every value of a list of two is refused",
            before: with_home,
            body: ops(json!([{"op": "replace", "path": "emails.primary", "value": true}])),
            expect: Error(400, "invalidValue"),
        },
    ]);
}
