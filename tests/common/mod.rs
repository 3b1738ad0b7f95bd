//! The integration test harness: a real bundled legacy API and the real `scim-sidecar`
//! binary, talking HTTP over loopback.
//!
//! Each [`Stack`] starts the legacy API in this process and spawns the sidecar binary with a
//! config written for it (`run --config`), so the production start-up path, the listener and
//! the legacy client are all exercised. Every test starts its own stack, which is stopped when
//! the test ends, even by a panic.

#![allow(dead_code, unreachable_pub)]

use scim_sidecar::emulator;
use serde_json::{json, Value};
use std::io::Read;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The core User schema URN.
pub const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// The enterprise extension URN.
pub const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
/// The PATCH message URN.
pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// Settings a test file may change.
#[derive(Debug, Clone)]
pub struct Options {
    /// Tenants to configure: (name, legacy organisation).
    pub tenants: Vec<(String, String)>,
    /// `scim.scan_cap`.
    pub scan_cap: usize,
    /// `legacy.page_size`.
    pub page_size: usize,
    /// `scim.max_results`.
    pub max_results: usize,
    /// `legacy.timeout_ms`.
    pub timeout_ms: u64,
    /// `legacy.retries`.
    pub retries: u32,
    /// `cache.ttl_ms`.
    pub cache_ttl_ms: u64,
    /// Per-tenant rate limit (per second, burst), if any.
    pub rate_limit: Option<(u32, u32)>,
    /// The profile of every tenant.
    pub profile: &'static str,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            tenants: (0..4)
                .map(|i| (format!("t{i}"), format!("org{i}")))
                .collect(),
            scan_cap: 10_000,
            page_size: 100,
            max_results: 100,
            timeout_ms: 3_000,
            retries: 2,
            cache_ttl_ms: 5_000,
            rate_limit: None,
            profile: "generic",
        }
    }
}

/// A running legacy API and sidecar.
pub struct Stack {
    /// The SCIM base URL.
    pub base: String,
    /// The legacy API URL.
    pub legacy_url: String,
    /// The legacy API's service token.
    pub legacy_token: String,
    /// The config file the sidecar runs with.
    pub config_path: PathBuf,
    nonce: String,
    tenants: Vec<(String, String)>,
    child: Child,
    _legacy: emulator::Running,
}

impl Drop for Stack {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.config_path);
        if !std::thread::panicking() {
            let _ = std::fs::remove_file(self.config_path.with_extension("log"));
        }
    }
}

