//! SCIM responses, and the one place where every error becomes an RFC 7644 error response.

use crate::legacy::{retry_hint, LegacyError};
use crate::scim::error::{ScimError, ScimType};
use http::{header, HeaderName, HeaderValue, StatusCode};
use serde_json::{json, Value};
use std::time::Duration;

/// The media type of every SCIM response, errors included.
pub const SCIM_JSON: &str = "application/scim+json";

/// The URN of SCIM error bodies.
pub const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// A response ready to be written: status, extra headers and an optional JSON body.
#[derive(Debug, Clone, PartialEq)]
pub struct ScimResponse {
    /// The HTTP status.
    pub status: StatusCode,
    /// Headers besides `Content-Type` and `Content-Length`, which the writer adds.
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// The body, serialised as `application/scim+json`.
    pub body: Option<Value>,
}

impl ScimResponse {
    /// A response with a JSON body.
    pub fn json(status: StatusCode, body: Value) -> Self {
        ScimResponse {
            status,
            headers: Vec::new(),
            body: Some(body),
        }
    }

    /// A response without a body.
    pub fn empty(status: StatusCode) -> Self {
        ScimResponse {
            status,
            headers: Vec::new(),
            body: None,
        }
    }

    /// This response with one more header; values that are not valid header text are skipped.
    pub fn with_header(mut self, name: HeaderName, value: impl AsRef<str>) -> Self {
        if let Ok(value) = HeaderValue::from_str(value.as_ref()) {
            self.headers.push((name, value));
        }
        self
    }
}

