//! The PATCH shapes Microsoft Entra ID and Okta send, as IDP-CLIENTS.md records them.

use serde_json::json;

use super::{alice, bob, check, edited, ops, Case, Expect::*, ENT};

#[test]
fn entra_update_shapes_apply() {
    check(vec![
        Case {
            name: "capitalised Replace with the string \"False\" disables the user",
            before: alice(),
            body: ops(json!([{"op": "Replace", "path": "active", "value": "False"}])),
            expect: Resource(edited(alice(), |u| u["active"] = json!(false))),
        },
        Case {
            name: "newer tenants disable with a real boolean and a lowercase op",
            before: alice(),
            body: ops(json!([{"op": "replace", "path": "active", "value": false}])),
            expect: Resource(edited(alice(), |u| u["active"] = json!(false))),
        },
        Case {
            name: "Replace a name sub-attribute by dotted path",
            before: alice(),
            body: ops(json!([{"op": "Replace", "path": "name.givenName", "value": "Alicia"}])),
            expect: Resource(edited(alice(), |u| {
                u["name"]["givenName"] = json!("Alicia")
            })),
        },
        Case {
            name: "Replace the work e-mail through a type filter",
            before: alice(),
            body: ops(json!([{
                "op": "Replace",
                "path": "emails[type eq \"work\"].value",
                "value": "alice.smith@example.com"
            }])),
            expect: Resource(edited(alice(), |u| {
                u["emails"][0]["value"] = json!("alice.smith@example.com");
            })),
        },
        Case {
            name: "Replace a work e-mail the user does not have yet adds one",
            before: bob(),
            body: ops(json!([{
                "op": "Replace",
                "path": "emails[type eq \"work\"].value",
                "value": "bob@example.com"
            }])),
            expect: Resource(edited(bob(), |u| {
                u["emails"] = json!([{"type": "work", "value": "bob@example.com"}]);
            })),
        },
        Case {
            name: "Add a mobile number the user does not have yet adds one",
            before: alice(),
            body: ops(json!([{
                "op": "Add",
                "path": "phoneNumbers[type eq \"mobile\"].value",
                "value": "+1 555 0100"
            }])),
            expect: Resource(edited(alice(), |u| {
                u["phoneNumbers"] = json!([{"type": "mobile", "value": "+1 555 0100"}]);
            })),
        },
        Case {
            name: "Add through a type filter that matches changes the existing value",
            before: alice(),
            body: ops(json!([{
                "op": "Add",
                "path": "emails[type eq \"work\"].value",
                "value": "a.smith@example.com"
            }])),
            expect: Resource(edited(alice(), |u| {
                u["emails"][0]["value"] = json!("a.smith@example.com");
            })),
        },
        Case {
            name: "Replace a URN-qualified enterprise attribute",
            before: alice(),
            body: ops(json!([{
                "op": "Replace",
                "path": format!("{ENT}:employeeNumber"),
                "value": "800000"
            }])),
            expect: Resource(edited(alice(), |u| {
                u[ENT]["employeeNumber"] = json!("800000")
            })),
        },
        Case {
            name: "Add for a value that already exists replaces it",
            before: alice(),
            body: ops(json!([{"op": "Add", "path": "displayName", "value": "Alice S."}])),
            expect: Resource(edited(alice(), |u| u["displayName"] = json!("Alice S."))),
        },
        Case {
            name: "Add for an attribute the user lacks sets it",
            before: alice(),
            body: ops(json!([{"op": "Add", "path": "title", "value": "Engineer"}])),
            expect: Resource(edited(alice(), |u| u["title"] = json!("Engineer"))),
        },
        Case {
            name: "the enterprise manager sent as a bare id becomes an object",
            before: alice(),
            body: ops(json!([{"op": "Add", "path": format!("{ENT}:manager"), "value": "m-42"}])),
            expect: Resource(edited(alice(), |u| {
                u[ENT]["manager"] = json!({"value": "m-42"})
            })),
        },
        Case {
            name: "the enterprise manager sent as an object is kept",
            before: alice(),
            body: ops(json!([{
                "op": "Replace",
                "path": format!("{ENT}:manager"),
                "value": {"value": "m-43"}
            }])),
            expect: Resource(edited(alice(), |u| {
                u[ENT]["manager"] = json!({"value": "m-43"})
            })),
        },
        Case {
            name: "an empty manager id clears the manager",
            before: alice(),
            body: ops(json!([{"op": "Replace", "path": format!("{ENT}:manager"), "value": ""}])),
            expect: Resource(edited(alice(), |u| {
                u[ENT].as_object_mut().unwrap().remove("manager");
            })),
        },
        Case {
            name: "a manager object with an empty value clears the manager",
            before: alice(),
            body: ops(json!([{
                "op": "Replace",
                "path": format!("{ENT}:manager"),
                "value": {"value": ""}
            }])),
            expect: Resource(edited(alice(), |u| {
                u[ENT].as_object_mut().unwrap().remove("manager");
            })),
        },
        Case {
            name: "an empty manager.value clears the manager",
            before: alice(),
            body: ops(json!([{
                "op": "Replace",
                "path": format!("{ENT}:manager.value"),
                "value": ""
            }])),
            expect: Resource(edited(alice(), |u| {
                u[ENT].as_object_mut().unwrap().remove("manager");
            })),
        },
        Case {
            name: "pathless replace with plain, dotted and URN-qualified keys",
            before: alice(),
            body: ops(json!([{
                "op": "replace",
                "value": {
                    "displayName": "Alicia Smith",
                    "name.givenName": "Alicia",
                    format!("{ENT}:employeeNumber"): "900000"
                }
            }])),
            expect: Resource(edited(alice(), |u| {
                u["displayName"] = json!("Alicia Smith");
                u["name"]["givenName"] = json!("Alicia");
                u[ENT]["employeeNumber"] = json!("900000");
            })),
        },
        Case {
            name: "pathless keys match attribute names in any case",
            before: alice(),
            body: ops(json!([{
                "op": "Replace",
                "value": {"DisplayName": "A", "NAME.FAMILYNAME": "Jones", "Active": "True"}
            }])),
            expect: Resource(edited(alice(), |u| {
                u["displayName"] = json!("A");
                u["name"]["familyName"] = json!("Jones");
            })),
        },
        Case {
            name: "pathless value keyed by the extension URN",
            before: bob(),
            body: ops(json!([{
                "op": "add",
                "value": {ENT: {"department": "Sales", "manager": "m-1"}}
            }])),
            expect: Resource(edited(bob(), |u| {
                u["schemas"] = json!([crate::scim::schema::USER_SCHEMA, ENT]);
                u[ENT] = json!({"department": "Sales", "manager": {"value": "m-1"}});
            })),
        },
        Case {
            name: "a path naming the whole extension merges its attributes",
            before: alice(),
            body: ops(json!([{"op": "replace", "path": ENT, "value": {"department": "Sales"}}])),
            expect: Resource(edited(alice(), |u| u[ENT]["department"] = json!("Sales"))),
        },
        Case {
            name: "sub-attributes the tenant does not map are dropped from a value",
            before: alice(),
            body: ops(json!([{
                "op": "replace",
                "path": "emails",
                "value": [{"value": "a@example.com", "display": "A", "nickname": "x"}]
            }])),
            expect: Resource(edited(alice(), |u| {
                u["emails"] = json!([{"value": "a@example.com"}]);
            })),
        },
        Case {
            name: "a whole extension object that carries its own schemas keeps working",
            before: alice(),
            body: ops(json!([{
                "op": "add",
                "path": ENT,
                "value": {"schemas": [ENT], "department": "Sales"}
            }])),
            expect: Resource(edited(alice(), |u| u[ENT]["department"] = json!("Sales"))),
        },
    ]);
}

