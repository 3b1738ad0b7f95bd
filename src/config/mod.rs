//! Configuration: one TOML file, read in two stages.
//!
//! [`raw`] mirrors the file and rejects unknown keys; [`Config::from_toml`] then validates every
//! value, collecting all problems with their location before failing, so that `check-config`
//! can report everything wrong with a file at once.

pub mod raw;
mod secret;

use crate::mapping::Mapping;
use crate::scim::profile::IdpProfile;
use chrono::{DateTime, Utc};
use std::fmt;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

pub use secret::{Secret, SecretSource};

/// A validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The SCIM listener.
    pub server: ServerConfig,
    /// The legacy API and how to talk to it.
    pub legacy: LegacyConfig,
    /// SCIM protocol limits.
    pub scim: ScimLimits,
    /// The read cache.
    pub cache: CacheConfig,
    /// The attribute mapping.
    pub mapping: Mapping,
    /// The tenants.
    pub tenants: Vec<Tenant>,
}

/// The SCIM listener.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The address to listen on.
    pub listen: SocketAddr,
    /// The path prefix of the SCIM endpoints, such as `/scim/v2`, without a trailing slash.
    pub base_path: String,
    /// The externally visible base URL, used in `meta.location`; derived from `Host` if unset.
    pub public_url: Option<String>,
    /// The largest request body accepted.
    pub max_body_bytes: usize,
    /// Worker threads of the listener.
    pub threads: usize,
    /// Seconds to keep serving after SIGTERM before draining.
    pub grace_period_seconds: u64,
    /// Seconds to wait for in-flight requests to finish when draining.
    pub shutdown_timeout_seconds: u64,
    /// Failed authentications allowed per client address and minute.
    pub auth_failures_per_minute: u32,
    /// TLS certificate and key paths; plain HTTP when unset.
    pub tls: Option<TlsConfig>,
}

/// PEM files for the TLS listener.
#[derive(Debug, Clone)]
pub struct TlsConfig {
    /// The certificate chain.
    pub cert: String,
    /// The private key.
    pub key: String,
}

/// How to reach the legacy API.
#[derive(Debug, Clone)]
pub struct LegacyConfig {
    /// The scheme, authority and optional path prefix, without a trailing slash.
    pub base_url: String,
    /// Where the service token comes from.
    pub token: SecretSource,
    /// The time allowed for one call, retries included.
    pub timeout: Duration,
    /// The most calls in flight at once.
    pub max_concurrency: usize,
    /// How many times an idempotent call is retried.
    pub retries: u32,
    /// The page size used when scanning the member list.
    pub page_size: usize,
    /// The REST shape of the API.
    pub api: LegacyApi,
}

/// The REST shape of the legacy membership and session API.
#[derive(Debug, Clone)]
pub struct LegacyApi {
    /// The member collection; `{org}` is replaced by the tenant's organisation.
    pub members_path: String,
    /// One member; `{org}` and `{id}` are replaced.
    pub member_path: String,
    /// One member's sessions.
    pub sessions_path: String,
    /// The query parameter holding the list offset.
    pub offset_param: String,
    /// The query parameter holding the page size.
    pub limit_param: String,
    /// The list response field holding the members.
    pub items_field: String,
    /// The list response field holding the total count.
    pub total_field: String,
    /// The member field holding the id.
    pub id_field: String,
    /// The member field holding the version used with `If-Match`.
    pub version_field: String,
    /// The member field holding the creation time.
    pub created_field: String,
    /// The member field holding the last change time.
    pub updated_field: String,
    /// A JSON pointer to the error code in error bodies.
    pub error_code_pointer: String,
    /// The largest page the list endpoint returns.
    pub max_page_size: usize,
}

/// SCIM protocol limits.
#[derive(Debug, Clone)]
pub struct ScimLimits {
    /// The largest `count` served, advertised as `filter.maxResults`.
    pub max_results: usize,
    /// The most legacy members read to evaluate a filter in memory.
    pub scan_cap: usize,
    /// The longest filter accepted, in bytes.
    pub filter_max_length: usize,
    /// The most comparisons in one filter.
    pub filter_max_terms: usize,
}

/// The read cache.
#[derive(Debug, Clone)]
pub struct CacheConfig {
    /// How long an entry is served; zero turns the cache off.
    pub ttl: Duration,
    /// The most entries kept.
    pub capacity: u64,
}

