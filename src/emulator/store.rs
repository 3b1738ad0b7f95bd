//! The in-memory members and sessions of every organisation, with the indexes lookups need.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use chrono::{SecondsFormat, Utc};
use rand::Rng;

use super::error::ApiError;
use super::fields::{MemberInput, Status, EXTERNAL_REF};
use super::records::{ListQuery, Member, MemberPage, Session};

/// Every organisation's data; cheap to share, each organisation locked on its own.
#[derive(Debug, Default)]
pub(crate) struct Store {
    orgs: RwLock<HashMap<String, Arc<RwLock<Org>>>>,
}

#[derive(Debug, Default)]
struct Org {
    members: HashMap<String, Member>,
    by_email: HashMap<String, String>,
    /// Lowercased username to member id, for members that have one.
    by_username: HashMap<String, String>,
    by_external_ref: HashMap<String, BTreeMap<u64, String>>,
    /// Member ids with their creation sequence, sorted by it, so a page is a slice.
    order: Vec<(u64, String)>,
    next_seq: u64,
    sessions: HashMap<String, Session>,
    /// Session ids per member; holds an entry for every member id the org ever had, which is
    /// how session routes tell a removed member from one that never existed.
    member_sessions: HashMap<String, Vec<String>>,
}

impl Store {
    /// Forgets every organisation.
    pub(crate) fn clear(&self) {
        self.orgs
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    /// Returns an organisation if it exists.
    fn existing(&self, org: &str) -> Option<Arc<RwLock<Org>>> {
        self.orgs
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(org)
            .cloned()
    }

    /// Runs `f` on an organisation that already exists, or on an empty one otherwise.
    fn read<T>(&self, org: &str, f: impl FnOnce(&Org) -> T) -> T {
        match self.existing(org) {
            Some(org) => f(&read_lock(&org)),
            // Reads never create the organisation, so probing many ids cannot grow memory.
            None => f(&Org::default()),
        }
    }

    /// Runs `f` on an organisation, which is created first when `create` is set; otherwise a
    /// missing one is seen as empty, so failing writes to unknown ids cannot grow memory.
    fn write<T>(&self, org: &str, create: bool, f: impl FnOnce(&mut Org) -> T) -> T {
        let org = match self.existing(org) {
            Some(org) => org,
            None if create => self
                .orgs
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(org.to_owned())
                .or_default()
                .clone(),
            None => return f(&mut Org::default()),
        };
        let mut guard = write_lock(&org);
        f(&mut guard)
    }

    /// Lists members in creation order, filtered and windowed by `query`.
    pub(crate) fn list_members(&self, org: &str, query: &ListQuery) -> MemberPage {
        self.read(org, |org| org.list(query))
    }

    /// Returns one member by id.
    pub(crate) fn get_member(&self, org: &str, id: &str) -> Result<Member, ApiError> {
        self.read(org, |org| org.members.get(id).cloned())
            .ok_or(ApiError::NotFound("member not found"))
    }

    /// Creates a member from a validated body.
    pub(crate) fn create_member(&self, org: &str, input: MemberInput) -> Result<Member, ApiError> {
        let email = input
            .email
            .ok_or_else(|| ApiError::field("email", "is required"))?;
        let now = now();
        self.write(org, true, |org| {
            let email_key = email.to_lowercase();
            if org.by_email.contains_key(&email_key) {
                return Err(ApiError::EmailTaken);
            }
            let username = input.username.flatten();
            let username_key = username.as_deref().map(str::to_lowercase);
            if username_key
                .as_ref()
                .is_some_and(|key| org.by_username.contains_key(key))
            {
                return Err(ApiError::UsernameTaken);
            }
            let id = org.fresh_id("mbr_", 10);
            let seq = org.next_seq;
            org.next_seq += 1;
            let member = Member {
                id: id.clone(),
                email,
                username,
                status: input.status.unwrap_or(Status::Active),
                optional: input.optional.map(Option::flatten),
                created_at: now.clone(),
                updated_at: now,
                version: 1,
                seq,
            };
            org.by_email.insert(email_key, id.clone());
            if let Some(key) = username_key {
                org.by_username.insert(key, id.clone());
            }
            org.index_external_ref(&member);
            org.order.push((seq, id.clone()));
            org.member_sessions.insert(id.clone(), Vec::new());
            org.members.insert(id, member.clone());
            Ok(member)
        })
    }

    /// Merges `input` into a member, checking `expected_version` first when given.
    pub(crate) fn update_member(
        &self,
        org: &str,
        id: &str,
        input: MemberInput,
        expected_version: Option<u64>,
    ) -> Result<Member, ApiError> {
        let now = now();
        self.write(org, false, |org| {
            let current = org
                .members
                .get(id)
                .ok_or(ApiError::NotFound("member not found"))?;
            if expected_version.is_some_and(|v| v != current.version) {
                return Err(ApiError::VersionMismatch {
                    current: current.version,
                });
            }
            let mut next = current.clone();
            if let Some(email) = input.email {
                next.email = email;
            }
            if let Some(username) = input.username {
                next.username = username;
            }
            if let Some(status) = input.status {
                next.status = status;
            }
            for (slot, value) in next.optional.iter_mut().zip(input.optional) {
                if let Some(value) = value {
                    *slot = value;
                }
            }
            if next == *current {
                return Ok(next);
            }
            // Both keys are checked before either index changes, so a refused update leaves
            // the indexes exactly as they were. A key that only changes case is the member's own.
            let old_email = current.email.to_lowercase();
            let new_email = next.email.to_lowercase();
            let email_moves = new_email != old_email;
            if email_moves && org.by_email.contains_key(&new_email) {
                return Err(ApiError::EmailTaken);
            }
            let old_username = current.username.as_deref().map(str::to_lowercase);
            let new_username = next.username.as_deref().map(str::to_lowercase);
            let username_moves = new_username != old_username;
            if username_moves
                && new_username
                    .as_ref()
                    .is_some_and(|key| org.by_username.contains_key(key))
            {
                return Err(ApiError::UsernameTaken);
            }
            if email_moves {
                org.by_email.remove(&old_email);
                org.by_email.insert(new_email, next.id.clone());
            }
            if username_moves {
                if let Some(key) = old_username {
                    org.by_username.remove(&key);
                }
                if let Some(key) = new_username {
                    org.by_username.insert(key, next.id.clone());
                }
            }
            next.version += 1;
            next.updated_at = now;
            let previous = org.members.insert(next.id.clone(), next.clone());
            if let Some(previous) = previous {
                org.unindex_external_ref(&previous);
            }
            org.index_external_ref(&next);
            Ok(next)
        })
    }

    /// Removes a member; their sessions stay until revoked.
    pub(crate) fn delete_member(&self, org: &str, id: &str) -> Result<(), ApiError> {
        self.write(org, false, |org| {
            let member = org
                .members
                .remove(id)
                .ok_or(ApiError::NotFound("member not found"))?;
            org.by_email.remove(&member.email.to_lowercase());
            if let Some(username) = &member.username {
                org.by_username.remove(&username.to_lowercase());
            }
            org.unindex_external_ref(&member);
            if let Ok(at) = org.order.binary_search_by_key(&member.seq, |(seq, _)| *seq) {
                org.order.remove(at);
            }
            Ok(())
        })
    }

    /// Lists the live sessions of any member id the organisation ever had.
    pub(crate) fn list_sessions(
        &self,
        org: &str,
        member_id: &str,
    ) -> Result<Vec<Session>, ApiError> {
        self.read(org, |org| {
            let ids = org
                .member_sessions
                .get(member_id)
                .ok_or(ApiError::NotFound("member not found"))?;
            Ok(ids
                .iter()
                .filter_map(|id| org.sessions.get(id).cloned())
                .collect())
        })
    }

    /// Ends every session of a member id and returns how many there were.
    pub(crate) fn revoke_sessions(&self, org: &str, member_id: &str) -> Result<usize, ApiError> {
        self.write(org, false, |org| {
            let ids = org
                .member_sessions
                .get_mut(member_id)
                .ok_or(ApiError::NotFound("member not found"))?;
            let ids = std::mem::take(ids);
            for id in &ids {
                org.sessions.remove(id);
            }
            Ok(ids.len())
        })
    }

    /// Signs in the current member with this email, refusing suspended members.
    pub(crate) fn sign_in(&self, org: &str, email: &str) -> Result<Session, ApiError> {
        let now = now();
        self.write(org, false, |org| {
            let member = org
                .by_email
                .get(&email.to_lowercase())
                .and_then(|id| org.members.get(id))
                .ok_or(ApiError::NotFound("no member with this email"))?;
            if member.status == Status::Suspended {
                return Err(ApiError::MemberSuspended);
            }
            let member_id = member.id.clone();
            let id = org.fresh_id("ses_", 12);
            let session = Session {
                id: id.clone(),
                member_id: member_id.clone(),
                created_at: now,
            };
            org.sessions.insert(id.clone(), session.clone());
            org.member_sessions.entry(member_id).or_default().push(id);
            Ok(session)
        })
    }

    /// Returns a session while it is live.
    pub(crate) fn get_session(&self, org: &str, id: &str) -> Result<Session, ApiError> {
        self.read(org, |org| org.sessions.get(id).cloned())
            .ok_or(ApiError::NotFound("session not found"))
    }
}

impl Org {
    fn list(&self, query: &ListQuery) -> MemberPage {
        // The email and username indexes each yield at most one member, so neither filter scans.
        if query.email.is_some() || query.username.is_some() {
            let data: Vec<Member> = self
                .unique_match(query)
                .filter(|m| {
                    query
                        .external_ref
                        .as_ref()
                        .is_none_or(|r| m.optional[EXTERNAL_REF].as_ref() == Some(r))
                })
                .into_iter()
                .cloned()
                .collect();
            return window(data, query);
        }
        if let Some(external_ref) = &query.external_ref {
            let Some(ids) = self.by_external_ref.get(external_ref) else {
                return MemberPage {
                    data: Vec::new(),
                    total: 0,
                };
            };
            let data = ids
                .values()
                .filter_map(|id| self.members.get(id))
                .skip(query.offset)
                .take(query.limit)
                .cloned()
                .collect();
            return MemberPage {
                data,
                total: ids.len(),
            };
        }
        let start = query.offset.min(self.order.len());
        let end = start.saturating_add(query.limit).min(self.order.len());
        let data = self.order[start..end]
            .iter()
            .filter_map(|(_, id)| self.members.get(id))
            .cloned()
            .collect();
        MemberPage {
            data,
            total: self.order.len(),
        }
    }

