//! Per-route call counters and the queue of injected faults that tests control.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use http::{HeaderValue, StatusCode};
use serde_json::{Map, Value};

use super::error::ApiError;

/// The longest delay a fault may add, so a typo cannot hang a test run for hours.
const MAX_LATENCY_MS: u64 = 60_000;

/// A service route, as named in fault rules and statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Route {
    ListMembers,
    GetMember,
    CreateMember,
    UpdateMember,
    DeleteMember,
    ListSessions,
    RevokeSessions,
    SignIn,
    GetSession,
}

impl Route {
    const ALL: [Route; 9] = [
        Route::ListMembers,
        Route::GetMember,
        Route::CreateMember,
        Route::UpdateMember,
        Route::DeleteMember,
        Route::ListSessions,
        Route::RevokeSessions,
        Route::SignIn,
        Route::GetSession,
    ];

    fn name(self) -> &'static str {
        match self {
            Route::ListMembers => "list_members",
            Route::GetMember => "get_member",
            Route::CreateMember => "create_member",
            Route::UpdateMember => "update_member",
            Route::DeleteMember => "delete_member",
            Route::ListSessions => "list_sessions",
            Route::RevokeSessions => "revoke_sessions",
            Route::SignIn => "sign_in",
            Route::GetSession => "get_session",
        }
    }

    fn from_name(name: &str) -> Option<Route> {
        Route::ALL.into_iter().find(|route| route.name() == name)
    }
}

/// What an injected fault does to the call it catches.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// Delay only; the call is then handled normally.
    Proceed,
    /// Answer with this error instead of handling the call.
    Fail(ApiError),
    /// Close the connection without answering.
    Drop,
}

/// The effect of the fault that caught one call.
#[derive(Debug)]
pub(crate) struct Injection {
    pub(crate) latency: Duration,
    pub(crate) outcome: Outcome,
}

#[derive(Debug)]
struct Fault {
    /// `None` matches every route.
    route: Option<Route>,
    status: Option<StatusCode>,
    remaining: u64,
    latency: Duration,
    drop: bool,
    retry_after: Option<HeaderValue>,
}

/// The call counters and the fault queue, shared by every connection.
#[derive(Debug, Default)]
pub(crate) struct Controls {
    calls: [AtomicU64; 9],
    faults: Mutex<VecDeque<Fault>>,
    /// The queue length, read without the lock so calls skip it when no fault is queued.
    queued: AtomicUsize,
}

impl Controls {
    /// Counts one call of `route` and consumes the first queued fault that matches it.
    pub(crate) fn on_call(&self, route: Route) -> Option<Injection> {
        self.calls[route as usize].fetch_add(1, Ordering::Relaxed);
        if self.queued.load(Ordering::Acquire) == 0 {
            return None;
        }
        let mut faults = self.faults.lock().unwrap_or_else(PoisonError::into_inner);
        let at = faults
            .iter()
            .position(|f| f.route.is_none_or(|r| r == route))?;
        let fault = &mut faults[at];
        fault.remaining -= 1;
        let injection = Injection {
            latency: fault.latency,
            outcome: if fault.drop {
                Outcome::Drop
            } else if let Some(status) = fault.status {
                Outcome::Fail(ApiError::Injected {
                    status,
                    retry_after: fault.retry_after.clone(),
                })
            } else {
                Outcome::Proceed
            },
        };
        if fault.remaining == 0 {
            faults.remove(at);
            self.queued.store(faults.len(), Ordering::Release);
        }
        Some(injection)
    }

    /// Queues a fault described by a JSON rule and returns the queue length.
    pub(crate) fn add_fault(&self, body: Value) -> Result<usize, ApiError> {
        let fault = parse_fault(body)?;
        let mut faults = self.faults.lock().unwrap_or_else(PoisonError::into_inner);
        faults.push_back(fault);
        self.queued.store(faults.len(), Ordering::Release);
        Ok(faults.len())
    }

    /// Drops every queued fault and returns how many there were.
    pub(crate) fn clear_faults(&self) -> usize {
        let mut faults = self.faults.lock().unwrap_or_else(PoisonError::into_inner);
        let cleared = faults.len();
        faults.clear();
        self.queued.store(0, Ordering::Release);
        cleared
    }

    /// Zeroes every call counter.
    pub(crate) fn clear_stats(&self) {
        for counter in &self.calls {
            counter.store(0, Ordering::Relaxed);
        }
    }

    /// Renders the call counters as `{"calls":{"<route>":n,...}}`.
    pub(crate) fn stats(&self) -> Value {
        let calls: Map<String, Value> = Route::ALL
            .into_iter()
            .map(|route| {
                let count = self.calls[route as usize].load(Ordering::Relaxed);
                (route.name().to_owned(), Value::from(count))
            })
            .collect();
        serde_json::json!({ "calls": calls })
    }
}

fn parse_fault(body: Value) -> Result<Fault, ApiError> {
    let Value::Object(map) = body else {
        return Err(ApiError::field("body", "must be a JSON object"));
    };
    let mut fault = Fault {
        route: None,
        status: None,
        remaining: 1,
        latency: Duration::ZERO,
        drop: false,
        retry_after: None,
    };
    let mut route_given = false;
    for (name, value) in map {
        match (name.as_str(), value) {
            ("route", Value::String(route)) => {
                route_given = true;
                if route != "*" {
                    fault.route = Some(
                        Route::from_name(&route)
                            .ok_or_else(|| ApiError::field(name, "unknown route name"))?,
                    );
                }
            }
            ("status", Value::Null) => {}
            ("status", Value::Number(n)) => {
                fault.status = n
                    .as_u64()
                    .filter(|code| (400..=599).contains(code))
                    .and_then(|code| StatusCode::from_u16(code as u16).ok());
                if fault.status.is_none() {
                    return Err(ApiError::field(name, "must be a status from 400 to 599"));
                }
            }
            ("times", Value::Number(n)) => {
                fault.remaining = n
                    .as_u64()
                    .filter(|times| *times > 0)
                    .ok_or_else(|| ApiError::field(name, "must be a positive integer"))?;
            }
            ("latency_ms", Value::Number(n)) => {
                let ms = n
                    .as_u64()
                    .filter(|ms| *ms <= MAX_LATENCY_MS)
                    .ok_or_else(|| ApiError::field(name, "must be an integer from 0 to 60000"))?;
                fault.latency = Duration::from_millis(ms);
            }
            ("drop", Value::Bool(drop)) => fault.drop = drop,
            ("retry_after", Value::Null) => {}
            ("retry_after", Value::Number(n)) => {
                let seconds = n
                    .as_u64()
                    .ok_or_else(|| ApiError::field(name, "must be a non-negative integer"))?;
                fault.retry_after = Some(HeaderValue::from(seconds));
            }
            ("retry_after", Value::String(text)) => {
                fault.retry_after = Some(
                    HeaderValue::from_str(&text)
                        .map_err(|_| ApiError::field(name, "is not a valid header value"))?,
                );
            }
            ("route" | "status" | "times" | "latency_ms" | "drop" | "retry_after", _) => {
                return Err(ApiError::field(name, "has the wrong type"));
            }
            _ => return Err(ApiError::field(name, "unknown field")),
        }
    }
    if !route_given {
        return Err(ApiError::field("route", "is required"));
    }
    if fault.status.is_none() && !fault.drop && fault.latency.is_zero() {
        return Err(ApiError::field(
            "status",
            "a fault needs a status, drop or latency_ms",
        ));
    }
    Ok(fault)
}
