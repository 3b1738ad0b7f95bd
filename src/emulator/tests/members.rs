//! Member routes: create, fetch, list with paging and filters, merge-update and delete, and the
//! per-organisation uniqueness of emails and usernames.

use super::*;

#[tokio::test]
async fn created_member_has_every_field_and_can_be_fetched() {
    let api = Harness::new();
    let member = api
        .create(
            "acme",
            json!({
                "email": "Ada@Example.com",
                "username": "ada.l",
                "given_name": "Ada",
                "department": "R&D",
            }),
        )
        .await;

    let id = id_of(&member);
    assert_eq!(id.len(), 24);
    assert!(id.starts_with("mbr_"));
    assert!(id[4..]
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
    let expected_keys = [
        "id",
        "email",
        "username",
        "given_name",
        "family_name",
        "display_name",
        "status",
        "external_ref",
        "title",
        "department",
        "employee_number",
        "manager_id",
        "phone",
        "locale",
        "created_at",
        "updated_at",
        "version",
    ];
    let keys: Vec<&str> = member
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, expected_keys);
    assert_eq!(member["email"], "Ada@Example.com");
    assert_eq!(member["username"], "ada.l");
    assert_eq!(member["given_name"], "Ada");
    assert_eq!(member["family_name"], Value::Null);
    assert_eq!(member["status"], "active");
    assert_eq!(member["version"], 1);
    assert_eq!(member["created_at"], member["updated_at"]);
    let created = member["created_at"].as_str().unwrap();
    assert!(chrono::DateTime::parse_from_rfc3339(created).is_ok());
    assert_eq!(created.len(), "2026-12-03T10:00:00.123Z".len());
    assert!(created.ends_with('Z'));

    let fetched = api.get(&format!("/v1/orgs/acme/members/{id}")).await;
    assert_eq!(fetched.status, StatusCode::OK);
    assert_eq!(fetched.headers[header::CONTENT_TYPE], "application/json");
    assert_eq!(fetched.body, member);

    let missing = api
        .get("/v1/orgs/acme/members/mbr_00000000000000000000")
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.error_code(), "not_found");
    let other_org = api.get(&format!("/v1/orgs/other/members/{id}")).await;
    assert_eq!(other_org.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn list_pages_in_creation_order_and_counts_the_total() {
    let api = Harness::new();
    let mut ids = Vec::new();
    for i in 0..205 {
        let member = api
            .create("acme", json!({"email": format!("user{i}@example.com")}))
            .await;
        ids.push(id_of(&member).to_owned());
    }

    let cases = [
        ("", 0, 50),
        ("?offset=10&limit=5", 10, 5),
        ("?limit=0", 0, 0),
        ("?limit=1000", 0, 200),
        ("?offset=200&limit=50", 200, 5),
        ("?offset=500", 205, 0),
        ("?offset=99999999999999999999999", 205, 0),
        ("?limit=3&unknown=1", 0, 3),
    ];
    for (query, first, count) in cases {
        let reply = api.get(&format!("/v1/orgs/acme/members{query}")).await;
        assert_eq!(reply.status, StatusCode::OK, "{query}");
        assert_eq!(reply.body["total"], 205, "{query}");
        let got: Vec<&str> = reply.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(id_of)
            .collect();
        let want: Vec<&str> = ids
            .iter()
            .skip(first)
            .take(count)
            .map(String::as_str)
            .collect();
        assert_eq!(got, want, "{query}");
    }

    let deleted = api
        .delete(&format!("/v1/orgs/acme/members/{}", ids[1]))
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let page = api.get("/v1/orgs/acme/members?limit=2").await;
    assert_eq!(page.body["total"], 204);
    assert_eq!(id_of(&page.body["data"][1]), ids[2]);

    let empty = api.get("/v1/orgs/fresh-org/members").await;
    assert_eq!(empty.body, json!({"data": [], "total": 0}));
}

#[tokio::test]
async fn list_filters_by_email_ignoring_case_and_by_exact_external_ref() {
    let api = Harness::new();
    let ada = api
        .create(
            "acme",
            json!({"email": "ada@example.com", "external_ref": "okta-1"}),
        )
        .await;
    let bob = api
        .create(
            "acme",
            json!({"email": "bob@example.com", "external_ref": "okta-2"}),
        )
        .await;
    let cy = api
        .create(
            "acme",
            json!({"email": "cy@example.com", "external_ref": "okta-2"}),
        )
        .await;

    let cases: [(&str, Vec<&Value>); 8] = [
        ("email=ADA%40example.com", vec![&ada]),
        ("email=ada@example.com", vec![&ada]),
        ("email=nobody@example.com", vec![]),
        ("external_ref=okta-2", vec![&bob, &cy]),
        ("external_ref=OKTA-2", vec![]),
        ("external_ref=okta-2&offset=1", vec![&cy]),
        ("email=bob@example.com&external_ref=okta-2", vec![&bob]),
        ("email=bob@example.com&external_ref=okta-1", vec![]),
    ];
    for (query, expected) in cases {
        let reply = api.get(&format!("/v1/orgs/acme/members?{query}")).await;
        assert_eq!(reply.status, StatusCode::OK, "{query}");
        let data: Vec<&Value> = reply.body["data"].as_array().unwrap().iter().collect();
        assert_eq!(data, expected, "{query}");
        let total = if query.ends_with("offset=1") {
            2
        } else {
            expected.len()
        };
        assert_eq!(reply.body["total"], total, "{query}");
    }

    // The external_ref index must follow updates and deletes.
    let path = format!("/v1/orgs/acme/members/{}", id_of(&bob));
    api.patch(&path, json!({"external_ref": "okta-9"})).await;
    let moved = api.get("/v1/orgs/acme/members?external_ref=okta-9").await;
    assert_eq!(moved.body["total"], 1);
    api.delete(&format!("/v1/orgs/acme/members/{}", id_of(&cy)))
        .await;
    let gone = api.get("/v1/orgs/acme/members?external_ref=okta-2").await;
    assert_eq!(gone.body, json!({"data": [], "total": 0}));
}

#[tokio::test]
async fn list_rejects_paging_values_that_are_not_integers() {
    let api = Harness::new();
    for query in [
        "offset=abc",
        "limit=-1",
        "limit=",
        "offset=1.5",
        "limit=%2B5",
    ] {
        let reply = api.get(&format!("/v1/orgs/acme/members?{query}")).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert_eq!(reply.error_code(), "invalid_field", "{query}");
    }
}

#[tokio::test]
async fn email_must_be_unique_per_org_ignoring_case() {
    let api = Harness::new();
    api.create("acme", json!({"email": "ada@example.com"}))
        .await;
    let bob = api
        .create("acme", json!({"email": "bob@example.com"}))
        .await;

    let taken = api
        .post("/v1/orgs/acme/members", json!({"email": "ADA@example.COM"}))
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT);
    assert_eq!(taken.error_code(), "email_taken");

    let path = format!("/v1/orgs/acme/members/{}", id_of(&bob));
    let renamed = api.patch(&path, json!({"email": "Ada@Example.com"})).await;
    assert_eq!(renamed.status, StatusCode::CONFLICT);
    assert_eq!(renamed.error_code(), "email_taken");

    // Changing the case of one's own email is not a conflict.
    let recased = api.patch(&path, json!({"email": "BOB@example.com"})).await;
    assert_eq!(recased.status, StatusCode::OK);
    assert_eq!(recased.body["version"], 2);

    // Another organisation has its own email space.
    api.create("globex", json!({"email": "ada@example.com"}))
        .await;
}

