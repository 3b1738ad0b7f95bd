//! Identity provider profiles: which provisioning client a tenant is connected to.
//!
//! Every tolerance the PATCH engine and the input normaliser apply is switched on for all
//! profiles, because each shape an IdP sends is harmless for the others. The profile exists so
//! that behaviour which truly must differ per client has one place to live; the PATCH and
//! normalisation code found nothing that must, so today it only travels through their APIs.

use std::fmt;
use std::str::FromStr;

/// The provisioning client a tenant is configured for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum IdpProfile {
    /// Any RFC 7644 client.
    #[default]
    Generic,
    /// Okta's SCIM client.
    Okta,
    /// Microsoft Entra ID's provisioning service.
    Entra,
}

impl IdpProfile {
    /// The lowercase name used in configuration and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            IdpProfile::Generic => "generic",
            IdpProfile::Okta => "okta",
            IdpProfile::Entra => "entra",
        }
    }
}

impl fmt::Display for IdpProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error returned when a profile name is not one of `generic`, `okta` or `entra`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown identity provider profile {0:?}, expected generic, okta or entra")]
pub struct UnknownProfile(pub String);

impl FromStr for IdpProfile {
    type Err = UnknownProfile;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // Names are matched without regard to case so that `Okta` in a config file is not an
        // error an operator has to puzzle over.
        [IdpProfile::Generic, IdpProfile::Okta, IdpProfile::Entra]
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownProfile(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_display_and_from_str() {
        for profile in [IdpProfile::Generic, IdpProfile::Okta, IdpProfile::Entra] {
            assert_eq!(profile.to_string().parse::<IdpProfile>(), Ok(profile));
        }
    }

    #[test]
    fn parsing_ignores_case_and_rejects_unknown_names() {
        let cases = [
            ("okta", Ok(IdpProfile::Okta)),
            ("Entra", Ok(IdpProfile::Entra)),
            ("GENERIC", Ok(IdpProfile::Generic)),
            ("azure", Err(UnknownProfile("azure".to_owned()))),
            ("", Err(UnknownProfile(String::new()))),
        ];
        for (input, expected) in cases {
            assert_eq!(input.parse::<IdpProfile>(), expected, "input {input:?}");
        }
    }

    #[test]
    fn default_is_generic() {
        assert_eq!(IdpProfile::default(), IdpProfile::Generic);
    }
}
