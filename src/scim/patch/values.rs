//! Helpers for the values of multi-valued attributes: identity, merging and `primary`.

use serde_json::{Map, Value};

use crate::scim::normalize::{invalid_value, is_primary, Normalization};
use crate::scim::schema::Attribute;

/// Appends `new` values to `list`, returning the indices of the values written.
///
/// A value equal to an existing one is skipped. A value with the same `value` and `type` as an
/// existing one is merged into it, so re-adding a known e-mail with `primary: true` does not
/// create a second copy of the address.
pub(super) fn merge_values(list: &mut Vec<Value>, new: Vec<Value>, attr: &Attribute) -> Vec<usize> {
    let mut touched = Vec::with_capacity(new.len());
    for value in new {
        if let Some(index) = list.iter().position(|existing| *existing == value) {
            touched.push(index);
            continue;
        }
        if let Some(index) = list
            .iter()
            .position(|existing| same_identity(existing, &value, attr))
        {
            merge_object(&mut list[index], value);
            touched.push(index);
            continue;
        }
        list.push(value);
        touched.push(list.len() - 1);
    }
    touched
}

/// Copies the members of `from` into `into` when both are objects; otherwise replaces `into`.
pub(super) fn merge_object(into: &mut Value, from: Value) {
    match (into, from) {
        (Value::Object(into), Value::Object(from)) => into.extend(from),
        (into, from) => *into = from,
    }
}

/// Whether every sub-attribute given in `pattern` has the same value in `element`.
///
/// Strings compare according to each sub-attribute's `caseExact`.
pub(super) fn subset_matches(pattern: &Value, element: &Value, attr: &Attribute) -> bool {
    match (pattern, element) {
        (Value::Object(pattern), Value::Object(element)) => pattern.iter().all(|(key, want)| {
            let case_exact = attr.sub_attribute(key).is_some_and(|s| s.case_exact);
            element
                .get(key)
                .is_some_and(|have| same_scalar(want, have, case_exact))
        }),
        (pattern, element) => same_scalar(pattern, element, attr.case_exact),
    }
}

/// Ensures at most one value of `list` is primary, preferring one the operation just wrote.
///
/// Fails with 400 `invalidValue` when the operation itself made two values primary.
pub(super) fn enforce_single_primary(
    list: &mut [Value],
    touched: &[usize],
    label: &str,
    notes: &mut Vec<Normalization>,
) -> Result<(), crate::scim::error::ScimError> {
    let primaries: Vec<usize> = (0..list.len()).filter(|&i| is_primary(&list[i])).collect();
    if primaries.len() <= 1 {
        return Ok(());
    }
    let written: Vec<usize> = primaries
        .iter()
        .copied()
        .filter(|i| touched.contains(i))
        .collect();
    let keep = match written.as_slice() {
        [one] => *one,
        // The stored resource already broke the rule; keep its first primary value.
        [] => primaries[0],
        _ => {
            return Err(invalid_value(format!(
                "more than one value of {label} is primary"
            )))
        }
    };
    for index in primaries.into_iter().filter(|&i| i != keep) {
        if let Value::Object(element) = &mut list[index] {
            element.insert("primary".to_owned(), Value::Bool(false));
        }
    }
    notes.push(Normalization(format!(
        "cleared primary on the other values of {label}"
    )));
    Ok(())
}

/// Sets or, for null, removes sub-attribute `name` of an element.
pub(super) fn set_sub(element: &mut Value, name: &str, value: &Value) {
    if !element.is_object() {
        *element = Value::Object(Map::new());
    }
    if let Value::Object(element) = element {
        if value.is_null() {
            element.remove(name);
        } else {
            element.insert(name.to_owned(), value.clone());
        }
    }
}

/// Whether a value is an empty list or an empty object, which RFC 7643 §2.5 treats as unassigned.
pub(super) fn is_empty(value: &Value) -> bool {
    match value {
        Value::Array(list) => list.is_empty(),
        Value::Object(object) => object.is_empty(),
        Value::Null => true,
        _ => false,
    }
}

fn same_identity(existing: &Value, new: &Value, attr: &Attribute) -> bool {
    let (Some(have), Some(want)) = (existing.get("value"), new.get("value")) else {
        return false;
    };
    let case_exact = attr.sub_attribute("value").is_some_and(|s| s.case_exact);
    let type_of = |v: &Value| v.get("type").and_then(Value::as_str).map(str::to_lowercase);
    same_scalar(want, have, case_exact) && type_of(existing) == type_of(new)
}

fn same_scalar(want: &Value, have: &Value, case_exact: bool) -> bool {
    match (want, have) {
        (Value::String(want), Value::String(have)) if !case_exact => {
            want == have || want.to_lowercase() == have.to_lowercase()
        }
        _ => want == have,
    }
}
