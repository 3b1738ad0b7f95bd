//! SCIM filters: the syntax tree, parser, printer, semantic check and in-memory evaluator.
//!
//! A filter arrives as text, is parsed into a [`Filter`] within [`Limits`], is checked against
//! the schema a tenant exposes, and is then evaluated against resources laid out as RFC 7643
//! JSON. The same parser reads PATCH paths and the attribute paths of `sortBy` and `attributes`.

mod ast;
mod check;
mod error;
mod eval;
mod literal;
mod parser;
mod path;
mod print;

pub use ast::{AttrPath, CompValue, CompareOp, Filter, PatchPath};
pub use check::check;
pub use error::{FilterError, Limits};
pub use eval::{matches, matches_element};
pub use parser::{parse, parse_attr_path, parse_path};

#[cfg(test)]
mod tests;
