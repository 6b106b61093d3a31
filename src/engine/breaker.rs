//! A circuit breaker per endpoint: stop calling an endpoint that keeps failing.
//!
//! When an endpoint is down (connection refused, database locked, throttled), every queue entry
//! would wait out its own timeouts and retries against it; the breaker turns that into one
//! failure pattern: after `failure_threshold` consecutive system failures it **opens** and
//! rejects calls at once (the round reschedules those entries for when the cooldown ends, so the
//! worker never spins); after `cooldown` it lets a single **half-open** probe through; the probe's
//! success **closes** it, its failure opens it for another cooldown. Application failures say
//! nothing about the endpoint's health and leave it alone.
//!
//! Why not a crate: `failsafe` 1.3 (the maintained candidate) was read for this. Its state
//! machine lets *every* call through while half-open (once parallel workers per group arrive,
//! a recovering endpoint would get the whole backlog at once instead of one probe), and it does
//! not say when the open state ends, which the round needs to reschedule rejected entries for the
//! end of the cooldown instead of guessing (guessing short spins, guessing long delays the
//! catch-up). Its instrument hooks could count transitions, but the two gaps remain, so the
//! three-state machine lives here, a few dozen lines, with the counts the status view and the
//! tests read ([`BreakerMetrics`]).

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde::Serialize;

/// When a breaker opens and how long it stays open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerConfig {
    /// Consecutive system failures that open the breaker.
    pub failure_threshold: u32,
    /// How long the breaker stays open before a half-open probe.
    pub cooldown: Duration,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        Self {
            failure_threshold: 5,
            cooldown: Duration::from_secs(30),
        }
    }
}

/// The breaker's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum BreakerState {
    /// Calls go through.
    Closed,
    /// Calls are rejected until the cooldown ends.
    Open,
    /// One probe call is in flight; others are rejected.
    HalfOpen,
}

/// What a breaker did so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BreakerMetrics {
    pub state: BreakerState,
    /// Calls let through to the endpoint (attempts).
    pub permitted: u64,
    /// Calls rejected without touching the endpoint.
    pub rejected: u64,
    /// System failures recorded.
    pub failures: u64,
    /// Times the breaker opened.
    pub opened: u64,
    /// System failures since the last success.
    pub consecutive_failures: u32,
}

/// Whether a call may go to the endpoint now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permit {
    /// Go ahead; report the outcome with [`CircuitBreaker::record`].
    Granted,
    /// Do not call; try again after this long.
    Rejected { retry_after: Duration },
}

/// A circuit breaker for one endpoint.
#[derive(Debug)]
pub struct CircuitBreaker {
    config: BreakerConfig,
    inner: Mutex<Inner>,
}

#[derive(Debug)]
struct Inner {
    metrics: BreakerMetrics,
    opened_at: Option<Instant>,
}

impl CircuitBreaker {
    /// A closed breaker.
    pub fn new(config: BreakerConfig) -> Self {
        Self {
            config,
            inner: Mutex::new(Inner {
                metrics: BreakerMetrics {
                    state: BreakerState::Closed,
                    permitted: 0,
                    rejected: 0,
                    failures: 0,
                    opened: 0,
                    consecutive_failures: 0,
                },
                opened_at: None,
            }),
        }
    }

    /// Asks to call the endpoint now.
    pub fn permit(&self) -> Permit {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        let wait = |opened_at: Option<Instant>| {
            opened_at.map_or(self.config.cooldown, |at| {
                self.config.cooldown.saturating_sub(now.duration_since(at))
            })
        };
        match inner.metrics.state {
            BreakerState::Closed => {}
            BreakerState::Open if wait(inner.opened_at).is_zero() => {
                inner.metrics.state = BreakerState::HalfOpen;
                tracing::info!("circuit breaker half-open: probing the endpoint");
            }
            BreakerState::Open | BreakerState::HalfOpen => {
                inner.metrics.rejected += 1;
                let retry_after = wait(inner.opened_at).max(Duration::from_millis(10));
                return Permit::Rejected { retry_after };
            }
        }
        inner.metrics.permitted += 1;
        Permit::Granted
    }

    /// Reports the outcome of a granted call: `system_failure` when the endpoint failed.
    pub fn record(&self, system_failure: bool) {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if !system_failure {
            if inner.metrics.state != BreakerState::Closed {
                tracing::info!("circuit breaker closed: the endpoint answers again");
            }
            inner.metrics.state = BreakerState::Closed;
            inner.metrics.consecutive_failures = 0;
            inner.opened_at = None;
            return;
        }
        inner.metrics.failures += 1;
        inner.metrics.consecutive_failures = inner.metrics.consecutive_failures.saturating_add(1);
        let trips = inner.metrics.state == BreakerState::HalfOpen
            || inner.metrics.consecutive_failures >= self.config.failure_threshold.max(1);
        if trips {
            if inner.metrics.state != BreakerState::Open {
                inner.metrics.opened += 1;
                tracing::warn!(cooldown = ?self.config.cooldown, "circuit breaker open");
            }
            inner.metrics.state = BreakerState::Open;
            inner.opened_at = Some(Instant::now());
        }
    }

    /// Reports `calls` calls that went through together (a batch of the async round) and all
    /// succeeded: counted as that many permitted, successful calls, as one by one.
    pub fn record_successes(&self, calls: u64) {
        if calls == 0 {
            return;
        }
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .metrics
            .permitted += calls;
        self.record(false);
    }

    /// The current state and counts.
    pub fn metrics(&self) -> BreakerMetrics {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .metrics
    }
}

/// The breakers of an engine, one per endpoint id, created on first use.
#[derive(Debug, Default)]
pub(crate) struct Breakers {
    by_endpoint: Mutex<std::collections::HashMap<String, std::sync::Arc<CircuitBreaker>>>,
}

impl Breakers {
    /// The breaker of an endpoint, created with `config` if it has none yet.
    pub(crate) fn get(
        &self,
        endpoint_id: &str,
        config: BreakerConfig,
    ) -> std::sync::Arc<CircuitBreaker> {
        self.by_endpoint
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(endpoint_id.to_string())
            .or_insert_with(|| std::sync::Arc::new(CircuitBreaker::new(config)))
            .clone()
    }

    /// The metrics of an endpoint's breaker, if it was used.
    pub(crate) fn metrics(&self, endpoint_id: &str) -> Option<BreakerMetrics> {
        self.by_endpoint
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(endpoint_id)
            .map(|b| b.metrics())
    }
}
