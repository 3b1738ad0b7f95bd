//! Request handling: authentication, routing, body and query parsing, and the route handlers.

use bytes::Bytes;
use http::request::Parts;
use http::{header, HeaderMap, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use serde_json::{json, Value};

use super::error::{json_response, ApiError};
use super::faults::{Controls, Outcome, Route};
use super::fields::{self, MemberInput};
use super::records::ListQuery;
use super::store::Store;

/// The largest request body the service reads.
const MAX_BODY_BYTES: usize = 1024 * 1024;

/// How much of an oversized body is read and discarded so that its 413 reaches the client.
const MAX_DRAIN_BYTES: usize = 8 * MAX_BODY_BYTES;

const DEFAULT_LIMIT: usize = 50;

const MAX_LIMIT: usize = 200;

/// The answer a handler gives: a response, or an instruction to hang up without one.
pub(crate) type Reply = Result<Response<Full<Bytes>>, ConnectionDropped>;

/// Tells the connection to close without a response, as an injected fault asks.
#[derive(Debug, thiserror::Error)]
#[error("connection dropped by an injected fault")]
pub(crate) struct ConnectionDropped;

/// The state behind one emulator: its token, its data and its test controls.
pub(crate) struct Service {
    token: String,
    store: Store,
    controls: Controls,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service")
            .field("token", &"...")
            .finish_non_exhaustive()
    }
}

/// Where a request goes once its method and path are understood.
#[derive(Clone, Copy)]
enum Target<'a> {
    Api {
        route: Route,
        org: &'a str,
        /// The member or session id in the path, empty on routes without one.
        id: &'a str,
    },
    AddFault,
    ClearFaults,
    Stats,
    Reset,
}

impl Service {
    /// Creates an empty service that accepts `token`.
    pub(crate) fn new(token: String) -> Self {
        Service {
            token,
            store: Store::default(),
            controls: Controls::default(),
        }
    }

    /// Answers one request.
    pub(crate) async fn handle(&self, request: Request<Incoming>) -> Reply {
        let (parts, body) = request.into_parts();
        if !self.authorized(&parts.headers) {
            return Ok(ApiError::Unauthorized.into_response());
        }
        let target = match resolve(&parts.method, parts.uri.path()) {
            Ok(target) => target,
            Err(error) => return Ok(error.into_response()),
        };
        let result = match target {
            Target::Api { route, org, id } => {
                if let Some(injection) = self.controls.on_call(route) {
                    if !injection.latency.is_zero() {
                        tokio::time::sleep(injection.latency).await;
                    }
                    match injection.outcome {
                        Outcome::Proceed => {}
                        Outcome::Fail(error) => return Ok(error.into_response()),
                        Outcome::Drop => return Err(ConnectionDropped),
                    }
                }
                self.api(route, org, id, &parts, body).await
            }
            Target::AddFault => read_json(&parts.headers, body)
                .await
                .and_then(|rule| self.controls.add_fault(rule))
                .map(|queued| json_response(StatusCode::CREATED, &json!({ "queued": queued }))),
            Target::ClearFaults => {
                let cleared = self.controls.clear_faults();
                Ok(json_response(
                    StatusCode::OK,
                    &json!({ "cleared": cleared }),
                ))
            }
            Target::Stats => Ok(json_response(StatusCode::OK, &self.controls.stats())),
            Target::Reset => {
                self.store.clear();
                self.controls.clear_faults();
                self.controls.clear_stats();
                Ok(no_content())
            }
        };
        Ok(result.unwrap_or_else(ApiError::into_response))
    }

    async fn api(
        &self,
        route: Route,
        org: &str,
        id: &str,
        parts: &Parts,
        body: Incoming,
    ) -> Result<Response<Full<Bytes>>, ApiError> {
        let store = &self.store;
        Ok(match route {
            Route::ListMembers => {
                let query = list_query(parts.uri.query())?;
                json_response(StatusCode::OK, &store.list_members(org, &query))
            }
            Route::GetMember => json_response(StatusCode::OK, &store.get_member(org, id)?),
            Route::CreateMember => {
                let input = MemberInput::parse(read_json(&parts.headers, body).await?)?;
                json_response(StatusCode::CREATED, &store.create_member(org, input)?)
            }
            Route::UpdateMember => {
                let expected = expected_version(&parts.headers)?;
                let input = MemberInput::parse(read_json(&parts.headers, body).await?)?;
                let member = store.update_member(org, id, input, expected)?;
                json_response(StatusCode::OK, &member)
            }
            Route::DeleteMember => {
                store.delete_member(org, id)?;
                no_content()
            }
            Route::ListSessions => {
                let sessions = store.list_sessions(org, id)?;
                json_response(StatusCode::OK, &json!({ "data": sessions }))
            }
            Route::RevokeSessions => {
                let revoked = store.revoke_sessions(org, id)?;
                json_response(StatusCode::OK, &json!({ "revoked": revoked }))
            }
            Route::SignIn => {
                let email = fields::sign_in_email(read_json(&parts.headers, body).await?)?;
                json_response(StatusCode::CREATED, &store.sign_in(org, &email)?)
            }
            Route::GetSession => json_response(StatusCode::OK, &store.get_session(org, id)?),
        })
    }

    fn authorized(&self, headers: &HeaderMap) -> bool {
        let Some(value) = headers.get(header::AUTHORIZATION) else {
            return false;
        };
        let value = value.as_bytes();
        let Some((scheme, token)) = value.split_at_checked(7) else {
            return false;
        };
        scheme.eq_ignore_ascii_case(b"bearer ") && constant_time_eq(token, self.token.as_bytes())
    }
}

