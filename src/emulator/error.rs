//! The emulator's error answers, each mapped to a status code and a JSON error body in one place.

use bytes::Bytes;
use http::{header, HeaderValue, Response, StatusCode};
use http_body_util::Full;

/// A failure the emulator reports to its caller as `{"error":{"code":..,"message":..}}`.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ApiError {
    #[error("missing or invalid bearer token")]
    Unauthorized,
    #[error("{0}")]
    NotFound(&'static str),
    #[error("method not allowed on this route")]
    MethodNotAllowed { allow: &'static str },
    #[error("request body exceeds {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("request body is not valid JSON: {0}")]
    InvalidJson(String),
    #[error("{field}: {reason}")]
    InvalidField { field: String, reason: &'static str },
    #[error("another member of this organisation already uses this email")]
    EmailTaken,
    #[error("another member of this organisation already uses this username")]
    UsernameTaken,
    #[error("version mismatch: the member is at version {current}")]
    VersionMismatch { current: u64 },
    #[error("the member is suspended")]
    MemberSuspended,
    #[error("injected fault")]
    Injected {
        status: StatusCode,
        retry_after: Option<HeaderValue>,
    },
}

impl ApiError {
    /// Shorthand for a field error, which is by far the most common kind.
    pub(crate) fn field(field: impl Into<String>, reason: &'static str) -> Self {
        ApiError::InvalidField {
            field: field.into(),
            reason,
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::InvalidJson(_) => StatusCode::BAD_REQUEST,
            ApiError::InvalidField { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::EmailTaken | ApiError::UsernameTaken => StatusCode::CONFLICT,
            ApiError::VersionMismatch { .. } => StatusCode::PRECONDITION_FAILED,
            ApiError::MemberSuspended => StatusCode::FORBIDDEN,
            ApiError::Injected { status, .. } => *status,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthorized => "unauthorized",
            ApiError::NotFound(_) => "not_found",
            ApiError::MethodNotAllowed { .. } => "method_not_allowed",
            ApiError::PayloadTooLarge { .. } => "payload_too_large",
            ApiError::InvalidJson(_) => "invalid_json",
            ApiError::InvalidField { .. } => "invalid_field",
            ApiError::EmailTaken => "email_taken",
            ApiError::UsernameTaken => "username_taken",
            ApiError::VersionMismatch { .. } => "version_mismatch",
            ApiError::MemberSuspended => "member_suspended",
            ApiError::Injected { .. } => "injected",
        }
    }

    /// Renders the error as the HTTP response a real service would send.
    pub(crate) fn into_response(self) -> Response<Full<Bytes>> {
        let body = serde_json::json!({
            "error": { "code": self.code(), "message": self.to_string() }
        });
        let mut response = json_response(self.status(), &body);
        let headers = response.headers_mut();
        match self {
            ApiError::Unauthorized => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            // The rest of an oversized body may still be in flight, so the connection is not
            // offered for reuse.
            ApiError::PayloadTooLarge { .. } => {
                headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            ApiError::MethodNotAllowed { allow } => {
                headers.insert(header::ALLOW, HeaderValue::from_static(allow));
            }
            ApiError::Injected {
                retry_after: Some(value),
                ..
            } => {
                headers.insert(header::RETRY_AFTER, value);
            }
            _ => {}
        }
        response
    }
}

/// Serialises `value` as the body of a JSON response with the given status.
pub(crate) fn json_response(
    status: StatusCode,
    value: &impl serde::Serialize,
) -> Response<Full<Bytes>> {
    // Serialising our own types and `serde_json::Value` cannot fail, so an empty object is
    // only a defensive answer that keeps this path free of panics.
    let body = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}
