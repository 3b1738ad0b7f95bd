//! The configuration file as written: a serde mirror of the TOML with no validation beyond types.

use serde::Deserialize;
use std::collections::BTreeMap;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    /// The SCIM listener.
    #[serde(default)]
    pub server: RawServer,
    /// The legacy membership and session API.
    pub legacy: RawLegacy,
    /// SCIM protocol limits.
    #[serde(default)]
    pub scim: RawScim,
    /// The read cache.
    #[serde(default)]
    pub cache: RawCache,
    /// Attribute mapping between SCIM and the legacy member object.
    #[serde(default)]
    pub mapping: Vec<RawMapping>,
    /// Tenants with their keys.
    #[serde(default)]
    pub tenants: Vec<RawTenant>,
}

/// `[server]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawServer {
    pub listen: Option<String>,
    pub base_path: Option<String>,
    pub public_url: Option<String>,
    pub max_body_bytes: Option<usize>,
    pub threads: Option<usize>,
    pub grace_period_seconds: Option<u64>,
    pub shutdown_timeout_seconds: Option<u64>,
    pub auth_failures_per_minute: Option<u32>,
    pub tls: Option<RawTls>,
}

/// `[server.tls]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTls {
    pub cert: String,
    pub key: String,
}

/// `[legacy]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLegacy {
    pub base_url: String,
    pub token: RawSecret,
    pub timeout_ms: Option<u64>,
    pub max_concurrency: Option<usize>,
    pub retries: Option<u32>,
    pub page_size: Option<usize>,
    #[serde(default)]
    pub api: RawLegacyApi,
}

/// A secret: from an environment variable, a file (a Kubernetes Secret mount) or inline.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSecret {
    pub env: Option<String>,
    pub file: Option<String>,
    pub value: Option<String>,
}

/// `[legacy.api]`: the REST shape of the legacy API.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLegacyApi {
    pub members_path: Option<String>,
    pub member_path: Option<String>,
    pub sessions_path: Option<String>,
    pub offset_param: Option<String>,
    pub limit_param: Option<String>,
    pub items_field: Option<String>,
    pub total_field: Option<String>,
    pub id_field: Option<String>,
    pub version_field: Option<String>,
    pub created_field: Option<String>,
    pub updated_field: Option<String>,
    pub error_code_pointer: Option<String>,
    pub max_page_size: Option<usize>,
}

/// `[scim]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScim {
    pub max_results: Option<usize>,
    pub scan_cap: Option<usize>,
    pub filter_max_length: Option<usize>,
    pub filter_max_terms: Option<usize>,
}

/// `[cache]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCache {
    pub ttl_ms: Option<u64>,
    pub capacity: Option<u64>,
}

/// One `[[mapping]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMapping {
    pub scim: String,
    pub legacy: String,
    pub lookup: Option<String>,
    pub values: Option<BTreeMap<String, String>>,
    pub required: Option<bool>,
}

/// One `[[tenants]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTenant {
    pub name: String,
    pub org: String,
    pub enabled: Option<bool>,
    pub profile: Option<String>,
    pub rate_limit: Option<RawRateLimit>,
    #[serde(default)]
    pub keys: Vec<RawKey>,
}

/// A tenant's rate limit.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRateLimit {
    pub per_second: u32,
    pub burst: Option<u32>,
}

/// One API key, stored as its SHA-256.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawKey {
    pub sha256: String,
    pub expires: Option<String>,
    pub label: Option<String>,
}
