//! The pingora adapter: SCIM requests are answered inside `request_filter`.
//!
//! This file only moves bytes between pingora's session and the [`handler`](super::handler):
//! it assigns the request id, opens the request span, reads the body under the size cap and
//! writes the response. Everything below the base path is SCIM; other paths get a SCIM 404.

use crate::server::app::App;
use crate::server::handler::{handle, ScimRequest};
use crate::server::response::{error_body, ScimResponse, SCIM_JSON};
use async_trait::async_trait;
use bytes::{Bytes, BytesMut};
use http::StatusCode;
use pingora::http::ResponseHeader;
use pingora::prelude::HttpPeer;
use pingora::proxy::{FailToProxy, ProxyHttp, Session};
use pingora::{Error, ErrorSource, ErrorType};
use rand::RngCore;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tracing::Instrument;

/// The SCIM front of the sidecar.
#[derive(Debug)]
pub struct ScimProxy {
    app: Arc<App>,
    base_path: String,
    public_url: Option<String>,
    max_body_bytes: usize,
    scheme: &'static str,
}

impl ScimProxy {
    /// A front serving `app` below `base_path`.
    pub fn new(
        app: Arc<App>,
        base_path: String,
        public_url: Option<String>,
        max_body_bytes: usize,
        tls: bool,
    ) -> Self {
        let scheme = if tls { "https" } else { "http" };
        ScimProxy {
            app,
            base_path,
            public_url,
            max_body_bytes,
            scheme,
        }
    }

    fn base_url(&self, session: &Session) -> String {
        if let Some(url) = &self.public_url {
            return url.clone();
        }
        let header = session.req_header();
        let host = header
            .headers
            .get(http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .or_else(|| header.uri.authority().map(|a| a.as_str()))
            .filter(|h| {
                h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
            })
            .unwrap_or("localhost");
        format!("{}://{}{}", self.scheme, host, self.base_path)
    }

    /// The path below the base path, or `None` when the request is not for SCIM.
    fn scim_path<'a>(&self, path: &'a str) -> Option<&'a str> {
        let rest = path.strip_prefix(self.base_path.as_str())?;
        (rest.is_empty() || rest.starts_with('/')).then_some(rest)
    }

    /// Reads the whole body, or answers 413 once it passes the cap.
    ///
    /// An oversized body is still read and thrown away up to [`DRAIN_LIMIT`], so that the
    /// client, which is usually still sending, receives the 413 instead of a reset
    /// connection. Past that limit the connection is closed.
    async fn read_body(
        &self,
        session: &mut Session,
    ) -> pingora::Result<Result<Bytes, ScimResponse>> {
        let too_large = || {
            error_body(
                StatusCode::PAYLOAD_TOO_LARGE,
                None,
                &format!(
                    "The request body is larger than {} bytes",
                    self.max_body_bytes
                ),
            )
        };
        let declared = session
            .req_header()
            .headers
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<usize>().ok());
        if declared.is_some_and(|n| n > DRAIN_LIMIT) {
            session.set_keepalive(None);
            return Ok(Err(too_large()));
        }
        session.set_read_timeout(Some(BODY_READ_TIMEOUT));
        let mut body = BytesMut::new();
        let mut read = 0usize;
        while let Some(chunk) = session.read_request_body().await? {
            read += chunk.len();
            if read > DRAIN_LIMIT {
                session.set_keepalive(None);
                return Ok(Err(too_large()));
            }
            if read <= self.max_body_bytes {
                body.extend_from_slice(&chunk);
            }
        }
        if read > self.max_body_bytes {
            return Ok(Err(too_large()));
        }
        Ok(Ok(body.freeze()))
    }
}

/// How long a client may pause while sending its body.
const BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// The most bytes of an oversized body read and discarded before answering 413.
const DRAIN_LIMIT: usize = 16 << 20;

/// Per-request state kept by pingora between phases.
#[derive(Debug, Default)]
pub struct RequestCtx {
    request_id: String,
}

#[async_trait]
impl ProxyHttp for ScimProxy {
    type CTX = RequestCtx;

    fn new_ctx(&self) -> Self::CTX {
        RequestCtx::default()
    }

    async fn upstream_peer(
        &self,
        _session: &mut Session,
        _ctx: &mut Self::CTX,
    ) -> pingora::Result<Box<HttpPeer>> {
        // Every request is answered in `request_filter`; nothing is proxied yet.
        Err(Error::explain(
            ErrorType::HTTPStatus(404),
            "no upstream is configured",
        ))
    }

