//! SCIM filters: the syntax tree, parser, printer and in-memory evaluator.

mod ast;

pub use ast::{AttrPath, CompValue, CompareOp, Filter, PatchPath};
