//! A blocking facade over [`MassClient`] for the CLI and scripts.
//!
//! Owns [`BlockingMassClient`]: a private current-thread runtime plus the async client.
//! `blocking.call(|mass| mass.organization().get(&id, None))` runs any client operation to
//! completion on the calling thread.
//!
//! Never: runs inside an async runtime (that would deadlock or panic in tokio); it answers
//! [`MassError::Config`] instead.

use std::future::Future;
use std::sync::Arc;

use crate::breaker::BreakerState;
use crate::client::{MassClient, MassClientConfig};
use crate::error::{MassError, Service};
use crate::token::TokenProvider;

/// The blocking client.
#[derive(Debug)]
pub struct BlockingMassClient {
    runtime: tokio::runtime::Runtime,
    client: MassClient,
}

impl BlockingMassClient {
    /// Builds the runtime and the async client.
    pub fn new(
        config: &MassClientConfig,
        token: Arc<dyn TokenProvider>,
    ) -> Result<BlockingMassClient, MassError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|_| MassError::Config {
                field: "runtime",
                reason: "could not be created",
            })?;
        let client = MassClient::new(config, token)?;
        Ok(BlockingMassClient { runtime, client })
    }

    /// Runs one client operation to completion.
    pub fn call<'a, T, F>(
        &'a self,
        operation: impl FnOnce(&'a MassClient) -> F,
    ) -> Result<T, MassError>
    where
        F: Future<Output = Result<T, MassError>> + 'a,
    {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(MassError::Config {
                field: "runtime",
                reason: "blocking client used inside an async runtime; use MassClient",
            });
        }
        self.runtime.block_on(operation(&self.client))
    }

    /// The breaker state of every service.
    pub fn readiness(&self) -> Vec<(Service, BreakerState)> {
        self.client.readiness()
    }
}
