//! Test fixtures shared by the PATCH and normalisation tests.

use crate::scim::schema::{ResourceSchema, USER_SCHEMA};

/// The exposed schema of a typical tenant, as the product's attribute mapping restricts it.
pub(crate) fn tenant_schema() -> ResourceSchema {
    const CORE: &[(&str, Option<&str>)] = &[
        ("userName", None),
        ("name", Some("givenName")),
        ("name", Some("familyName")),
        ("displayName", None),
        ("active", None),
        ("externalId", None),
        ("title", None),
        ("locale", None),
        ("emails", Some("value")),
        ("emails", Some("type")),
        ("emails", Some("primary")),
        ("phoneNumbers", Some("value")),
        ("phoneNumbers", Some("type")),
        ("phoneNumbers", Some("primary")),
    ];
    const ENTERPRISE: &[(&str, Option<&str>)] = &[
        ("employeeNumber", None),
        ("department", None),
        ("manager", Some("value")),
    ];
    ResourceSchema::user().restrict(|urn, name, sub| {
        let kept = if urn == USER_SCHEMA { CORE } else { ENTERPRISE };
        kept.contains(&(name, sub))
    })
}
