//! Bearer keys: generation, hashing and the constant-time check that picks the tenant.

use crate::config::Tenant;
use chrono::{DateTime, Utc};
use http::HeaderMap;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The prefix of keys made by `key new`, so that a leaked key is recognisable in scans.
pub const KEY_PREFIX: &str = "scs_";

/// A new random key: the prefix and 32 random bytes in hexadecimal.
pub fn generate_key() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{KEY_PREFIX}{}", hex::encode(bytes))
}

/// The SHA-256 digest of a key, as stored in the config.
pub fn hash_key(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

/// The bearer token of a request, if it has a well-formed `Authorization: Bearer` header.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers
        .get(http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .trim();
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The index of the enabled tenant owning this key, if the key is valid now.
///
/// The digest of the presented key is compared with every configured digest in constant time
/// and without stopping at a match, so the time taken says nothing about which key, or how
/// much of one, matched. Disabled tenants and expired keys fail like unknown keys.
pub fn authenticate(tenants: &[Tenant], key: &str, now: DateTime<Utc>) -> Option<usize> {
    let digest = hash_key(key);
    let mut found: Option<usize> = None;
    for (index, tenant) in tenants.iter().enumerate() {
        for stored in &tenant.keys {
            let matched: bool = stored.sha256.ct_eq(&digest).into();
            let live = tenant.enabled && stored.expires.is_none_or(|at| now < at);
            if matched && live {
                found = Some(index);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ApiKey;
    use crate::scim::profile::IdpProfile;

    fn tenant(name: &str, enabled: bool, keys: Vec<ApiKey>) -> Tenant {
        Tenant {
            name: name.into(),
            org: name.into(),
            enabled,
            profile: IdpProfile::Generic,
            rate_limit: None,
            keys,
        }
    }

    fn key(secret: &str, expires: Option<&str>) -> ApiKey {
        ApiKey {
            sha256: hash_key(secret),
            expires: expires.map(|e| DateTime::parse_from_rfc3339(e).unwrap().with_timezone(&Utc)),
            label: None,
        }
    }

    #[test]
    fn keys_pick_their_own_tenant_and_nothing_else() {
        let now = DateTime::parse_from_rfc3339("2026-12-03T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let tenants = vec![
            tenant(
                "a",
                true,
                vec![
                    key("old-a", Some("2026-12-10T00:00:00Z")),
                    key("new-a", None),
                ],
            ),
            tenant(
                "b",
                true,
                vec![
                    key("b", None),
                    key("expired-b", Some("2026-12-01T00:00:00Z")),
                ],
            ),
            tenant("c", false, vec![key("c", None)]),
        ];
        let cases = [
            ("old-a", Some(0)),
            ("new-a", Some(0)),
            ("b", Some(1)),
            ("expired-b", None),
            ("c", None),
            ("unknown", None),
            ("", None),
        ];
        for (secret, expected) in cases {
            assert_eq!(authenticate(&tenants, secret, now), expected, "{secret}");
        }
    }

    #[test]
    fn bearer_header_parsing_is_strict_about_shape_and_lenient_about_case() {
        let cases = [
            ("Bearer abc", Some("abc")),
            ("bearer  abc ", Some("abc")),
            ("Basic abc", None),
            ("Bearer", None),
            ("Bearer ", None),
            ("abc", None),
        ];
        for (value, expected) in cases {
            let mut headers = HeaderMap::new();
            headers.insert(http::header::AUTHORIZATION, value.parse().unwrap());
            assert_eq!(bearer(&headers), expected, "{value:?}");
        }
        assert_eq!(bearer(&HeaderMap::new()), None);
    }

    #[test]
    fn generated_keys_are_unique_and_prefixed() {
        let (a, b) = (generate_key(), generate_key());
        assert_ne!(a, b);
        assert!(a.starts_with(KEY_PREFIX) && a.len() == KEY_PREFIX.len() + 64);
    }
}
