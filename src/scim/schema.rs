//! SCIM schema definitions (RFC 7643 §2 and §4): attribute characteristics and lookup.
//!
//! The full core User and enterprise extension schemas are defined here once; the schema a tenant
//! actually exposes is a subset chosen by its attribute mapping (see [`ResourceSchema::restrict`]).

/// The URN of the core User schema.
pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// The URN of the enterprise User extension.
pub const ENTERPRISE_SCHEMA: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// The data type of an attribute (RFC 7643 §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttrType {
    /// A Unicode string.
    String,
    /// `true` or `false`.
    Boolean,
    /// A real number.
    Decimal,
    /// A whole number.
    Integer,
    /// An RFC 3339 instant, compared as an instant.
    DateTime,
    /// A URI or resource id.
    Reference,
    /// An object of sub-attributes.
    Complex,
    /// Base64 data.
    Binary,
}

impl AttrType {
    /// The type name used in `/Schemas`.
    pub fn as_str(self) -> &'static str {
        match self {
            AttrType::String => "string",
            AttrType::Boolean => "boolean",
            AttrType::Decimal => "decimal",
            AttrType::Integer => "integer",
            AttrType::DateTime => "dateTime",
            AttrType::Reference => "reference",
            AttrType::Complex => "complex",
            AttrType::Binary => "binary",
        }
    }
}

/// Whether and how a client may change an attribute (RFC 7643 §2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutability {
    /// Set by the service provider only.
    ReadOnly,
    /// Freely changed.
    ReadWrite,
    /// Set once, at creation.
    Immutable,
    /// Written but never returned.
    WriteOnly,
}

impl Mutability {
    /// The keyword used in `/Schemas`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mutability::ReadOnly => "readOnly",
            Mutability::ReadWrite => "readWrite",
            Mutability::Immutable => "immutable",
            Mutability::WriteOnly => "writeOnly",
        }
    }
}

/// When an attribute is returned in a response (RFC 7643 §2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Returned {
    /// Always returned, even when excluded.
    Always,
    /// Never returned.
    Never,
    /// Returned unless excluded or another set is requested.
    Default,
    /// Returned only when named in `attributes`.
    Request,
}

impl Returned {
    /// The keyword used in `/Schemas`.
    pub fn as_str(self) -> &'static str {
        match self {
            Returned::Always => "always",
            Returned::Never => "never",
            Returned::Default => "default",
            Returned::Request => "request",
        }
    }
}

/// How unique an attribute's value is (RFC 7643 §2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uniqueness {
    /// No uniqueness is enforced.
    None,
    /// Unique within this service provider (tenant).
    Server,
    /// Globally unique.
    Global,
}

impl Uniqueness {
    /// The keyword used in `/Schemas`.
    pub fn as_str(self) -> &'static str {
        match self {
            Uniqueness::None => "none",
            Uniqueness::Server => "server",
            Uniqueness::Global => "global",
        }
    }
}

/// One attribute definition with its RFC 7643 characteristics.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    /// The attribute name in its canonical spelling (`userName`).
    pub name: String,
    /// The data type.
    pub kind: AttrType,
    /// Whether the attribute holds a list of values.
    pub multi_valued: bool,
    /// Whether the attribute must be present.
    pub required: bool,
    /// Whether string values compare case-sensitively.
    pub case_exact: bool,
    /// Who may change the attribute.
    pub mutability: Mutability,
    /// When the attribute is returned.
    pub returned: Returned,
    /// How unique values must be.
    pub uniqueness: Uniqueness,
    /// Suggested values, such as `work` for `emails.type`.
    pub canonical_values: Vec<String>,
    /// Prose for `/Schemas`.
    pub description: String,
    /// Sub-attributes of a complex attribute, empty otherwise.
    pub sub_attributes: Vec<Attribute>,
}

impl Attribute {
    /// A single-valued, optional, case-insensitive, read-write string attribute.
    pub fn string(name: &str, description: &str) -> Self {
        Attribute {
            name: name.to_owned(),
            kind: AttrType::String,
            multi_valued: false,
            required: false,
            case_exact: false,
            mutability: Mutability::ReadWrite,
            returned: Returned::Default,
            uniqueness: Uniqueness::None,
            canonical_values: Vec::new(),
            description: description.to_owned(),
            sub_attributes: Vec::new(),
        }
    }

    /// A complex attribute with the given sub-attributes.
    pub fn complex(name: &str, description: &str, subs: Vec<Attribute>) -> Self {
        Attribute {
            kind: AttrType::Complex,
            sub_attributes: subs,
            ..Self::string(name, description)
        }
    }

