//! Applying parsed PATCH operations to a resource, one operation at a time.

mod remove;
mod write;

use serde_json::{Map, Value};

use super::target::{self, Resolution, Target};
use super::values::is_empty;
use super::{PatchOpKind, PatchOperation};
use crate::scim::error::{ScimError, ScimType};
use crate::scim::normalize::{invalid_value, Coercer, Normalization, Unknown};
use crate::scim::schema::{Mutability, ResourceSchema, Schema, ENTERPRISE_SCHEMA};

/// Applies every operation to `resource` in place; on error the resource may be half-changed,
/// so the caller works on a copy.
pub(super) fn apply_all(
    resource: &mut Value,
    ops: &[PatchOperation],
    schema: &ResourceSchema,
) -> Result<Vec<Normalization>, ScimError> {
    let Value::Object(root) = resource else {
        return Err(ScimError::new(
            http::StatusCode::INTERNAL_SERVER_ERROR,
            None,
            "the stored resource is not a JSON object",
        ));
    };
    let mut engine = Engine {
        schema,
        notes: Vec::new(),
        extensions: Vec::new(),
    };
    for (index, op) in ops.iter().enumerate() {
        engine.operation(root, op).map_err(|mut e| {
            e.detail = format!("operation {}: {}", index + 1, e.detail);
            e
        })?;
    }
    engine.sync_schemas(root);
    Ok(engine.notes)
}

struct Engine<'s> {
    schema: &'s ResourceSchema,
    notes: Vec<Normalization>,
    /// The extensions whose objects this request wrote to, for keeping `schemas` in step.
    extensions: Vec<&'s str>,
}

impl<'s> Engine<'s> {
    fn operation(
        &mut self,
        root: &mut Map<String, Value>,
        op: &PatchOperation,
    ) -> Result<(), ScimError> {
        let value = op.value.as_ref();
        let Some(path) = &op.path else {
            return match (op.op, value) {
                (PatchOpKind::Remove, _) => Err(ScimError::bad_request(
                    ScimType::NoTarget,
                    "remove requires a path",
                )),
                (kind, Some(value)) => self.pathless(root, kind, value, None),
                (kind, None) => Err(missing_value(kind)),
            };
        };
        match target::resolve(self.schema, path)? {
            Resolution::Schemas => Err(ScimError::bad_request(
                ScimType::Mutability,
                "schemas is maintained by the service provider",
            )),
            Resolution::Extension(extension) => match (op.op, value) {
                (PatchOpKind::Remove, _) => self.remove_extension(root, extension),
                (kind, Some(value)) => self.pathless(root, kind, value, Some(extension)),
                (kind, None) => Err(missing_value(kind)),
            },
            Resolution::Attr(target) => {
                target.check_writable()?;
                self.target(root, op.op, &target, value)
            }
        }
    }

    /// Applies a pathless add or replace, or one whose path names a whole extension.
    fn pathless(
        &mut self,
        root: &mut Map<String, Value>,
        kind: PatchOpKind,
        value: &Value,
        within: Option<&'s Schema>,
    ) -> Result<(), ScimError> {
        let Value::Object(members) = value else {
            return Err(match within {
                Some(extension) => invalid_value(format!("{} expects an object", extension.id)),
                None => ScimError::bad_request(
                    ScimType::InvalidSyntax,
                    format!("{} without a path needs an object value", kind.as_str()),
                ),
            });
        };
        for (key, member) in members {
            // Clients that send a whole extension object often include its `schemas`.
            if key.eq_ignore_ascii_case("schemas") {
                self.note("ignored schemas in a pathless value".to_owned());
                continue;
            }
            if within.is_none() {
                if let Some(named) = self.schema.schema(key) {
                    let nested = (!std::ptr::eq(named, &self.schema.core)).then_some(named);
                    self.pathless(root, kind, member, nested)?;
                    continue;
                }
            }
            let target = match target::resolve_key(self.schema, within, key)? {
                Resolution::Attr(target) => target,
                Resolution::Extension(extension) => {
                    self.pathless(root, kind, member, Some(extension))?;
                    continue;
                }
                Resolution::Schemas => {
                    self.note("ignored schemas in a pathless value".to_owned());
                    continue;
                }
            };
            if let Err(error) = target.check_writable() {
                // Clients that echo a resource back include `id`; an unchanged read-only value
                // asks for nothing, so it is skipped rather than refused.
                if current(root, &target) != Some(member) {
                    return Err(error);
                }
                self.note(format!(
                    "ignored unchanged read-only {}",
                    target.sub_label()
                ));
                continue;
            }
            self.target(root, kind, &target, Some(member))?;
        }
        Ok(())
    }