#[tokio::test]
async fn invalid_member_fields_are_rejected_with_422_naming_the_field() {
    let api = Harness::new();
    let long = "x".repeat(1025);
    let cases = [
        (json!({}), "email"),
        (json!({"email": null}), "email"),
        (json!({"email": 7}), "email"),
        (json!({"email": "no-at-sign"}), "email"),
        (json!({"email": "ada @example.com"}), "email"),
        (json!({"email": "a@b", "nickname": "x"}), "nickname"),
        (json!({"email": "a@b", "id": "mbr_1"}), "id"),
        (json!({"email": "a@b", "version": 3}), "version"),
        (json!({"email": "a@b", "created_at": "x"}), "created_at"),
        (json!({"email": "a@b", "updated_at": "x"}), "updated_at"),
        (json!({"email": "a@b", "status": "deleted"}), "status"),
        (json!({"email": "a@b", "status": null}), "status"),
        (json!({"email": "a@b", "given_name": 5}), "given_name"),
        (json!({"email": "a@b", "title": ["x"]}), "title"),
        (json!({"email": "a@b", "phone": long}), "phone"),
        (json!({"email": "a@b", "username": ""}), "username"),
        (json!({"email": "a@b", "username": 5}), "username"),
        (json!({"email": "a@b", "username": true}), "username"),
        (json!({"email": "a@b", "username": ["ada"]}), "username"),
        (json!({"email": "a@b", "username": long}), "username"),
        (json!(["email"]), "body"),
    ];
    for (body, field) in cases {
        let reply = api.post("/v1/orgs/acme/members", body.clone()).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(reply.error_code(), "invalid_field", "{body}");
        let message = reply.body["error"]["message"].as_str().unwrap();
        assert!(message.contains(field), "{message} should name {field}");
    }
    let read_only = api
        .post("/v1/orgs/acme/members", json!({"email": "a@b", "id": "x"}))
        .await;
    assert!(read_only.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("field is read-only"));

    // Exactly 1024 characters, multi-byte ones included, is still allowed.
    let limit = "é".repeat(1024);
    api.create("acme", json!({"email": "a@b", "title": limit}))
        .await;
    let listed = api.get("/v1/orgs/acme/members").await;
    assert_eq!(listed.body["total"], 1);
}

