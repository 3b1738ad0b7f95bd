//! The client of the legacy membership and session API.
//!
//! All outbound HTTP of the product lives here. Calls go through the tower stack of [`stack`]
//! (deadline, concurrency limit, retries of idempotent calls) over one pooled hyper client.
//! Paths, field names and error codes come from the `[legacy.api]` config.

mod stack;

use crate::config::{LegacyApi, LegacyConfig, Secret};
use crate::mapping::Lookup;
use arc_swap::ArcSwap;
use bytes::Bytes;
use http::{header, Method, Request, StatusCode};
use http_body_util::Full;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{Map, Value};
use std::sync::Arc;
use std::time::Duration;
use tower::{BoxError, Service, ServiceExt};

/// A legacy member: the JSON object as the legacy API returns it.
pub type Member = Map<String, Value>;

/// One page of the member list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// The members of this page, in the legacy API's order.
    pub members: Vec<Member>,
    /// How many members match in all.
    pub total: usize,
}

/// Why a legacy call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LegacyError {
    /// The member does not exist.
    #[error("member not found")]
    NotFound,
    /// A unique value (an e-mail address, a login name) belongs to another member.
    #[error("unique value already taken ({0})")]
    Conflict(String),
    /// The legacy API rejected a field value.
    #[error("legacy api rejected a value: {0}")]
    InvalidValue(String),
    /// The member changed since the version the sidecar read.
    #[error("member version changed")]
    VersionMismatch,
    /// The legacy API answered 429 or 503: it is overloaded or down.
    #[error("legacy api unavailable")]
    Unavailable {
        /// The seconds the legacy API asked callers to wait.
        retry_after: Option<u64>,
    },
    /// No answer within the configured time.
    #[error("legacy api timed out")]
    Timeout,
    /// The connection failed.
    #[error("legacy api unreachable: {0}")]
    Transport(String),
    /// An answer this client cannot use: an unexpected status or body.
    #[error("unexpected legacy api response: {0}")]
    BadResponse(String),
}

/// The legacy API client; cheap to clone.
#[derive(Debug, Clone)]
pub struct LegacyClient {
    service: stack::LegacyService,
    base_url: String,
    token: Arc<ArcSwap<Secret>>,
    api: LegacyApi,
    page_size: usize,
}

/// Characters escaped in a path segment: everything but unreserved characters, so that an id
/// from a client URL can never add a segment or a query.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

impl LegacyClient {
    /// A client for the configured API, sending `token` as its bearer credential.
    pub fn new(config: &LegacyConfig, token: Secret) -> Self {
        let service = stack::build(stack::StackConfig {
            timeout: config.timeout,
            max_concurrency: config.max_concurrency,
            retries: config.retries,
        });
        LegacyClient {
            service,
            base_url: config.base_url.clone(),
            token: Arc::new(ArcSwap::from_pointee(token)),
            api: config.api.clone(),
            page_size: config.page_size,
        }
    }

    /// Replaces the service token, for a rotated secret; calls already sent keep the old one.
    pub fn set_token(&self, token: Secret) {
        self.token.store(Arc::new(token));
    }

    /// The page size used when scanning the whole list.
    pub fn page_size(&self) -> usize {
        self.page_size
    }

    /// The largest page the legacy API serves.
    pub fn max_page_size(&self) -> usize {
        self.api.max_page_size
    }

    /// The legacy field holding the member id.
    pub fn api(&self) -> &LegacyApi {
        &self.api
    }

