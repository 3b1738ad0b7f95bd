//! `sortBy` and `sortOrder` (RFC 7644 §3.4.2.3): ordering list results in memory.
//!
//! Values compare by the attribute's type: strings by Unicode lowercase unless `caseExact`,
//! `dateTime` values as instants, numbers numerically. For a multi-valued attribute the primary
//! value sorts, else the first. Resources without a value sort after all others when ascending
//! and before them when descending; ties keep the order they came in.

use crate::scim::error::{ScimError, ScimType};
use crate::scim::filter::{parse_attr_path, AttrPath};
use crate::scim::schema::{AttrType, Attribute, ResourceSchema};
use chrono::{DateTime, FixedOffset};
use serde_json::Value;
use std::cmp::Ordering;

/// A validated sort request.
#[derive(Debug, Clone, PartialEq)]
pub struct SortKey {
    path: AttrPath,
    descending: bool,
}

impl SortKey {
    /// Validates `sortBy` against the schema and reads `sortOrder` (`ascending` by default).
    pub fn parse(
        sort_by: &str,
        sort_order: Option<&str>,
        schema: &ResourceSchema,
    ) -> Result<SortKey, ScimError> {
        let invalid = |detail: String| ScimError::bad_request(ScimType::InvalidValue, detail);
        let path = parse_attr_path(sort_by)
            .map_err(|e| invalid(format!("sortBy is not an attribute path: {e}")))?;
        let (top, leaf) = definitions(&path, schema)
            .ok_or_else(|| invalid(format!("sortBy names an unknown attribute: {sort_by}")))?;
        if leaf.kind == AttrType::Complex && !(top.multi_valued && path.sub.is_none()) {
            return Err(invalid(format!(
                "sortBy cannot order by the complex attribute {sort_by}"
            )));
        }
        let descending = match sort_order.map(str::trim) {
            None | Some("") => false,
            Some(order) if order.eq_ignore_ascii_case("ascending") => false,
            Some(order) if order.eq_ignore_ascii_case("descending") => true,
            Some(order) => {
                return Err(invalid(format!(
                    "sortOrder must be ascending or descending, not {order:?}"
                )))
            }
        };
        Ok(SortKey { path, descending })
    }

    /// Sorts resources in place; the sort is stable.
    pub fn sort(&self, resources: &mut [Value], schema: &ResourceSchema) {
        let Some((top, leaf)) = definitions(&self.path, schema) else {
            return;
        };
        let mut keyed: Vec<(Option<Key>, Value)> = resources
            .iter_mut()
            .map(|r| (key_of(r, &self.path, top, leaf, schema), std::mem::take(r)))
            .collect();
        keyed.sort_by(|(a, _), (b, _)| {
            let ordering = match (a, b) {
                (Some(a), Some(b)) => a.cmp(b),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            };
            if self.descending {
                ordering.reverse()
            } else {
                ordering
            }
        });
        for (slot, (_, value)) in resources.iter_mut().zip(keyed) {
            *slot = value;
        }
    }
}

/// A sortable value. Values of one attribute are all of one variant.
#[derive(Debug, Clone, PartialEq)]
enum Key {
    Bool(bool),
    Number(f64),
    Instant(DateTime<FixedOffset>),
    Text(String),
}

impl Key {
    fn rank(&self) -> u8 {
        match self {
            Key::Bool(_) => 0,
            Key::Number(_) => 1,
            Key::Instant(_) => 2,
            Key::Text(_) => 3,
        }
    }
}