/// One tenant: an organisation in the legacy API and the keys that may act on it.
#[derive(Debug, Clone)]
pub struct Tenant {
    /// A unique name, used in logs and metrics.
    pub name: String,
    /// The legacy organisation id.
    pub org: String,
    /// Whether the tenant may make requests at all.
    pub enabled: bool,
    /// The identity provider profile.
    pub profile: IdpProfile,
    /// The request rate limit, if any.
    pub rate_limit: Option<RateLimit>,
    /// The API keys, as SHA-256 digests.
    pub keys: Vec<ApiKey>,
}

/// A token-bucket rate limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// The sustained rate.
    pub per_second: u32,
    /// The largest burst.
    pub burst: u32,
}

/// One API key.
#[derive(Debug, Clone)]
pub struct ApiKey {
    /// The SHA-256 digest of the key.
    pub sha256: [u8; 32],
    /// When the key stops working, for rotation with an overlap.
    pub expires: Option<DateTime<Utc>>,
    /// A name for logs, such as `okta-2026-12`.
    pub label: Option<String>,
}

/// One thing wrong with a configuration, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where in the file, such as `tenants[0].keys[1].sha256`.
    pub location: String,
    /// What is wrong.
    pub message: String,
}

/// Every problem found in a configuration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    /// The problems, in file order.
    pub problems: Vec<Problem>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}: {}", p.location, p.message)?;
        }
        Ok(())
    }
}

/// Collects problems while validating.
#[derive(Debug, Default)]
pub(crate) struct Problems(pub(crate) Vec<Problem>);

impl Problems {
    pub(crate) fn add(&mut self, location: impl Into<String>, message: impl Into<String>) {
        self.0.push(Problem {
            location: location.into(),
            message: message.into(),
        });
    }
}

impl Config {
    /// Reads and validates a config file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            problems: vec![Problem {
                location: path.display().to_string(),
                message: format!("cannot read the file: {e}"),
            }],
        })?;
        Self::from_toml(&text)
    }

    /// Parses and validates config text, reporting every problem at once.
    pub fn from_toml(text: &str) -> Result<Config, ConfigError> {
        let raw: raw::RawConfig = toml::from_str(text).map_err(|e| {
            let location = match e.span() {
                Some(span) => {
                    let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
                    format!("line {line}")
                }
                None => "config".to_owned(),
            };
            ConfigError {
                problems: vec![Problem {
                    location,
                    message: e.message().to_owned(),
                }],
            }
        })?;
        Self::from_raw(raw)
    }

    /// Validates a parsed file.
    pub fn from_raw(raw: raw::RawConfig) -> Result<Config, ConfigError> {
        let mut problems = Problems::default();
        let server = validate_server(raw.server, &mut problems);
        let legacy = validate_legacy(raw.legacy, &mut problems);
        let scim = ScimLimits {
            max_results: positive(raw.scim.max_results, 100, "scim.max_results", &mut problems),
            scan_cap: positive(raw.scim.scan_cap, 10_000, "scim.scan_cap", &mut problems),
            filter_max_length: positive(
                raw.scim.filter_max_length,
                4096,
                "scim.filter_max_length",
                &mut problems,
            ),
            filter_max_terms: positive(
                raw.scim.filter_max_terms,
                50,
                "scim.filter_max_terms",
                &mut problems,
            ),
        };
        let cache = CacheConfig {
            ttl: Duration::from_millis(raw.cache.ttl_ms.unwrap_or(5_000)),
            capacity: raw.cache.capacity.unwrap_or(10_000),
        };
        let mapping = Mapping::from_raw(&raw.mapping, &mut problems);
        let tenants = validate_tenants(raw.tenants, &mut problems);
        match mapping {
            Some(mapping) if problems.0.is_empty() => Ok(Config {
                server,
                legacy,
                scim,
                cache,
                mapping,
                tenants,
            }),
            _ => Err(ConfigError {
                problems: problems.0,
            }),
        }
    }
}

fn validate_server(raw: raw::RawServer, problems: &mut Problems) -> ServerConfig {
    let listen = raw.listen.as_deref().unwrap_or("127.0.0.1:8080");
    let listen = parse_addr(listen, "server.listen", problems)
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080)));
    let base_path = raw.base_path.unwrap_or_else(|| "/scim/v2".to_owned());
    if !base_path.starts_with('/') {
        problems.add("server.base_path", "must start with '/'");
    }
    let base_path = base_path.trim_end_matches('/').to_owned();
    if let Some(url) = &raw.public_url {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            problems.add("server.public_url", "must be an http:// or https:// URL");
        }
    }
    ServerConfig {
        listen,
        base_path,
        public_url: raw.public_url.map(|u| u.trim_end_matches('/').to_owned()),
        max_body_bytes: positive(
            raw.max_body_bytes,
            1 << 20,
            "server.max_body_bytes",
            problems,
        ),
        threads: positive(raw.threads, 2, "server.threads", problems),
        grace_period_seconds: raw.grace_period_seconds.unwrap_or(5),
        shutdown_timeout_seconds: raw.shutdown_timeout_seconds.unwrap_or(20),
        auth_failures_per_minute: raw.auth_failures_per_minute.unwrap_or(30).max(1),
        tls: raw.tls.map(|t| TlsConfig {
            cert: t.cert,
            key: t.key,
        }),
    }
}