    /// Applies one operation to one resolved attribute target.
    fn target(
        &mut self,
        root: &mut Map<String, Value>,
        kind: PatchOpKind,
        target: &Target<'s>,
        value: Option<&Value>,
    ) -> Result<(), ScimError> {
        let name = target.attr.name.as_str();
        let container = match target.extension {
            None => &mut *root,
            Some(extension) => {
                self.extensions.push(extension.id.as_str());
                let slot = root
                    .entry(extension.id.clone())
                    .or_insert_with(|| Map::new().into());
                if !slot.is_object() {
                    *slot = Map::new().into();
                }
                slot.as_object_mut()
                    .expect("the extension slot was just made an object")
            }
        };
        let before = container.get(name).cloned();

        match (kind, value) {
            (PatchOpKind::Remove, value) => self.remove(container, target, value)?,
            (kind, Some(value)) => self.write(container, kind, target, value)?,
            (kind, None) => return Err(missing_value(kind)),
        }

        if container.get(name).is_some_and(is_empty) {
            container.remove(name);
        }
        let immutable = target.attr.mutability == Mutability::Immutable;
        if immutable
            && before.as_ref().is_some_and(|b| !b.is_null())
            && container.get(name) != before.as_ref()
        {
            return Err(ScimError::bad_request(
                ScimType::Mutability,
                format!("attribute {} is immutable once set", target.label),
            ));
        }
        if let Some(extension) = target.extension {
            if root.get(&extension.id).is_some_and(is_empty) {
                root.remove(&extension.id);
            }
        }
        Ok(())
    }

    /// Adds or drops extension URNs in `schemas` for the extensions this request wrote to.
    fn sync_schemas(&self, root: &mut Map<String, Value>) {
        let present: Vec<(&str, bool)> = self
            .extensions
            .iter()
            .map(|&id| (id, root.get(id).is_some_and(|v| !is_empty(v))))
            .collect();
        let Some(Value::Array(schemas)) = root.get_mut("schemas") else {
            return;
        };
        for (id, is_present) in present {
            let listed = |s: &Value| s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(id));
            if is_present && !schemas.iter().any(listed) {
                schemas.push(Value::String(id.to_owned()));
            } else if !is_present {
                schemas.retain(|s| !listed(s));
            }
        }
    }

    fn coercer(&mut self) -> Coercer<'_> {
        Coercer::new(Unknown::Reject, &mut self.notes)
    }

    fn note(&mut self, message: String) {
        self.notes.push(Normalization(message));
    }
}

/// The stored value a pathless key names, for comparing against what the client sent.
fn current<'v>(root: &'v Map<String, Value>, target: &Target<'_>) -> Option<&'v Value> {
    let value = match target.extension {
        Some(extension) => root.get(&extension.id)?.get(&target.attr.name)?,
        None => root.get(&target.attr.name)?,
    };
    match target.sub {
        Some(sub) => value.get(&sub.name),
        None => Some(value),
    }
}

/// The list stored under `name`, created empty when absent or not a list.
fn list_mut<'m>(container: &'m mut Map<String, Value>, name: &str) -> &'m mut Vec<Value> {
    let slot = container
        .entry(name.to_owned())
        .or_insert_with(|| Value::Array(Vec::new()));
    if !slot.is_array() {
        *slot = Value::Array(Vec::new());
    }
    match slot {
        Value::Array(list) => list,
        _ => unreachable!("the slot was just made a list"),
    }
}

fn is_manager_id(urn: &str, name: &str, sub: &str) -> bool {
    urn.eq_ignore_ascii_case(ENTERPRISE_SCHEMA) && name == "manager" && sub == "value"
}

fn missing_value(kind: PatchOpKind) -> ScimError {
    ScimError::bad_request(
        ScimType::InvalidSyntax,
        format!("{} requires a value", kind.as_str()),
    )
}

fn no_match(target: &Target<'_>) -> ScimError {
    ScimError::bad_request(
        ScimType::NoTarget,
        format!("no value of {} matches the filter", target.label),
    )
}

fn required(at: &str) -> ScimError {
    invalid_value(format!("{at} is required and cannot be removed"))
}