#[tokio::test]
async fn patch_merges_clears_with_null_and_skips_no_op_versions() {
    let api = Harness::new();
    let member = api
        .create(
            "acme",
            json!({"email": "ada@example.com", "given_name": "Ada", "title": "Engineer"}),
        )
        .await;
    let path = format!("/v1/orgs/acme/members/{}", id_of(&member));

    let merged = api
        .patch(&path, json!({"family_name": "Lovelace", "title": null}))
        .await;
    assert_eq!(merged.status, StatusCode::OK);
    assert_eq!(merged.body["given_name"], "Ada");
    assert_eq!(merged.body["family_name"], "Lovelace");
    assert_eq!(merged.body["title"], Value::Null);
    assert_eq!(merged.body["version"], 2);
    assert_eq!(merged.body["created_at"], member["created_at"]);
    // Same-format RFC 3339 timestamps order as strings.
    assert!(merged.body["updated_at"].as_str() >= member["updated_at"].as_str());

    let unchanged = api
        .patch(&path, json!({"given_name": "Ada", "title": null}))
        .await;
    assert_eq!(unchanged.status, StatusCode::OK);
    assert_eq!(unchanged.body, merged.body);

    let suspended = api.patch(&path, json!({"status": "suspended"})).await;
    assert_eq!(suspended.body["status"], "suspended");
    assert_eq!(suspended.body["version"], 3);

    for body in [
        json!({"email": null}),
        json!({"username": ""}),
        json!({"username": 1}),
        json!({"status": null}),
        json!({"version": 9}),
        json!({"unknown": 1}),
    ] {
        let reply = api.patch(&path, body.clone()).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    }
    assert_eq!(api.get(&path).await.body["version"], 3);

    let missing = api
        .patch("/v1/orgs/acme/members/mbr_nope", json!({"title": "x"}))
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn patch_with_if_match_applies_only_on_the_current_version() {
    let api = Harness::new();
    let member = api
        .create("acme", json!({"email": "ada@example.com"}))
        .await;
    let path = format!("/v1/orgs/acme/members/{}", id_of(&member));

    let cases = [
        ("1", StatusCode::OK, 2),
        ("\"2\"", StatusCode::OK, 3),
        ("W/\"3\"", StatusCode::OK, 4),
        ("*", StatusCode::OK, 5),
        ("4", StatusCode::PRECONDITION_FAILED, 5),
        ("W/\"99\"", StatusCode::PRECONDITION_FAILED, 5),
        ("seven", StatusCode::UNPROCESSABLE_ENTITY, 5),
    ];
    for (i, (if_match, status, version)) in cases.into_iter().enumerate() {
        let request = api
            .request(Method::PATCH, &path)
            .header(header::IF_MATCH, if_match)
            .body(Full::new(Bytes::from(
                json!({"title": format!("t{i}")}).to_string(),
            )))
            .unwrap();
        let reply = api.send(request).await.unwrap();
        assert_eq!(reply.status, status, "{if_match}");
        if status == StatusCode::PRECONDITION_FAILED {
            assert_eq!(reply.error_code(), "version_mismatch");
            let message = reply.body["error"]["message"].as_str().unwrap();
            assert!(
                message.contains('5'),
                "{message} should say the current version"
            );
        }
        assert_eq!(api.get(&path).await.body["version"], version, "{if_match}");
    }
}

#[tokio::test]
async fn deleted_member_is_gone_and_a_second_delete_is_not_found() {
    let api = Harness::new();
    let member = api
        .create("acme", json!({"email": "ada@example.com"}))
        .await;
    let path = format!("/v1/orgs/acme/members/{}", id_of(&member));

    let first = api.delete(&path).await;
    assert_eq!(first.status, StatusCode::NO_CONTENT);
    assert_eq!(first.body, Value::Null);
    assert_eq!(api.get(&path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(api.delete(&path).await.status, StatusCode::NOT_FOUND);

    // The email is free again once its member is removed.
    api.create("acme", json!({"email": "ADA@example.com"}))
        .await;
}

#[tokio::test]
async fn concurrent_creates_with_one_email_admit_exactly_one_member() {
    let api = Harness::new();
    let mut tasks = Vec::new();
    for i in 0..16 {
        let email = if i % 2 == 0 {
            "race@example.com"
        } else {
            "RACE@example.com"
        };
        let request = api
            .request(Method::POST, "/v1/orgs/acme/members")
            .body(Full::new(Bytes::from(
                json!({ "email": email }).to_string(),
            )))
            .unwrap();
        let client = api.client.clone();
        tasks.push(tokio::spawn(async move {
            client.request(request).await.unwrap().status()
        }));
    }
    let mut created = 0;
    for task in tasks {
        match task.await.unwrap() {
            StatusCode::CREATED => created += 1,
            status => assert_eq!(status, StatusCode::CONFLICT),
        }
    }
    assert_eq!(created, 1);
    assert_eq!(api.get("/v1/orgs/acme/members").await.body["total"], 1);
}

#[tokio::test]
async fn list_filters_by_username_ignoring_case_and_combines_with_other_filters() {
    let api = Harness::new();
    let ada = api
        .create(
            "acme",
            json!({"email": "ada@example.com", "username": "Ada", "external_ref": "okta-1"}),
        )
        .await;
    let bob = api
        .create(
            "acme",
            json!({"email": "bob@example.com", "username": "bob", "external_ref": "okta-1"}),
        )
        .await;
    api.create("acme", json!({"email": "cy@example.com"})).await;

    // Each case is a query, the members it returns and the total it reports.
    let cases: [(&str, Vec<&Value>, usize); 12] = [
        ("username=ada", vec![&ada], 1),
        ("username=ADA", vec![&ada], 1),
        ("username=Bob", vec![&bob], 1),
        ("username=nobody", vec![], 0),
        ("username=", vec![], 0),
        ("username=ada&offset=1", vec![], 1),
        ("username=ada&email=ADA%40example.com", vec![&ada], 1),
        ("email=ada@example.com&username=bob", vec![], 0),
        ("email=cy@example.com&username=ada", vec![], 0),
        ("username=bob&external_ref=okta-1", vec![&bob], 1),
        ("username=bob&external_ref=okta-2", vec![], 0),
        (
            "username=bob&email=bob@example.com&external_ref=okta-1",
            vec![&bob],
            1,
        ),
    ];
    for (query, expected, total) in cases {
        let reply = api.get(&format!("/v1/orgs/acme/members?{query}")).await;
        assert_eq!(reply.status, StatusCode::OK, "{query}");
        let data: Vec<&Value> = reply.body["data"].as_array().unwrap().iter().collect();
        assert_eq!(data, expected, "{query}");
        assert_eq!(reply.body["total"], total, "{query}");
    }
}

#[tokio::test]
async fn username_must_be_unique_per_org_ignoring_case() {
    let api = Harness::new();
    let ada = api
        .create(
            "acme",
            json!({"email": "ada@example.com", "username": "Ada.L"}),
        )
        .await;
    let bob = api
        .create(
            "acme",
            json!({"email": "bob@example.com", "username": "bob"}),
        )
        .await;
    let cy = api.create("acme", json!({"email": "cy@example.com"})).await;
    let members = "/v1/orgs/acme/members".to_owned();
    let ada_path = format!("{members}/{}", id_of(&ada));
    let bob_path = format!("{members}/{}", id_of(&bob));
    let cy_path = format!("{members}/{}", id_of(&cy));

    // Each case is a method, a path, a body and the status it gets, in order.
    let cases = [
        (
            Method::POST,
            &members,
            json!({"email": "dee@example.com", "username": "ada.l"}),
            StatusCode::CONFLICT,
        ),
        (
            Method::POST,
            &members,
            json!({"email": "dee@example.com", "username": "ADA.L"}),
            StatusCode::CONFLICT,
        ),
        (
            Method::PATCH,
            &bob_path,
            json!({"username": "aDa.l"}),
            StatusCode::CONFLICT,
        ),
        (
            Method::PATCH,
            &cy_path,
            json!({"username": "ada.l"}),
            StatusCode::CONFLICT,
        ),
        // Changing the case of one's own username is not a conflict.
        (
            Method::PATCH,
            &ada_path,
            json!({"username": "ADA.L"}),
            StatusCode::OK,
        ),
        (
            Method::PATCH,
            &cy_path,
            json!({"username": "cy"}),
            StatusCode::OK,
        ),
        (
            Method::POST,
            &members,
            json!({"email": "dee@example.com", "username": "dee"}),
            StatusCode::CREATED,
        ),
    ];
    for (method, path, body, status) in cases {
        let reply = api.call(method.clone(), path, Some(body.clone())).await;
        assert_eq!(reply.status, status, "{method} {path} {body}");
        if status == StatusCode::CONFLICT {
            assert_eq!(reply.error_code(), "username_taken", "{body}");
        }
    }
    assert_eq!(api.get(&ada_path).await.body["username"], "ADA.L");
    assert_eq!(api.get(&members).await.body["total"], 4);

    // A refused update changes nothing, not even the email sent alongside the taken username.
    let refused = api
        .patch(
            &bob_path,
            json!({"email": "robert@example.com", "username": "cy"}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(api.get(&bob_path).await.body, bob);
    let by_new_email = api
        .get("/v1/orgs/acme/members?email=robert@example.com")
        .await;
    assert_eq!(by_new_email.body["total"], 0);
    api.create("acme", json!({"email": "robert@example.com"}))
        .await;

    // Another organisation has its own username space.
    api.create(
        "globex",
        json!({"email": "ada@example.com", "username": "ada.l"}),
    )
    .await;
}

#[tokio::test]
async fn clearing_or_deleting_a_member_frees_its_username() {
    let api = Harness::new();
    let ada = api
        .create(
            "acme",
            json!({"email": "ada@example.com", "username": "ada"}),
        )
        .await;
    let bob = api
        .create(
            "acme",
            json!({"email": "bob@example.com", "username": null}),
        )
        .await;
    assert_eq!(bob["username"], Value::Null);
    let ada_path = format!("/v1/orgs/acme/members/{}", id_of(&ada));
    let bob_path = format!("/v1/orgs/acme/members/{}", id_of(&bob));

    let cleared = api.patch(&ada_path, json!({"username": null})).await;
    assert_eq!(cleared.status, StatusCode::OK);
    assert_eq!(cleared.body["username"], Value::Null);
    assert_eq!(cleared.body["version"], 2);
    let listed = api.get("/v1/orgs/acme/members?username=ada").await;
    assert_eq!(listed.body, json!({"data": [], "total": 0}));

    let taken = api.patch(&bob_path, json!({"username": "ADA"})).await;
    assert_eq!(taken.status, StatusCode::OK);
    assert_eq!(taken.body["username"], "ADA");
    let listed = api.get("/v1/orgs/acme/members?username=ada").await;
    assert_eq!(listed.body["data"], json!([taken.body]));

    assert_eq!(api.delete(&bob_path).await.status, StatusCode::NO_CONTENT);
    let listed = api.get("/v1/orgs/acme/members?username=ada").await;
    assert_eq!(listed.body["total"], 0);
    let cy = api
        .create(
            "acme",
            json!({"email": "cy@example.com", "username": "Ada"}),
        )
        .await;
    let listed = api.get("/v1/orgs/acme/members?username=ada").await;
    assert_eq!(listed.body["data"], json!([cy]));
}
