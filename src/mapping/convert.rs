//! Conversion between legacy members and SCIM User resources.

use super::{Field, Mapping, Target};
use serde_json::{Map, Value};

impl Mapping {
    /// The SCIM attributes of a legacy member, without `schemas`, `id` and `meta`.
    ///
    /// Legacy nulls and missing fields leave the attribute out. A typed multi-valued value
    /// (`emails[type eq "work"].value`) becomes one element carrying that `type`.
    pub fn to_scim(&self, member: &Map<String, Value>) -> Map<String, Value> {
        let mut resource = Map::new();
        for field in &self.fields {
            let Some(value) = member.get(&field.legacy).filter(|v| !v.is_null()) else {
                continue;
            };
            let value = match &field.booleans {
                Some((on, _)) => Value::Bool(value.as_str() == Some(on.as_str())),
                None => value.clone(),
            };
            write(&mut resource, &field.target, value);
        }
        resource
    }

    /// The legacy fields for a new member built from a SCIM resource.
    ///
    /// When several attributes map to one legacy field (`userName` and the work e-mail), the
    /// first one present in config order wins.
    pub fn to_legacy(&self, resource: &Value) -> Map<String, Value> {
        let mut out = Map::new();
        for field in &self.fields {
            if out.contains_key(&field.legacy) {
                continue;
            }
            if let Some(value) = read(resource, &field.target) {
                out.insert(field.legacy.clone(), self.legacy_value(field, value));
            }
        }
        out
    }

    /// The legacy fields that change when resource `before` becomes `after`.
    ///
    /// A field whose attribute was removed becomes `null`. When several attributes share one
    /// legacy field, the first changed attribute that still has a value wins, so that a client
    /// changing only `emails` still changes the e-mail even though `userName` kept its value.
    pub fn diff(&self, before: &Value, after: &Value) -> Map<String, Value> {
        let mut out = Map::new();
        let mut seen: Vec<&str> = Vec::new();
        for field in &self.fields {
            if seen.contains(&field.legacy.as_str()) {
                continue;
            }
            seen.push(&field.legacy);
            let sharing: Vec<&Field> = self
                .fields
                .iter()
                .filter(|f| f.legacy == field.legacy)
                .collect();
            let changed: Vec<&Field> = sharing
                .iter()
                .copied()
                .filter(|f| read(before, &f.target) != read(after, &f.target))
                .collect();
            if changed.is_empty() {
                continue;
            }
            let value = changed
                .iter()
                .find_map(|f| read(after, &f.target).map(|v| self.legacy_value(f, v)))
                .unwrap_or(Value::Null);
            out.insert(field.legacy.clone(), value);
        }
        out
    }

    /// Refuses a resource holding values the legacy member cannot keep, rather than dropping
    /// them: two values of one mapped type (two work e-mails), or a value of a type that is
    /// not mapped. A value without a `type` counts as the first mapped type.
    pub fn check_storable(&self, resource: &Value) -> Result<(), String> {
        let mut attributes: Vec<&str> = Vec::new();
        for field in self
            .fields
            .iter()
            .filter(|f| f.target.type_value.is_some() && f.target.urn.is_none())
        {
            if !attributes.contains(&field.target.attr.as_str()) {
                attributes.push(&field.target.attr);
            }
        }
        for attr in attributes {
            let Some(Value::Array(values)) = resource.get(attr) else {
                continue;
            };
            let types: Vec<&str> = self
                .fields
                .iter()
                .filter(|f| f.target.urn.is_none() && f.target.attr == attr)
                .filter_map(|f| f.target.type_value.as_deref())
                .collect();
            let mut seen: Vec<&str> = Vec::new();
            for value in values {
                let given = value.get("type").and_then(Value::as_str);
                let Some(kind) = given.map_or(types.first().copied(), |t| {
                    types.iter().copied().find(|k| k.eq_ignore_ascii_case(t))
                }) else {
                    return Err(format!(
                        "{attr} of type {:?} cannot be stored; the types kept are {}",
                        given.unwrap_or_default(),
                        types.join(", ")
                    ));
                };
                if seen.contains(&kind) {
                    return Err(format!(
                        "{attr} holds more than one value of type {kind}; one is kept"
                    ));
                }
                seen.push(kind);
            }
        }
        Ok(())
    }

