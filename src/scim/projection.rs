//! Attribute projection: the `attributes` and `excludedAttributes` query parameters
//! (RFC 7644 §3.4.2.5 and §3.9) applied to a resource under each attribute's `returned` rule.
//!
//! Choices where the RFCs leave room, stated once here:
//! - A malformed path in either list is 400 `invalidValue`: RFC 7644 §3.12 reserves
//!   `invalidFilter` for `filter` and `invalidPath` for PATCH paths, and a query parameter whose
//!   value cannot be used is what `invalidValue` describes.
//! - A well-formed name the exposed schema lacks is ignored, not an error: the resource has no
//!   such attribute, so there is nothing to return, and IdPs configured for a richer schema keep
//!   working.
//! - A bare schema URN names every attribute of that schema, `request` ones included.
//! - When both lists are given, `attributes` selects and `excludedAttributes` then removes.
//! - An extension left with no attributes is removed with its URN in `schemas`, so that
//!   `schemas` keeps listing exactly the schemas whose attributes the body carries.
//! - Members the schema does not define are returned by default and dropped when `attributes`
//!   selects, since they cannot be named.

use serde_json::Value;

use crate::scim::error::{ScimError, ScimType};
use crate::scim::filter::parse_attr_path;
use crate::scim::schema::{AttrType, Attribute, ResourceSchema, Returned, Schema};

/// Which attributes of a resource a response carries, parsed from the query parameters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Projection {
    /// The `attributes` list, or `None` for the default set.
    attributes: Option<Vec<Selector>>,
    /// The `excludedAttributes` list.
    excluded: Vec<Selector>,
}

/// One resolved entry of a list: a schema, optionally one attribute and one sub-attribute,
/// spelled as the schema spells them.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Selector {
    urn: String,
    attr: Option<String>,
    sub: Option<String>,
}

impl Projection {
    /// Parses the comma-separated `attributes` and `excludedAttributes` parameters against the
    /// exposed schema, failing with 400 `invalidValue` on a malformed path.
    pub fn parse(
        attributes: Option<&str>,
        excluded: Option<&str>,
        schema: &ResourceSchema,
    ) -> Result<Projection, ScimError> {
        let attributes = attributes
            .map(|list| selectors("attributes", list, schema))
            .transpose()?;
        let excluded = match excluded {
            Some(list) => selectors("excludedAttributes", list, schema)?,
            None => Vec::new(),
        };
        Ok(Projection {
            attributes,
            excluded,
        })
    }

    /// Removes from `resource` every attribute this projection and the `returned`
    /// characteristics of `schema` do not let through.
    pub fn apply(&self, resource: &mut Value, schema: &ResourceSchema) {
        let Some(object) = resource.as_object_mut() else {
            return;
        };
        let mut emptied = Vec::new();
        object.retain(|key, value| {
            if key.eq_ignore_ascii_case("schemas") {
                return true;
            }
            if let Some(extension) = extension(schema, key) {
                if let Some(members) = value.as_object_mut() {
                    members.retain(|name, value| self.prune(&extension.id, extension, name, value));
                    if members.is_empty() {
                        emptied.push(extension.id.clone());
                        return false;
                    }
                    return true;
                }
            }
            self.prune(&schema.core.id, &schema.core, key, value)
        });
        if let Some(Value::Array(urns)) = object.get_mut("schemas") {
            urns.retain(|urn| {
                let urn = urn.as_str().unwrap_or_default();
                !emptied.iter().any(|gone| gone.eq_ignore_ascii_case(urn))
            });
        }
    }