/// Why a request failed, whatever the layer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// The client sent something wrong; the detail is shown to it.
    #[error(transparent)]
    Scim(#[from] ScimError),
    /// A legacy API call failed.
    #[error(transparent)]
    Legacy(#[from] LegacyError),
    /// No valid key was presented.
    #[error("unauthorized")]
    Unauthorized,
    /// The tenant or client address sent too many requests.
    #[error("rate limited")]
    RateLimited {
        /// When the client may try again.
        retry_after: Duration,
    },
    /// The member kept changing while a write without `If-Match` was applied.
    #[error("member kept changing during the write")]
    Contended,
    /// Some step of a deprovisioning failed after earlier steps succeeded.
    #[error("deprovisioning incomplete: {step}: {source}")]
    Deprovision {
        /// The step that failed.
        step: &'static str,
        /// Its error.
        source: LegacyError,
    },
}

impl ApiError {
    /// Whether the failure is the client's own (logged at DEBUG) rather than ours or the
    /// legacy API's (logged at WARN).
    pub fn is_client_error(&self) -> bool {
        match self {
            ApiError::Scim(e) => e.status.is_client_error(),
            ApiError::Unauthorized | ApiError::RateLimited { .. } => true,
            ApiError::Legacy(e) => matches!(
                e,
                LegacyError::NotFound | LegacyError::Conflict(_) | LegacyError::InvalidValue(_)
            ),
            ApiError::Deprovision { .. } | ApiError::Contended => false,
        }
    }

    /// The RFC 7644 error response for this failure. Internal details never reach the client.
    pub fn to_response(&self) -> ScimResponse {
        match self {
            ApiError::Scim(e) => error_body(e.status, e.scim_type, &e.detail),
            ApiError::Unauthorized => error_body(
                StatusCode::UNAUTHORIZED,
                None,
                "A valid bearer key is required: send Authorization: Bearer <key>",
            )
            .with_header(header::WWW_AUTHENTICATE, "Bearer realm=\"scim\""),
            ApiError::RateLimited { retry_after } => error_body(
                StatusCode::TOO_MANY_REQUESTS,
                None,
                "Too many requests; retry after the time in Retry-After",
            )
            .with_header(header::RETRY_AFTER, seconds(*retry_after).to_string()),
            ApiError::Legacy(e) => legacy_error(e),
            ApiError::Contended => error_body(
                StatusCode::SERVICE_UNAVAILABLE,
                None,
                "The user changed repeatedly while this request was applied; retry it",
            )
            .with_header(header::RETRY_AFTER, "1"),
            ApiError::Deprovision { source, .. } => {
                let wait = retry_hint(source).unwrap_or(Duration::from_secs(5));
                error_body(
                    StatusCode::SERVICE_UNAVAILABLE,
                    None,
                    "Deprovisioning could not be completed; the steps done so far stay done. \
                     Retry the request",
                )
                .with_header(header::RETRY_AFTER, seconds(wait).to_string())
            }
        }
    }
}

fn legacy_error(error: &LegacyError) -> ScimResponse {
    let retry = retry_hint(error);
    let response = match error {
        LegacyError::NotFound => error_body(StatusCode::NOT_FOUND, None, "Resource not found"),
        LegacyError::Conflict(_) => error_body(
            StatusCode::CONFLICT,
            Some(ScimType::Uniqueness),
            "Another user already has this userName or e-mail address",
        ),
        LegacyError::InvalidValue(message) => error_body(
            StatusCode::BAD_REQUEST,
            Some(ScimType::InvalidValue),
            &format!("The membership system rejected a value: {message}"),
        ),
        LegacyError::VersionMismatch => error_body(
            StatusCode::PRECONDITION_FAILED,
            None,
            "The resource changed since the version given in If-Match",
        ),
        LegacyError::Unavailable { .. } => error_body(
            StatusCode::SERVICE_UNAVAILABLE,
            None,
            "The membership system is unavailable; retry later",
        ),
        LegacyError::Timeout => error_body(
            StatusCode::GATEWAY_TIMEOUT,
            None,
            "The membership system did not answer in time; retry later",
        ),
        LegacyError::Transport(_) | LegacyError::BadResponse(_) => error_body(
            StatusCode::BAD_GATEWAY,
            None,
            "The membership system could not be reached or gave an invalid answer",
        ),
    };
    match retry {
        Some(wait) => response.with_header(header::RETRY_AFTER, seconds(wait).to_string()),
        None => response,
    }
}

/// An RFC 7644 §3.12 error body.
pub fn error_body(status: StatusCode, scim_type: Option<ScimType>, detail: &str) -> ScimResponse {
    let mut body = json!({
        "schemas": [ERROR_SCHEMA],
        "status": status.as_u16().to_string(),
        "detail": detail,
    });
    if let Some(scim_type) = scim_type {
        body["scimType"] = Value::String(scim_type.as_str().to_owned());
    }
    ScimResponse::json(status, body)
}

fn seconds(wait: Duration) -> u64 {
    wait.as_secs_f64().ceil().max(1.0) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_failures_map_to_scim_statuses_without_internal_detail() {
        let cases = [
            (LegacyError::NotFound, 404, None),
            (
                LegacyError::Conflict("email_taken".into()),
                409,
                Some("uniqueness"),
            ),
            (
                LegacyError::InvalidValue("email: bad".into()),
                400,
                Some("invalidValue"),
            ),
            (LegacyError::VersionMismatch, 412, None),
            (
                LegacyError::Unavailable {
                    retry_after: Some(3),
                },
                503,
                None,
            ),
            (LegacyError::Timeout, 504, None),
            (
                LegacyError::Transport("10.0.0.7:9000 refused".into()),
                502,
                None,
            ),
            (
                LegacyError::BadResponse("status 500 code boom".into()),
                502,
                None,
            ),
        ];
        for (error, status, scim_type) in cases {
            let response = ApiError::Legacy(error.clone()).to_response();
            assert_eq!(response.status.as_u16(), status, "{error:?}");
            let body = response.body.unwrap();
            assert_eq!(body["status"], status.to_string());
            assert_eq!(body["scimType"].as_str(), scim_type);
            let detail = body["detail"].as_str().unwrap();
            assert!(
                !detail.contains("10.0.0.7") && !detail.contains("boom"),
                "{detail}"
            );
        }
    }

    #[test]
    fn failed_deprovisioning_asks_the_client_to_retry() {
        let error = ApiError::Deprovision {
            step: "revoke sessions",
            source: LegacyError::Timeout,
        };
        let response = error.to_response();
        assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(response
            .headers
            .iter()
            .any(|(n, _)| n == header::RETRY_AFTER));
    }

    #[test]
    fn unauthorized_carries_a_bearer_challenge() {
        let response = ApiError::Unauthorized.to_response();
        assert_eq!(response.status, StatusCode::UNAUTHORIZED);
        assert!(response.headers.iter().any(
            |(n, v)| n == header::WWW_AUTHENTICATE && v.to_str().unwrap().starts_with("Bearer")
        ));
        assert_eq!(response.body.unwrap()["status"], "401");
    }
}