#[test]
fn okta_update_shapes_apply() {
    check(vec![
        Case {
            name: "pathless replace of active deactivates",
            before: alice(),
            body: ops(json!([{"op": "replace", "value": {"active": false}}])),
            expect: Resource(edited(alice(), |u| u["active"] = json!(false))),
        },
        Case {
            name: "pathless replace of active reactivates",
            before: edited(alice(), |u| u["active"] = json!(false)),
            body: ops(json!([{"op": "replace", "value": {"active": true}}])),
            expect: Resource(alice()),
        },
        Case {
            name: "a body without schemas is accepted",
            before: alice(),
            body: json!({"Operations": [{"op": "replace", "value": {"active": false}}]}),
            expect: Resource(edited(alice(), |u| u["active"] = json!(false))),
        },
        Case {
            name: "member names of the body and operations match in any case",
            before: alice(),
            body: json!({"operations": [{"OP": "replace", "Value": {"active": false}}]}),
            expect: Resource(edited(alice(), |u| u["active"] = json!(false))),
        },
        Case {
            name: "an echoed unchanged id in a pathless value is ignored",
            before: alice(),
            body: ops(json!([{
                "op": "replace",
                "value": {"id": "2819c223-7f76-453a-919d-413861904646", "active": false}
            }])),
            expect: Resource(edited(alice(), |u| u["active"] = json!(false))),
        },
        Case {
            name: "schemas inside a pathless value is ignored",
            before: alice(),
            body: ops(json!([{
                "op": "replace",
                "value": {"schemas": [crate::scim::schema::USER_SCHEMA], "active": false}
            }])),
            expect: Resource(edited(alice(), |u| u["active"] = json!(false))),
        },
    ]);
}
