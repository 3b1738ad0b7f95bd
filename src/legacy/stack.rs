//! The tower stack in front of the pooled hyper client: the only outbound HTTP of the product.

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;
use tower::retry::Policy;
use tower::util::BoxCloneSyncService;
use tower::{BoxError, ServiceBuilder};

/// The largest legacy response body read; a bigger one is an error, never a truncation.
const MAX_RESPONSE_BYTES: usize = 16 << 20;

/// The longest `Retry-After` waited for between attempts; a longer one ends the retries.
const MAX_RETRY_WAIT: Duration = Duration::from_secs(2);

/// A buffered legacy call: the request and response bodies are whole byte strings.
pub(crate) type LegacyService =
    BoxCloneSyncService<Request<Full<Bytes>>, Response<Bytes>, BoxError>;

/// Settings of the stack.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StackConfig {
    pub(crate) timeout: Duration,
    pub(crate) max_concurrency: usize,
    pub(crate) retries: u32,
}

/// Builds the client stack.
///
/// From the outside in: one deadline for the whole call, so that waiting for a slot and the
/// retries never exceed what the IdP is willing to wait; a concurrency limit that protects
/// the legacy API from bursts; retries of idempotent calls only; the pooled client, with a
/// deadline per attempt.
pub(crate) fn build(config: StackConfig) -> LegacyService {
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    connector.set_connect_timeout(Some(config.timeout));
    let client: Client<HttpConnector, Full<Bytes>> = Client::builder(TokioExecutor::new())
        .pool_idle_timeout(Duration::from_secs(60))
        .pool_max_idle_per_host(config.max_concurrency)
        .build(connector);
    let attempts = config.retries + 1;
    let per_attempt = (config.timeout / attempts).max(Duration::from_millis(500));
    let whole = config.timeout;
    let send = tower::service_fn(move |request: Request<Full<Bytes>>| {
        let client = client.clone();
        // A call that may be retried gets a share of the deadline, so that one hung
        // connection still leaves time to try again; a call that is never retried gets all
        // of it.
        let deadline = if is_idempotent(request.method()) {
            per_attempt
        } else {
            whole
        };
        async move {
            let exchange = async {
                let response = client.request(request).await?;
                let (parts, body) = response.into_parts();
                let body = Limited::new(body, MAX_RESPONSE_BYTES)
                    .collect()
                    .await?
                    .to_bytes();
                Ok::<_, BoxError>(Response::from_parts(parts, body))
            };
            match tokio::time::timeout(deadline, exchange).await {
                Ok(result) => result,
                Err(_) => Err(Box::new(tower::timeout::error::Elapsed::new()) as BoxError),
            }
        }
    });
    let stack = ServiceBuilder::new()
        .timeout(config.timeout)
        .concurrency_limit(config.max_concurrency)
        .retry(RetryIdempotent {
            remaining: config.retries,
            attempt: 0,
        })
        .service(send);
    BoxCloneSyncService::new(stack)
}

/// Retries idempotent calls (GET, PUT, DELETE) that failed in transit or were answered 429,
/// 502, 503 or 504, with exponential backoff or the server's `Retry-After`.
///
/// POST and PATCH are never retried: a create or update whose reply was lost may have
/// happened, and repeating it could act twice.
#[derive(Debug, Clone)]
struct RetryIdempotent {
    remaining: u32,
    attempt: u32,
}

type Wait = Pin<Box<dyn Future<Output = ()> + Send>>;

impl Policy<Request<Full<Bytes>>, Response<Bytes>, BoxError> for RetryIdempotent {
    type Future = Wait;

    fn retry(
        &mut self,
        request: &mut Request<Full<Bytes>>,
        result: &mut Result<Response<Bytes>, BoxError>,
    ) -> Option<Self::Future> {
        if self.remaining == 0 || !is_idempotent(request.method()) {
            return None;
        }
        let wait = match result {
            Ok(response) if is_retryable(response.status()) => {
                match retry_after(response) {
                    // A longer wait than this call can afford is passed on to the client
                    // with the answer, rather than spent here.
                    Some(wait) if wait > MAX_RETRY_WAIT => return None,
                    Some(wait) => wait,
                    None => backoff(self.attempt),
                }
            }
            Ok(_) => return None,
            Err(_) => backoff(self.attempt),
        };
        self.remaining -= 1;
        self.attempt += 1;
        Some(Box::pin(tokio::time::sleep(wait)))
    }

    fn clone_request(&mut self, request: &Request<Full<Bytes>>) -> Option<Request<Full<Bytes>>> {
        if !is_idempotent(request.method()) {
            return None;
        }
        let mut copy = Request::new(request.body().clone());
        *copy.method_mut() = request.method().clone();
        *copy.uri_mut() = request.uri().clone();
        *copy.headers_mut() = request.headers().clone();
        Some(copy)
    }
}

fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::PUT | Method::DELETE | Method::HEAD
    )
}

fn is_retryable(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 502 | 503 | 504)
}

fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(50u64 << attempt.min(5))
}

fn retry_after(response: &Response<Bytes>) -> Option<Duration> {
    let value = response
        .headers()
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn only_idempotent_methods_and_transient_statuses_are_retried() {
        let cases = [
            (Method::GET, 503, true),
            (Method::DELETE, 502, true),
            (Method::GET, 429, true),
            (Method::GET, 500, false),
            (Method::GET, 404, false),
            (Method::POST, 503, false),
            (Method::PATCH, 503, false),
        ];
        for (method, status, retried) in cases {
            let mut policy = RetryIdempotent {
                remaining: 2,
                attempt: 0,
            };
            let mut request = Request::builder()
                .method(method.clone())
                .body(Full::default())
                .unwrap();
            let response = Response::builder()
                .status(status)
                .body(Bytes::new())
                .unwrap();
            let decision = policy.retry(&mut request, &mut Ok(response));
            assert_eq!(decision.is_some(), retried, "{method} {status}");
        }
    }

    #[tokio::test]
    async fn a_retry_after_longer_than_the_budget_is_passed_on_instead_of_waited_for() {
        let mut request = Request::builder().body(Full::default()).unwrap();
        let answer = |wait: &str| {
            Response::builder()
                .status(503)
                .header(http::header::RETRY_AFTER, wait)
                .body(Bytes::new())
                .unwrap()
        };
        let mut policy = RetryIdempotent {
            remaining: 2,
            attempt: 0,
        };
        assert!(policy.retry(&mut request, &mut Ok(answer("1"))).is_some());
        assert!(policy.retry(&mut request, &mut Ok(answer("30"))).is_none());
    }

    #[tokio::test]
    async fn retries_stop_after_the_configured_count() {
        let mut policy = RetryIdempotent {
            remaining: 1,
            attempt: 0,
        };
        let mut request = Request::builder().body(Full::default()).unwrap();
        let mut failed: Result<Response<Bytes>, BoxError> = Err("connection reset".into());
        assert!(policy.retry(&mut request, &mut failed).is_some());
        assert!(policy.retry(&mut request, &mut failed).is_none());
    }
}