    async fn fail_to_proxy(
        &self,
        session: &mut Session,
        error: &Error,
        ctx: &mut Self::CTX,
    ) -> FailToProxy {
        // The request failed inside pingora (reading the body, most often): answer with a SCIM
        // error body too, unless the connection is already gone.
        let (status, detail) = match (error.esource(), error.etype()) {
            (_, ErrorType::HTTPStatus(code)) => (*code, "The request could not be served"),
            (_, ErrorType::ReadTimedout) => (408, "The request body did not arrive in time"),
            (
                ErrorSource::Downstream,
                ErrorType::WriteError | ErrorType::ReadError | ErrorType::ConnectionClosed,
            ) => (0, ""),
            (ErrorSource::Downstream, _) => (400, "The request could not be read"),
            _ => (500, "The request failed inside the service"),
        };
        tracing::debug!(request_id = %ctx.request_id, %error, status, "request failed in the listener");
        if let Some(code) = StatusCode::from_u16(status).ok().filter(|_| status > 0) {
            let _ = write(session, error_body(code, None, detail), &ctx.request_id).await;
        }
        FailToProxy {
            error_code: status,
            can_reuse_downstream: false,
        }
    }

    async fn request_filter(
        &self,
        session: &mut Session,
        ctx: &mut Self::CTX,
    ) -> pingora::Result<bool> {
        let started = Instant::now();
        ctx.request_id = request_id(session);
        let method = session.req_header().method.clone();
        let span = tracing::info_span!(
            "request",
            request_id = %ctx.request_id,
            %method,
            route = tracing::field::Empty,
            tenant = tracing::field::Empty,
        );
        async {
            let uri = session.req_header().uri.clone();
            let Some(path) = self.scim_path(uri.path()) else {
                let response = error_body(
                    StatusCode::NOT_FOUND,
                    None,
                    &format!(
                        "Not a SCIM endpoint; the SCIM base path is {}",
                        self.base_path
                    ),
                );
                write(session, response, &ctx.request_id).await?;
                return Ok(true);
            };
            let body = match self.read_body(session).await? {
                Ok(body) => body,
                Err(response) => {
                    write(session, response, &ctx.request_id).await?;
                    return Ok(true);
                }
            };
            let request = ScimRequest {
                method,
                path: path.to_owned(),
                query: uri.query().map(str::to_owned),
                headers: session.req_header().headers.clone(),
                body,
                request_id: ctx.request_id.clone(),
                client_ip: session
                    .client_addr()
                    .and_then(|a| a.as_inet())
                    .map(|a| a.ip()),
                base_url: self.base_url(session),
            };
            let response = handle(&self.app, request).await;
            let status = response.status.as_u16();
            write(session, response, &ctx.request_id).await?;
            tracing::debug!(
                status,
                elapsed_us = started.elapsed().as_micros() as u64,
                "answered"
            );
            Ok(true)
        }
        .instrument(span)
        .await
    }
}

/// Writes a SCIM response with its media type, length and request id.
async fn write(
    session: &mut Session,
    response: ScimResponse,
    request_id: &str,
) -> pingora::Result<()> {
    let body = match &response.body {
        Some(value) => Bytes::from(serde_json::to_vec(value).unwrap_or_default()),
        None => Bytes::new(),
    };
    let mut header = ResponseHeader::build(response.status, Some(4 + response.headers.len()))?;
    if response.body.is_some() {
        header.insert_header(http::header::CONTENT_TYPE, SCIM_JSON)?;
    }
    header.insert_header(http::header::CONTENT_LENGTH, body.len().to_string())?;
    header.insert_header("x-request-id", request_id)?;
    for (name, value) in response.headers {
        header.append_header(name, value)?;
    }
    session
        .write_response_header(Box::new(header), body.is_empty())
        .await?;
    if !body.is_empty() {
        session.write_response_body(Some(body), true).await?;
    }
    Ok(())
}

/// The client's `X-Request-Id` when it is short and plain, else a new random id.
fn request_id(session: &Session) -> String {
    let given = session
        .req_header()
        .headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
        });
    match given {
        Some(id) => id.to_owned(),
        None => {
            let mut bytes = [0u8; 8];
            rand::rng().fill_bytes(&mut bytes);
            hex::encode(bytes)
        }
    }
}