/// The bearer key of a tenant of the stack with this nonce. Every stack has its own keys, so
/// a test can never talk to another test's sidecar by mistake.
fn key_of(nonce: &str, tenant: &str) -> String {
    format!("scs_test_{nonce}_{tenant}")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Stack {
    /// Starts a stack with these options and waits until the sidecar accepts connections.
    ///
    /// The sidecar's log goes to a file beside its config, kept when the test fails.
    pub fn start(options: Options) -> Stack {
        let legacy_token = "legacy-test-token".to_owned();
        let legacy = emulator::start("127.0.0.1:0".parse().unwrap(), &legacy_token).unwrap();
        let legacy_url = format!("http://{}", legacy.addr());
        let nonce = hex::encode(rand::random::<[u8; 8]>());
        // A free port can be taken by another test between the probe and the sidecar's bind;
        // the sidecar then exits, and the stack starts again on another port.
        for _ in 0..5 {
            let started = Self::try_start(&options, &nonce, &legacy_url, &legacy_token);
            if let Some((base, config_path, child)) = started {
                return Stack {
                    base,
                    legacy_url,
                    legacy_token,
                    config_path,
                    nonce,
                    tenants: options.tenants,
                    child,
                    _legacy: legacy,
                };
            }
        }
        panic!("the sidecar did not start");
    }

    /// Writes a config and spawns the sidecar on a free port; `None` if it exited.
    fn try_start(
        options: &Options,
        nonce: &str,
        legacy_url: &str,
        legacy_token: &str,
    ) -> Option<(String, PathBuf, Child)> {
        let port = free_port();
        let mut tenants = String::new();
        for (name, org) in &options.tenants {
            let hash = hex::encode(scim_sidecar::server::auth::hash_key(&key_of(nonce, name)));
            tenants.push_str(&format!(
                "\n[[tenants]]\nname = \"{name}\"\norg = \"{org}\"\nprofile = \"{}\"\n",
                options.profile
            ));
            if let Some((rate, burst)) = options.rate_limit {
                tenants.push_str(&format!(
                    "rate_limit = {{ per_second = {rate}, burst = {burst} }}\n"
                ));
            }
            tenants.push_str(&format!("keys = [{{ sha256 = \"{hash}\" }}]\n"));
        }
        let demo = include_str!("../../config/demo.toml");
        let mapping = &demo[demo.find("[[mapping]]").unwrap()..demo.find("[[tenants]]").unwrap()];
        let config = format!(
            r#"
[server]
listen = "127.0.0.1:{port}"
base_path = "/scim/v2"
threads = 2
grace_period_seconds = 0
shutdown_timeout_seconds = 1

[legacy]
base_url = "{legacy_url}"
token = {{ value = "{legacy_token}" }}
timeout_ms = {timeout}
retries = {retries}
page_size = {page_size}

[scim]
max_results = {max_results}
scan_cap = {scan_cap}

[cache]
ttl_ms = {ttl}

{mapping}
{tenants}
"#,
            timeout = options.timeout_ms,
            retries = options.retries,
            page_size = options.page_size,
            max_results = options.max_results,
            scan_cap = options.scan_cap,
            ttl = options.cache_ttl_ms,
        );
        let config_path = std::env::temp_dir().join(format!("scim-sidecar-test-{port}.toml"));
        std::fs::write(&config_path, config).unwrap();
        let log = std::fs::File::create(config_path.with_extension("log")).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_scim-sidecar"))
            .args(["run", "--config"])
            .arg(&config_path)
            .env("SCIM_SIDECAR_LOG", "warn,scim_sidecar=debug")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}/scim/v2");
        // The probe uses the last tenant, which tests of per-tenant budgets leave alone.
        let probe_tenant = &options.tenants[options.tenants.len() - 1].0;
        let auth = format!("Bearer {}", key_of(nonce, probe_tenant));
        let started = Instant::now();
        loop {
            if child.try_wait().ok().flatten().is_some() {
                let _ = std::fs::remove_file(&config_path);
                return None;
            }
            let url = format!("{base}/ServiceProviderConfig");
            let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
            if TcpStream::connect(addr).is_ok()
                && send("GET", &url, &[("authorization", &auth)], None).status == 200
            {
                return Some((base, config_path, child));
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "the sidecar did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// A SCIM client for tenant number `index`.
    pub fn client(&self, index: usize) -> Client {
        let (name, org) = &self.tenants[index];
        Client {
            base: self.base.clone(),
            key: Some(key_of(&self.nonce, name)),
            org: org.clone(),
            legacy_url: self.legacy_url.clone(),
            legacy_token: self.legacy_token.clone(),
        }
    }
}

/// An HTTP answer: status, headers and the body parsed as JSON when it is JSON.
#[derive(Debug)]
pub struct Reply {
    /// The status code.
    pub status: u16,
    /// Response headers, names lowercased.
    pub headers: Vec<(String, String)>,
    /// The body as text.
    pub text: String,
    /// The body as JSON, or `Null`.
    pub json: Value,
}

impl Reply {
    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Asserts an RFC 7644 error reply with this status and `scimType`.
    pub fn assert_error(&self, status: u16, scim_type: Option<&str>) {
        assert_eq!(self.status, status, "{}", self.text);
        assert_eq!(
            self.header("content-type"),
            Some("application/scim+json"),
            "{}",
            self.text
        );
        assert_eq!(
            self.json["schemas"][0],
            "urn:ietf:params:scim:api:messages:2.0:Error"
        );
        assert_eq!(self.json["status"], status.to_string());
        assert_eq!(self.json["scimType"].as_str(), scim_type, "{}", self.text);
        assert!(self.json["detail"].as_str().is_some_and(|d| !d.is_empty()));
    }
}

/// A SCIM client bound to one tenant, with helpers to talk to the legacy API directly.
#[derive(Debug, Clone)]
pub struct Client {
    /// The SCIM base URL.
    pub base: String,
    /// The bearer key, or none.
    pub key: Option<String>,
    /// The tenant's legacy organisation.
    pub org: String,
    legacy_url: String,
    legacy_token: String,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

/// Sends one request and reads the whole reply.
pub fn send(method: &str, url: &str, headers: &[(&str, &str)], body: Option<&str>) -> Reply {
    let mut request = http::Request::builder().method(method).uri(url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let agent = agent();
    let response = match body {
        Some(body) => agent.run(request.body(body.to_owned()).unwrap()),
        None => agent.run(request.body(()).unwrap()),
    };
    let mut response = response.unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    let mut text = String::new();
    response
        .body_mut()
        .as_reader()
        .read_to_string(&mut text)
        .unwrap();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        text,
        json,
    }
}

impl Client {
    /// This client without a key.
    pub fn anonymous(&self) -> Client {
        Client {
            key: None,
            ..self.clone()
        }
    }

    /// This client with another key.
    pub fn with_key(&self, key: &str) -> Client {
        Client {
            key: Some(key.to_owned()),
            ..self.clone()
        }
    }

    /// A SCIM request; `path` is below the base URL and may carry a query.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        extra: &[(&str, &str)],
    ) -> Reply {
        let auth = self.key.as_ref().map(|k| format!("Bearer {k}"));
        let mut headers: Vec<(&str, &str)> = extra.to_vec();
        if let Some(auth) = &auth {
            headers.push(("authorization", auth));
        }
        let text = body.map(Value::to_string);
        if text.is_some()
            && !extra
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        {
            headers.push(("content-type", "application/scim+json; charset=utf-8"));
        }
        send(
            method,
            &format!("{}{}", self.base, path),
            &headers,
            text.as_deref(),
        )
    }

    /// `GET`.
    pub fn get(&self, path: &str) -> Reply {
        self.request("GET", path, None, &[])
    }

    /// `POST` with a JSON body.
    pub fn post(&self, path: &str, body: &Value) -> Reply {
        self.request("POST", path, Some(body), &[])
    }

    /// `PUT` with a JSON body.
    pub fn put(&self, path: &str, body: &Value) -> Reply {
        self.request("PUT", path, Some(body), &[])
    }

    /// `PATCH` with a PatchOp body built from these operations.
    pub fn patch(&self, path: &str, operations: Value) -> Reply {
        let body = json!({"schemas": [PATCH_OP], "Operations": operations});
        self.request("PATCH", path, Some(&body), &[])
    }

    /// `DELETE`.
    pub fn delete(&self, path: &str) -> Reply {
        self.request("DELETE", path, None, &[])
    }

    /// Creates a user and returns its id, asserting 201.
    pub fn create_user(&self, user: &Value) -> String {
        let reply = self.post("/Users", user);
        assert_eq!(reply.status, 201, "{}", reply.text);
        reply.json["id"].as_str().unwrap().to_owned()
    }

    /// A call to the legacy API itself, as the company's own systems would make it.
    pub fn legacy(&self, method: &str, path: &str, body: Option<&Value>) -> Reply {
        let auth = format!("Bearer {}", self.legacy_token);
        let text = body.map(Value::to_string);
        let mut headers = vec![("authorization", auth.as_str())];
        if text.is_some() {
            headers.push(("content-type", "application/json"));
        }
        send(
            method,
            &format!("{}{}", self.legacy_url, path),
            &headers,
            text.as_deref(),
        )
    }

    /// Signs a member in through the legacy session API; returns the reply.
    pub fn sign_in(&self, email: &str) -> Reply {
        self.legacy(
            "POST",
            &format!("/v1/orgs/{}/sessions", self.org),
            Some(&json!({"email": email})),
        )
    }

    /// The live sessions of a member, as the legacy API lists them.
    pub fn sessions(&self, id: &str) -> Vec<Value> {
        let reply = self.legacy(
            "GET",
            &format!("/v1/orgs/{}/members/{id}/sessions", self.org),
            None,
        );
        assert_eq!(reply.status, 200, "{}", reply.text);
        reply.json["data"].as_array().unwrap().clone()
    }

    /// Whether a session is still live in the legacy API.
    pub fn session_alive(&self, session_id: &str) -> bool {
        let reply = self.legacy(
            "GET",
            &format!("/v1/orgs/{}/sessions/{session_id}", self.org),
            None,
        );
        reply.status == 200
    }

    /// The member as the legacy API holds it.
    pub fn member(&self, id: &str) -> Reply {
        self.legacy("GET", &format!("/v1/orgs/{}/members/{id}", self.org), None)
    }

    /// Queues a fault in the legacy API.
    pub fn fault(&self, fault: Value) {
        let reply = self.legacy("POST", "/_emulator/faults", Some(&fault));
        assert_eq!(reply.status, 201, "{}", reply.text);
    }

    /// Clears every queued fault.
    pub fn clear_faults(&self) {
        self.legacy("DELETE", "/_emulator/faults", None);
    }

    /// The legacy API's call counts per route.
    pub fn legacy_calls(&self, route: &str) -> u64 {
        let reply = self.legacy("GET", "/_emulator/stats", None);
        reply.json["calls"][route].as_u64().unwrap_or(0)
    }
}

/// A minimal valid user.
pub fn user(name: &str) -> Value {
    json!({
        "schemas": [USER],
        "userName": format!("{name}@example.com"),
        "name": {"givenName": name, "familyName": "Tester"},
        "emails": [{"value": format!("{name}@example.com"), "type": "work", "primary": true}],
        "active": true,
    })
}

/// Percent-encodes a filter for a query string.
pub fn q(filter: &str) -> String {
    form_urlencoded::byte_serialize(filter.as_bytes()).collect()
}
