//! Normalisation of POST and PUT bodies into canonical resources, and the [`Normalization`]
//! record that PATCH and POST/PUT both emit for each tolerance they apply.
//!
//! Real clients capitalise attribute names, send booleans as strings, include read-only and
//! unmapped attributes, and give single objects where lists belong. Normalising accepts all of
//! that, records what it did, and rejects only values whose type cannot fit the attribute.

mod value;

#[cfg(test)]
mod tests;

use std::fmt;

use serde_json::{Map, Value};

use crate::scim::error::{ScimError, ScimType};
use crate::scim::profile::IdpProfile;
use crate::scim::schema::{Mutability, ResourceSchema, Schema};

pub(crate) use value::{invalid_value, is_primary, read_only, unknown_attribute};
pub(crate) use value::{Coercer, Unknown};

/// One tolerance applied to client input, in words fit for a DEBUG log line.
///
/// Messages name attribute paths and never carry attribute values, except the boolean
/// spellings that were coerced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalization(pub String);

impl fmt::Display for Normalization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Normalises a POST or PUT body: canonical names at every level, coerced values, read-only and
/// unmapped attributes dropped; fails with 400 `invalidValue` when a value cannot fit its type.
///
/// The `schemas` member is kept as sent. Required attributes are not checked here.
pub fn normalize_resource(
    input: &Value,
    schema: &ResourceSchema,
    profile: IdpProfile,
) -> Result<(Value, Vec<Normalization>), ScimError> {
    // No client needs behaviour of its own here: every tolerance is safe for all of them.
    let _ = profile;
    let Value::Object(input) = input else {
        return Err(ScimError::bad_request(
            ScimType::InvalidSyntax,
            "the request body must be a JSON object",
        ));
    };
    let mut notes = Vec::new();
    let mut out = Map::new();
    for (key, raw) in input {
        if key.eq_ignore_ascii_case("schemas") {
            insert_once(&mut out, "schemas", raw.clone())?;
            continue;
        }
        if let Some(extension) = schema
            .extensions
            .iter()
            .find(|s| s.id.eq_ignore_ascii_case(key))
        {
            let Value::Object(inner) = raw else {
                return Err(invalid_value(format!("{} expects an object", extension.id)));
            };
            let object = normalize_object(extension, inner, schema, &mut notes)?;
            if !object.is_empty() {
                insert_once(&mut out, &extension.id, Value::Object(object))?;
            }
            continue;
        }
        if key.starts_with("urn:") {
            notes.push(Normalization(format!(
                "dropped {key}, an extension this tenant does not expose"
            )));
            continue;
        }
        if let Some((name, value)) =
            normalize_attribute(&schema.core, key, raw, schema, &mut notes)?
        {
            insert_once(&mut out, &name, value)?;
        }
    }
    Ok((Value::Object(out), notes))
}

/// Normalises the attributes of one extension object, keyed by canonical name.
fn normalize_object(
    target: &Schema,
    input: &Map<String, Value>,
    schema: &ResourceSchema,
    notes: &mut Vec<Normalization>,
) -> Result<Map<String, Value>, ScimError> {
    let mut out = Map::new();
    for (key, raw) in input {
        if let Some((name, value)) = normalize_attribute(target, key, raw, schema, notes)? {
            insert_once(&mut out, &name, value)?;
        }
    }
    Ok(out)
}

/// Normalises one attribute of `target`, or returns `None` when it is to be left out.
fn normalize_attribute(
    target: &Schema,
    key: &str,
    raw: &Value,
    schema: &ResourceSchema,
    notes: &mut Vec<Normalization>,
) -> Result<Option<(String, Value)>, ScimError> {
    let urn = (!std::ptr::eq(target, &schema.core)).then_some(target.id.as_str());
    let Some(attr) = target.attribute(key) else {
        // RFC 7644 §3.5.1 lets a service provider ignore read-only attributes in a PUT, so
        // those go silently; anything else the tenant does not map is worth a note.
        if !read_only_outside(schema, urn, key) {
            notes.push(Normalization(format!(
                "dropped {}, which this tenant does not map",
                label(urn, key)
            )));
        }
        return Ok(None);
    };
    if attr.mutability == Mutability::ReadOnly {
        return Ok(None);
    }
    let at = label(urn, &attr.name);
    let value = Coercer::new(Unknown::Drop, notes).attribute(&target.id, attr, raw, &at)?;
    Ok((!value.is_null()).then(|| (attr.name.clone(), value)))
}

/// Inserts under a canonical name, failing when two spellings of one name were both sent.
fn insert_once(out: &mut Map<String, Value>, name: &str, value: Value) -> Result<(), ScimError> {
    if out.contains_key(name) {
        return Err(ScimError::bad_request(
            ScimType::InvalidSyntax,
            format!("attribute {name} is given more than once"),
        ));
    }
    out.insert(name.to_owned(), value);
    Ok(())
}

/// The canonical path of a top-level attribute for messages: URN-qualified for extensions.
pub(crate) fn label(urn: Option<&str>, name: &str) -> String {
    match urn {
        Some(urn) => format!("{urn}:{name}"),
        None => name.to_owned(),
    }
}

/// Whether a name missing from the exposed schema is a read-only attribute of the full resource
/// type, such as `groups`, which the tenant's mapping never covers.
pub(crate) fn read_only_outside(schema: &ResourceSchema, urn: Option<&str>, name: &str) -> bool {
    if !schema.resource_type.eq_ignore_ascii_case("User") {
        return false;
    }
    ResourceSchema::user()
        .resolve(urn, name)
        .is_some_and(|r| r.attribute.mutability == Mutability::ReadOnly)
}
