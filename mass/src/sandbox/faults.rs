//! Fault injection for the sandbox: per-service added latency, error rate, "fail the next N",
//! and a down switch, settable at run time through `/_sandbox/faults/{context}` or
//! [`SandboxHandle::set_faults`](crate::sandbox::SandboxHandle::set_faults).
//!
//! Owns [`FaultConfig`], [`FaultTable`] and the decision [`FaultTable::decide`].
//!
//! Never: injects faults into the control endpoints themselves (they must stay reachable to
//! switch a fault off).

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::Service;
use crate::sandbox::state::{SandboxError, service_index};

/// Largest injectable latency. One minute exceeds any client timeout worth testing; longer
/// would only park sandbox tasks.
pub const FAULT_LATENCY_MS_MAX: u64 = 60_000;

/// The faults applied to one service. The zero value (`FaultConfig::healthy()`) injects nothing.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultConfig {
    /// Latency added before every request, `0..=`[`FAULT_LATENCY_MS_MAX`].
    #[serde(default)]
    pub latency_ms: u64,
    /// Probability in `[0, 1]` that a request fails with `error_status`.
    #[serde(default)]
    pub error_rate: f64,
    /// Fail exactly the next this-many requests with `error_status` (deterministic tests).
    #[serde(default)]
    pub fail_next_count: u32,
    /// Status of injected failures, `500..=599` or 429.
    #[serde(default = "default_error_status")]
    pub error_status: u16,
    /// `Retry-After` seconds sent with injected failures.
    #[serde(default)]
    pub retry_after_secs: Option<u64>,
    /// The service answers every request with 503.
    #[serde(default)]
    pub down: bool,
}

fn default_error_status() -> u16 {
    503
}

/// What the gate does with one request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct FaultDecision {
    pub(crate) latency: Duration,
    pub(crate) failure: Option<(u16, Option<u64>)>,
}

/// The fault settings of all six services.
#[derive(Debug)]
pub struct FaultTable {
    /// A std mutex: reads and writes are a few field copies, never across an await.
    configs: Mutex<([FaultConfig; 6], fastrand::Rng)>,
}

impl FaultConfig {
    /// No faults.
    pub fn healthy() -> FaultConfig {
        FaultConfig {
            latency_ms: 0,
            error_rate: 0.0,
            fail_next_count: 0,
            error_status: default_error_status(),
            retry_after_secs: None,
            down: false,
        }
    }

    /// Checks the bounds, naming the field at fault.
    pub fn validate(&self) -> Result<(), SandboxError> {
        let invalid = |field: &str, reason: &str| SandboxError::InvalidField {
            field: field.to_owned(),
            reason: reason.to_owned(),
        };
        if self.latency_ms > FAULT_LATENCY_MS_MAX {
            return Err(invalid("latencyMs", "exceeds 60000"));
        }
        if !(0.0..=1.0).contains(&self.error_rate) {
            return Err(invalid("errorRate", "is outside [0, 1]"));
        }
        if !(self.error_status == 429 || (500..=599).contains(&self.error_status)) {
            return Err(invalid("errorStatus", "is not 429 or 5xx"));
        }
        Ok(())
    }
}

impl FaultTable {
    pub(crate) fn new(seed: u64) -> FaultTable {
        FaultTable {
            configs: Mutex::new(([FaultConfig::healthy(); 6], fastrand::Rng::with_seed(seed))),
        }
    }

    /// Replaces the faults of `service`.
    pub fn set(&self, service: Service, config: FaultConfig) -> Result<(), SandboxError> {
        config.validate()?;
        let mut guard = self.configs.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(slot) = guard.0.get_mut(service_index(service)) {
            *slot = config;
        }
        Ok(())
    }

    /// The faults of every service.
    pub fn snapshot(&self) -> Vec<(Service, FaultConfig)> {
        let guard = self.configs.lock().unwrap_or_else(PoisonError::into_inner);
        Service::ALL
            .iter()
            .copied()
            .zip(guard.0.iter().copied())
            .collect()
    }

    /// Decides the fate of one request to `service`, consuming one `fail_next_count`.
    pub(crate) fn decide(&self, service: Service) -> FaultDecision {
        let mut guard = self.configs.lock().unwrap_or_else(PoisonError::into_inner);
        let (configs, rng) = &mut *guard;
        let Some(config) = configs.get_mut(service_index(service)) else {
            return FaultDecision {
                latency: Duration::ZERO,
                failure: None,
            };
        };
        let latency = Duration::from_millis(config.latency_ms);
        let injected = (config.error_status, config.retry_after_secs);
        if config.down {
            return FaultDecision {
                latency,
                failure: Some((503, config.retry_after_secs)),
            };
        }
        if config.fail_next_count > 0 {
            config.fail_next_count -= 1;
            return FaultDecision {
                latency,
                failure: Some(injected),
            };
        }
        let failed = config.error_rate > 0.0 && rng.f64() < config.error_rate;
        FaultDecision {
            latency,
            failure: failed.then_some(injected),
        }
    }
}
