//! The `/Users` resource endpoints: create, read, replace, patch and deprovision.
//!
//! Writes always start from a fresh read of the member and go to the legacy API with
//! `If-Match` on the version read, so concurrent changes are never silently lost. Whenever a
//! write leaves the user inactive, all their sessions are revoked before success is reported.

use crate::legacy::{LegacyError, Member};
use crate::mapping::Mapping;
use crate::scim::error::{ScimError, ScimType};
use crate::scim::normalize::normalize_resource;
use crate::scim::patch;
use crate::scim::projection::Projection;
use crate::scim::schema::{ENTERPRISE_SCHEMA, USER_SCHEMA};
use crate::server::handler::Context;
use crate::server::response::{ApiError, ScimResponse};
use http::{header, HeaderMap, StatusCode};
use serde_json::{json, Map, Value};

/// How many times a write is tried when the member keeps changing under it.
const WRITE_ATTEMPTS: u32 = 5;

/// `GET /Users/{id}`.
pub(crate) async fn get(cx: &Context<'_>, id: &str) -> Result<ScimResponse, ApiError> {
    let projection = projection(cx)?;
    let fetch = cx
        .app
        .legacy
        .get(&cx.tenant.org, id, &cx.request.request_id);
    let member = cx
        .app
        .cache
        .get_or_fetch(cx.tenant_name, id, fetch)
        .await
        .map_err(|e| not_found(e, id))?;
    let mut resource = resource(cx, &member);
    let etag = etag(cx, &member);
    if let (Some(tag), Some(wanted)) = (
        &etag,
        header_text(&cx.request.headers, header::IF_NONE_MATCH),
    ) {
        if tag_matches(&wanted, tag) {
            return Ok(ScimResponse::empty(StatusCode::NOT_MODIFIED).with_header(header::ETAG, tag));
        }
    }
    projection.apply(&mut resource, cx.snapshot.config.mapping.schema());
    Ok(with_etag(
        ScimResponse::json(StatusCode::OK, resource),
        etag,
    ))
}

/// `POST /Users`.
pub(crate) async fn create(cx: &Context<'_>) -> Result<ScimResponse, ApiError> {
    let body = cx.json_body()?;
    let resource = input_resource(cx, &body)?;
    check_storable(cx, &resource)?;
    let mapping = &cx.snapshot.config.mapping;
    let mut fields = mapping.to_legacy(&resource);
    let active = mapping.active_field();
    if let Some((on, _)) = &active.booleans {
        fields
            .entry(active.legacy.clone())
            .or_insert_with(|| Value::String(on.clone()));
    }
    if let Some(missing) = mapping.missing_required(&fields) {
        return Err(invalid(
            ScimType::InvalidValue,
            &format!("{missing} is required"),
        ));
    }
    let member = cx
        .app
        .legacy
        .create(&cx.tenant.org, fields, &cx.request.request_id)
        .await?;
    let id = cx
        .app
        .legacy
        .id_of(&member)
        .ok_or_else(|| LegacyError::BadResponse("the created member has no id".to_owned()))?
        .to_owned();
    tracing::info!(user = %id, "user created");
    cx.app.cache.put(cx.tenant_name, &id, member.clone()).await;
    let etag = etag(cx, &member);
    let response = ScimResponse::json(StatusCode::CREATED, resource_for_reply(cx, &member)?)
        .with_header(header::LOCATION, cx.user_location(&id));
    Ok(with_etag(response, etag))
}

/// `PUT /Users/{id}`: replaces every mapped attribute; absent ones are cleared, except
/// `active`, which keeps its value when the client leaves it out.
pub(crate) async fn replace(cx: &Context<'_>, id: &str) -> Result<ScimResponse, ApiError> {
    let body = cx.json_body()?;
    let input = input_resource(cx, &body)?;
    write(cx, id, |before| {
        let mut after = input.clone();
        if after.get("active").is_none() {
            if let Some(active) = before.get("active") {
                after["active"] = active.clone();
            }
        }
        Ok(after)
    })
    .await
}

