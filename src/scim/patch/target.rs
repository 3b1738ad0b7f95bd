//! Resolving PATCH paths and pathless value keys against the exposed schema.

use crate::scim::error::{ScimError, ScimType};
use crate::scim::filter::{parse_path, AttrPath, Filter, PatchPath};
use crate::scim::normalize::{label, read_only, read_only_outside, unknown_attribute};
use crate::scim::schema::{AttrType, Attribute, Mutability, ResourceSchema, Schema};

/// What a path names.
#[derive(Debug)]
pub(super) enum Resolution<'s> {
    /// The resource's `schemas` member.
    Schemas,
    /// A whole extension object, as in `urn:...:enterprise:2.0:User`.
    Extension(&'s Schema),
    /// An attribute, a sub-attribute or selected values of a multi-valued attribute.
    Attr(Target<'s>),
}

/// A resolved attribute target, with canonical names.
#[derive(Debug)]
pub(super) struct Target<'s> {
    /// The extension holding the attribute, or `None` for the core schema.
    pub(super) extension: Option<&'s Schema>,
    /// The top-level attribute.
    pub(super) attr: &'s Attribute,
    /// The value filter selecting values of a multi-valued attribute.
    pub(super) filter: Option<Filter>,
    /// The sub-attribute, either `name.givenName` or the one after a value filter.
    pub(super) sub: Option<&'s Attribute>,
    /// The canonical path of the top-level attribute, for messages.
    pub(super) label: String,
}

impl Target<'_> {
    /// The URN of the schema holding the attribute.
    pub(super) fn urn<'a>(&'a self, schema: &'a ResourceSchema) -> &'a str {
        self.extension
            .map_or(schema.core.id.as_str(), |e| e.id.as_str())
    }

    /// The canonical path of the target's sub-attribute, or of the attribute when there is none.
    pub(super) fn sub_label(&self) -> String {
        match self.sub {
            Some(sub) => format!("{}.{}", self.label, sub.name),
            None => self.label.clone(),
        }
    }

    /// Fails with 400 `mutability` when the attribute or sub-attribute is read-only.
    pub(super) fn check_writable(&self) -> Result<(), ScimError> {
        if self.attr.mutability == Mutability::ReadOnly {
            return Err(read_only(&self.label));
        }
        match self.sub {
            Some(sub) if sub.mutability == Mutability::ReadOnly => {
                Err(read_only(&self.sub_label()))
            }
            _ => Ok(()),
        }
    }
}

/// Resolves a parsed path; mutability is left to [`Target::check_writable`].
pub(super) fn resolve<'s>(
    schema: &'s ResourceSchema,
    path: &PatchPath,
) -> Result<Resolution<'s>, ScimError> {
    let attr_path = &path.attr;
    if let Some(extension) = whole_extension(schema, attr_path) {
        if path.filter.is_some() || path.sub.is_some() {
            return Err(invalid_path(format!(
                "{} is not an attribute",
                extension.id
            )));
        }
        return Ok(Resolution::Extension(extension));
    }
    if attr_path.urn.is_none() && attr_path.name.eq_ignore_ascii_case("schemas") {
        return Ok(Resolution::Schemas);
    }

    let urn = attr_path.urn.as_deref();
    let Some(found) = schema.resolve(urn, &attr_path.name) else {
        if urn.is_some_and(|u| schema.schema(u).is_none() && !is_known_elsewhere(u)) {
            return Err(invalid_path(format!(
                "unknown schema {}",
                urn.unwrap_or_default()
            )));
        }
        let at = label(urn, &attr_path.name);
        return Err(if read_only_outside(schema, urn, &attr_path.name) {
            read_only(&at)
        } else {
            unknown_attribute(&at)
        });
    };
    let extension = found.is_extension.then_some(found.schema);
    let attr = found.attribute;
    let label = label(extension.map(|e| e.id.as_str()), &attr.name);

    let sub_name = match (&attr_path.sub, &path.sub) {
        (Some(_), Some(_)) => return Err(invalid_path(format!("{label} has no such path"))),
        (Some(name), None) | (None, Some(name)) => Some(name.as_str()),
        (None, None) => None,
    };
    if path.filter.is_some() && attr_path.sub.is_some() {
        return Err(invalid_path(format!(
            "a value filter must follow {label} directly"
        )));
    }
    let sub = match sub_name {
        Some(name) => Some(sub_attribute(schema, extension, attr, &label, name)?),
        None => None,
    };
    if let Some(filter) = &path.filter {
        if !attr.multi_valued || attr.kind != AttrType::Complex {
            return Err(invalid_path(format!(
                "{label} is not a multi-valued complex attribute, so it takes no value filter"
            )));
        }
        check_filter(attr, &label, filter)?;
    }
    Ok(Resolution::Attr(Target {
        extension,
        attr,
        filter: path.filter.clone(),
        sub,
        label,
    }))
}