fn validate_legacy(raw: raw::RawLegacy, problems: &mut Problems) -> LegacyConfig {
    let base_url = raw.base_url.trim_end_matches('/').to_owned();
    match base_url.parse::<http::Uri>() {
        Ok(uri) if uri.scheme_str() == Some("http") && uri.authority().is_some() => {}
        Ok(uri) if uri.scheme_str() == Some("https") => problems.add(
            "legacy.base_url",
            "https is not supported for the legacy API yet; use a plain http URL",
        ),
        _ => problems.add("legacy.base_url", "must be an http:// URL with a host"),
    }
    let token = match (raw.token.env, raw.token.file, raw.token.value) {
        (Some(env), None, None) => SecretSource::Env(env),
        (None, Some(file), None) => SecretSource::File(file),
        (None, None, Some(value)) => SecretSource::Inline(Secret::new(value)),
        _ => {
            problems.add("legacy.token", "set exactly one of env, file or value");
            SecretSource::Inline(Secret::new(""))
        }
    };
    let api = raw.api;
    let text = |value: Option<String>, default: &str| value.unwrap_or_else(|| default.to_owned());
    let api = LegacyApi {
        members_path: text(api.members_path, "/v1/orgs/{org}/members"),
        member_path: text(api.member_path, "/v1/orgs/{org}/members/{id}"),
        sessions_path: text(api.sessions_path, "/v1/orgs/{org}/members/{id}/sessions"),
        offset_param: text(api.offset_param, "offset"),
        limit_param: text(api.limit_param, "limit"),
        items_field: text(api.items_field, "data"),
        total_field: text(api.total_field, "total"),
        id_field: text(api.id_field, "id"),
        version_field: text(api.version_field, "version"),
        created_field: text(api.created_field, "created_at"),
        updated_field: text(api.updated_field, "updated_at"),
        error_code_pointer: text(api.error_code_pointer, "/error/code"),
        max_page_size: positive(api.max_page_size, 200, "legacy.api.max_page_size", problems),
    };
    for (name, path, needs_id) in [
        ("members_path", &api.members_path, false),
        ("member_path", &api.member_path, true),
        ("sessions_path", &api.sessions_path, true),
    ] {
        if !path.starts_with('/') || !path.contains("{org}") {
            problems.add(
                format!("legacy.api.{name}"),
                "must start with '/' and contain {org}",
            );
        }
        if needs_id && !path.contains("{id}") {
            problems.add(format!("legacy.api.{name}"), "must contain {id}");
        }
    }
    if !api.error_code_pointer.is_empty() && !api.error_code_pointer.starts_with('/') {
        problems.add(
            "legacy.api.error_code_pointer",
            "must be a JSON pointer such as /error/code",
        );
    }
    let page_size = positive(raw.page_size, 100, "legacy.page_size", problems);
    if page_size > api.max_page_size {
        problems.add(
            "legacy.page_size",
            "must not exceed legacy.api.max_page_size",
        );
    }
    LegacyConfig {
        base_url,
        token,
        timeout: Duration::from_millis(positive(
            raw.timeout_ms.map(|v| v as usize),
            5_000,
            "legacy.timeout_ms",
            problems,
        ) as u64),
        max_concurrency: positive(raw.max_concurrency, 64, "legacy.max_concurrency", problems),
        retries: raw.retries.unwrap_or(2).min(10),
        page_size,
        api,
    }
}

