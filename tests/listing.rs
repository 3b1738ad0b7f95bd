//! Listing and filtering through the real server: paging across several legacy pages, filters
//! pushed down or evaluated here, scan caps, sorting and search.

mod common;

use common::{q, Client, Options, Stack};
use serde_json::{json, Value};

/// A stack whose legacy pages hold three members, with small caps to reach them quickly.
fn stack() -> Stack {
    Stack::start(Options {
        page_size: 3,
        scan_cap: 20,
        max_results: 10,
        ..Options::default()
    })
}

/// Creates `n` users named `user00`, `user01`, ... with alternating titles.
fn people(scim: &Client, n: usize) -> Vec<String> {
    people_from(scim, 0, n)
}

/// Creates users numbered from `from`, like [`people`].
fn people_from(scim: &Client, from: usize, n: usize) -> Vec<String> {
    (from..from + n)
        .map(|i| {
            let mut body = common::user(&format!("user{i:02}"));
            body["displayName"] = json!(format!("User {i:02}"));
            body["title"] = json!(if i % 2 == 0 { "Engineer" } else { "Manager" });
            scim.create_user(&body)
        })
        .collect()
}

fn ids(reply: &common::Reply) -> Vec<String> {
    reply.json["Resources"]
        .as_array()
        .unwrap_or_else(|| panic!("{}", reply.text))
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn paging_follows_rfc_7644_start_index_and_count_rules() {
    let stack = stack();
    let scim = stack.client(0);
    let all = people(&scim, 8);
    let cases: Vec<(&str, usize, Vec<String>)> = vec![
        ("/Users", 1, all.clone()),
        ("/Users?count=1000", 1, all.clone()),
        ("/Users?startIndex=0&count=2", 1, all[..2].to_vec()),
        ("/Users?startIndex=-4&count=2", 1, all[..2].to_vec()),
        ("/Users?startIndex=7&count=5", 7, all[6..].to_vec()),
        ("/Users?startIndex=50", 50, vec![]),
        ("/Users?count=0", 1, vec![]),
        ("/Users?count=-3", 1, vec![]),
    ];
    for (path, start, expected) in cases {
        let reply = scim.get(path);
        assert_eq!(reply.status, 200, "{path}: {}", reply.text);
        assert_eq!(reply.json["totalResults"], 8, "{path}");
        assert_eq!(reply.json["startIndex"], start, "{path}");
        assert_eq!(reply.json["itemsPerPage"], expected.len(), "{path}");
        assert_eq!(ids(&reply), expected, "{path}");
    }
    // The server maximum is advertised and enforced.
    assert_eq!(
        scim.get("/ServiceProviderConfig").json["filter"]["maxResults"],
        10
    );
    let more = people_from(&scim, 8, 5);
    let capped = scim.get("/Users?count=50");
    assert_eq!(capped.json["itemsPerPage"], 10);
    assert_eq!(capped.json["totalResults"], 13);
    let rest = scim.get("/Users?startIndex=11&count=10");
    assert_eq!(ids(&rest), more[2..].to_vec());
}

#[test]
fn filters_evaluated_here_read_every_legacy_page_and_count_every_match() {
    let stack = stack();
    let scim = stack.client(0);
    let all = people(&scim, 8);
    let engineers: Vec<String> = all.iter().step_by(2).cloned().collect();
    let before = scim.legacy_calls("list_members");
    let reply = scim.get(&format!(
        "/Users?filter={}&count=2",
        q(r#"title eq "engineer""#)
    ));
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json["totalResults"], 4, "title is not case-exact");
    assert_eq!(ids(&reply), engineers[..2].to_vec());
    assert_eq!(
        scim.legacy_calls("list_members") - before,
        3,
        "8 members in pages of 3"
    );

    let second = scim.get(&format!(
        "/Users?filter={}&startIndex=3&count=2",
        q(r#"title eq "Engineer""#)
    ));
    assert_eq!(ids(&second), engineers[2..].to_vec());

    let cases: Vec<(&str, usize)> = vec![
        (r#"displayName co "0""#, 8),
        (r#"displayName sw "User 0""#, 8),
        (r#"userName ew "03@example.com""#, 1),
        (r#"title eq "Engineer" and displayName ew "4""#, 1),
        (r#"title eq "Engineer" or displayName eq "User 01""#, 5),
        (r#"not (title eq "Engineer")"#, 4),
        (r#"emails[value sw "user0" and type eq "work"]"#, 8),
        (r#"name.givenName pr"#, 8),
        (r#"phoneNumbers pr"#, 0),
        (r#"meta.created gt "2000-01-01T00:00:00Z""#, 8),
        (r#"meta.created lt "2000-01-01T00:00:00+01:00""#, 0),
        (r#"active eq true"#, 8),
        (r#"USERNAME EQ "USER05@EXAMPLE.COM""#, 1),
    ];
    for (filter, count) in cases {
        let reply = scim.get(&format!("/Users?filter={}", q(filter)));
        assert_eq!(reply.status, 200, "{filter}: {}", reply.text);
        assert_eq!(reply.json["totalResults"], count, "{filter}");
    }
}

#[test]
fn lookups_are_pushed_down_to_the_legacy_api() {
    let stack = stack();
    let scim = stack.client(0);
    people(&scim, 8);
    for filter in [
        r#"userName eq "user06@example.com""#,
        r#"emails[type eq "work"].value eq "user06@example.com""#,
        r#"userName eq "user06@example.com" and title eq "Engineer""#,
    ] {
        let before = scim.legacy_calls("list_members");
        let reply = scim.get(&format!("/Users?filter={}", q(filter)));
        assert_eq!(reply.json["totalResults"], 1, "{filter}: {}", reply.text);
        assert_eq!(
            scim.legacy_calls("list_members") - before,
            1,
            "{filter} was not pushed down"
        );
    }
    // The lookup narrows, the filter still decides: the and-branch must hold too.
    let none = scim.get(&format!(
        "/Users?filter={}",
        q(r#"userName eq "user06@example.com" and title eq "Manager""#)
    ));
    assert_eq!(none.json["totalResults"], 0);
}

#[test]
fn filters_past_the_scan_cap_are_refused_with_a_pointer_to_the_fast_ones() {
    let stack = stack();
    let scim = stack.client(0);
    people(&scim, 21);
    let reply = scim.get(&format!("/Users?filter={}", q(r#"title eq "Engineer""#)));
    reply.assert_error(400, Some("tooMany"));
    let detail = reply.json["detail"].as_str().unwrap();
    assert!(
        detail.contains("userName") && detail.contains("externalId"),
        "{detail}"
    );
    scim.get("/Users?sortBy=userName")
        .assert_error(400, Some("tooMany"));
    // Lookups and plain paging still work at any size.
    let fast = scim.get(&format!(
        "/Users?filter={}",
        q(r#"userName eq "user20@example.com""#)
    ));
    assert_eq!(fast.json["totalResults"], 1);
    assert_eq!(scim.get("/Users?count=1").json["totalResults"], 21);
}

#[test]
fn sorting_orders_all_matches_before_paging() {
    let stack = stack();
    let scim = stack.client(0);
    let all = people(&scim, 6);
    let mut reversed = all.clone();
    reversed.reverse();
    let page = scim.get("/Users?sortBy=userName&sortOrder=descending&count=4");
    assert_eq!(page.status, 200, "{}", page.text);
    assert_eq!(ids(&page), reversed[..4].to_vec());
    let rest = scim.get("/Users?sortBy=userName&sortOrder=descending&startIndex=5");
    assert_eq!(ids(&rest), reversed[4..].to_vec());
    let filtered = scim.get(&format!(
        "/Users?filter={}&sortBy=displayName&sortOrder=descending",
        q(r#"title eq "Manager""#)
    ));
    assert_eq!(
        ids(&filtered),
        vec![all[5].clone(), all[3].clone(), all[1].clone()]
    );
    scim.get("/Users?sortBy=shoeSize")
        .assert_error(400, Some("invalidValue"));
    assert_eq!(
        scim.get("/ServiceProviderConfig").json["sort"]["supported"],
        true
    );
}

#[test]
fn search_by_post_has_the_same_semantics() {
    let stack = stack();
    let scim = stack.client(0);
    let all = people(&scim, 5);
    let search: Value = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "filter": "title eq \"Engineer\"",
        "startIndex": 2,
        "count": 1,
        "sortBy": "userName",
        "attributes": ["userName"]
    });
    for path in ["/Users/.search", "/.search"] {
        let reply = scim.post(path, &search);
        assert_eq!(reply.status, 200, "{path}: {}", reply.text);
        assert_eq!(reply.json["totalResults"], 3);
        assert_eq!(ids(&reply), vec![all[2].clone()]);
        assert!(reply.json["Resources"][0].get("name").is_none());
    }
    let bad = scim.post("/Users/.search", &json!({"filter": "title eq"}));
    bad.assert_error(400, Some("invalidFilter"));
}