/// `PATCH /Users/{id}`: applies every operation to a copy, then sends one legacy update.
pub(crate) async fn patch(cx: &Context<'_>, id: &str) -> Result<ScimResponse, ApiError> {
    let body = cx.json_body()?;
    let operations = patch::parse_request(&body)?;
    let schema = cx.snapshot.config.mapping.schema();
    let profile = cx.tenant.profile;
    write(cx, id, |before| {
        let mut after = before.clone();
        for note in patch::apply(&mut after, &operations, schema, profile)? {
            tracing::debug!(normalization = %note.0, "tolerated client deviation");
        }
        Ok(after)
    })
    .await
}

/// `DELETE /Users/{id}`: suspend, revoke every session, then remove.
///
/// Each step is idempotent. When one fails the reply is 503 with `Retry-After`: the IdP
/// retries, the steps already done stay done, and no success is reported while a session
/// may still be alive.
pub(crate) async fn delete(cx: &Context<'_>, id: &str) -> Result<ScimResponse, ApiError> {
    let (org, rid) = (&cx.tenant.org, &cx.request.request_id);
    let legacy = &cx.app.legacy;
    cx.app.cache.invalidate(cx.tenant_name, id).await;
    let step = |step: &'static str| move |source| ApiError::Deprovision { step, source };
    let member = match legacy.get(org, id, rid).await {
        Ok(member) => member,
        Err(LegacyError::NotFound) => {
            // The member may have been removed outside this sidecar with sessions left
            // behind. Their sessions are ended all the same; only when that is done, or the
            // session API has never heard of the id, is the answer 404.
            return match legacy.revoke_sessions(org, id, rid).await {
                Ok(()) | Err(LegacyError::NotFound) => Err(not_found(LegacyError::NotFound, id)),
                Err(e) => Err(step("revoke sessions")(e)),
            };
        }
        Err(e) => return Err(e.into()),
    };
    check_if_match(cx, &member)?;
    if Mapping::is_active(&resource(cx, &member)) {
        match legacy.update(org, id, suspend_fields(cx), None, rid).await {
            Ok(_) | Err(LegacyError::NotFound) => {}
            Err(e) => return Err(step("suspend")(e)),
        }
    }
    // Only a confirmed revocation counts. A 404 here, for a member that was just read, means
    // the session API does not know the member (a wrong `sessions_path`, say); reporting
    // success would leave their sessions alive.
    legacy
        .revoke_sessions(org, id, rid)
        .await
        .map_err(step("revoke sessions"))?;
    match legacy.delete(org, id, rid).await {
        Ok(()) | Err(LegacyError::NotFound) => {}
        Err(e) => return Err(step("remove")(e)),
    }
    cx.app.cache.invalidate(cx.tenant_name, id).await;
    tracing::info!(user = %id, "user deprovisioned: suspended, sessions revoked, removed");
    Ok(ScimResponse::empty(StatusCode::NO_CONTENT))
}

