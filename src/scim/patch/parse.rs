//! Reading a PATCH request body (RFC 7644 §3.5.2) into a list of operations.

use serde_json::{Map, Value};

use super::{PatchOpKind, PatchOperation, MAX_OPERATIONS, PATCH_OP_SCHEMA};
use crate::scim::error::{ScimError, ScimType};
use crate::scim::filter::parse_path;

/// Parses a PATCH body; see [`super::parse_request`] for the contract.
pub(super) fn parse_request(body: &Value) -> Result<Vec<PatchOperation>, ScimError> {
    let Value::Object(body) = body else {
        return Err(syntax("the PATCH body must be a JSON object"));
    };

    // A missing `schemas` is tolerated because some clients leave it out, but one that is
    // present must name the PatchOp message, or the body is probably not a PATCH at all.
    if let Some(schemas) = member(body, "schemas") {
        let names_patch_op = schemas.as_array().is_some_and(|list| {
            list.iter().any(|s| {
                s.as_str()
                    .is_some_and(|s| s.eq_ignore_ascii_case(PATCH_OP_SCHEMA))
            })
        });
        if !names_patch_op {
            return Err(syntax(format!("schemas must contain {PATCH_OP_SCHEMA}")));
        }
    }

    let operations = match member(body, "Operations") {
        Some(Value::Array(list)) if !list.is_empty() => list,
        Some(Value::Array(_)) => return Err(syntax("Operations must not be empty")),
        Some(_) => return Err(syntax("Operations must be an array")),
        None => return Err(syntax("the PATCH body has no Operations")),
    };
    if operations.len() > MAX_OPERATIONS {
        return Err(ScimError::new(
            http::StatusCode::PAYLOAD_TOO_LARGE,
            None,
            format!("a PATCH request may carry at most {MAX_OPERATIONS} operations"),
        ));
    }

    operations
        .iter()
        .enumerate()
        .map(|(index, raw)| {
            parse_operation(raw).map_err(|mut e| {
                e.detail = format!("operation {}: {}", index + 1, e.detail);
                e
            })
        })
        .collect()
}

fn parse_operation(raw: &Value) -> Result<PatchOperation, ScimError> {
    let Value::Object(raw) = raw else {
        return Err(syntax("an operation must be a JSON object"));
    };
    let op = match member(raw, "op") {
        Some(Value::String(op)) => op,
        Some(_) => return Err(syntax("op must be a string")),
        None => return Err(syntax("op is missing")),
    };
    let op = match op.to_ascii_lowercase().as_str() {
        "add" => PatchOpKind::Add,
        "replace" => PatchOpKind::Replace,
        "remove" => PatchOpKind::Remove,
        _ => {
            return Err(syntax(format!(
                "unknown op {op:?}, expected add, replace or remove"
            )))
        }
    };
    let path = match member(raw, "path") {
        None | Some(Value::Null) => None,
        Some(Value::String(path)) => Some(parse_path(path).map_err(|e| {
            ScimError::bad_request(ScimType::InvalidPath, format!("invalid path: {e}"))
        })?),
        Some(_) => return Err(syntax("path must be a string")),
    };

    // A `"value": null` is kept: RFC 7643 §2.5 makes null the same as unassigned, so it clears
    // the target. Only a value that is missing altogether is a syntax error.
    let value = member(raw, "value").cloned();
    if value.is_none() && op != PatchOpKind::Remove {
        return Err(syntax(format!("{} requires a value", op.as_str())));
    }
    Ok(PatchOperation { op, path, value })
}

/// The member whose name matches `name` without regard to case, preferring an exact match.
fn member<'a>(object: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    object.get(name).or_else(|| {
        object
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value)
    })
}

fn syntax(detail: impl Into<String>) -> ScimError {
    ScimError::bad_request(ScimType::InvalidSyntax, detail)
}
