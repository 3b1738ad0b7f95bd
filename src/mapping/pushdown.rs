//! Recognising filters that the legacy API can answer with one of its lookups.

use super::{Field, Mapping};
use crate::scim::filter::{AttrPath, CompValue, CompareOp, Filter};

/// A legacy list lookup: a query parameter and the exact value to find.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup {
    /// The legacy query parameter, such as `email`.
    pub param: String,
    /// The value searched for.
    pub value: String,
}

impl Mapping {
    /// A legacy lookup that returns every member the filter can match, if there is one.
    ///
    /// The lookup narrows the candidates; the caller still evaluates the whole filter on
    /// them, so a lookup that is looser than the filter (the legacy API compares e-mail
    /// addresses without case, say) never produces a wrong answer. `and` needs only one side
    /// to be answerable.
    pub fn pushdown(&self, filter: &Filter) -> Option<Lookup> {
        match filter {
            Filter::Compare {
                path,
                op: CompareOp::Eq,
                value: CompValue::String(value),
            } => self.lookup_field(path, None).map(|f| lookup(f, value)),
            Filter::ValuePath { path, filter } => {
                let (kind, sub, value) = typed_equality(filter)?;
                let path = AttrPath {
                    sub: Some(sub.to_owned()),
                    ..path.clone()
                };
                self.lookup_field(&path, Some(kind))
                    .map(|f| lookup(f, value))
            }
            Filter::And(left, right) => self.pushdown(left).or_else(|| self.pushdown(right)),
            _ => None,
        }
    }

    /// The attributes the legacy API can look up exactly, for the detail of `tooMany` errors.
    pub fn lookup_attributes(&self) -> Vec<String> {
        self.fields
            .iter()
            .filter(|f| f.lookup.is_some())
            .map(|f| f.target.to_string())
            .collect()
    }

    fn lookup_field(&self, path: &AttrPath, kind: Option<&str>) -> Option<&Field> {
        self.fields.iter().filter(|f| f.lookup.is_some()).find(|f| {
            let t = &f.target;
            let same_sub = match (&t.sub, &path.sub) {
                (None, None) => true,
                (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                _ => false,
            };
            let same_type = match (&t.type_value, kind) {
                (None, None) => true,
                (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                _ => false,
            };
            t.is(path.urn.as_deref(), &path.name) && same_sub && same_type
        })
    }
}

/// Splits `type eq "work" and value eq "x"` (either order) into its type, sub-attribute and
/// value.
fn typed_equality(filter: &Filter) -> Option<(&str, &str, &str)> {
    let Filter::And(left, right) = filter else {
        return None;
    };
    fn eq(f: &Filter) -> Option<(&str, &str)> {
        match f {
            Filter::Compare {
                path,
                op: CompareOp::Eq,
                value: CompValue::String(v),
            } if path.urn.is_none() && path.sub.is_none() => Some((path.name.as_str(), v.as_str())),
            _ => None,
        }
    }
    let (a, b) = (eq(left)?, eq(right)?);
    let ((_, kind), (sub, value)) = if a.0.eq_ignore_ascii_case("type") {
        (a, b)
    } else if b.0.eq_ignore_ascii_case("type") {
        (b, a)
    } else {
        return None;
    };
    Some((kind, sub, value))
}

fn lookup(field: &Field, value: &str) -> Lookup {
    Lookup {
        param: field.lookup.clone().unwrap_or_default(),
        value: value.to_owned(),
    }
}
