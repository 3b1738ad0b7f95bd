//! The semantic check of a parsed filter against the schema a tenant exposes.
//!
//! Parsing knows nothing of attributes; this check rejects, with RFC 7644's `invalidFilter`,
//! every filter that names something the schema lacks or applies an operator that cannot mean
//! anything for the attribute's type, so a client learns about its mistake instead of silently
//! receiving no results.

use super::ast::{AttrPath, CompValue, CompareOp, Filter};
use crate::scim::error::{ScimError, ScimType};
use crate::scim::schema::{AttrType, Attribute, ResourceSchema};

/// Checks that every path in `filter` names an attribute of `schema` and that every operator
/// suits its attribute, failing with 400 `invalidFilter` naming the culprit.
pub fn check(filter: &Filter, schema: &ResourceSchema) -> Result<(), ScimError> {
    match filter {
        Filter::And(left, right) | Filter::Or(left, right) => {
            check(left, schema)?;
            check(right, schema)
        }
        Filter::Not(inner) => check(inner, schema),
        Filter::Compare { path, op, value } => {
            let attribute = top_level(path, schema)?;
            let leaf = leaf(path, attribute, Some(*op))?;
            check_operator(path, leaf, *op, value)
        }
        Filter::Present(path) => {
            let attribute = top_level(path, schema)?;
            leaf(path, attribute, None).map(|_| ())
        }
        Filter::ValuePath { path, filter } => {
            let attribute = top_level(path, schema)?;
            if attribute.kind != AttrType::Complex {
                let detail =
                    format!("'{path}' is not a complex attribute and takes no value filter");
                return Err(invalid(detail));
            }
            check_inner(filter, path, attribute)
        }
    }
}

fn invalid(detail: String) -> ScimError {
    ScimError::bad_request(ScimType::InvalidFilter, detail)
}

/// The top-level attribute a path names: unqualified names are core attributes, as RFC 7644
/// §3.10 specifies; extension attributes must carry their schema URN.
fn top_level<'s>(path: &AttrPath, schema: &'s ResourceSchema) -> Result<&'s Attribute, ScimError> {
    if let Some(urn) = &path.urn {
        if schema.schema(urn).is_none() {
            return Err(invalid(format!("unknown schema '{urn}' in '{path}'")));
        }
    }
    match schema.resolve(path.urn.as_deref(), &path.name) {
        Some(resolved) => Ok(resolved.attribute),
        None => Err(invalid(format!("unknown attribute '{path}'"))),
    }
}

/// The definition a term compares, after its optional sub-attribute.
///
/// A comparison on a complex attribute without a sub-attribute is allowed only for multi-valued
/// attributes with a `value` sub-attribute, which it compares (RFC 7644 §3.4.2.2).
fn leaf<'a>(
    path: &AttrPath,
    attribute: &'a Attribute,
    op: Option<CompareOp>,
) -> Result<&'a Attribute, ScimError> {
    if let Some(sub) = &path.sub {
        return attribute
            .sub_attribute(sub)
            .ok_or_else(|| invalid(format!("unknown sub-attribute '{path}'")));
    }
    if attribute.kind != AttrType::Complex || op.is_none() {
        return Ok(attribute);
    }
    match attribute.sub_attribute("value") {
        Some(value) if attribute.multi_valued => Ok(value),
        _ => {
            let detail = format!("complex attribute '{path}' needs a sub-attribute to compare");
            Err(invalid(detail))
        }
    }
}

/// Checks the terms inside `outer[...]`, whose paths name sub-attributes of `attribute`.
fn check_inner(filter: &Filter, outer: &AttrPath, attribute: &Attribute) -> Result<(), ScimError> {
    let sub_of = |path: &AttrPath| -> Result<&Attribute, ScimError> {
        let found = if path.urn.is_none() && path.sub.is_none() {
            attribute.sub_attribute(&path.name)
        } else {
            None
        };
        found.ok_or_else(|| invalid(format!("unknown sub-attribute '{path}' in '{outer}[...]'")))
    };
    match filter {
        Filter::And(left, right) | Filter::Or(left, right) => {
            check_inner(left, outer, attribute)?;
            check_inner(right, outer, attribute)
        }
        Filter::Not(inner) => check_inner(inner, outer, attribute),
        Filter::Compare { path, op, value } => check_operator(path, sub_of(path)?, *op, value),
        Filter::Present(path) => sub_of(path).map(|_| ()),
        Filter::ValuePath { .. } => Err(invalid(format!(
            "value filters in '{outer}' cannot be nested"
        ))),
    }
}

/// Checks that `op value` means something for the attribute `leaf`.
fn check_operator(
    path: &AttrPath,
    leaf: &Attribute,
    op: CompareOp,
    value: &CompValue,
) -> Result<(), ScimError> {
    let op_name = op.as_str();
    if op.is_ordering() && matches!(leaf.kind, AttrType::Boolean | AttrType::Complex) {
        let kind = leaf.kind.as_str();
        let detail = format!("'{op_name}' cannot order the {kind} attribute '{path}'");
        return Err(invalid(detail));
    }
    if op.is_ordering() && matches!(value, CompValue::Bool(_) | CompValue::Null) {
        let detail = format!("'{op_name}' on '{path}' needs a string or number to compare with");
        return Err(invalid(detail));
    }
    if op.is_substring() && !matches!(value, CompValue::String(_)) {
        let detail = format!("'{op_name}' on '{path}' needs a string to compare with");
        return Err(invalid(detail));
    }
    // A literal of the wrong type could never match; saying so beats an empty answer.
    let fits = match (leaf.kind, value) {
        (_, CompValue::Null) => true,
        (AttrType::Boolean, CompValue::Bool(_)) => true,
        (AttrType::Boolean, CompValue::String(s)) => {
            s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false")
        }
        (AttrType::Integer | AttrType::Decimal, CompValue::Number(_)) => true,
        (
            AttrType::String | AttrType::Reference | AttrType::DateTime | AttrType::Binary,
            CompValue::String(_),
        ) => true,
        (AttrType::Complex, _) => true,
        _ => false,
    };
    if !fits {
        let kind = leaf.kind.as_str();
        let detail = format!("'{path}' is a {kind} attribute and cannot be compared with {value}");
        return Err(invalid(detail));
    }
    if let (AttrType::DateTime, CompValue::String(text)) = (leaf.kind, value) {
        if !op.is_substring() && chrono::DateTime::parse_from_rfc3339(text).is_err() {
            let detail = format!(
                "'{path}' is compared as an instant: {value} is not an RFC 3339 date-time \
                 such as \"2026-01-01T00:00:00Z\""
            );
            return Err(invalid(detail));
        }
    }
    Ok(())
}
