//! Secrets read from the environment, a file or the config itself, redacted in every `Debug`.

use std::fmt;

/// A secret string whose `Debug` and `Display` never show the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(**redacted**)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("**redacted**")
    }
}

/// Where a secret comes from, as written in the config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// An environment variable's name.
    Env(String),
    /// A file path; surrounding whitespace is trimmed, as Kubernetes Secret files often end in a
    /// newline.
    File(String),
    /// The value itself, written in the config.
    Inline(Secret),
}

impl SecretSource {
    /// Reads the secret now.
    pub fn resolve(&self) -> Result<Secret, String> {
        let value = match self {
            SecretSource::Env(name) => std::env::var(name)
                .map_err(|_| format!("environment variable {name} is not set"))?,
            SecretSource::File(path) => std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read secret file {path}: {e}"))?
                .trim()
                .to_owned(),
            SecretSource::Inline(secret) => secret.expose().to_owned(),
        };
        if value.is_empty() {
            return Err("the secret is empty".to_owned());
        }
        Ok(Secret(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let secret = Secret::new("hunter2");
        assert!(!format!("{secret:?}").contains("hunter2"));
        assert!(!format!("{secret}").contains("hunter2"));
        let source = SecretSource::Inline(secret);
        assert!(!format!("{source:?}").contains("hunter2"));
    }
}
