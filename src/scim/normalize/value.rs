//! Fitting one client-supplied value to its attribute definition, shared by PATCH and POST/PUT.
//!
//! The coercer canonicalises sub-attribute names, turns string booleans into booleans, wraps a
//! lone object given for a multi-valued attribute into a list, expands Entra's bare-string
//! `manager` and checks every value against its attribute's type. A returned `Value::Null` means
//! "unassigned" (RFC 7643 §2.5): the caller clears or omits the attribute.

use serde_json::{Map, Value};

use super::Normalization;
use crate::scim::error::{ScimError, ScimType};
use crate::scim::schema::{AttrType, Attribute, Mutability, ENTERPRISE_SCHEMA};

/// What to do with a sub-attribute name the exposed schema does not define.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unknown {
    /// Drop it and record a [`Normalization`]; read-only sub-attributes are dropped silently.
    Drop,
    /// Fail with `invalidPath`; read-only sub-attributes fail with `mutability`.
    Reject,
}

/// Coerces values to attribute definitions, recording every tolerance it applies.
#[derive(Debug)]
pub(crate) struct Coercer<'n> {
    unknown: Unknown,
    notes: &'n mut Vec<Normalization>,
}

impl<'n> Coercer<'n> {
    /// A coercer with the given policy for unknown names, appending to `notes`.
    pub(crate) fn new(unknown: Unknown, notes: &'n mut Vec<Normalization>) -> Self {
        Coercer { unknown, notes }
    }

    /// Fits `value` to the top-level attribute `attr` of the schema `urn`, honouring
    /// `multiValued`; `at` is the canonical path used in messages.
    pub(crate) fn attribute(
        &mut self,
        urn: &str,
        attr: &Attribute,
        value: &Value,
        at: &str,
    ) -> Result<Value, ScimError> {
        if !attr.multi_valued {
            return self.element(urn, attr, value, at);
        }
        let items = match value {
            Value::Null => return Ok(Value::Null),
            Value::Array(items) => items.as_slice(),
            single => {
                self.note(format!("wrapped a single value in a list at {at}"));
                std::slice::from_ref(single)
            }
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            if item.is_array() {
                return Err(invalid_value(format!("{at} does not accept nested lists")));
            }
            let element = self.element(urn, attr, item, at)?;
            if !element.is_null() {
                out.push(element);
            }
        }
        if out.iter().filter(|e| is_primary(e)).count() > 1 {
            return Err(invalid_value(format!(
                "more than one value of {at} is primary"
            )));
        }
        Ok(Value::Array(out))
    }

    /// Fits `value` to one value of `attr`, ignoring `multiValued`: an object of sub-attributes
    /// for a complex attribute, a scalar otherwise.
    pub(crate) fn element(
        &mut self,
        urn: &str,
        attr: &Attribute,
        value: &Value,
        at: &str,
    ) -> Result<Value, ScimError> {
        if attr.kind != AttrType::Complex {
            return self.scalar(attr, value, at);
        }
        let manager = is_enterprise_manager(urn, attr);
        let object = match value {
            Value::Null => return Ok(Value::Null),
            Value::Object(object) => object,
            // Entra sends the enterprise manager as the manager's bare id and reads it back
            // as `{"value": id}`; an empty string is how it clears the manager.
            Value::String(id) if manager => {
                if id.is_empty() {
                    self.note(format!("treated an empty manager as clearing it at {at}"));
                    return Ok(Value::Null);
                }
                self.note(format!(
                    "wrapped a bare manager id as {{\"value\": ..}} at {at}"
                ));
                let mut object = Map::new();
                object.insert("value".to_owned(), Value::String(id.clone()));
                return Ok(Value::Object(object));
            }
            _ => return Err(invalid_value(format!("{at} expects an object"))),
        };
        let mut out = Map::new();
        for (key, raw) in object {
            let sub_at = format!("{at}.{key}");
            let Some(sub) = attr.sub_attribute(key) else {
                // A value object may carry sub-attributes this tenant does not map, such as
                // `primary` or `display`; they have nowhere to go, so they are dropped in PATCH
                // as in POST and PUT rather than failing the whole request.
                self.note(format!("dropped {sub_at}, which this tenant does not map"));
                continue;
            };
            let sub_at = format!("{at}.{}", sub.name);
            if sub.mutability == Mutability::ReadOnly {
                match self.unknown {
                    Unknown::Drop => continue,
                    Unknown::Reject => return Err(read_only(&sub_at)),
                }
            }
            if out.contains_key(&sub.name) {
                return Err(ScimError::bad_request(
                    ScimType::InvalidSyntax,
                    format!("{sub_at} is given more than once"),
                ));
            }
            let coerced = self.scalar(sub, raw, &sub_at)?;
            if !coerced.is_null() {
                out.insert(sub.name.clone(), coerced);
            }
        }
        if manager && out.get("value").is_some_and(|v| v.as_str() == Some("")) {
            self.note(format!("treated an empty manager as clearing it at {at}"));
            return Ok(Value::Null);
        }
        if out.is_empty() {
            return Ok(Value::Null);
        }
        Ok(Value::Object(out))
    }

