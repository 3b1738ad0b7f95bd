//! Add and replace on one resolved target.

use serde_json::{Map, Value};

use super::{is_manager_id, list_mut, no_match, Engine};
use crate::scim::error::ScimError;
use crate::scim::filter::matches_element;
use crate::scim::normalize::invalid_value;
use crate::scim::patch::target::{self, Target};
use crate::scim::patch::values::{enforce_single_primary, merge_object, merge_values, set_sub};
use crate::scim::patch::PatchOpKind;
use crate::scim::schema::AttrType;

impl<'s> Engine<'s> {
    pub(super) fn write(
        &mut self,
        container: &mut Map<String, Value>,
        kind: PatchOpKind,
        target: &Target<'s>,
        value: &Value,
    ) -> Result<(), ScimError> {
        let schema = self.schema;
        let urn = target.urn(schema);
        let attr = target.attr;
        let name = attr.name.as_str();
        let label = target.label.as_str();

        let Some(filter) = &target.filter else {
            let Some(sub) = target.sub else {
                let coerced = self.coercer().attribute(urn, attr, value, label)?;
                if coerced.is_null() {
                    return self.clear(container, target);
                }
                if attr.multi_valued {
                    let Value::Array(new) = coerced else {
                        return Err(invalid_value(format!("{label} expects a list")));
                    };
                    if kind == PatchOpKind::Replace {
                        container.insert(name.to_owned(), Value::Array(new));
                        return Ok(());
                    }
                    let list = list_mut(container, name);
                    let touched = merge_values(list, new, attr);
                    return enforce_single_primary(list, &touched, label, &mut self.notes);
                }
                // RFC 7644 §3.5.2.1 and §3.5.2.3 both merge the sub-attributes given for a
                // single-valued complex attribute, leaving the others as they were.
                match container.get_mut(name) {
                    Some(existing) if attr.kind == AttrType::Complex => {
                        merge_object(existing, coerced)
                    }
                    _ => {
                        container.insert(name.to_owned(), coerced);
                    }
                }
                return Ok(());
            };

            let coerced = self.coercer().scalar(sub, value, &target.sub_label())?;
            if attr.multi_valued {
                let list = list_mut(container, name);
                if list.is_empty() && !coerced.is_null() {
                    list.push(Map::new().into());
                }
                for element in list.iter_mut() {
                    set_sub(element, &sub.name, &coerced);
                }
                let all: Vec<usize> = (0..list.len()).collect();
                return enforce_single_primary(list, &all, label, &mut self.notes);
            }
            if is_manager_id(urn, name, &sub.name) && coerced.as_str() == Some("") {
                self.note(format!(
                    "treated an empty manager as clearing it at {label}"
                ));
                container.remove(name);
                return Ok(());
            }
            let slot = container
                .entry(name.to_owned())
                .or_insert_with(|| Map::new().into());
            set_sub(slot, &sub.name, &coerced);
            return Ok(());
        };

        let list = list_mut(container, name);
        let matched: Vec<usize> = (0..list.len())
            .filter(|&i| matches_element(filter, &list[i], attr))
            .collect();
        if matched.is_empty() {
            return self.append_typed(list, target, value);
        }
        match target.sub {
            Some(sub) => {
                let coerced = self.coercer().scalar(sub, value, &target.sub_label())?;
                for &index in &matched {
                    set_sub(&mut list[index], &sub.name, &coerced);
                }
            }
            None => {
                let element = self.coercer().element(urn, attr, value, label)?;
                if element.is_null() {
                    let mut index = 0;
                    list.retain(|_| {
                        index += 1;
                        !matched.contains(&(index - 1))
                    });
                    return Ok(());
                }
                for &index in &matched {
                    match kind {
                        PatchOpKind::Add => merge_object(&mut list[index], element.clone()),
                        _ => list[index] = element.clone(),
                    }
                }
            }
        }
        enforce_single_primary(list, &matched, label, &mut self.notes)
    }

    /// Handles a filtered add or replace that matched nothing.
    ///
    /// Entra and Okta set a user's first work e-mail or mobile number with
    /// `emails[type eq "work"].value`; a value of that type is created rather than failing.
    pub(super) fn append_typed(
        &mut self,
        list: &mut Vec<Value>,
        target: &Target<'s>,
        value: &Value,
    ) -> Result<(), ScimError> {
        let filter = target
            .filter
            .as_ref()
            .expect("append_typed is only called with a filter");
        let (Some(sub), Some(type_value), Some(type_attr)) = (
            target.sub,
            target::type_eq(filter),
            target.attr.sub_attribute("type"),
        ) else {
            return Err(no_match(target));
        };
        if sub.name == type_attr.name {
            return Err(no_match(target));
        }
        let coerced = self.coercer().scalar(sub, value, &target.sub_label())?;
        if coerced.is_null() {
            return Ok(());
        }
        let mut element = Map::new();
        element.insert(type_attr.name.clone(), Value::String(type_value.to_owned()));
        element.insert(sub.name.clone(), coerced);
        list.push(Value::Object(element));
        self.note(format!(
            "added a value of type {type_value:?} to {} because none matched the filter",
            target.label
        ));
        let added = [list.len() - 1];
        enforce_single_primary(list, &added, &target.label, &mut self.notes)
    }
}