    /// Returns the one member that both the `email` and the `username` filter, whichever are
    /// given, point at; a filter that is absent does not constrain the match.
    fn unique_match(&self, query: &ListQuery) -> Option<&Member> {
        let by_email = query
            .email
            .as_ref()
            .map(|email| self.by_email.get(&email.to_lowercase()));
        let by_username = query
            .username
            .as_ref()
            .map(|username| self.by_username.get(&username.to_lowercase()));
        let id = match (by_email, by_username) {
            (Some(email), Some(username)) => email.filter(|_| email == username),
            (Some(only), None) | (None, Some(only)) => only,
            (None, None) => None,
        }?;
        self.members.get(id)
    }

    fn index_external_ref(&mut self, member: &Member) {
        if let Some(external_ref) = &member.optional[EXTERNAL_REF] {
            self.by_external_ref
                .entry(external_ref.clone())
                .or_default()
                .insert(member.seq, member.id.clone());
        }
    }

    fn unindex_external_ref(&mut self, member: &Member) {
        let Some(external_ref) = &member.optional[EXTERNAL_REF] else {
            return;
        };
        if let Some(ids) = self.by_external_ref.get_mut(external_ref) {
            ids.remove(&member.seq);
            if ids.is_empty() {
                self.by_external_ref.remove(external_ref);
            }
        }
    }

