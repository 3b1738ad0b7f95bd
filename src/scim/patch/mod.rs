//! The SCIM PATCH engine (RFC 7644 §3.5.2): parsing a PatchOp body and applying it to a resource.
//!
//! The engine is strict where the RFC is clear (atomic requests, mutability, unknown attributes,
//! value types) and tolerant where the identity providers we serve deviate from it:
//!
//! - `op` values and member names are matched without regard to case (Entra sends `Replace`).
//! - `add` on a single-valued attribute replaces it, because Entra sends `Add` for values that
//!   already exist.
//! - Booleans sent as strings (`"False"`) are coerced, and Entra's bare-string enterprise
//!   `manager` becomes `{"value": id}`; an empty manager id clears the manager.
//! - `add` or `replace` through a value filter of the form `attr[type eq "X"].sub` that matches
//!   nothing appends `{"type": "X", "sub": value}` instead of failing with `noTarget`, which is
//!   how Entra and Okta set a work e-mail or mobile number a user does not have yet.
//! - `remove` through a value filter that matches nothing succeeds without change. RFC 7644
//!   §3.12 would answer `noTarget`, but the state the client asked for already holds, and a
//!   client retrying a remove after a timeout must not be told it failed.
//! - Keys of a pathless value object may be dotted (`name.givenName`), URN-qualified
//!   (`urn:...:User:employeeNumber`) or an extension URN holding an object of its attributes.
//! - `schemas` inside a pathless value is ignored; a read-only attribute inside a pathless value
//!   is ignored when it equals the current value, so echoing `id` back is harmless.
//!
//! Decisions where the RFC leaves room:
//!
//! - Removing a required attribute (`userName`) fails with 400 `invalidValue`, the keyword RFC
//!   7644 §3.12 gives for "a required value was missing".
//! - A `path` of `schemas` fails with 400 `mutability`: the service provider maintains
//!   `schemas` itself, adding and removing extension URNs as extension attributes come and go.
//! - Removing an attribute that has no value succeeds without change.
//! - `"value": null` on add or replace clears the target (RFC 7643 §2.5: null is unassigned).
//! - After every operation a multi-valued attribute has at most one `primary: true`: the value
//!   the operation made primary wins and the others get `primary: false`.

mod apply;
mod parse;
mod target;
mod values;

#[cfg(test)]
mod tests;

use serde_json::Value;

use crate::scim::error::ScimError;
use crate::scim::filter::PatchPath;
use crate::scim::normalize::Normalization;
use crate::scim::profile::IdpProfile;
use crate::scim::schema::ResourceSchema;

/// The URN a PATCH body's `schemas` member must contain when it is present.
pub const PATCH_OP_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// The most operations one PATCH request may carry; more is answered with 413.
///
/// Identity providers send a handful per request; the cap bounds the work one request can cause.
pub const MAX_OPERATIONS: usize = 1000;

/// The kind of a PATCH operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchOpKind {
    /// Add values, or set a single value.
    Add,
    /// Replace values.
    Replace,
    /// Remove values.
    Remove,
}

impl PatchOpKind {
    /// The lowercase keyword of RFC 7644 §3.5.2.
    pub fn as_str(self) -> &'static str {
        match self {
            PatchOpKind::Add => "add",
            PatchOpKind::Replace => "replace",
            PatchOpKind::Remove => "remove",
        }
    }
}

/// One parsed PATCH operation: `value` is `None` only for `remove`, and `Some(Value::Null)`
/// when the client sent an explicit null.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchOperation {
    /// What to do.
    pub op: PatchOpKind,
    /// Where to do it; `None` means the whole resource.
    pub path: Option<PatchPath>,
    /// The value to add or replace with, or the values to remove.
    pub value: Option<Value>,
}

/// Parses a PatchOp request body into operations, failing with 400 `invalidSyntax` for a
/// malformed body or op, 400 `invalidPath` for a malformed path, and 413 past
/// [`MAX_OPERATIONS`].
pub fn parse_request(body: &Value) -> Result<Vec<PatchOperation>, ScimError> {
    parse::parse_request(body)
}

/// Applies `ops` in order to `resource` against the exposed `schema`, returning the tolerances
/// applied; on error `resource` is left exactly as it was.
pub fn apply(
    resource: &mut Value,
    ops: &[PatchOperation],
    schema: &ResourceSchema,
    profile: IdpProfile,
) -> Result<Vec<Normalization>, ScimError> {
    // No client needs behaviour of its own here: every tolerance is safe for all of them.
    let _ = profile;
    let mut working = resource.clone();
    let notes = apply::apply_all(&mut working, ops, schema)?;
    *resource = working;
    Ok(notes)
}