/// The read-modify-write shared by PUT and PATCH.
///
/// `change` turns the current resource into the desired one. When the legacy API reports
/// that the member changed in between and the client did not pin a version itself, the
/// member is read again and the change applied again, a few times with a short pause; a
/// client that did not ask for a version check must not be refused for one. If the member
/// keeps changing, the answer is 503 with `Retry-After`.
async fn write<F>(cx: &Context<'_>, id: &str, change: F) -> Result<ScimResponse, ApiError>
where
    F: Fn(&Value) -> Result<Value, ApiError>,
{
    let (org, rid) = (&cx.tenant.org, &cx.request.request_id);
    let legacy = &cx.app.legacy;
    let mapping = &cx.snapshot.config.mapping;
    let pinned = header_text(&cx.request.headers, header::IF_MATCH).is_some();
    let mut attempt = 0;
    let member = loop {
        attempt += 1;
        let member = legacy
            .get(org, id, rid)
            .await
            .map_err(|e| not_found(e, id))?;
        check_if_match(cx, &member)?;
        let before = resource(cx, &member);
        let after = change(&before)?;
        check_storable(cx, &after)?;
        if let Some(missing) = mapping.missing_required(&mapping.to_legacy(&after)) {
            return Err(invalid(
                ScimType::InvalidValue,
                &format!("{missing} is required"),
            ));
        }
        let fields = mapping.diff(&before, &after);
        if fields.is_empty() {
            break member;
        }
        cx.app.cache.invalidate(cx.tenant_name, id).await;
        let version = legacy.version_of(&member);
        match legacy
            .update(org, id, fields, version.as_deref(), rid)
            .await
        {
            Ok(updated) => break updated,
            Err(LegacyError::VersionMismatch) if pinned => {
                return Err(LegacyError::VersionMismatch.into())
            }
            Err(LegacyError::VersionMismatch) if attempt < WRITE_ATTEMPTS => {
                let pause = 10 * u64::from(attempt) + rand::random_range(0..20u64);
                tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
                continue;
            }
            Err(LegacyError::VersionMismatch) => return Err(ApiError::Contended),
            Err(LegacyError::NotFound) => return Err(not_found(LegacyError::NotFound, id)),
            Err(e) => return Err(e.into()),
        }
    };
    cx.app.cache.invalidate(cx.tenant_name, id).await;
    if !Mapping::is_active(&resource(cx, &member)) {
        // A suspended user must have no live session, whether this request suspended them
        // or an earlier one did and its revocation failed.
        legacy
            .revoke_sessions(org, id, rid)
            .await
            .map_err(|source| ApiError::Deprovision {
                step: "revoke sessions",
                source,
            })?;
        tracing::info!(user = %id, "user updated and inactive: sessions revoked");
    } else {
        tracing::info!(user = %id, "user updated");
    }
    let etag = etag(cx, &member);
    Ok(with_etag(
        ScimResponse::json(StatusCode::OK, resource_for_reply(cx, &member)?),
        etag,
    ))
}

/// The SCIM resource of a member, with `schemas`, `id` and `meta`.
pub(crate) fn resource(cx: &Context<'_>, member: &Member) -> Value {
    let api = cx.app.legacy.api();
    let id = cx.app.legacy.id_of(member).unwrap_or_default();
    let attributes = cx.snapshot.config.mapping.to_scim(member);
    let mut schemas = vec![USER_SCHEMA];
    if attributes.contains_key(ENTERPRISE_SCHEMA) {
        schemas.push(ENTERPRISE_SCHEMA);
    }
    let mut out = Map::new();
    out.insert("schemas".into(), json!(schemas));
    out.insert("id".into(), json!(id));
    out.extend(attributes);
    let mut meta = Map::new();
    meta.insert("resourceType".into(), json!("User"));
    for (name, field) in [
        ("created", &api.created_field),
        ("lastModified", &api.updated_field),
    ] {
        if let Some(value) = member.get(field).filter(|v| v.is_string()) {
            meta.insert(name.into(), value.clone());
        }
    }
    meta.insert("location".into(), json!(cx.user_location(id)));
    if let Some(version) = cx.app.legacy.version_of(member) {
        meta.insert("version".into(), json!(weak_tag(&version)));
    }
    out.insert("meta".into(), Value::Object(meta));
    Value::Object(out)
}

/// The resource as returned by a write, shaped by `attributes`/`excludedAttributes` if given.
fn resource_for_reply(cx: &Context<'_>, member: &Member) -> Result<Value, ApiError> {
    let mut resource = resource(cx, member);
    projection(cx)?.apply(&mut resource, cx.snapshot.config.mapping.schema());
    Ok(resource)
}

fn projection(cx: &Context<'_>) -> Result<Projection, ApiError> {
    let attributes = cx.query("attributes");
    let excluded = cx.query("excludedAttributes");
    Ok(Projection::parse(
        attributes.as_deref(),
        excluded.as_deref(),
        cx.snapshot.config.mapping.schema(),
    )?)
}

/// Refuses a resource the legacy member cannot hold as given: values that have no mapped
/// place, and control characters, which no directory value legitimately contains.
fn check_storable(cx: &Context<'_>, resource: &Value) -> Result<(), ApiError> {
    cx.snapshot
        .config
        .mapping
        .check_storable(resource)
        .map_err(|detail| invalid(ScimType::InvalidValue, &detail))?;
    match control_character_at(resource, "") {
        Some(at) => Err(invalid(
            ScimType::InvalidValue,
            &format!("{at} contains a control character"),
        )),
        None => Ok(()),
    }
}

/// The path of the first string holding a control character other than tab and line breaks.
fn control_character_at(value: &Value, at: &str) -> Option<String> {
    match value {
        Value::String(text) => text
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
            .then(|| at.trim_start_matches('.').to_owned()),
        Value::Array(items) => items.iter().find_map(|v| control_character_at(v, at)),
        Value::Object(map) => map
            .iter()
            .find_map(|(k, v)| control_character_at(v, &format!("{at}.{k}"))),
        _ => None,
    }
}

/// Validates and normalises a POST or PUT body into a resource with canonical names.
fn input_resource(cx: &Context<'_>, body: &Value) -> Result<Value, ApiError> {
    let Value::Object(object) = body else {
        return Err(invalid(
            ScimType::InvalidSyntax,
            "The request body must be a JSON object",
        ));
    };
    if let Some(schemas) = object
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("schemas"))
        .map(|(_, v)| v)
    {
        let listed = schemas.as_array().is_some_and(|list| {
            list.iter().any(|s| {
                s.as_str()
                    .is_some_and(|s| s.eq_ignore_ascii_case(USER_SCHEMA))
            })
        });
        if !listed {
            return Err(invalid(
                ScimType::InvalidSyntax,
                &format!("schemas must be an array that includes {USER_SCHEMA}"),
            ));
        }
    }
    let schema = cx.snapshot.config.mapping.schema();
    let (resource, notes) = normalize_resource(body, schema, cx.tenant.profile)?;
    for note in notes {
        tracing::debug!(normalization = %note.0, "tolerated client deviation");
    }
    match resource.get("userName") {
        Some(Value::String(name)) if !name.trim().is_empty() => Ok(resource),
        _ => Err(invalid(
            ScimType::InvalidValue,
            "userName is required and must be a non-empty string",
        )),
    }
}