/// Resolves a key of a pathless value object, or of an extension object when `within` is set.
pub(super) fn resolve_key<'s>(
    schema: &'s ResourceSchema,
    within: Option<&'s Schema>,
    key: &str,
) -> Result<Resolution<'s>, ScimError> {
    let mut path = parse_path(key)
        .map_err(|e| invalid_path(format!("invalid attribute name {key:?} in value: {e}")))?;
    if path.filter.is_some() {
        return Err(invalid_path(format!(
            "value filters are not allowed in value keys: {key:?}"
        )));
    }
    if let Some(within) = within {
        match &path.attr.urn {
            None => path.attr.urn = Some(within.id.clone()),
            Some(urn) if urn.eq_ignore_ascii_case(&within.id) => {}
            Some(_) => {
                return Err(invalid_path(format!(
                    "{key:?} does not belong to {}",
                    within.id
                )))
            }
        }
    }
    match resolve(schema, &path)? {
        Resolution::Extension(e) if within.is_some() => {
            Err(invalid_path(format!("{} cannot be nested in itself", e.id)))
        }
        resolution => Ok(resolution),
    }
}

/// The exposed extension a path names as a whole, however the parser split its URN.
fn whole_extension<'s>(schema: &'s ResourceSchema, path: &AttrPath) -> Option<&'s Schema> {
    if path.sub.is_some() {
        return None;
    }
    let full = match &path.urn {
        Some(urn) if path.name.is_empty() => urn.clone(),
        Some(urn) => format!("{urn}:{}", path.name),
        None => path.name.clone(),
    };
    schema
        .extensions
        .iter()
        .find(|e| e.id.eq_ignore_ascii_case(&full))
}

/// Whether `urn` is a schema of the full resource type that this tenant simply does not expose.
fn is_known_elsewhere(urn: &str) -> bool {
    ResourceSchema::user().schema(urn).is_some()
}

fn sub_attribute<'s>(
    schema: &ResourceSchema,
    extension: Option<&Schema>,
    attr: &'s Attribute,
    label: &str,
    name: &str,
) -> Result<&'s Attribute, ScimError> {
    if attr.kind != AttrType::Complex {
        return Err(invalid_path(format!("{label} has no sub-attributes")));
    }
    if let Some(sub) = attr.sub_attribute(name) {
        return Ok(sub);
    }
    let at = format!("{label}.{name}");
    let full = ResourceSchema::user();
    let hidden_read_only = schema.resource_type.eq_ignore_ascii_case("User")
        && full
            .resolve(extension.map(|e| e.id.as_str()), &attr.name)
            .and_then(|r| r.attribute.sub_attribute(name))
            .is_some_and(|s| s.mutability == Mutability::ReadOnly);
    Err(if hidden_read_only {
        read_only(&at)
    } else {
        unknown_attribute(&at)
    })
}

/// Checks that a value filter names only sub-attributes of `attr` and nests no value filter.
fn check_filter(attr: &Attribute, label: &str, filter: &Filter) -> Result<(), ScimError> {
    let check_path = |path: &AttrPath| {
        if path.urn.is_some() || path.sub.is_some() || attr.sub_attribute(&path.name).is_none() {
            let name = match &path.sub {
                Some(sub) => format!("{}.{sub}", path.name),
                None => path.name.clone(),
            };
            return Err(invalid_path(format!(
                "the value filter on {label} names {name}, which is not one of its sub-attributes"
            )));
        }
        Ok(())
    };
    match filter {
        Filter::Compare { path, .. } | Filter::Present(path) => check_path(path),
        Filter::And(left, right) | Filter::Or(left, right) => {
            check_filter(attr, label, left)?;
            check_filter(attr, label, right)
        }
        Filter::Not(inner) => check_filter(attr, label, inner),
        Filter::ValuePath { .. } => Err(invalid_path(format!(
            "the value filter on {label} cannot nest a value filter"
        ))),
    }
}

/// The `X` of a filter that is exactly `type eq "X"`, the shape IdPs use to pick a value.
pub(super) fn type_eq(filter: &Filter) -> Option<&str> {
    use crate::scim::filter::{CompValue, CompareOp};
    match filter {
        Filter::Compare {
            path,
            op: CompareOp::Eq,
            value: CompValue::String(value),
        } if path.urn.is_none() && path.sub.is_none() && path.name.eq_ignore_ascii_case("type") => {
            Some(value)
        }
        _ => None,
    }
}

fn invalid_path(detail: String) -> ScimError {
    ScimError::bad_request(ScimType::InvalidPath, detail)
}
