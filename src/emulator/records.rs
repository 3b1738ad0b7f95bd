//! The member and session records, and the JSON shape they are rendered in.

use serde::ser::{Serialize, SerializeMap, Serializer};

use super::fields::{Status, OPTIONAL_FIELDS};

/// One member as the service stores and renders it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Member {
    pub(super) id: String,
    pub(super) email: String,
    /// The login name, unique per organisation regardless of case when set.
    pub(super) username: Option<String>,
    pub(super) status: Status,
    pub(super) optional: [Option<String>; 10],
    pub(super) created_at: String,
    pub(super) updated_at: String,
    pub(super) version: u64,
    pub(super) seq: u64,
}

impl Serialize for Member {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(17))?;
        map.serialize_entry("id", &self.id)?;
        map.serialize_entry("email", &self.email)?;
        map.serialize_entry("username", &self.username)?;
        for (name, value) in OPTIONAL_FIELDS.iter().zip(&self.optional).take(3) {
            map.serialize_entry(name, value)?;
        }
        map.serialize_entry("status", self.status.as_str())?;
        for (name, value) in OPTIONAL_FIELDS.iter().zip(&self.optional).skip(3) {
            map.serialize_entry(name, value)?;
        }
        map.serialize_entry("created_at", &self.created_at)?;
        map.serialize_entry("updated_at", &self.updated_at)?;
        map.serialize_entry("version", &self.version)?;
        map.end()
    }
}

/// One live sign-in session.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct Session {
    pub(super) id: String,
    pub(super) member_id: String,
    pub(super) created_at: String,
}

/// A page of members together with the number of members that matched in total.
#[derive(Debug, serde::Serialize)]
pub(crate) struct MemberPage {
    pub(super) data: Vec<Member>,
    pub(super) total: usize,
}

/// The filters and window of a member listing.
#[derive(Debug)]
pub(crate) struct ListQuery {
    pub(crate) offset: usize,
    pub(crate) limit: usize,
    pub(crate) email: Option<String>,
    pub(crate) username: Option<String>,
    pub(crate) external_ref: Option<String>,
}
