//! The error a filter or path fails to parse with, and the limits that bound parsing.

use crate::scim::error::{ScimError, ScimType};

/// Bounds on the size of a filter, so a hostile client cannot make parsing or evaluation costly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The longest filter accepted, in bytes.
    pub max_length: usize,
    /// The most comparisons and presence tests one filter may hold.
    pub max_terms: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_length: 4096,
            max_terms: 50,
        }
    }
}

/// A filter or attribute path that could not be parsed, with where the problem was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} at position {position}")]
pub struct FilterError {
    /// The 0-based offset, in characters (not bytes), of the problem in the input.
    pub position: usize,
    /// What was expected or what is wrong, lowercase and without a final period.
    pub message: String,
}

impl FilterError {
    /// An error at the given character offset.
    pub fn new(position: usize, message: impl Into<String>) -> Self {
        FilterError {
            position,
            message: message.into(),
        }
    }
}

impl From<FilterError> for ScimError {
    fn from(error: FilterError) -> Self {
        ScimError::bad_request(ScimType::InvalidFilter, error.to_string())
    }
}
