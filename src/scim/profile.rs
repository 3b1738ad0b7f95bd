//! Identity provider profiles: which client a tenant provisions from.

use std::fmt;
use std::str::FromStr;

/// The identity provider a tenant uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum IdpProfile {
    /// Any RFC 7644 client.
    #[default]
    Generic,
    /// Okta.
    Okta,
    /// Microsoft Entra ID.
    Entra,
}

impl FromStr for IdpProfile {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "generic" => Ok(IdpProfile::Generic),
            "okta" => Ok(IdpProfile::Okta),
            "entra" => Ok(IdpProfile::Entra),
            other => Err(format!("unknown profile {other:?}")),
        }
    }
}

impl fmt::Display for IdpProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IdpProfile::Generic => "generic",
            IdpProfile::Okta => "okta",
            IdpProfile::Entra => "entra",
        })
    }
}