    /// Draws a random id that no member or session of this organisation has used.
    fn fresh_id(&self, prefix: &str, bytes: usize) -> String {
        let mut rng = rand::rng();
        loop {
            let mut id = String::with_capacity(prefix.len() + bytes * 2);
            id.push_str(prefix);
            for _ in 0..bytes {
                let byte: u8 = rng.random();
                id.push(hex_digit(byte >> 4));
                id.push(hex_digit(byte & 0x0f));
            }
            if !self.member_sessions.contains_key(&id) && !self.sessions.contains_key(&id) {
                return id;
            }
        }
    }
}

/// Cuts the `offset`/`limit` window out of an already filtered list.
fn window(all: Vec<Member>, query: &ListQuery) -> MemberPage {
    let total = all.len();
    let data = all
        .into_iter()
        .skip(query.offset)
        .take(query.limit)
        .collect();
    MemberPage { data, total }
}

fn hex_digit(nibble: u8) -> char {
    char::from(b"0123456789abcdef"[usize::from(nibble & 0x0f)])
}

// Nothing run under these locks is expected to panic; if something did, serving the data as it
// stands is more useful to a test run than failing every later call, so poisoning is ignored.
fn read_lock(org: &RwLock<Org>) -> RwLockReadGuard<'_, Org> {
    org.read().unwrap_or_else(PoisonError::into_inner)
}

fn write_lock(org: &RwLock<Org>) -> RwLockWriteGuard<'_, Org> {
    org.write().unwrap_or_else(PoisonError::into_inner)
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}
