//! The declarative mapping between SCIM User attributes and the legacy member object.
//!
//! Each `[[mapping]]` entry of the config ties one SCIM attribute path to one legacy field. The
//! mapping decides which SCIM attributes this deployment exposes (the `/Schemas` answer is the
//! full User schema restricted to them), converts members to SCIM resources and back, and
//! recognises filters that the legacy API can answer itself. Pure: no I/O.

mod convert;
mod pushdown;

use crate::config::raw::RawMapping;
use crate::config::Problems;
use crate::scim::schema::{AttrType, Mutability, ResourceSchema, USER_SCHEMA};

pub use pushdown::Lookup;

/// A validated attribute mapping.
#[derive(Debug, Clone)]
pub struct Mapping {
    fields: Vec<Field>,
    schema: ResourceSchema,
}

/// One mapped attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// Where the value sits in a SCIM resource.
    pub target: Target,
    /// The legacy member field.
    pub legacy: String,
    /// The legacy list query parameter that finds members by this field's exact value.
    pub lookup: Option<String>,
    /// For a boolean attribute: the legacy values meaning `true` and `false`.
    pub booleans: Option<(String, String)>,
    /// Whether the legacy API refuses a member without this field; the attribute is then
    /// declared required and checked before any legacy call.
    pub required: bool,
}

/// A SCIM attribute path as used by the mapping: `attr`, `attr.sub`, `urn:...:attr[.sub]` or
/// `attr[type eq "work"].sub`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The extension URN, or `None` for the core schema.
    pub urn: Option<String>,
    /// The top-level attribute, canonically spelt.
    pub attr: String,
    /// The sub-attribute, canonically spelt.
    pub sub: Option<String>,
    /// For a multi-valued attribute: the `type` of the one value this field maps.
    pub type_value: Option<String>,
}

impl Target {
    /// Whether this target names the top-level attribute `attr` of schema `urn` (core if `None`).
    pub fn is(&self, urn: Option<&str>, attr: &str) -> bool {
        let urn = urn.filter(|u| !u.eq_ignore_ascii_case(USER_SCHEMA));
        let same_urn = match (&self.urn, urn) {
            (None, None) => true,
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            _ => false,
        };
        same_urn && self.attr.eq_ignore_ascii_case(attr)
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(urn) = &self.urn {
            write!(f, "{urn}:")?;
        }
        f.write_str(&self.attr)?;
        if let Some(kind) = &self.type_value {
            write!(f, "[type eq \"{kind}\"]")?;
        }
        if let Some(sub) = &self.sub {
            write!(f, ".{sub}")?;
        }
        Ok(())
    }
}

impl Mapping {
    /// The first required attribute whose legacy field has no value in `fields`.
    pub fn missing_required(
        &self,
        fields: &serde_json::Map<String, serde_json::Value>,
    ) -> Option<&Target> {
        self.fields
            .iter()
            .filter(|f| f.required)
            .find(|f| fields.get(&f.legacy).is_none_or(serde_json::Value::is_null))
            .map(|f| &f.target)
    }

    /// Validates the `[[mapping]]` entries, adding each problem found.
    pub(crate) fn from_raw(raw: &[RawMapping], problems: &mut Problems) -> Option<Mapping> {
        let full = ResourceSchema::user();
        let mut fields = Vec::new();
        let mut ok = true;
        for (i, entry) in raw.iter().enumerate() {
            let at = format!("mapping[{i}]");
            match parse_field(entry, &full) {
                Ok(field) => {
                    if fields.iter().any(|f: &Field| f.target == field.target) {
                        problems.add(format!("{at}.scim"), "this attribute is mapped twice");
                        ok = false;
                    }
                    fields.push(field);
                }
                Err((key, message)) => {
                    problems.add(format!("{at}.{key}"), message);
                    ok = false;
                }
            }
        }
        for required in ["userName", "active"] {
            if ok
                && !fields
                    .iter()
                    .any(|f| f.target.is(None, required) && f.target.sub.is_none())
            {
                problems.add("mapping", format!("{required} must be mapped"));
                ok = false;
            }
        }
        if !ok {
            return None;
        }
        let schema = exposed_schema(&full, &fields);
        Some(Mapping { fields, schema })
    }

    /// The exposed User schema: only the attributes that round-trip through the mapping.
    pub fn schema(&self) -> &ResourceSchema {
        &self.schema
    }

    /// The mapped fields, in config order.
    pub fn fields(&self) -> &[Field] {
        &self.fields
    }

    /// The field mapping `active`, which deprovisioning relies on.
    pub fn active_field(&self) -> &Field {
        // `from_raw` refuses a mapping without `active`.
        self.fields
            .iter()
            .find(|f| f.target.is(None, "active"))
            .expect("active is mapped")
    }
}

