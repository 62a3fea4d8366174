//! `MassClient`: configuration, construction, and one sub-client per Mass service.
//!
//! Owns [`MassClient`], [`MassClientConfig`] and the readiness view ([`MassClient::readiness`]).
//!
//! Never: trusts library defaults for timeouts or redirects (both are set explicitly); accepts a
//! base URL that is not absolute `http`/`https` without query or fragment.

use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;

use crate::breaker::{BreakerConfig, BreakerState, CircuitBreaker};
use crate::consent::ConsentClient;
use crate::error::{MassError, Service};
use crate::identity::IdentityClient;
use crate::investment::InvestmentClient;
use crate::organization::OrganizationClient;
use crate::retry::RetryPolicy;
use crate::templating::TemplatingClient;
use crate::token::TokenProvider;
use crate::transport::ServiceTransport;
use crate::treasury::TreasuryClient;

/// Upper bound on [`MassClientConfig::response_body_bytes_max`]. 16 MiB is far above any Mass
/// JSON document (a page of organizations is tens of KiB) and bounds memory per call.
pub const RESPONSE_BODY_BYTES_MAX_LIMIT: usize = 16 * 1024 * 1024;

/// How to reach Mass and how patient to be. No `Default`: the deployment decides.
#[derive(Debug, Clone)]
pub struct MassClientConfig {
    /// Base URL; service URLs are `{base_url}/{context}/api/v1/...`.
    pub base_url: String,
    /// Timeout for establishing a TCP (and TLS) connection.
    pub connect_timeout: Duration,
    /// Timeout for one whole attempt: connect, send, and read the response.
    pub request_timeout: Duration,
    /// Retry policy, shared by every service.
    pub retry: RetryPolicy,
    /// Breaker settings; each service gets its own breaker with these settings.
    pub breaker: BreakerConfig,
    /// Largest response body read, `1..=`[`RESPONSE_BODY_BYTES_MAX_LIMIT`].
    pub response_body_bytes_max: usize,
}

/// The typed Mass API client. Cheap to clone; clones share connections and breakers.
#[derive(Debug, Clone)]
pub struct MassClient {
    organization: OrganizationClient,
    investment: InvestmentClient,
    treasury: TreasuryClient,
    consent: ConsentClient,
    identity: IdentityClient,
    templating: TemplatingClient,
    breakers: Arc<[(Service, Arc<CircuitBreaker>)]>,
}

impl MassClientConfig {
    /// Checks every field and returns the parsed base URL.
    pub fn validate(&self) -> Result<Url, MassError> {
        let base = Url::parse(&self.base_url).map_err(|_| MassError::Config {
            field: "base_url",
            reason: "is not an absolute URL",
        })?;
        if base.scheme() != "http" && base.scheme() != "https" {
            return Err(MassError::Config {
                field: "base_url",
                reason: "scheme is not http or https",
            });
        }
        if base.cannot_be_a_base() || base.host().is_none() {
            return Err(MassError::Config {
                field: "base_url",
                reason: "has no host",
            });
        }
        if base.query().is_some() || base.fragment().is_some() {
            return Err(MassError::Config {
                field: "base_url",
                reason: "has a query or fragment",
            });
        }
        if self.connect_timeout.is_zero() {
            return Err(MassError::Config {
                field: "connect_timeout",
                reason: "is zero",
            });
        }
        if self.request_timeout.is_zero() {
            return Err(MassError::Config {
                field: "request_timeout",
                reason: "is zero",
            });
        }
        let body_max = self.response_body_bytes_max;
        if body_max == 0 || body_max > RESPONSE_BODY_BYTES_MAX_LIMIT {
            return Err(MassError::Config {
                field: "response_body_bytes_max",
                reason: "must be between 1 and 16 MiB",
            });
        }
        self.retry.validate()?;
        self.breaker.validate()?;
        Ok(base)
    }
}

impl MassClient {
    /// Builds a client; fails with [`MassError::Config`] on a bad configuration.
    pub fn new(
        config: &MassClientConfig,
        token: Arc<dyn TokenProvider>,
    ) -> Result<MassClient, MassError> {
        let base = config.validate()?;
        let http = build_http(config)?;
        let transport = |service: Service| -> Result<Arc<ServiceTransport>, MassError> {
            Ok(Arc::new(ServiceTransport {
                service,
                root: service_root(&base, service)?,
                http: http.clone(),
                token: Arc::clone(&token),
                retry: config.retry,
                breaker: Arc::new(CircuitBreaker::new(config.breaker)),
                response_body_bytes_max: config.response_body_bytes_max,
            }))
        };
        let organization = transport(Service::Organization)?;
        let investment = transport(Service::Investment)?;
        let treasury = transport(Service::Treasury)?;
        let consent = transport(Service::Consent)?;
        let identity = transport(Service::Identity)?;
        let templating = transport(Service::Templating)?;
        let breakers: Arc<[(Service, Arc<CircuitBreaker>)]> = [
            &organization,
            &investment,
            &treasury,
            &consent,
            &identity,
            &templating,
        ]
        .iter()
        .map(|transport| (transport.service, Arc::clone(&transport.breaker)))
        .collect();
        Ok(MassClient {
            organization: OrganizationClient::new(organization),
            investment: InvestmentClient::new(investment),
            treasury: TreasuryClient::new(treasury),
            consent: ConsentClient::new(consent),
            identity: IdentityClient::new(identity),
            templating: TemplatingClient::new(templating),
            breakers,
        })
    }

    /// ENTITIES: `organization-info`.
    pub fn organization(&self) -> &OrganizationClient {
        &self.organization
    }

    /// OWNERSHIP: `investment-info` (investments, fundraisers).
    pub fn investment(&self) -> &InvestmentClient {
        &self.investment
    }

    /// FISCAL: `treasury-info`.
    pub fn treasury(&self) -> &TreasuryClient {
        &self.treasury
    }

    /// CONSENT and cap tables: `consent-info`.
    pub fn consent(&self) -> &ConsentClient {
        &self.consent
    }

    /// IDENTITY: `identity-info`.
    pub fn identity(&self) -> &IdentityClient {
        &self.identity
    }

    /// Document signing: `templating-engine`.
    pub fn templating(&self) -> &TemplatingClient {
        &self.templating
    }

    /// The breaker state of every service, for the readiness probe.
    pub fn readiness(&self) -> Vec<(Service, BreakerState)> {
        self.breakers
            .iter()
            .map(|(service, breaker)| (*service, breaker.state()))
            .collect()
    }
}

/// `{base}/{context}/api/v1/`.
fn service_root(base: &Url, service: Service) -> Result<Url, MassError> {
    let mut root = base.clone();
    root.path_segments_mut()
        .map_err(|()| MassError::Config {
            field: "base_url",
            reason: "cannot be a base",
        })?
        .pop_if_empty()
        .extend([service.context(), "api", "v1", ""]);
    Ok(root)
}

fn build_http(config: &MassClientConfig) -> Result<reqwest::Client, MassError> {
    install_crypto_provider();
    reqwest::Client::builder()
        .connect_timeout(config.connect_timeout)
        .timeout(config.request_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .tcp_nodelay(true)
        .user_agent(concat!("msez-mass/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|_| MassError::Config {
            field: "http",
            reason: "TLS backend failed to initialise",
        })
}

/// Installs rustls' `ring` provider as the process default, which reqwest's
/// `rustls-no-provider` build then uses.
pub(crate) fn install_crypto_provider() {
    // Err means a provider is already installed (by us earlier or by another crate); reqwest
    // uses whichever is installed, so there is nothing to do.
    let _ = rustls::crypto::ring::default_provider().install_default();
}