    /// Prunes the member `name` of the schema `urn` in place; false when it must go entirely.
    fn prune(&self, urn: &str, schema: &Schema, name: &str, value: &mut Value) -> bool {
        let Some(attribute) = schema.attribute(name) else {
            return self.attributes.is_none();
        };
        if attribute.returned == Returned::Never {
            return false;
        }
        if attribute.returned == Returned::Always {
            strip_never(attribute, value);
            return true;
        }
        if attribute.kind != AttrType::Complex {
            return self.keeps(urn, attribute, None);
        }
        let keep_sub = |sub: &str| match attribute.sub_attribute(sub) {
            Some(def) if def.returned == Returned::Never => false,
            Some(def) if def.returned == Returned::Always => true,
            Some(def) => self.keeps(urn, attribute, Some(def)),
            None => self.keeps(urn, attribute, None),
        };
        let prune_element = |element: &mut Value| match element.as_object_mut() {
            Some(members) => {
                members.retain(|sub, _| keep_sub(sub));
                !members.is_empty()
            }
            None => self.keeps(urn, attribute, None),
        };
        match value {
            Value::Array(elements) => {
                let had_any = !elements.is_empty();
                elements.retain_mut(prune_element);
                // An empty list stays when the attribute itself is wanted, as the resource has it.
                !elements.is_empty() || (!had_any && self.keeps(urn, attribute, None))
            }
            element => prune_element(element),
        }
    }

    /// Whether the attribute (or its sub-attribute `sub`) is selected and not excluded.
    fn keeps(&self, urn: &str, attribute: &Attribute, sub: Option<&Attribute>) -> bool {
        let sub_name = sub.map(|s| s.name.as_str());
        let covered = |list: &[Selector]| {
            list.iter()
                .any(|s| s.covers(urn, &attribute.name, sub_name))
        };
        let selected = match &self.attributes {
            Some(list) => covered(list),
            None => {
                attribute.returned != Returned::Request
                    && sub.is_none_or(|s| s.returned != Returned::Request)
            }
        };
        selected && !covered(&self.excluded)
    }
}

impl Selector {
    /// Whether this entry names the attribute `attr` (or its sub-attribute `sub`) of `urn`.
    fn covers(&self, urn: &str, attr: &str, sub: Option<&str>) -> bool {
        if !self.urn.eq_ignore_ascii_case(urn) {
            return false;
        }
        let Some(own_attr) = &self.attr else {
            return true;
        };
        if !own_attr.eq_ignore_ascii_case(attr) {
            return false;
        }
        match (&self.sub, sub) {
            (None, _) => true,
            (Some(own), Some(sub)) => own.eq_ignore_ascii_case(sub),
            (Some(_), None) => false,
        }
    }
}

/// The extension schema a top-level member is keyed by, if it is one.
fn extension<'s>(schema: &'s ResourceSchema, key: &str) -> Option<&'s Schema> {
    schema
        .extensions
        .iter()
        .find(|s| s.id.eq_ignore_ascii_case(key))
}

/// Removes `returned: never` sub-attributes from an attribute that is otherwise always returned.
fn strip_never(attribute: &Attribute, value: &mut Value) {
    let never = |sub: &str| {
        attribute
            .sub_attribute(sub)
            .is_some_and(|def| def.returned == Returned::Never)
    };
    let elements: Vec<&mut Value> = match value {
        Value::Array(items) => items.iter_mut().collect(),
        other => vec![other],
    };
    for element in elements {
        if let Some(members) = element.as_object_mut() {
            members.retain(|sub, _| !never(sub));
        }
    }
}

/// Parses one comma-separated list, dropping names the schema does not expose.
fn selectors(
    parameter: &str,
    list: &str,
    schema: &ResourceSchema,
) -> Result<Vec<Selector>, ScimError> {
    let mut out = Vec::new();
    let mut offset = 0;
    for item in list.split(',') {
        let start = offset;
        offset += item.chars().count() + 1;
        if item.trim().is_empty() {
            continue;
        }
        // A bare schema URN would otherwise read as an attribute named after its last segment.
        if let Some(whole) = schema.schema(item.trim()) {
            out.push(Selector {
                urn: whole.id.clone(),
                attr: None,
                sub: None,
            });
            continue;
        }
        let path = parse_attr_path(item).map_err(|e| {
            let detail = format!(
                "{parameter}: {} at position {}",
                e.message,
                start + e.position
            );
            ScimError::bad_request(ScimType::InvalidValue, detail)
        })?;
        let Some(resolved) = schema.resolve(path.urn.as_deref(), &path.name) else {
            continue;
        };
        let sub = match &path.sub {
            Some(sub) => match resolved.attribute.sub_attribute(sub) {
                Some(def) => Some(def.name.clone()),
                None => continue,
            },
            None => None,
        };
        out.push(Selector {
            urn: resolved.schema.id.clone(),
            attr: Some(resolved.attribute.name.clone()),
            sub,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