    /// This attribute with another data type.
    pub fn of_kind(mut self, kind: AttrType) -> Self {
        self.kind = kind;
        self
    }

    /// This attribute made multi-valued.
    pub fn multi(mut self) -> Self {
        self.multi_valued = true;
        self
    }

    /// This attribute made required.
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// This attribute made case-exact.
    pub fn case_exact(mut self) -> Self {
        self.case_exact = true;
        self
    }

    /// This attribute with another mutability.
    pub fn mutability(mut self, mutability: Mutability) -> Self {
        self.mutability = mutability;
        self
    }

    /// This attribute with another `returned` characteristic.
    pub fn returned(mut self, returned: Returned) -> Self {
        self.returned = returned;
        self
    }

    /// This attribute with another uniqueness.
    pub fn uniqueness(mut self, uniqueness: Uniqueness) -> Self {
        self.uniqueness = uniqueness;
        self
    }

    /// This attribute with canonical values.
    pub fn canonical(mut self, values: &[&str]) -> Self {
        self.canonical_values = values.iter().map(|v| (*v).to_owned()).collect();
        self
    }

    /// The sub-attribute with this name, compared case-insensitively.
    pub fn sub_attribute(&self, name: &str) -> Option<&Attribute> {
        self.sub_attributes
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
    }
}

/// A schema: a URN and its attributes.
#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    /// The schema URN.
    pub id: String,
    /// A short human name.
    pub name: String,
    /// Prose for `/Schemas`.
    pub description: String,
    /// The top-level attributes.
    pub attributes: Vec<Attribute>,
}

impl Schema {
    /// The top-level attribute with this name, compared case-insensitively.
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(name))
    }
}

/// The schemas of one resource type: its core schema and its extensions.
///
/// Resources are JSON objects whose core attributes sit at the top level and whose extension
/// attributes sit inside an object keyed by the extension URN, as RFC 7643 §3 lays out.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceSchema {
    /// The resource type name (`User`).
    pub resource_type: String,
    /// The endpoint relative to the base URL (`/Users`).
    pub endpoint: String,
    /// The core schema. It also holds the common attributes `id`, `externalId` and `meta`.
    pub core: Schema,
    /// Extension schemas, each carried under its URN.
    pub extensions: Vec<Schema>,
}

/// Where an attribute name resolved to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Resolved<'a> {
    /// The schema holding the attribute.
    pub schema: &'a Schema,
    /// Whether that schema is an extension (its attributes live under its URN key).
    pub is_extension: bool,
    /// The top-level attribute.
    pub attribute: &'a Attribute,
}

impl ResourceSchema {
    /// The full User resource: RFC 7643 core User and the enterprise extension.
    pub fn user() -> Self {
        ResourceSchema {
            resource_type: "User".to_owned(),
            endpoint: "/Users".to_owned(),
            core: core_user_schema(),
            extensions: vec![enterprise_user_schema()],
        }
    }

    /// The schema with this URN, core or extension, compared case-insensitively.
    pub fn schema(&self, urn: &str) -> Option<&Schema> {
        std::iter::once(&self.core)
            .chain(&self.extensions)
            .find(|s| s.id.eq_ignore_ascii_case(urn))
    }

    /// Whether `urn` names one of the extensions.
    pub fn is_extension(&self, urn: &str) -> bool {
        self.extensions
            .iter()
            .any(|s| s.id.eq_ignore_ascii_case(urn))
    }

