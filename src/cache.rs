//! The member read cache: an optimisation for reads only, never needed for correctness.
//!
//! Entries are keyed by tenant and member id, live for a short TTL and are dropped by every
//! write through this sidecar. Concurrent misses for one member share a single legacy call.
//! Misses are never stored, so a lookup before a create cannot hide the new user.

use crate::legacy::{LegacyError, Member};
use moka::future::Cache;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// A cache key: the tenant and the member id.
type Key = (Arc<str>, String);

/// Members by tenant and id.
#[derive(Debug, Clone)]
pub struct MemberCache {
    inner: Option<Cache<Key, Arc<Member>>>,
}

impl MemberCache {
    /// A cache holding at most `capacity` members for `ttl`; a zero TTL disables it.
    pub fn new(ttl: Duration, capacity: u64) -> Self {
        let inner = (!ttl.is_zero() && capacity > 0).then(|| {
            Cache::builder()
                .max_capacity(capacity)
                .time_to_live(ttl)
                .build()
        });
        MemberCache { inner }
    }

    /// The cached member, or the result of `fetch`, which is cached when it succeeds.
    pub async fn get_or_fetch<F>(
        &self,
        tenant: &Arc<str>,
        id: &str,
        fetch: F,
    ) -> Result<Arc<Member>, LegacyError>
    where
        F: Future<Output = Result<Member, LegacyError>>,
    {
        let Some(cache) = &self.inner else {
            return fetch.await.map(Arc::new);
        };
        let key = (tenant.clone(), id.to_owned());
        cache
            .try_get_with(key, async { fetch.await.map(Arc::new) })
            .await
            .map_err(|e: Arc<LegacyError>| (*e).clone())
    }

    /// Stores a member just read or written.
    pub async fn put(&self, tenant: &Arc<str>, id: &str, member: Member) {
        if let Some(cache) = &self.inner {
            cache
                .insert((tenant.clone(), id.to_owned()), Arc::new(member))
                .await;
        }
    }

    /// Drops a member, before and after every write to it.
    pub async fn invalidate(&self, tenant: &Arc<str>, id: &str) {
        if let Some(cache) = &self.inner {
            cache.invalidate(&(tenant.clone(), id.to_owned())).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn hits_skip_the_fetch_and_misses_are_not_remembered() {
        let cache = MemberCache::new(Duration::from_secs(60), 100);
        let tenant: Arc<str> = Arc::from("t");
        let calls = AtomicUsize::new(0);
        let fetch = || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Ok(Member::new())
        };
        cache.get_or_fetch(&tenant, "1", fetch()).await.unwrap();
        cache.get_or_fetch(&tenant, "1", fetch()).await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 1);

        let missing = cache.get_or_fetch(&tenant, "2", async { Err(LegacyError::NotFound) });
        assert_eq!(missing.await.unwrap_err(), LegacyError::NotFound);
        cache.get_or_fetch(&tenant, "2", fetch()).await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 2);

        cache.invalidate(&tenant, "1").await;
        cache.get_or_fetch(&tenant, "1", fetch()).await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn tenants_never_share_entries() {
        let cache = MemberCache::new(Duration::from_secs(60), 100);
        let (a, b): (Arc<str>, Arc<str>) = (Arc::from("a"), Arc::from("b"));
        let mut member = Member::new();
        member.insert("owner".into(), "a".into());
        cache.put(&a, "1", member).await;
        let other = cache
            .get_or_fetch(&b, "1", async { Ok(Member::new()) })
            .await
            .unwrap();
        assert!(other.is_empty());
    }
}