/// Compares a presented token with the expected one in time that depends only on their lengths.
fn constant_time_eq(presented: &[u8], expected: &[u8]) -> bool {
    let mut difference = u8::from(presented.len() != expected.len());
    for (i, byte) in expected.iter().enumerate() {
        difference |= byte ^ presented.get(i).copied().unwrap_or(!byte);
    }
    difference == 0
}

fn resolve<'a>(method: &Method, path: &'a str) -> Result<Target<'a>, ApiError> {
    let segments: Vec<&str> = path.strip_prefix('/').unwrap_or(path).split('/').collect();
    let api = |org: &'a str, id: &'a str, allow, table: &[(Method, Route)]| {
        if !valid_org(org) {
            return Err(ApiError::NotFound("organisation not found"));
        }
        let route = pick(method, allow, table)?;
        Ok(Target::Api { route, org, id })
    };
    match segments.as_slice() {
        ["v1", "orgs", org, "members"] => api(
            org,
            "",
            "GET, POST",
            &[
                (Method::GET, Route::ListMembers),
                (Method::POST, Route::CreateMember),
            ],
        ),
        ["v1", "orgs", org, "members", id] => api(
            org,
            id,
            "GET, PATCH, DELETE",
            &[
                (Method::GET, Route::GetMember),
                (Method::PATCH, Route::UpdateMember),
                (Method::DELETE, Route::DeleteMember),
            ],
        ),
        ["v1", "orgs", org, "members", id, "sessions"] => api(
            org,
            id,
            "GET, DELETE",
            &[
                (Method::GET, Route::ListSessions),
                (Method::DELETE, Route::RevokeSessions),
            ],
        ),
        ["v1", "orgs", org, "sessions"] => api(org, "", "POST", &[(Method::POST, Route::SignIn)]),
        ["v1", "orgs", org, "sessions", id] => {
            api(org, id, "GET", &[(Method::GET, Route::GetSession)])
        }
        ["_emulator", "faults"] => pick(
            method,
            "POST, DELETE",
            &[
                (Method::POST, Target::AddFault),
                (Method::DELETE, Target::ClearFaults),
            ],
        ),
        ["_emulator", "stats"] => pick(method, "GET", &[(Method::GET, Target::Stats)]),
        ["_emulator", "reset"] => pick(method, "POST", &[(Method::POST, Target::Reset)]),
        _ => Err(ApiError::NotFound("no such route")),
    }
}

fn pick<T: Copy>(
    method: &Method,
    allow: &'static str,
    table: &[(Method, T)],
) -> Result<T, ApiError> {
    table
        .iter()
        .find(|(m, _)| m == method)
        .map(|(_, target)| *target)
        .ok_or(ApiError::MethodNotAllowed { allow })
}

fn valid_org(org: &str) -> bool {
    (1..=64).contains(&org.len())
        && org
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn list_query(query: Option<&str>) -> Result<ListQuery, ApiError> {
    let mut list = ListQuery {
        offset: 0,
        limit: DEFAULT_LIMIT,
        email: None,
        username: None,
        external_ref: None,
    };
    for (name, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match name.as_ref() {
            "offset" => list.offset = integer("offset", &value)?,
            "limit" => list.limit = integer("limit", &value)?.min(MAX_LIMIT),
            "email" => list.email = Some(value.into_owned()),
            "username" => list.username = Some(value.into_owned()),
            "external_ref" => list.external_ref = Some(value.into_owned()),
            // Like most services, this one ignores query parameters it does not know.
            _ => {}
        }
    }
    Ok(list)
}

fn integer(name: &'static str, value: &str) -> Result<usize, ApiError> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::field(name, "must be a non-negative integer"));
    }
    // Digits that overflow are still a valid request for "everything from far away".
    Ok(value.parse().unwrap_or(usize::MAX))
}

/// Reads the version from `If-Match`, accepting `7`, `"7"` and `W/"7"`; `*` matches any.
fn expected_version(headers: &HeaderMap) -> Result<Option<u64>, ApiError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or_default().trim();
    if text == "*" {
        return Ok(None);
    }
    let text = text.strip_prefix("W/").unwrap_or(text);
    let text = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text);
    text.parse()
        .map(Some)
        .map_err(|_| ApiError::field("If-Match", "must hold a member version"))
}

async fn read_json(headers: &HeaderMap, mut body: Incoming) -> Result<Value, ApiError> {
    let too_large = ApiError::PayloadTooLarge {
        limit: MAX_BODY_BYTES,
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|length| length > MAX_DRAIN_BYTES) {
        return Err(too_large);
    }
    let mut bytes = Vec::with_capacity(declared.unwrap_or(0).min(MAX_BODY_BYTES));
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            return Err(ApiError::InvalidJson("the body could not be read".into()));
        };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        seen = seen.saturating_add(data.len());
        // An oversized body is still read to its end, up to a bound, before the 413 goes out:
        // closing a socket with unread input makes the kernel reset the connection, and the
        // client would then lose the answer that explains why.
        if seen > MAX_DRAIN_BYTES {
            return Err(too_large);
        }
        if seen <= MAX_BODY_BYTES {
            bytes.extend_from_slice(&data);
        }
    }
    if seen > MAX_BODY_BYTES {
        return Err(too_large);
    }
    serde_json::from_slice(&bytes).map_err(|error| ApiError::InvalidJson(error.to_string()))
}

fn no_content() -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = StatusCode::NO_CONTENT;
    response
}