    /// Whether a SCIM resource is active; a resource without `active` counts as active.
    pub fn is_active(resource: &Value) -> bool {
        resource
            .get("active")
            .and_then(Value::as_bool)
            .unwrap_or(true)
    }

    fn legacy_value(&self, field: &Field, value: &Value) -> Value {
        match (&field.booleans, value) {
            (Some((on, off)), Value::Bool(b)) => Value::String(if *b { on } else { off }.clone()),
            _ => value.clone(),
        }
    }
}

/// The value at `target` in a resource with canonical attribute names.
pub(crate) fn read<'a>(resource: &'a Value, target: &Target) -> Option<&'a Value> {
    let container = match &target.urn {
        Some(urn) => resource.get(urn)?,
        None => resource,
    };
    let attr = container.get(&target.attr)?;
    let value = match (&target.type_value, &target.sub) {
        (Some(kind), Some(sub)) => typed_element(attr.as_array()?, kind)?.get(sub)?,
        (None, Some(sub)) => attr.get(sub)?,
        _ => attr,
    };
    (!value.is_null()).then_some(value)
}

/// The element of a multi-valued attribute that a typed mapping reads.
///
/// An element of exactly that type wins; failing that, a client that sent values without any
/// `type` still gets its primary (or only) value mapped.
fn typed_element<'a>(values: &'a [Value], kind: &str) -> Option<&'a Value> {
    let type_of = |v: &Value| v.get("type").and_then(Value::as_str).map(str::to_owned);
    if let Some(found) = values
        .iter()
        .find(|v| type_of(v).is_some_and(|t| t.eq_ignore_ascii_case(kind)))
    {
        return Some(found);
    }
    let untyped: Vec<&Value> = values.iter().filter(|v| type_of(v).is_none()).collect();
    untyped
        .iter()
        .find(|v| v.get("primary").and_then(Value::as_bool) == Some(true))
        .or_else(|| (untyped.len() == 1).then(|| &untyped[0]))
        .copied()
}

fn write(resource: &mut Map<String, Value>, target: &Target, value: Value) {
    let container = match &target.urn {
        Some(urn) => object_at(resource, urn),
        None => resource,
    };
    match (&target.type_value, &target.sub) {
        (Some(kind), Some(sub)) => {
            let list = container
                .entry(target.attr.clone())
                .or_insert_with(|| Value::Array(vec![]));
            let Value::Array(list) = list else { return };
            let position = list.iter().position(|v| {
                v.get("type")
                    .and_then(Value::as_str)
                    .is_some_and(|t| t.eq_ignore_ascii_case(kind))
            });
            let index = match position {
                Some(i) => i,
                None => {
                    let mut element = Map::new();
                    element.insert("type".to_owned(), Value::String(kind.clone()));
                    list.push(Value::Object(element));
                    list.len() - 1
                }
            };
            if let Value::Object(element) = &mut list[index] {
                element.insert(sub.clone(), value);
            }
        }
        (None, Some(sub)) => {
            object_at(container, &target.attr).insert(sub.clone(), value);
        }
        _ => {
            container.insert(target.attr.clone(), value);
        }
    }
}

fn object_at<'a>(map: &'a mut Map<String, Value>, key: &str) -> &'a mut Map<String, Value> {
    let slot = map
        .entry(key.to_owned())
        .or_insert_with(|| Value::Object(Map::new()));
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    match slot {
        Value::Object(inner) => inner,
        _ => unreachable!("the slot was just made an object"),
    }
}