impl Eq for Key {}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Key::Bool(a), Key::Bool(b)) => a.cmp(b),
            (Key::Number(a), Key::Number(b)) => a.total_cmp(b),
            (Key::Instant(a), Key::Instant(b)) => a.cmp(b),
            (Key::Text(a), Key::Text(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

/// The top-level attribute and the attribute whose values sort (a sub-attribute, the implicit
/// `value` of a multi-valued complex attribute, or the attribute itself).
fn definitions<'s>(
    path: &AttrPath,
    schema: &'s ResourceSchema,
) -> Option<(&'s Attribute, &'s Attribute)> {
    let top = schema.resolve(path.urn.as_deref(), &path.name)?.attribute;
    let leaf = match &path.sub {
        Some(sub) => top.sub_attribute(sub)?,
        None if top.kind == AttrType::Complex && top.multi_valued => top.sub_attribute("value")?,
        None => top,
    };
    Some((top, leaf))
}

fn key_of(
    resource: &Value,
    path: &AttrPath,
    top: &Attribute,
    leaf: &Attribute,
    schema: &ResourceSchema,
) -> Option<Key> {
    let container = match schema.resolve(path.urn.as_deref(), &path.name) {
        Some(resolved) if resolved.is_extension => resource.get(&resolved.schema.id)?,
        _ => resource,
    };
    let mut value = container.get(&top.name)?;
    if let Value::Array(items) = value {
        let primary = items
            .iter()
            .find(|v| v.get("primary") == Some(&Value::Bool(true)));
        value = primary.or_else(|| items.first())?;
    }
    if !std::ptr::eq(top, leaf) {
        value = value.get(&leaf.name)?;
    }
    match (leaf.kind, value) {
        (AttrType::Boolean, Value::Bool(b)) => Some(Key::Bool(*b)),
        (AttrType::Integer | AttrType::Decimal, Value::Number(n)) => n.as_f64().map(Key::Number),
        (AttrType::DateTime, Value::String(s)) => {
            DateTime::parse_from_rfc3339(s).ok().map(Key::Instant)
        }
        (_, Value::String(s)) if leaf.case_exact => Some(Key::Text(s.clone())),
        (_, Value::String(s)) => Some(Key::Text(s.to_lowercase())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn users() -> Vec<Value> {
        vec![
            json!({"id": "1", "userName": "carol", "name": {"familyName": "b"},
                   "meta": {"created": "2026-01-03T00:00:00Z"}, "emails": [{"value": "z@x"}]}),
            json!({"id": "2", "userName": "Alice", "meta": {"created": "2026-01-01T10:00:00+09:00"},
                   "emails": [{"value": "b@x"}, {"value": "a@x", "primary": true}]}),
            json!({"id": "3", "userName": "bob", "name": {"familyName": "a"},
                   "meta": {"created": "2026-01-02T00:00:00Z"}}),
        ]
    }

    fn order(sort_by: &str, sort_order: Option<&str>) -> Vec<String> {
        let schema = ResourceSchema::user();
        let key = SortKey::parse(sort_by, sort_order, &schema).unwrap();
        let mut list = users();
        key.sort(&mut list, &schema);
        list.iter()
            .map(|u| u["id"].as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn sorts_by_type_with_missing_values_last_when_ascending() {
        let cases = [
            ("userName", None, ["2", "3", "1"]),
            ("USERNAME", Some("descending"), ["1", "3", "2"]),
            ("name.familyName", None, ["3", "1", "2"]),
            ("name.familyName", Some("descending"), ["2", "1", "3"]),
            ("meta.created", None, ["2", "3", "1"]),
            ("emails", None, ["2", "1", "3"]),
        ];
        for (sort_by, sort_order, expected) in cases {
            assert_eq!(
                order(sort_by, sort_order),
                expected,
                "{sort_by} {sort_order:?}"
            );
        }
    }

    #[test]
    fn bad_sort_requests_are_refused() {
        let schema = ResourceSchema::user();
        for (sort_by, sort_order) in [
            ("shoeSize", None),
            ("name", None),
            ("userName", Some("up")),
            ("", None),
        ] {
            let error = SortKey::parse(sort_by, sort_order, &schema).unwrap_err();
            assert_eq!(error.scim_type, Some(ScimType::InvalidValue), "{sort_by}");
        }
    }
}
