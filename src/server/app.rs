//! The shared state behind every request, swapped whole when the config file changes.

use crate::cache::MemberCache;
use crate::config::{Config, Tenant};
use crate::legacy::LegacyClient;
use crate::server::response::ApiError;
use arc_swap::ArcSwap;
use governor::clock::Clock;
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

/// What a config reload replaces: the config and the per-tenant limiters built from it.
#[derive(Debug)]
pub struct Snapshot {
    /// The config in force.
    pub config: Config,
    /// One limiter per tenant, in the order of `config.tenants`.
    limiters: Vec<Option<DefaultDirectRateLimiter>>,
    /// Tenant names as shared strings, for cache keys and spans.
    names: Vec<Arc<str>>,
}

impl Snapshot {
    fn new(config: Config) -> Self {
        let limiters = config
            .tenants
            .iter()
            .map(|t| t.rate_limit.map(limiter))
            .collect();
        let names = config
            .tenants
            .iter()
            .map(|t| Arc::from(t.name.as_str()))
            .collect();
        Snapshot {
            config,
            limiters,
            names,
        }
    }

    /// The tenant at `index` with its shared name.
    pub fn tenant(&self, index: usize) -> (&Tenant, &Arc<str>) {
        (&self.config.tenants[index], &self.names[index])
    }

    /// Takes one request from the tenant's quota.
    pub fn admit(&self, index: usize) -> Result<(), ApiError> {
        match &self.limiters[index] {
            Some(limiter) => limiter.check().map_err(|not_until| ApiError::RateLimited {
                retry_after: not_until.wait_time_from(limiter.clock().now()),
            }),
            None => Ok(()),
        }
    }
}

fn limiter(limit: crate::config::RateLimit) -> DefaultDirectRateLimiter {
    let rate = NonZeroU32::new(limit.per_second).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new(limit.burst).unwrap_or(rate);
    RateLimiter::direct(Quota::per_second(rate).allow_burst(burst))
}

/// The application: config snapshot, legacy client, cache and the failed-login limiter.
#[derive(Debug)]
pub struct App {
    snapshot: ArcSwap<Snapshot>,
    /// The legacy API client. Its settings are fixed at start; changing them needs a restart.
    pub legacy: LegacyClient,
    /// The member read cache.
    pub cache: MemberCache,
    auth_failures: DefaultKeyedRateLimiter<IpAddr>,
}

impl App {
    /// Builds the application from a validated config and the resolved legacy token.
    pub fn new(config: Config, legacy: LegacyClient) -> Arc<App> {
        let cache = MemberCache::new(config.cache.ttl, config.cache.capacity);
        let per_minute =
            NonZeroU32::new(config.server.auth_failures_per_minute).unwrap_or(NonZeroU32::MIN);
        Arc::new(App {
            snapshot: ArcSwap::from_pointee(Snapshot::new(config)),
            legacy,
            cache,
            auth_failures: RateLimiter::keyed(Quota::per_minute(per_minute)),
        })
    }

    /// The config snapshot in force now.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot.load_full()
    }

    /// Replaces tenants, keys, mapping and limits; requests in flight finish on the old ones.
    pub fn reload(&self, config: Config) {
        self.snapshot.store(Arc::new(Snapshot::new(config)));
    }

    /// Counts a failed authentication from `client`; past the limit, the client is told to
    /// slow down instead of being told the key is wrong.
    pub fn auth_failed(&self, client: Option<IpAddr>) -> ApiError {
        let Some(ip) = client else {
            return ApiError::Unauthorized;
        };
        match self.auth_failures.check_key(&ip) {
            Ok(()) => ApiError::Unauthorized,
            Err(not_until) => ApiError::RateLimited {
                retry_after: not_until
                    .wait_time_from(self.auth_failures.clock().now())
                    .max(Duration::from_secs(1)),
            },
        }
    }

    /// Forgets client addresses that have not failed recently, so the table stays small.
    pub fn prune(&self) {
        self.auth_failures.retain_recent();
        self.auth_failures.shrink_to_fit();
    }
}
