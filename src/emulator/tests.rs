//! Loopback HTTP tests of the emulator, driven through a real hyper client.

mod controls;
mod members;
mod sessions;
mod transport;

use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{header, HeaderMap, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::{json, Value};

use super::{start, LegacyApi, Running};

const TOKEN: &str = "test-token";

/// A running emulator and a client that talks to it.
struct Harness {
    server: Running,
    client: Client<HttpConnector, Full<Bytes>>,
}

/// One reply, with the body parsed as JSON (`Null` when empty).
#[derive(Debug)]
struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

impl Reply {
    fn error_code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
}

impl Harness {
    fn new() -> Self {
        let server = start("127.0.0.1:0".parse().unwrap(), TOKEN).unwrap();
        // Retries would hide dropped connections, which the fault tests need to see.
        let client = Client::builder(TokioExecutor::new())
            .retry_canceled_requests(false)
            .build_http();
        Harness { server, client }
    }

    async fn send(&self, request: Request<Full<Bytes>>) -> Result<Reply, String> {
        let response = self
            .client
            .request(request)
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap()
        };
        Ok(Reply {
            status,
            headers,
            body,
        })
    }

    fn request(&self, method: Method, path: &str) -> http::request::Builder {
        Request::builder()
            .method(method)
            .uri(format!("http://{}{}", self.server.addr(), path))
            .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
    }

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Reply {
        let bytes = body.as_ref().map(|b| b.to_string()).unwrap_or_default();
        let request = self
            .request(method, path)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from(bytes)))
            .unwrap();
        self.send(request).await.unwrap()
    }

    async fn get(&self, path: &str) -> Reply {
        self.call(Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(body)).await
    }

    async fn patch(&self, path: &str, body: Value) -> Reply {
        self.call(Method::PATCH, path, Some(body)).await
    }

    async fn delete(&self, path: &str) -> Reply {
        self.call(Method::DELETE, path, None).await
    }

    async fn create(&self, org: &str, body: Value) -> Value {
        let reply = self.post(&format!("/v1/orgs/{org}/members"), body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
        reply.body
    }

    async fn fault(&self, rule: Value) {
        let reply = self.post("/_emulator/faults", rule).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    }
}

fn id_of(member: &Value) -> &str {
    member["id"].as_str().unwrap()
}