fn suspend_fields(cx: &Context<'_>) -> Map<String, Value> {
    let active = cx.snapshot.config.mapping.active_field();
    let mut fields = Map::new();
    if let Some((_, off)) = &active.booleans {
        fields.insert(active.legacy.clone(), Value::String(off.clone()));
    }
    fields
}

/// Refuses the request with 412 when the client's `If-Match` names another version.
fn check_if_match(cx: &Context<'_>, member: &Member) -> Result<(), ApiError> {
    let Some(wanted) = header_text(&cx.request.headers, header::IF_MATCH) else {
        return Ok(());
    };
    let current = etag(cx, member).unwrap_or_default();
    if tag_matches(&wanted, &current) {
        return Ok(());
    }
    Err(ScimError::new(
        StatusCode::PRECONDITION_FAILED,
        None,
        format!("The user is now at version {current}; read it again and retry"),
    )
    .into())
}

fn etag(cx: &Context<'_>, member: &Member) -> Option<String> {
    cx.app.legacy.version_of(member).map(|v| weak_tag(&v))
}

fn weak_tag(version: &str) -> String {
    format!("W/\"{version}\"")
}

/// Whether an `If-Match` or `If-None-Match` list names this tag; weak and strong forms of
/// the same version match, and `*` matches anything.
fn tag_matches(list: &str, tag: &str) -> bool {
    let bare = |t: &str| {
        t.trim()
            .trim_start_matches("W/")
            .trim_matches('"')
            .to_owned()
    };
    let tag = bare(tag);
    list.split(',').any(|t| t.trim() == "*" || bare(t) == tag)
}

fn header_text(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn with_etag(response: ScimResponse, etag: Option<String>) -> ScimResponse {
    match etag {
        Some(tag) => response.with_header(header::ETAG, tag),
        None => response,
    }
}

fn not_found(error: LegacyError, id: &str) -> ApiError {
    match error {
        LegacyError::NotFound => ScimError::not_found(format!("User {id} not found")).into(),
        other => other.into(),
    }
}

fn invalid(scim_type: ScimType, detail: &str) -> ApiError {
    ScimError::bad_request(scim_type, detail).into()
}

#[cfg(test)]
mod tests {
    use super::tag_matches;

    #[test]
    fn entity_tags_match_in_weak_strong_and_wildcard_forms() {
        let cases = [
            ("W/\"3\"", "W/\"3\"", true),
            ("\"3\"", "W/\"3\"", true),
            ("W/\"2\", W/\"3\"", "W/\"3\"", true),
            ("*", "W/\"3\"", true),
            ("W/\"2\"", "W/\"3\"", false),
            ("", "W/\"3\"", false),
        ];
        for (list, tag, expected) in cases {
            assert_eq!(tag_matches(list, tag), expected, "{list} vs {tag}");
        }
    }
}