    /// Lists members from `offset`, at most `limit`, optionally narrowed by a lookup.
    pub async fn list(
        &self,
        org: &str,
        offset: usize,
        limit: usize,
        lookup: Option<&Lookup>,
        request_id: &str,
    ) -> Result<Page, LegacyError> {
        let query = {
            let mut query = form_urlencoded::Serializer::new(String::new());
            query.append_pair(&self.api.offset_param, &offset.to_string());
            query.append_pair(&self.api.limit_param, &limit.to_string());
            if let Some(lookup) = lookup {
                query.append_pair(&lookup.param, &lookup.value);
            }
            query.finish()
        };
        let path = format!(
            "{}?{}",
            self.path(&self.api.members_path, org, None)?,
            query
        );
        let body = self
            .call(Method::GET, &path, None, None, request_id)
            .await?;
        let items = body
            .get(&self.api.items_field)
            .and_then(Value::as_array)
            .ok_or_else(|| bad(format!("list has no {} array", self.api.items_field)))?;
        let members = items
            .iter()
            .map(|m| {
                m.as_object()
                    .cloned()
                    .ok_or_else(|| bad("list item is not an object"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let total = body
            .get(&self.api.total_field)
            .and_then(Value::as_u64)
            .ok_or_else(|| bad(format!("list has no numeric {}", self.api.total_field)))?;
        Ok(Page {
            members,
            total: usize::try_from(total).unwrap_or(usize::MAX),
        })
    }

    /// Reads one member.
    pub async fn get(&self, org: &str, id: &str, request_id: &str) -> Result<Member, LegacyError> {
        let path = self.path(&self.api.member_path, org, Some(id))?;
        let body = self
            .call(Method::GET, &path, None, None, request_id)
            .await?;
        into_member(body)
    }

    /// Creates a member from legacy fields.
    pub async fn create(
        &self,
        org: &str,
        fields: Map<String, Value>,
        request_id: &str,
    ) -> Result<Member, LegacyError> {
        let path = self.path(&self.api.members_path, org, None)?;
        let body = self.call(
            Method::POST,
            &path,
            Some(Value::Object(fields)),
            None,
            request_id,
        );
        into_member(body.await?)
    }

    /// Changes the given fields of a member, only if it is still at `version` when one is given.
    pub async fn update(
        &self,
        org: &str,
        id: &str,
        fields: Map<String, Value>,
        version: Option<&str>,
        request_id: &str,
    ) -> Result<Member, LegacyError> {
        let path = self.path(&self.api.member_path, org, Some(id))?;
        let body = Some(Value::Object(fields));
        into_member(
            self.call(Method::PATCH, &path, body, version, request_id)
                .await?,
        )
    }

    /// Removes a member.
    pub async fn delete(&self, org: &str, id: &str, request_id: &str) -> Result<(), LegacyError> {
        let path = self.path(&self.api.member_path, org, Some(id))?;
        self.call(Method::DELETE, &path, None, None, request_id)
            .await
            .map(drop)
    }

    /// Ends every session of a member; safe to repeat.
    pub async fn revoke_sessions(
        &self,
        org: &str,
        id: &str,
        request_id: &str,
    ) -> Result<(), LegacyError> {
        let path = self.path(&self.api.sessions_path, org, Some(id))?;
        self.call(Method::DELETE, &path, None, None, request_id)
            .await
            .map(drop)
    }

    /// The version of a member as the `If-Match` value and SCIM ETag use it.
    pub fn version_of(&self, member: &Member) -> Option<String> {
        match member.get(&self.api.version_field)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    /// The id of a member.
    pub fn id_of<'a>(&self, member: &'a Member) -> Option<&'a str> {
        member.get(&self.api.id_field).and_then(Value::as_str)
    }

    /// Fills a path template. Values are percent-encoded as one segment each, and a value
    /// that is empty or only dots is refused: `.` and `..` would survive encoding as path
    /// navigation and could make a call act on another route of the legacy API.
    fn path(&self, template: &str, org: &str, id: Option<&str>) -> Result<String, LegacyError> {
        let segment = |value: &str| {
            if value.is_empty() || value.bytes().all(|b| b == b'.') {
                return Err(LegacyError::NotFound);
            }
            Ok(utf8_percent_encode(value, SEGMENT).to_string())
        };
        let mut path = template.replace("{org}", &segment(org)?);
        if let Some(id) = id {
            path = path.replace("{id}", &segment(id)?);
        }
        Ok(path)
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        version: Option<&str>,
        request_id: &str,
    ) -> Result<Value, LegacyError> {
        let mut request = Request::builder()
            .method(method.clone())
            .uri(format!("{}{}", self.base_url, path))
            .header(
                header::AUTHORIZATION,
                format!("Bearer {}", self.token.load().expose()),
            )
            .header(header::ACCEPT, "application/json")
            .header("x-request-id", request_id);
        if let Some(version) = version {
            request = request.header(header::IF_MATCH, version);
        }
        let body = match body {
            Some(value) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                Full::new(Bytes::from(value.to_string()))
            }
            None => Full::default(),
        };
        let request = request
            .body(body)
            .map_err(|e| LegacyError::BadResponse(e.to_string()))?;
        let started = std::time::Instant::now();
        let mut service = self.service.clone();
        let result = match service.ready().await {
            Ok(ready) => ready.call(request).await,
            Err(e) => Err(e),
        };
        let response = result.map_err(classify)?;
        let status = response.status();
        tracing::debug!(
            %method, status = status.as_u16(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "legacy call"
        );
        let json = || -> Result<Value, LegacyError> {
            if response.body().is_empty() {
                return Ok(Value::Null);
            }
            serde_json::from_slice(response.body()).map_err(|_| bad("body is not JSON"))
        };
        if status.is_success() {
            return json();
        }
        let code = json()
            .ok()
            .and_then(|v| v.pointer(&self.api.error_code_pointer).cloned())
            .and_then(|v| v.as_str().map(str::to_owned));
        Err(match status {
            StatusCode::NOT_FOUND => LegacyError::NotFound,
            StatusCode::PRECONDITION_FAILED => LegacyError::VersionMismatch,
            StatusCode::CONFLICT => {
                LegacyError::Conflict(code.unwrap_or_else(|| "conflict".to_owned()))
            }
            StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST => {
                let message = json().ok().and_then(|v| {
                    v.pointer("/error/message")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                });
                LegacyError::InvalidValue(
                    message
                        .or(code)
                        .unwrap_or_else(|| "invalid value".to_owned()),
                )
            }
            StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => {
                let retry_after = response
                    .headers()
                    .get(header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse().ok());
                LegacyError::Unavailable { retry_after }
            }
            StatusCode::GATEWAY_TIMEOUT => LegacyError::Timeout,
            other => LegacyError::BadResponse(format!(
                "status {} code {}",
                other.as_u16(),
                code.as_deref().unwrap_or("none")
            )),
        })
    }
}

fn into_member(body: Value) -> Result<Member, LegacyError> {
    match body {
        Value::Object(member) => Ok(member),
        _ => Err(bad("member is not an object")),
    }
}

fn bad(message: impl Into<String>) -> LegacyError {
    LegacyError::BadResponse(message.into())
}

fn classify(error: BoxError) -> LegacyError {
    if error.is::<tower::timeout::error::Elapsed>() {
        return LegacyError::Timeout;
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error.as_ref());
    while let Some(e) = source {
        if e.is::<tower::timeout::error::Elapsed>() {
            return LegacyError::Timeout;
        }
        source = e.source();
    }
    LegacyError::Transport(error.to_string())
}

/// How long an IdP should wait before retrying after this error, if it should.
pub fn retry_hint(error: &LegacyError) -> Option<Duration> {
    match error {
        LegacyError::Unavailable { retry_after } => {
            Some(Duration::from_secs(retry_after.unwrap_or(5).clamp(1, 120)))
        }
        LegacyError::Timeout | LegacyError::Transport(_) | LegacyError::BadResponse(_) => {
            Some(Duration::from_secs(5))
        }
        _ => None,
    }
}
