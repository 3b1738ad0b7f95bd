//! SCIM protocol errors (RFC 7644 §3.12) raised by the pure core.

use http::StatusCode;

/// The `scimType` values of RFC 7644 §3.12 that this product emits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScimType {
    /// The filter syntax was invalid or the filter is not supported.
    InvalidFilter,
    /// The filter would yield more results than the server will scan.
    TooMany,
    /// A unique attribute value is already in use.
    Uniqueness,
    /// An attempt was made to change an attribute that cannot be changed.
    Mutability,
    /// The request body is not valid for the schema or operation.
    InvalidSyntax,
    /// A path attribute is invalid or malformed.
    InvalidPath,
    /// A PATCH path did not match any value.
    NoTarget,
    /// A required value is missing or a value is not compatible.
    InvalidValue,
    /// The requested version is not supported.
    InvalidVers,
    /// The request reveals sensitive information.
    Sensitive,
}

impl ScimType {
    /// The keyword as it appears in the `scimType` member of an error body.
    pub fn as_str(self) -> &'static str {
        match self {
            ScimType::InvalidFilter => "invalidFilter",
            ScimType::TooMany => "tooMany",
            ScimType::Uniqueness => "uniqueness",
            ScimType::Mutability => "mutability",
            ScimType::InvalidSyntax => "invalidSyntax",
            ScimType::InvalidPath => "invalidPath",
            ScimType::NoTarget => "noTarget",
            ScimType::InvalidValue => "invalidValue",
            ScimType::InvalidVers => "invalidVers",
            ScimType::Sensitive => "sensitive",
        }
    }
}

/// A client-facing SCIM error: an HTTP status, an optional `scimType` and a human detail.
///
/// The detail is shown to the client as is, so it must never carry internal information.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{detail}")]
pub struct ScimError {
    /// The HTTP status of the reply.
    pub status: StatusCode,
    /// The RFC 7644 error keyword, where one applies.
    pub scim_type: Option<ScimType>,
    /// What went wrong, in words a provisioning administrator can act on.
    pub detail: String,
}

impl ScimError {
    /// An error with the given status, keyword and detail.
    pub fn new(status: StatusCode, scim_type: Option<ScimType>, detail: impl Into<String>) -> Self {
        ScimError {
            status,
            scim_type,
            detail: detail.into(),
        }
    }

    /// A 400 Bad Request with the given keyword.
    pub fn bad_request(scim_type: ScimType, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, Some(scim_type), detail)
    }

    /// A 404 Not Found without a keyword.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, None, detail)
    }
}
