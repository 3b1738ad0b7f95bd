//! Validation of the member fields a client may send on create and merge-update.

use serde_json::Value;

use super::error::ApiError;

/// The optional string fields of a member, in the order they are rendered after `status`
/// (the first three come before it).
pub(crate) const OPTIONAL_FIELDS: [&str; 10] = [
    "given_name",
    "family_name",
    "display_name",
    "external_ref",
    "title",
    "department",
    "employee_number",
    "manager_id",
    "phone",
    "locale",
];

/// Index of `external_ref` in [`OPTIONAL_FIELDS`], which the store indexes for lookups.
pub(crate) const EXTERNAL_REF: usize = 3;

const READ_ONLY_FIELDS: [&str; 4] = ["id", "created_at", "updated_at", "version"];

const MAX_STRING_CHARS: usize = 1024;

/// Whether a member may sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Active,
    Suspended,
}

impl Status {
    /// Returns the wire spelling of the status.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Suspended => "suspended",
        }
    }
}

/// The fields present in one create or update body; `None` means the field was absent and
/// `Some(None)` that it was sent as `null` to clear it.
#[derive(Debug, Default)]
pub(crate) struct MemberInput {
    pub(crate) email: Option<String>,
    pub(crate) username: Option<Option<String>>,
    pub(crate) status: Option<Status>,
    pub(crate) optional: [Option<Option<String>>; 10],
}

impl MemberInput {
    /// Validates a JSON body against the member field rules, stopping at the first problem.
    pub(crate) fn parse(body: Value) -> Result<Self, ApiError> {
        let Value::Object(map) = body else {
            return Err(ApiError::field("body", "must be a JSON object"));
        };
        let mut input = MemberInput::default();
        for (name, value) in map {
            input.set(name, value)?;
        }
        Ok(input)
    }

    fn set(&mut self, name: String, value: Value) -> Result<(), ApiError> {
        if READ_ONLY_FIELDS.contains(&name.as_str()) {
            return Err(ApiError::field(name, "field is read-only"));
        }
        match name.as_str() {
            "email" => {
                let text = required_string(&name, value)?;
                self.email = Some(valid_email(&name, text)?);
            }
            "username" => {
                self.username = Some(match value {
                    Value::Null => None,
                    other => Some(non_empty(&name, string(&name, other)?)?),
                });
            }
            "status" => {
                self.status = Some(match required_string(&name, value)?.as_str() {
                    "active" => Status::Active,
                    "suspended" => Status::Suspended,
                    _ => return Err(ApiError::field(name, "must be \"active\" or \"suspended\"")),
                });
            }
            _ => {
                let Some(slot) = OPTIONAL_FIELDS.iter().position(|f| *f == name) else {
                    return Err(ApiError::field(name, "unknown field"));
                };
                self.optional[slot] = Some(match value {
                    Value::Null => None,
                    other => Some(string(&name, other)?),
                });
            }
        }
        Ok(())
    }
}

/// Reads the `email` of a sign-in body, which accepts no other field.
pub(crate) fn sign_in_email(body: Value) -> Result<String, ApiError> {
    let Value::Object(mut map) = body else {
        return Err(ApiError::field("body", "must be a JSON object"));
    };
    let email = map.remove("email");
    if let Some(name) = map.keys().next() {
        return Err(ApiError::field(name.as_str(), "unknown field"));
    }
    match email {
        Some(value) => required_string("email", value),
        None => Err(ApiError::field("email", "is required")),
    }
}

fn required_string(name: &str, value: Value) -> Result<String, ApiError> {
    match value {
        Value::Null => Err(ApiError::field(name, "cannot be null")),
        other => string(name, other),
    }
}

fn string(name: &str, value: Value) -> Result<String, ApiError> {
    let Value::String(text) = value else {
        return Err(ApiError::field(name, "must be a string"));
    };
    // The byte length bounds the character count, so most strings skip the count entirely.
    if text.len() > MAX_STRING_CHARS && text.chars().count() > MAX_STRING_CHARS {
        return Err(ApiError::field(name, "is longer than 1024 characters"));
    }
    Ok(text)
}

fn non_empty(name: &str, text: String) -> Result<String, ApiError> {
    if text.is_empty() {
        return Err(ApiError::field(name, "must not be empty"));
    }
    Ok(text)
}

fn valid_email(name: &str, text: String) -> Result<String, ApiError> {
    if !text.contains('@') || text.chars().any(char::is_whitespace) {
        return Err(ApiError::field(name, "must contain '@' and no whitespace"));
    }
    Ok(text)
}
