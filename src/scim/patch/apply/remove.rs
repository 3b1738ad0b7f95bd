//! Remove on one resolved target, and on a whole extension.

use serde_json::{Map, Value};

use super::{required, Engine};
use crate::scim::error::ScimError;
use crate::scim::filter::matches_element;
use crate::scim::patch::target::Target;
use crate::scim::patch::values::{is_empty, set_sub, subset_matches};
use crate::scim::schema::Schema;

impl<'s> Engine<'s> {
    pub(super) fn remove(
        &mut self,
        container: &mut Map<String, Value>,
        target: &Target<'s>,
        value: Option<&Value>,
    ) -> Result<(), ScimError> {
        let schema = self.schema;
        let attr = target.attr;
        let name = attr.name.as_str();
        if let Some(sub) = target.sub {
            if sub.required {
                return Err(required(&target.sub_label()));
            }
        }

        let Some(filter) = &target.filter else {
            let listed = value.filter(|v| !v.is_null());
            if let (true, None, Some(listed)) = (attr.multi_valued, target.sub, listed) {
                // Entra removes chosen values by listing them in `value` with a plain path.
                let listed =
                    self.coercer()
                        .attribute(target.urn(schema), attr, listed, &target.label)?;
                let listed = listed.as_array().cloned().unwrap_or_default();
                if let Some(Value::Array(list)) = container.get_mut(name) {
                    list.retain(|element| !listed.iter().any(|l| subset_matches(l, element, attr)));
                }
                return Ok(());
            }
            let Some(sub) = target.sub else {
                return self.clear(container, target);
            };
            match container.get_mut(name) {
                Some(Value::Array(list)) => {
                    for element in list.iter_mut() {
                        set_sub(element, &sub.name, &Value::Null);
                    }
                    list.retain(|element| !is_empty(element));
                }
                Some(existing) => set_sub(existing, &sub.name, &Value::Null),
                None => {}
            }
            return Ok(());
        };

        let Some(Value::Array(list)) = container.get_mut(name) else {
            self.note(format!(
                "nothing matched the filter on {}, nothing removed",
                target.label
            ));
            return Ok(());
        };
        let matched: Vec<usize> = (0..list.len())
            .filter(|&i| matches_element(filter, &list[i], attr))
            .collect();
        if matched.is_empty() {
            self.note(format!(
                "nothing matched the filter on {}, nothing removed",
                target.label
            ));
            return Ok(());
        }
        match target.sub {
            Some(sub) => {
                for &index in &matched {
                    set_sub(&mut list[index], &sub.name, &Value::Null);
                }
                list.retain(|element| !is_empty(element));
            }
            None => {
                let mut index = 0;
                list.retain(|_| {
                    index += 1;
                    !matched.contains(&(index - 1))
                });
            }
        }
        Ok(())
    }

    /// Removes a whole attribute, refusing to leave a required one unassigned.
    pub(super) fn clear(
        &mut self,
        container: &mut Map<String, Value>,
        target: &Target<'s>,
    ) -> Result<(), ScimError> {
        if target.attr.required {
            return Err(required(&target.label));
        }
        container.remove(&target.attr.name);
        Ok(())
    }

    pub(super) fn remove_extension(
        &mut self,
        root: &mut Map<String, Value>,
        extension: &'s Schema,
    ) -> Result<(), ScimError> {
        if let Some(attr) = extension.attributes.iter().find(|a| a.required) {
            return Err(required(&format!("{}:{}", extension.id, attr.name)));
        }
        self.extensions.push(extension.id.as_str());
        root.remove(&extension.id);
        Ok(())
    }
}
