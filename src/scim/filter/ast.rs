//! The syntax tree of SCIM filters and attribute paths (RFC 7644 §3.4.2.2 and §3.5.2).

/// An attribute path: an optional schema URN, an attribute name and an optional sub-attribute.
///
/// Names keep the spelling the client sent; they are resolved case-insensitively against the
/// schema. The URN is `None` when the path is not qualified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttrPath {
    /// The schema URN the path is qualified with, as in
    /// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber`.
    pub urn: Option<String>,
    /// The top-level attribute name.
    pub name: String,
    /// The sub-attribute name, as in `name.givenName`.
    pub sub: Option<String>,
}

impl AttrPath {
    /// An unqualified path to a top-level attribute.
    pub fn new(name: impl Into<String>) -> Self {
        AttrPath {
            urn: None,
            name: name.into(),
            sub: None,
        }
    }

    /// This path with a sub-attribute.
    pub fn with_sub(mut self, sub: impl Into<String>) -> Self {
        self.sub = Some(sub.into());
        self
    }

    /// This path qualified with a schema URN.
    pub fn with_urn(mut self, urn: impl Into<String>) -> Self {
        self.urn = Some(urn.into());
        self
    }
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// `eq`: equal.
    Eq,
    /// `ne`: not equal.
    Ne,
    /// `co`: contains.
    Co,
    /// `sw`: starts with.
    Sw,
    /// `ew`: ends with.
    Ew,
    /// `gt`: greater than.
    Gt,
    /// `lt`: less than.
    Lt,
    /// `ge`: greater than or equal.
    Ge,
    /// `le`: less than or equal.
    Le,
}

impl CompareOp {
    /// Every operator, in the order RFC 7644 lists them.
    pub const ALL: [CompareOp; 9] = [
        CompareOp::Eq,
        CompareOp::Ne,
        CompareOp::Co,
        CompareOp::Sw,
        CompareOp::Ew,
        CompareOp::Gt,
        CompareOp::Lt,
        CompareOp::Ge,
        CompareOp::Le,
    ];

    /// The operator's keyword in canonical lowercase (`eq`).
    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Eq => "eq",
            CompareOp::Ne => "ne",
            CompareOp::Co => "co",
            CompareOp::Sw => "sw",
            CompareOp::Ew => "ew",
            CompareOp::Gt => "gt",
            CompareOp::Lt => "lt",
            CompareOp::Ge => "ge",
            CompareOp::Le => "le",
        }
    }

    /// The operator spelled by `keyword`, compared case-insensitively; `pr` is not one.
    pub fn from_keyword(keyword: &str) -> Option<CompareOp> {
        CompareOp::ALL
            .into_iter()
            .find(|op| op.as_str().eq_ignore_ascii_case(keyword))
    }

    /// Whether the operator orders values (`gt`, `lt`, `ge`, `le`).
    pub fn is_ordering(self) -> bool {
        matches!(
            self,
            CompareOp::Gt | CompareOp::Lt | CompareOp::Ge | CompareOp::Le
        )
    }

    /// Whether the operator matches substrings (`co`, `sw`, `ew`).
    pub fn is_substring(self) -> bool {
        matches!(self, CompareOp::Co | CompareOp::Sw | CompareOp::Ew)
    }
}

/// A literal in a comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum CompValue {
    /// A JSON string.
    String(String),
    /// A JSON number.
    Number(serde_json::Number),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
}

/// A parsed filter expression.
///
/// Off-grammar shapes that real clients send are normalised by the parser into this tree: for
/// example `emails[type eq "work"].value eq "a@example.com"` becomes a [`Filter::ValuePath`] on
/// `emails` whose inner filter is `type eq "work" and value eq "a@example.com"`.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// `attrPath op value`.
    Compare {
        /// The attribute compared.
        path: AttrPath,
        /// The operator.
        op: CompareOp,
        /// The literal compared against.
        value: CompValue,
    },
    /// `attrPath pr`: the attribute has a non-empty value.
    Present(AttrPath),
    /// `left and right`.
    And(Box<Filter>, Box<Filter>),
    /// `left or right`.
    Or(Box<Filter>, Box<Filter>),
    /// `not (inner)`.
    Not(Box<Filter>),
    /// `attrPath[inner]`: some value of the multi-valued attribute matches `inner`, whose paths
    /// name sub-attributes of that attribute. `path.sub` is always `None`.
    ValuePath {
        /// The multi-valued (or complex) attribute.
        path: AttrPath,
        /// The filter applied to each of its values.
        filter: Box<Filter>,
    },
}

/// A PATCH operation path (RFC 7644 §3.5.2): `attrPath`, `attrPath[valFilter]` or
/// `attrPath[valFilter].subAttr`.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchPath {
    /// The attribute, possibly with a sub-attribute when there is no value filter.
    pub attr: AttrPath,
    /// The value filter selecting elements of a multi-valued attribute.
    pub filter: Option<Filter>,
    /// The sub-attribute after a value filter, as in `emails[type eq "work"].value`.
    pub sub: Option<String>,
}
