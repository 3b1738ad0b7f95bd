//! In-memory evaluation of filters against RFC 7643 JSON resources.
//!
//! Evaluation never fails: a filter that [`check`](super::check) would reject simply matches
//! nothing it cannot make sense of, so a resource is never returned by mistake.

use std::cmp::Ordering;

use chrono::DateTime;
use serde_json::Value;

use super::ast::{AttrPath, CompValue, CompareOp, Filter};
use crate::scim::schema::{AttrType, Attribute, ResourceSchema};

/// Whether `resource` matches `filter`, with attribute characteristics taken from `schema`.
pub fn matches(filter: &Filter, resource: &Value, schema: &ResourceSchema) -> bool {
    match filter {
        Filter::And(left, right) => {
            matches(left, resource, schema) && matches(right, resource, schema)
        }
        Filter::Or(left, right) => {
            matches(left, resource, schema) || matches(right, resource, schema)
        }
        Filter::Not(inner) => !matches(inner, resource, schema),
        Filter::Compare { path, op, value } => {
            let (attribute, top) = locate(path, resource, schema);
            let (values, leaf) = leaf_values(top, attribute, path.sub.as_deref(), true);
            compare_any(&values, *op, value, leaf)
        }
        Filter::Present(path) => {
            let (attribute, top) = locate(path, resource, schema);
            let (values, _) = leaf_values(top, attribute, path.sub.as_deref(), false);
            values.into_iter().any(is_present)
        }
        Filter::ValuePath { path, filter } => {
            let (Some(attribute), Some(top)) = locate(path, resource, schema) else {
                return false;
            };
            if path.sub.is_some() {
                return false;
            }
            elements(top).any(|element| matches_element(filter, element, attribute))
        }
    }
}

/// Whether one element of the multi-valued `attribute` matches the inner filter of a value path,
/// whose paths name sub-attributes of `attribute`.
///
/// For a multi-valued attribute without sub-attributes, the name `value` stands for the element
/// itself, as RFC 7644 §3.4.2.2 allows.
pub fn matches_element(filter: &Filter, element: &Value, attribute: &Attribute) -> bool {
    match filter {
        Filter::And(left, right) => {
            matches_element(left, element, attribute) && matches_element(right, element, attribute)
        }
        Filter::Or(left, right) => {
            matches_element(left, element, attribute) || matches_element(right, element, attribute)
        }
        Filter::Not(inner) => !matches_element(inner, element, attribute),
        Filter::Compare { path, op, value } => {
            let (values, leaf) = element_values(path, element, attribute);
            compare_any(&values, *op, value, leaf)
        }
        Filter::Present(path) => {
            let (values, _) = element_values(path, element, attribute);
            values.into_iter().any(is_present)
        }
        // Value filters cannot nest, so a nested one matches nothing.
        Filter::ValuePath { .. } => false,
    }
}

/// The schema definition of the top-level attribute `path` names and its JSON value, if any.
///
/// Extension attributes live inside the object keyed by their schema URN. An attribute missing
/// from the schema is still looked up, so evaluation without [`check`](super::check) is sane.
fn locate<'s, 'v>(
    path: &AttrPath,
    resource: &'v Value,
    schema: &'s ResourceSchema,
) -> (Option<&'s Attribute>, Option<&'v Value>) {
    match schema.resolve(path.urn.as_deref(), &path.name) {
        Some(resolved) if resolved.is_extension => {
            let container = get_ci(resource, &resolved.schema.id);
            let value = container.and_then(|c| get_ci(c, &resolved.attribute.name));
            (Some(resolved.attribute), value)
        }
        Some(resolved) => (
            Some(resolved.attribute),
            get_ci(resource, &resolved.attribute.name),
        ),
        None => {
            let container = match path.urn.as_deref() {
                Some(urn) if !urn.eq_ignore_ascii_case(&schema.core.id) => get_ci(resource, urn),
                _ => Some(resource),
            };
            (None, container.and_then(|c| get_ci(c, &path.name)))
        }
    }
}

/// The values a comparison looks at, and the definition that governs them.
///
/// A multi-valued complex attribute compared without a sub-attribute compares its `value`
/// sub-attribute when `implicit_value` is set (comparisons), and itself otherwise (`pr`).
fn leaf_values<'s, 'v>(
    top: Option<&'v Value>,
    attribute: Option<&'s Attribute>,
    sub: Option<&str>,
    implicit_value: bool,
) -> (Vec<&'v Value>, Option<&'s Attribute>) {
    let Some(top) = top else {
        return (Vec::new(), None);
    };
    let complex = attribute.is_some_and(|a| a.kind == AttrType::Complex);
    let sub = match sub {
        Some(sub) => Some(sub),
        None if implicit_value && complex && attribute.is_some_and(|a| a.multi_valued) => {
            Some("value")
        }
        None => None,
    };
    let Some(sub) = sub else {
        return (elements(top).collect(), attribute);
    };
    let leaf = attribute.and_then(|a| a.sub_attribute(sub));
    let values = elements(top)
        .filter_map(|element| get_ci(element, sub))
        .flat_map(elements)
        .collect();
    (values, leaf)
}

/// The values an inner value-path term looks at within one element.
fn element_values<'s, 'v>(
    path: &AttrPath,
    element: &'v Value,
    attribute: &'s Attribute,
) -> (Vec<&'v Value>, Option<&'s Attribute>) {
    if path.urn.is_some() || path.sub.is_some() {
        return (Vec::new(), None);
    }
    if attribute.sub_attributes.is_empty() {
        if path.name.eq_ignore_ascii_case("value") {
            return (vec![element], Some(attribute));
        }
        return (Vec::new(), None);
    }
    let values = get_ci(element, &path.name)
        .map(|v| elements(v).collect())
        .unwrap_or_default();
    (values, attribute.sub_attribute(&path.name))
}