    /// Resolves a top-level attribute name, optionally qualified by a schema URN.
    ///
    /// Without a URN only the core schema is searched, as RFC 7644 §3.10 specifies.
    pub fn resolve(&self, urn: Option<&str>, name: &str) -> Option<Resolved<'_>> {
        let schema = match urn {
            Some(urn) => self.schema(urn)?,
            None => &self.core,
        };
        let attribute = schema.attribute(name)?;
        Some(Resolved {
            schema,
            is_extension: !std::ptr::eq(schema, &self.core),
            attribute,
        })
    }

    /// A copy keeping only the attributes for which `keep(schema_urn, attribute, sub)` is true.
    ///
    /// `sub` is `None` when asking about a top-level attribute; a complex attribute is kept when
    /// any of its sub-attributes is kept. `id` and `meta` are always kept. Extensions left
    /// without attributes are dropped.
    pub fn restrict(&self, keep: impl Fn(&str, &str, Option<&str>) -> bool) -> Self {
        let filter_schema = |schema: &Schema| -> Schema {
            let attributes = schema
                .attributes
                .iter()
                .filter_map(|attr| {
                    if attr.name == "id" || attr.name == "meta" {
                        return Some(attr.clone());
                    }
                    if attr.kind == AttrType::Complex {
                        let subs: Vec<Attribute> = attr
                            .sub_attributes
                            .iter()
                            .filter(|sub| keep(&schema.id, &attr.name, Some(&sub.name)))
                            .cloned()
                            .collect();
                        if subs.is_empty() {
                            return None;
                        }
                        return Some(Attribute {
                            sub_attributes: subs,
                            ..attr.clone()
                        });
                    }
                    keep(&schema.id, &attr.name, None).then(|| attr.clone())
                })
                .collect();
            Schema {
                attributes,
                ..schema.clone()
            }
        };
        ResourceSchema {
            resource_type: self.resource_type.clone(),
            endpoint: self.endpoint.clone(),
            core: filter_schema(&self.core),
            extensions: self
                .extensions
                .iter()
                .map(filter_schema)
                .filter(|s| !s.attributes.is_empty())
                .collect(),
        }
    }
}

/// The sub-attributes shared by `emails`, `phoneNumbers` and the other multi-valued attributes.
fn multi_valued_subs(value_description: &str, types: &[&str]) -> Vec<Attribute> {
    vec![
        Attribute::string("value", value_description),
        Attribute::string("display", "A human-readable name, primarily for display.")
            .mutability(Mutability::ReadOnly),
        Attribute::string("type", "A label indicating the value's function.").canonical(types),
        Attribute::string("primary", "Whether this is the preferred value.")
            .of_kind(AttrType::Boolean),
    ]
}

fn core_user_schema() -> Schema {
    use Attribute as A;
    let name_subs = vec![
        A::string("formatted", "The full name, formatted for display."),
        A::string("familyName", "The family name."),
        A::string("givenName", "The given name."),
        A::string("middleName", "The middle name."),
        A::string("honorificPrefix", "The honorific prefix, such as Ms."),
        A::string("honorificSuffix", "The honorific suffix, such as III."),
    ];
    let address_subs = vec![
        A::string("formatted", "The full mailing address."),
        A::string("streetAddress", "The street address."),
        A::string("locality", "The city or locality."),
        A::string("region", "The state or region."),
        A::string("postalCode", "The postal code."),
        A::string("country", "The country, as an ISO 3166-1 alpha-2 code."),
        A::string("type", "A label for the address.").canonical(&["work", "home", "other"]),
        A::string("primary", "Whether this is the preferred address.").of_kind(AttrType::Boolean),
    ];
    let group_subs = vec![
        A::string("value", "The id of the group.").mutability(Mutability::ReadOnly),
        A::string("$ref", "The URI of the group.")
            .of_kind(AttrType::Reference)
            .mutability(Mutability::ReadOnly),
        A::string("display", "The group's display name.").mutability(Mutability::ReadOnly),
        A::string("type", "How the membership was derived.")
            .canonical(&["direct", "indirect"])
            .mutability(Mutability::ReadOnly),
    ];
    let meta_subs = vec![
        A::string("resourceType", "The resource type name.")
            .case_exact()
            .mutability(Mutability::ReadOnly),
        A::string("created", "When the resource was created.")
            .of_kind(AttrType::DateTime)
            .mutability(Mutability::ReadOnly),
        A::string("lastModified", "When the resource was last changed.")
            .of_kind(AttrType::DateTime)
            .mutability(Mutability::ReadOnly),
        A::string("location", "The URI of the resource.")
            .of_kind(AttrType::Reference)
            .case_exact()
            .mutability(Mutability::ReadOnly),
        A::string(
            "version",
            "The version of the resource, as a weak entity tag.",
        )
        .case_exact()
        .mutability(Mutability::ReadOnly),
    ];
    Schema {
        id: USER_SCHEMA.to_owned(),
        name: "User".to_owned(),
        description: "User Account".to_owned(),
        attributes: vec![
            A::string(
                "id",
                "The service provider's unique identifier for the user.",
            )
            .case_exact()
            .mutability(Mutability::ReadOnly)
            .returned(Returned::Always)
            .uniqueness(Uniqueness::Server),
            A::string(
                "externalId",
                "The identifier the provisioning client uses for the user.",
            )
            .case_exact(),
            A::string("userName", "The unique identifier the user signs in with.")
                .required()
                .uniqueness(Uniqueness::Server),
            A::complex("name", "The components of the user's name.", name_subs),
            A::string("displayName", "The name of the user, suitable for display."),
            A::string("nickName", "The casual way to address the user."),
            A::string("profileUrl", "A URI of the user's online profile.")
                .of_kind(AttrType::Reference),
            A::string("title", "The user's title, such as Vice President."),
            A::string(
                "userType",
                "The relationship between the organisation and the user.",
            ),
            A::string("preferredLanguage", "The user's preferred language."),
            A::string("locale", "The user's default location, for localisation."),
            A::string("timezone", "The user's time zone, in IANA format."),
            A::string("active", "Whether the user may sign in.").of_kind(AttrType::Boolean),
            A::string("password", "The user's clear-text password.")
                .case_exact()
                .mutability(Mutability::WriteOnly)
                .returned(Returned::Never),
            A::complex(
                "emails",
                "E-mail addresses of the user.",
                multi_valued_subs("The e-mail address.", &["work", "home", "other"]),
            )
            .multi(),
            A::complex(
                "phoneNumbers",
                "Phone numbers of the user.",
                multi_valued_subs(
                    "The phone number.",
                    &["work", "home", "mobile", "fax", "pager", "other"],
                ),
            )
            .multi(),
            A::complex(
                "ims",
                "Instant messaging addresses.",
                multi_valued_subs("The address.", &[]),
            )
            .multi(),
            A::complex(
                "photos",
                "URLs of photos of the user.",
                multi_valued_subs("The URL.", &[]),
            )
            .multi(),
            A::complex("addresses", "Physical mailing addresses.", address_subs).multi(),
            A::complex("groups", "The groups the user belongs to.", group_subs)
                .multi()
                .mutability(Mutability::ReadOnly),
            A::complex(
                "entitlements",
                "Entitlements of the user.",
                multi_valued_subs("The entitlement.", &[]),
            )
            .multi(),
            A::complex(
                "roles",
                "Roles of the user.",
                multi_valued_subs("The role.", &[]),
            )
            .multi(),
            A::complex(
                "x509Certificates",
                "Certificates of the user.",
                multi_valued_subs("The DER certificate, base64-encoded.", &[]),
            )
            .multi(),
            A::complex("meta", "Resource metadata.", meta_subs).mutability(Mutability::ReadOnly),
        ],
    }
}