    /// Fits `value` to the simple (non-complex) attribute or sub-attribute `attr`.
    pub(crate) fn scalar(
        &mut self,
        attr: &Attribute,
        value: &Value,
        at: &str,
    ) -> Result<Value, ScimError> {
        let fits = match (attr.kind, value) {
            (_, Value::Null) => return Ok(Value::Null),
            (AttrType::Boolean, Value::Bool(_)) => true,
            (AttrType::Boolean, Value::String(s)) => {
                // Entra disables users with `"False"`; any spelling of true or false is taken.
                let parsed = if s.eq_ignore_ascii_case("true") {
                    Some(true)
                } else if s.eq_ignore_ascii_case("false") {
                    Some(false)
                } else {
                    None
                };
                if let Some(b) = parsed {
                    self.note(format!("coerced {s:?} to {b} at {at}"));
                    return Ok(Value::Bool(b));
                }
                false
            }
            (AttrType::Integer, Value::Number(n)) => n.is_i64() || n.is_u64(),
            (AttrType::Decimal, Value::Number(_)) => true,
            (AttrType::DateTime, Value::String(s)) => {
                chrono::DateTime::parse_from_rfc3339(s).is_ok()
            }
            (AttrType::String | AttrType::Reference | AttrType::Binary, Value::String(s)) => {
                if attr.required && s.is_empty() {
                    return Err(invalid_value(format!(
                        "{at} is required and cannot be empty"
                    )));
                }
                true
            }
            _ => false,
        };
        if fits {
            Ok(value.clone())
        } else {
            Err(invalid_value(format!(
                "{at} expects {}",
                describe(attr.kind)
            )))
        }
    }

    fn note(&mut self, message: String) {
        self.notes.push(Normalization(message));
    }
}

/// Whether a value of a multi-valued attribute carries `"primary": true`.
pub(crate) fn is_primary(element: &Value) -> bool {
    element.get("primary").and_then(Value::as_bool) == Some(true)
}

/// A 400 `invalidValue` error with the given detail.
pub(crate) fn invalid_value(detail: String) -> ScimError {
    ScimError::bad_request(ScimType::InvalidValue, detail)
}

/// The 400 `invalidPath` error for a name the exposed schema does not define.
pub(crate) fn unknown_attribute(at: &str) -> ScimError {
    ScimError::bad_request(
        ScimType::InvalidPath,
        format!("attribute {at} is not supported by this service provider"),
    )
}

/// The 400 `mutability` error for a write to a read-only attribute.
pub(crate) fn read_only(at: &str) -> ScimError {
    ScimError::bad_request(ScimType::Mutability, format!("attribute {at} is read-only"))
}

fn is_enterprise_manager(urn: &str, attr: &Attribute) -> bool {
    urn.eq_ignore_ascii_case(ENTERPRISE_SCHEMA) && attr.name == "manager"
}

fn describe(kind: AttrType) -> &'static str {
    match kind {
        AttrType::String => "a string",
        AttrType::Boolean => "a boolean",
        AttrType::Decimal => "a number",
        AttrType::Integer => "an integer",
        AttrType::DateTime => "an RFC 3339 date-time string",
        AttrType::Reference => "a reference string",
        AttrType::Complex => "an object",
        AttrType::Binary => "a base64 string",
    }
}
