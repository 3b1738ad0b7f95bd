//! Deprovisioning proven end to end: a signed-in user is logged out everywhere and cannot sign
//! in again after every deprovisioning shape, and no failure is ever hidden behind a success.

mod common;

use common::{Client, Options, Stack, USER};
use serde_json::{json, Value};

fn stack() -> Stack {
    Stack::start(Options {
        retries: 1,
        ..Options::default()
    })
}

/// Creates a user and signs them in twice; returns the id, e-mail and session ids.
fn signed_in(scim: &Client, name: &str) -> (String, String, Vec<String>) {
    let id = scim.create_user(&common::user(name));
    let email = format!("{name}@example.com");
    let sessions: Vec<String> = (0..2)
        .map(|_| {
            let session = scim.sign_in(&email);
            assert_eq!(session.status, 201, "{}", session.text);
            session.json["id"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(scim.sessions(&id).len(), 2);
    (id, email, sessions)
}

fn assert_logged_out(scim: &Client, id: &str, sessions: &[String]) {
    assert!(
        scim.sessions(id).is_empty(),
        "sessions left behind a success reply"
    );
    for session in sessions {
        assert!(
            !scim.session_alive(session),
            "session {session} is still live"
        );
    }
}

#[test]
fn delete_suspends_revokes_every_session_and_removes() {
    let stack = stack();
    let scim = stack.client(0);
    let (id, email, sessions) = signed_in(&scim, "leaver");
    let reply = scim.delete(&format!("/Users/{id}"));
    assert_eq!(reply.status, 204, "{}", reply.text);
    assert_logged_out(&scim, &id, &sessions);
    assert_eq!(
        scim.sign_in(&email).status,
        404,
        "a removed member must not sign in"
    );
    assert_eq!(scim.member(&id).status, 404);
    scim.get(&format!("/Users/{id}")).assert_error(404, None);
    // A repeated DELETE is 404, and nothing comes back to life.
    scim.delete(&format!("/Users/{id}")).assert_error(404, None);
}

/// One way an identity provider deactivates a user.
type Deactivation = dyn Fn(&Client, &str) -> common::Reply;

#[test]
fn every_deactivation_shape_logs_the_user_out_and_blocks_sign_in() {
    let stack = stack();
    let scim = stack.client(0);
    let shapes: Vec<(&str, Box<Deactivation>)> = vec![
        (
            "patch path boolean",
            Box::new(|s, id| {
                s.patch(
                    &format!("/Users/{id}"),
                    json!([{"op": "replace", "path": "active", "value": false}]),
                )
            }),
        ),
        (
            "patch path string False",
            Box::new(|s, id| {
                s.patch(
                    &format!("/Users/{id}"),
                    json!([{"op": "Replace", "path": "active", "value": "False"}]),
                )
            }),
        ),
        (
            "patch pathless",
            Box::new(|s, id| {
                s.patch(
                    &format!("/Users/{id}"),
                    json!([{"op": "replace", "value": {"active": false}}]),
                )
            }),
        ),
        (
            "patch pathless string",
            Box::new(|s, id| {
                s.patch(
                    &format!("/Users/{id}"),
                    json!([{"op": "replace", "value": {"active": "false"}}]),
                )
            }),
        ),
        (
            "put active false",
            Box::new(|s, id| {
                let mut user = s.get(&format!("/Users/{id}")).json;
                user["active"] = json!(false);
                s.put(&format!("/Users/{id}"), &user)
            }),
        ),
    ];
    for (i, (shape, deactivate)) in shapes.iter().enumerate() {
        let (id, email, sessions) = signed_in(&scim, &format!("deactivated{i}"));
        let reply = deactivate(&scim, &id);
        assert_eq!(reply.status, 200, "{shape}: {}", reply.text);
        assert_eq!(reply.json["active"], false, "{shape}");
        assert_logged_out(&scim, &id, &sessions);
        let refused = scim.sign_in(&email);
        assert_eq!(
            refused.status, 403,
            "{shape}: a suspended member must not sign in"
        );
        // Still there, inactive, for the IdP to read back.
        assert_eq!(
            scim.get(&format!("/Users/{id}")).json["active"],
            false,
            "{shape}"
        );

        // Reactivation lets the user sign in again.
        let back = scim.patch(
            &format!("/Users/{id}"),
            json!([{"op": "replace", "path": "active", "value": true}]),
        );
        assert_eq!(back.json["active"], true, "{shape}");
        assert_eq!(scim.sign_in(&email).status, 201, "{shape}");
    }
}

#[test]
fn a_failed_session_revocation_is_never_reported_as_success() {
    let stack = stack();
    let scim = stack.client(0);
    let (id, email, sessions) = signed_in(&scim, "stuck");
    // Every attempt to revoke fails, retries included.
    scim.fault(json!({"route": "revoke_sessions", "status": 500, "times": 10}));
    let reply = scim.delete(&format!("/Users/{id}"));
    scim.clear_faults();
    reply.assert_error(503, None);
    assert!(reply.header("retry-after").is_some());
    // The suspension that was done stays done: no new sign-in, and the member is not removed
    // while a session may still be live.
    assert_eq!(scim.sign_in(&email).status, 403);
    assert_eq!(scim.member(&id).status, 200);
    assert!(
        sessions.iter().all(|s| scim.session_alive(s)),
        "the test needs live sessions here"
    );

    // The IdP retries and the deprovisioning completes.
    let retried = scim.delete(&format!("/Users/{id}"));
    assert_eq!(retried.status, 204, "{}", retried.text);
    assert_logged_out(&scim, &id, &sessions);
    assert_eq!(scim.member(&id).status, 404);
}

#[test]
fn a_failed_revocation_after_deactivation_is_retried_by_the_next_request() {
    let stack = stack();
    let scim = stack.client(0);
    let (id, _email, sessions) = signed_in(&scim, "half-done");
    scim.fault(json!({"route": "revoke_sessions", "status": 503, "times": 10}));
    let reply = scim.patch(
        &format!("/Users/{id}"),
        json!([{"op": "replace", "path": "active", "value": false}]),
    );
    scim.clear_faults();
    reply.assert_error(503, None);
    assert_eq!(scim.member(&id).json["status"], "suspended");

    // The retried PATCH changes nothing in the member but still ends the sessions.
    let retried = scim.patch(
        &format!("/Users/{id}"),
        json!([{"op": "replace", "path": "active", "value": false}]),
    );
    assert_eq!(retried.status, 200, "{}", retried.text);
    assert_logged_out(&scim, &id, &sessions);
}

#[test]
fn a_transient_revocation_failure_is_retried_within_the_request() {
    let stack = stack();
    let scim = stack.client(0);
    let (id, _email, sessions) = signed_in(&scim, "flaky");
    // One failure; the client retries idempotent calls once in this stack.
    scim.fault(json!({"route": "revoke_sessions", "status": 503, "times": 1}));
    let reply = scim.delete(&format!("/Users/{id}"));
    scim.clear_faults();
    assert_eq!(reply.status, 204, "{}", reply.text);
    assert_logged_out(&scim, &id, &sessions);
}

#[test]
fn a_failed_suspension_leaves_the_user_untouched_and_asks_for_a_retry() {
    let stack = stack();
    let scim = stack.client(0);
    let (id, email, _sessions) = signed_in(&scim, "unsuspended");
    scim.fault(json!({"route": "update_member", "status": 500, "times": 1}));
    let reply = scim.delete(&format!("/Users/{id}"));
    scim.clear_faults();
    reply.assert_error(503, None);
    assert_eq!(scim.member(&id).json["status"], "active");
    assert_eq!(scim.delete(&format!("/Users/{id}")).status, 204);
    assert_eq!(scim.sign_in(&email).status, 404);
}

#[test]
fn creating_an_inactive_user_gives_no_access() {
    let stack = stack();
    let scim = stack.client(0);
    let mut body: Value = common::user("born-inactive");
    body["active"] = json!(false);
    body["schemas"] = json!([USER]);
    let id = scim.create_user(&body);
    assert_eq!(scim.member(&id).json["status"], "suspended");
    assert_eq!(scim.sign_in("born-inactive@example.com").status, 403);
}

#[test]
fn a_session_api_that_does_not_know_the_member_is_a_failure_not_a_success() {
    let stack = stack();
    let scim = stack.client(0);
    let (id, _email, sessions) = signed_in(&scim, "misrouted");
    // A 404 from the session API for a member that exists (a wrong sessions_path, say).
    scim.fault(json!({"route": "revoke_sessions", "status": 404, "times": 10}));
    let reply = scim.delete(&format!("/Users/{id}"));
    scim.clear_faults();
    reply.assert_error(503, None);
    assert!(sessions.iter().all(|s| scim.session_alive(s)));
    assert_eq!(
        scim.member(&id).status,
        200,
        "not removed while sessions may be live"
    );
    assert_eq!(scim.delete(&format!("/Users/{id}")).status, 204);
    assert_logged_out(&scim, &id, &sessions);
}

#[test]
fn deleting_a_member_removed_elsewhere_still_ends_their_sessions() {
    let stack = stack();
    let scim = stack.client(0);
    let (id, _email, sessions) = signed_in(&scim, "removed-elsewhere");
    // The company's own tooling removed the member but left the sessions.
    let removed = scim.legacy(
        "DELETE",
        &format!("/v1/orgs/{}/members/{id}", scim.org),
        None,
    );
    assert_eq!(removed.status, 204);
    assert!(sessions.iter().all(|s| scim.session_alive(s)));

    // If ending them fails, the IdP must hear that and retry, not a 404 it takes as done.
    scim.fault(json!({"route": "revoke_sessions", "status": 503, "times": 10}));
    let failed = scim.delete(&format!("/Users/{id}"));
    scim.clear_faults();
    failed.assert_error(503, None);

    scim.delete(&format!("/Users/{id}")).assert_error(404, None);
    assert_logged_out(&scim, &id, &sessions);
}

#[test]
fn a_deactivation_racing_other_changes_still_suspends_and_logs_out() {
    let stack = stack();
    let scim = stack.client(0);
    let (id, email, sessions) = signed_in(&scim, "racing");
    let path = format!("/Users/{id}");
    let handles: Vec<_> = (0..6)
        .map(|i| {
            let (scim, path) = (scim.clone(), path.clone());
            std::thread::spawn(move || {
                let operation = match i {
                    3 => json!({"op": "replace", "value": {"active": false}}),
                    _ => json!({"op": "replace", "path": "title", "value": format!("t{i}")}),
                };
                scim.patch(&path, json!([operation])).status
            })
        })
        .collect();
    let statuses: Vec<u16> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(scim.member(&id).json["status"], "suspended");
    assert_logged_out(&scim, &id, &sessions);
    assert_eq!(scim.sign_in(&email).status, 403);
}

#[test]
fn a_failed_suspension_by_patch_asks_for_a_retry() {
    let stack = stack();
    let scim = stack.client(0);
    let (id, _email, sessions) = signed_in(&scim, "unsuspendable");
    scim.fault(json!({"route": "update_member", "status": 500, "times": 5}));
    let reply = scim.patch(
        &format!("/Users/{id}"),
        json!([{"op": "replace", "path": "active", "value": false}]),
    );
    scim.clear_faults();
    assert!(reply.status >= 500, "{}", reply.text);
    assert!(
        reply.header("retry-after").is_some(),
        "a failed deactivation must ask for a retry"
    );
    assert_eq!(scim.member(&id).json["status"], "active");
    let retried = scim.patch(
        &format!("/Users/{id}"),
        json!([{"op": "replace", "path": "active", "value": false}]),
    );
    assert_eq!(retried.status, 200, "{}", retried.text);
    assert_logged_out(&scim, &id, &sessions);
}