fn parse_field(entry: &RawMapping, full: &ResourceSchema) -> Result<Field, (&'static str, String)> {
    let scim = |message: String| ("scim", message);
    let target = parse_target(entry.scim.trim(), full).map_err(scim)?;
    let (urn, attr) = (target.urn.as_deref(), target.attr.as_str());
    let resolved = full
        .resolve(urn, attr)
        .ok_or_else(|| scim(format!("unknown attribute {attr}")))?;
    let attribute = match &target.sub {
        Some(sub) => resolved
            .attribute
            .sub_attribute(sub)
            .ok_or_else(|| scim(format!("{attr} has no sub-attribute {sub}")))?,
        None => resolved.attribute,
    };
    if attribute.mutability == Mutability::ReadOnly
        || resolved.attribute.mutability == Mutability::ReadOnly
    {
        return Err(scim(format!(
            "{} is read-only and cannot be mapped",
            entry.scim
        )));
    }
    if attribute.kind == AttrType::Complex {
        return Err(scim(format!(
            "{} is complex: map its sub-attributes",
            entry.scim
        )));
    }
    if resolved.attribute.multi_valued && target.type_value.is_none() {
        return Err(scim(format!(
            "{attr} is multi-valued: map one typed value, as in {attr}[type eq \"work\"].value"
        )));
    }
    if entry.legacy.is_empty() {
        return Err(("legacy", "the legacy field name is empty".to_owned()));
    }
    let booleans = match (&entry.values, attribute.kind) {
        (Some(values), AttrType::Boolean) => {
            let get = |k: &str| values.get(k).cloned();
            match (get("true"), get("false")) {
                (Some(t), Some(f)) if values.len() == 2 && t != f => Some((t, f)),
                _ => {
                    return Err((
                        "values",
                        "values must map exactly \"true\" and \"false\" to two legacy values"
                            .to_owned(),
                    ))
                }
            }
        }
        (None, AttrType::Boolean) => {
            return Err((
                "values",
                format!(
                    "{} is boolean: give values = {{ \"true\" = .., \"false\" = .. }}",
                    entry.scim
                ),
            ));
        }
        (Some(_), _) => {
            return Err((
                "values",
                "values are only for boolean attributes".to_owned(),
            ))
        }
        (None, _) => None,
    };
    if entry.lookup.is_some() && attribute.kind == AttrType::Boolean {
        return Err((
            "lookup",
            "lookup is not supported on boolean attributes".to_owned(),
        ));
    }
    Ok(Field {
        target,
        legacy: entry.legacy.clone(),
        lookup: entry.lookup.clone(),
        booleans,
        required: entry.required.unwrap_or(false),
    })
}

/// Parses the restricted attribute paths a mapping may use, spelling names canonically.
fn parse_target(text: &str, full: &ResourceSchema) -> Result<Target, String> {
    let (urn, rest) = if text.len() > 4 && text[..4].eq_ignore_ascii_case("urn:") {
        let split = text.rfind(':').unwrap_or(0);
        let urn = &text[..split];
        if full.schema(urn).is_none() {
            return Err(format!("unknown schema {urn}"));
        }
        (Some(urn), &text[split + 1..])
    } else {
        (None, text)
    };
    let (head, type_value, sub) = match rest.find('[') {
        Some(open) => {
            let close = rest.find(']').ok_or("missing ']'")?;
            let inner = rest[open + 1..close].trim();
            let value = inner
                .strip_prefix("type eq ")
                .map(str::trim)
                .and_then(|v| v.strip_prefix('"')?.strip_suffix('"'))
                .ok_or("only [type eq \"...\"] is supported inside brackets")?;
            let sub = rest[close + 1..]
                .strip_prefix('.')
                .ok_or("a typed value needs .sub")?;
            (&rest[..open], Some(value.to_owned()), Some(sub))
        }
        None => match rest.split_once('.') {
            Some((head, sub)) => (head, None, Some(sub)),
            None => (rest, None, None),
        },
    };
    let resolved = full
        .resolve(urn, head)
        .ok_or_else(|| format!("unknown attribute {head}"))?;
    let attribute = resolved.attribute;
    let sub = match sub {
        Some(sub) => Some(
            attribute
                .sub_attribute(sub)
                .ok_or_else(|| format!("{} has no sub-attribute {sub}", attribute.name))?
                .name
                .clone(),
        ),
        None => None,
    };
    let urn = match resolved.is_extension {
        true => Some(resolved.schema.id.clone()),
        false => None,
    };
    Ok(Target {
        urn,
        attr: attribute.name.clone(),
        sub,
        type_value,
    })
}

fn exposed_schema(full: &ResourceSchema, fields: &[Field]) -> ResourceSchema {
    let mut schema = full.restrict(|urn, name, sub| {
        let urn = (urn != USER_SCHEMA).then_some(urn);
        fields.iter().any(|f| {
            if !f.target.is(urn, name) {
                return false;
            }
            match (sub, &f.target.type_value) {
                (None, _) => true,
                // A typed value round-trips its `type`. `primary` is not offered: the legacy
                // member holds one value per type, so there is no choice to record.
                (Some("type"), Some(_)) => true,
                (Some(sub), _) => f.target.sub.as_deref() == Some(sub),
            }
        })
    });
    // Only the mapped types of a multi-valued attribute round-trip, so those are the
    // canonical values clients should use.
    for attribute in schema.core.attributes.iter_mut().filter(|a| a.multi_valued) {
        let types: Vec<String> = fields
            .iter()
            .filter(|f| f.target.urn.is_none() && f.target.attr == attribute.name)
            .filter_map(|f| f.target.type_value.clone())
            .collect();
        if let Some(kind) = attribute
            .sub_attributes
            .iter_mut()
            .find(|a| a.name == "type")
        {
            kind.canonical_values = types;
        }
    }
    for field in fields.iter().filter(|f| f.required) {
        let target = &field.target;
        let container = match &target.urn {
            Some(urn) => schema.extensions.iter_mut().find(|s| &s.id == urn),
            None => Some(&mut schema.core),
        };
        let Some(container) = container else { continue };
        let Some(attribute) = container
            .attributes
            .iter_mut()
            .find(|a| a.name == target.attr)
        else {
            continue;
        };
        attribute.required = true;
        if let Some(sub) = &target.sub {
            if let Some(sub) = attribute.sub_attributes.iter_mut().find(|a| &a.name == sub) {
                sub.required = true;
            }
        }
    }
    schema
}

#[cfg(test)]
mod tests;