/// The members of an array, or the value itself.
fn elements(value: &Value) -> Box<dyn Iterator<Item = &Value> + '_> {
    match value {
        Value::Array(items) => Box::new(items.iter()),
        other => Box::new(std::iter::once(other)),
    }
}

/// The member `key` of an object, matched case-insensitively (an exact match wins).
fn get_ci<'v>(value: &'v Value, key: &str) -> Option<&'v Value> {
    let object = value.as_object()?;
    object.get(key).or_else(|| {
        object
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// Whether a value counts as present for `pr`: not null, not "", not an empty array or object.
fn is_present(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(items) => items.iter().any(is_present),
        Value::Object(members) => !members.is_empty(),
        Value::Bool(_) | Value::Number(_) => true,
    }
}

/// Whether any of `values` satisfies `op literal`, following RFC 7644's null and absence rules.
fn compare_any(
    values: &[&Value],
    op: CompareOp,
    literal: &CompValue,
    leaf: Option<&Attribute>,
) -> bool {
    let present: Vec<&Value> = values.iter().copied().filter(|v| is_present(v)).collect();
    if *literal == CompValue::Null {
        // `eq null` asks for absence and `ne null` for presence; nothing orders against null.
        return match op {
            CompareOp::Eq => present.is_empty(),
            CompareOp::Ne => !present.is_empty(),
            _ => false,
        };
    }
    if op == CompareOp::Ne && values.iter().all(|v| v.is_null()) {
        return true;
    }
    values
        .iter()
        .any(|value| compare_one(value, op, literal, leaf) == Some(true))
}

/// `value op literal`, or `None` when the two cannot be compared (different types, bad dates).
fn compare_one(
    value: &Value,
    op: CompareOp,
    literal: &CompValue,
    leaf: Option<&Attribute>,
) -> Option<bool> {
    let kind = match leaf {
        Some(attribute) => attribute.kind,
        None => match value {
            Value::Bool(_) => AttrType::Boolean,
            Value::Number(_) => AttrType::Decimal,
            _ => AttrType::String,
        },
    };
    match kind {
        AttrType::Boolean => {
            let (Some(have), Some(want)) = (bool_of_value(value), bool_of_literal(literal)) else {
                return None;
            };
            match op {
                CompareOp::Eq => Some(have == want),
                CompareOp::Ne => Some(have != want),
                _ => None,
            }
        }
        AttrType::Integer | AttrType::Decimal => {
            let (Value::Number(have), CompValue::Number(want)) = (value, literal) else {
                return None;
            };
            ordered(op, compare_numbers(have, want)?)
        }
        AttrType::DateTime => {
            let (Value::String(have), CompValue::String(want)) = (value, literal) else {
                return None;
            };
            let have = DateTime::parse_from_rfc3339(have).ok()?;
            let want = DateTime::parse_from_rfc3339(want).ok()?;
            ordered(op, have.cmp(&want))
        }
        AttrType::Complex => None,
        AttrType::String | AttrType::Reference | AttrType::Binary => {
            let (Value::String(have), CompValue::String(want)) = (value, literal) else {
                return None;
            };
            let exact = leaf.is_some_and(|a| a.case_exact) || kind == AttrType::Binary;
            if exact {
                Some(compare_strings(op, have, want))
            } else {
                Some(compare_strings(
                    op,
                    &have.to_lowercase(),
                    &want.to_lowercase(),
                ))
            }
        }
    }
}

/// A boolean attribute value; the strings `"true"` and `"false"` count, as some sources store them.
fn bool_of_value(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::String(s) => parse_bool(s),
        _ => None,
    }
}

/// A boolean literal; the strings `"true"` and `"false"` count, as some clients quote them.
fn bool_of_literal(literal: &CompValue) -> Option<bool> {
    match literal {
        CompValue::Bool(b) => Some(*b),
        CompValue::String(s) => parse_bool(s),
        _ => None,
    }
}

fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// Compares two JSON numbers exactly when both are integers, and as doubles otherwise.
fn compare_numbers(a: &serde_json::Number, b: &serde_json::Number) -> Option<Ordering> {
    let exact = |n: &serde_json::Number| {
        n.as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
    };
    match (exact(a), exact(b)) {
        (Some(a), Some(b)) => Some(a.cmp(&b)),
        _ => a.as_f64()?.partial_cmp(&b.as_f64()?),
    }
}

/// Applies an equality or ordering operator to an ordering; substring operators do not apply.
fn ordered(op: CompareOp, ordering: Ordering) -> Option<bool> {
    Some(match op {
        CompareOp::Eq => ordering == Ordering::Equal,
        CompareOp::Ne => ordering != Ordering::Equal,
        CompareOp::Gt => ordering == Ordering::Greater,
        CompareOp::Ge => ordering != Ordering::Less,
        CompareOp::Lt => ordering == Ordering::Less,
        CompareOp::Le => ordering != Ordering::Greater,
        CompareOp::Co | CompareOp::Sw | CompareOp::Ew => return None,
    })
}

fn compare_strings(op: CompareOp, have: &str, want: &str) -> bool {
    match op {
        CompareOp::Co => have.contains(want),
        CompareOp::Sw => have.starts_with(want),
        CompareOp::Ew => have.ends_with(want),
        _ => ordered(op, have.cmp(want)) == Some(true),
    }
}