fn validate_tenants(raw: Vec<raw::RawTenant>, problems: &mut Problems) -> Vec<Tenant> {
    let mut tenants: Vec<Tenant> = Vec::new();
    for (i, t) in raw.into_iter().enumerate() {
        let at = format!("tenants[{i}]");
        if t.name.is_empty() || tenants.iter().any(|other| other.name == t.name) {
            problems.add(format!("{at}.name"), "must be non-empty and unique");
        }
        if t.org.is_empty() || t.org.contains('/') || t.org.bytes().all(|b| b == b'.') {
            problems.add(
                format!("{at}.org"),
                "must be non-empty, contain no '/' and not be dots",
            );
        }
        let profile = match t
            .profile
            .as_deref()
            .unwrap_or("generic")
            .parse::<IdpProfile>()
        {
            Ok(p) => p,
            Err(_) => {
                problems.add(
                    format!("{at}.profile"),
                    "must be one of generic, okta, entra",
                );
                IdpProfile::default()
            }
        };
        let rate_limit = t.rate_limit.and_then(|r| {
            if r.per_second == 0 {
                problems.add(format!("{at}.rate_limit.per_second"), "must be at least 1");
                return None;
            }
            Some(RateLimit {
                per_second: r.per_second,
                burst: r.burst.unwrap_or(r.per_second).max(1),
            })
        });
        let mut keys = Vec::new();
        for (k, key) in t.keys.into_iter().enumerate() {
            let at = format!("{at}.keys[{k}]");
            let mut sha256 = [0u8; 32];
            if hex::decode_to_slice(key.sha256.trim(), &mut sha256).is_err() {
                problems.add(format!("{at}.sha256"), "must be 64 hexadecimal digits");
                continue;
            }
            let expires = match key.expires.as_deref().map(DateTime::parse_from_rfc3339) {
                None => None,
                Some(Ok(t)) => Some(t.with_timezone(&Utc)),
                Some(Err(_)) => {
                    problems.add(format!("{at}.expires"), "must be an RFC 3339 time");
                    None
                }
            };
            keys.push(ApiKey {
                sha256,
                expires,
                label: key.label,
            });
        }
        tenants.push(Tenant {
            name: t.name,
            org: t.org,
            enabled: t.enabled.unwrap_or(true),
            profile,
            rate_limit,
            keys,
        });
    }
    tenants
}

fn parse_addr(value: &str, location: &str, problems: &mut Problems) -> Option<SocketAddr> {
    match value.parse() {
        Ok(addr) => Some(addr),
        Err(_) => {
            problems.add(
                location,
                format!("{value:?} is not an address such as 127.0.0.1:8080"),
            );
            None
        }
    }
}

fn positive(
    value: Option<usize>,
    default: usize,
    location: &str,
    problems: &mut Problems,
) -> usize {
    match value {
        Some(0) => {
            problems.add(location, "must be at least 1");
            default
        }
        Some(v) => v,
        None => default,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEMO: &str = include_str!("../../config/demo.toml");

    #[test]
    fn the_shipped_configs_are_valid() {
        let demo = Config::from_toml(DEMO).expect("config/demo.toml");
        assert_eq!(demo.tenants.len(), 1);
        assert_eq!(demo.server.base_path, "/scim/v2");
        let deploy = include_str!("../../deploy/kubernetes.yaml");
        let start = deploy.find("sidecar.toml: |").unwrap() + "sidecar.toml: |".len();
        let end = deploy.find("\n---").unwrap();
        let embedded: String = deploy[start..end]
            .lines()
            .map(|l| l.strip_prefix("    ").unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n");
        Config::from_toml(&embedded).expect("the config in deploy/kubernetes.yaml");
    }

    #[test]
    fn every_problem_is_reported_with_its_location() {
        let broken = DEMO
            .replace("listen = \"127.0.0.1:8080\"", "listen = \"localhost\"")
            .replace("base_path = \"/scim/v2\"", "base_path = \"scim\"")
            .replace("max_results = 100", "max_results = 0")
            .replace("scim = \"title\"", "scim = \"titel\"")
            .replace("profile = \"generic\"", "profile = \"ping\"")
            .replace(
                "keys = []",
                "keys = [{ sha256 = \"abc\" }, { sha256 = \"00\", expires = \"soon\" }]",
            );
        let error = Config::from_toml(&broken).unwrap_err();
        let found: Vec<&str> = error.problems.iter().map(|p| p.location.as_str()).collect();
        for location in [
            "server.listen",
            "server.base_path",
            "scim.max_results",
            "mapping[7].scim",
            "tenants[0].profile",
            "tenants[0].keys[0].sha256",
            "tenants[0].keys[1].sha256",
        ] {
            assert!(
                found.contains(&location),
                "{location} missing from {found:?}"
            );
        }
    }

    #[test]
    fn unknown_keys_and_syntax_errors_name_the_line() {
        let cases = [
            (DEMO.replace("threads = 2", "thread = 2"), "unknown field"),
            (DEMO.replace("[cache]", "[cache"), "line"),
        ];
        for (text, expected) in cases {
            let error = Config::from_toml(&text).unwrap_err();
            let shown = error.to_string();
            assert!(shown.contains("line"), "{shown}");
            assert!(shown.contains(expected), "{shown}");
        }
    }
}