fn enterprise_user_schema() -> Schema {
    use Attribute as A;
    let manager_subs = vec![
        A::string("value", "The id of the user's manager.").case_exact(),
        A::string("$ref", "The URI of the manager's User resource.").of_kind(AttrType::Reference),
        A::string("displayName", "The manager's display name.").mutability(Mutability::ReadOnly),
    ];
    Schema {
        id: ENTERPRISE_SCHEMA.to_owned(),
        name: "EnterpriseUser".to_owned(),
        description: "Enterprise User".to_owned(),
        attributes: vec![
            A::string(
                "employeeNumber",
                "The identifier the organisation assigns to the user.",
            ),
            A::string("costCenter", "The cost centre."),
            A::string("organization", "The organisation."),
            A::string("division", "The division."),
            A::string("department", "The department."),
            A::complex("manager", "The user's manager.", manager_subs),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_names_case_insensitively_and_by_urn() {
        let schema = ResourceSchema::user();
        assert_eq!(
            schema.resolve(None, "USERNAME").unwrap().attribute.name,
            "userName"
        );
        let dept = schema
            .resolve(Some(ENTERPRISE_SCHEMA), "department")
            .unwrap();
        assert!(dept.is_extension);
        assert!(schema.resolve(None, "department").is_none());
        assert!(
            !schema
                .resolve(Some(USER_SCHEMA), "title")
                .unwrap()
                .is_extension
        );
    }

    #[test]
    fn restrict_keeps_id_meta_and_chosen_sub_attributes() {
        let schema = ResourceSchema::user().restrict(|urn, name, sub| {
            urn == USER_SCHEMA
                && (name == "userName" || (name == "name" && sub == Some("givenName")))
        });
        let names: Vec<_> = schema
            .core
            .attributes
            .iter()
            .map(|a| a.name.as_str())
            .collect();
        assert_eq!(names, ["id", "userName", "name", "meta"]);
        assert_eq!(
            schema.core.attribute("name").unwrap().sub_attributes.len(),
            1
        );
        assert!(schema.extensions.is_empty());
    }
}
