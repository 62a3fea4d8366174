//! The one error type of the Mass client: what failed, against which Mass service.
//!
//! Owns [`MassError`] and [`Service`] (the six Mass contexts).
//!
//! Never: carries a bearer token or client secret in any variant; a `Status` body is truncated
//! to [`STATUS_BODY_CHARS_MAX`] so an error log line stays bounded.

use std::fmt;

/// Characters of a non-success response body kept in [`MassError::Status`]. 1,024 holds any
/// Mass problem document we have seen while keeping a log line readable and bounded.
pub const STATUS_BODY_CHARS_MAX: usize = 1024;

/// The Mass services, one per URL context (`{base}/{context}/api/v1/...`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Service {
    /// ENTITIES: `organization-info`.
    Organization,
    /// OWNERSHIP (investments, fundraisers): `investment-info`.
    Investment,
    /// FISCAL: `treasury-info`.
    Treasury,
    /// CONSENT and cap tables: `consent-info`.
    Consent,
    /// IDENTITY: `identity-info`.
    Identity,
    /// Document signing: `templating-engine`.
    Templating,
}

impl Service {
    /// Every service, in a fixed order (readiness output, sandbox routing).
    pub const ALL: [Service; 6] = [
        Service::Organization,
        Service::Investment,
        Service::Treasury,
        Service::Consent,
        Service::Identity,
        Service::Templating,
    ];

    /// The URL context segment of this service.
    pub fn context(self) -> &'static str {
        match self {
            Service::Organization => "organization-info",
            Service::Investment => "investment-info",
            Service::Treasury => "treasury-info",
            Service::Consent => "consent-info",
            Service::Identity => "identity-info",
            Service::Templating => "templating-engine",
        }
    }

    /// The service whose context segment is `context`, if any.
    pub fn from_context(context: &str) -> Option<Service> {
        Service::ALL
            .into_iter()
            .find(|service| service.context() == context)
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.context())
    }
}

/// Why a Mass call failed.
#[derive(Debug, thiserror::Error)]
pub enum MassError {
    /// The client configuration is unusable (bad base URL, zero timeout, empty token, ...).
    #[error("invalid Mass client configuration: {field} {reason}")]
    Config {
        /// The configuration field at fault.
        field: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The request never produced a response (connect, TLS, timeout, reset).
    #[error("transport failure calling {service}: {source}")]
    Transport {
        /// The service called.
        service: Service,
        /// The underlying reqwest error (never contains the token: headers are not echoed).
        #[source]
        source: reqwest::Error,
    },
    /// Mass answered with a non-success status.
    #[error("{service} answered HTTP {status}: {body}")]
    Status {
        /// The service called.
        service: Service,
        /// The HTTP status code.
        status: u16,
        /// The response body, truncated to [`STATUS_BODY_CHARS_MAX`] characters.
        body: String,
    },
    /// The response body is not the JSON document the contract promises.
    #[error("{service} response does not decode: {source}")]
    Decode {
        /// The service called.
        service: Service,
        /// Where and why decoding failed.
        #[source]
        source: serde_json::Error,
    },
    /// A request body could not be encoded as JSON.
    #[error("request body does not encode: {source}")]
    Encode {
        /// Why encoding failed.
        #[source]
        source: serde_json::Error,
    },
    /// The response body exceeds the configured cap.
    #[error("{service} response body exceeds {limit_bytes} bytes")]
    BodyTooLarge {
        /// The service called.
        service: Service,
        /// The configured cap.
        limit_bytes: usize,
    },
    /// The circuit breaker of the service is open: the call was not attempted.
    #[error("circuit breaker for {service} is open")]
    CircuitOpen {
        /// The service whose breaker is open.
        service: Service,
    },
    /// No bearer token could be obtained.
    #[error("no bearer token: {source}")]
    Token {
        /// Why the token provider failed.
        #[source]
        source: crate::token::TokenError,
    },
    /// An argument fails a client-side check before any request is made.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The argument at fault.
        field: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An amount cannot cross the wire exactly.
    #[error("amount in field {field}: {source}")]
    Amount {
        /// The wire field holding the amount.
        field: &'static str,
        /// Why the conversion failed.
        #[source]
        source: crate::amount::AmountError,
    },
}

impl MassError {
    /// Builds a [`MassError::Status`], truncating the body to [`STATUS_BODY_CHARS_MAX`].
    pub(crate) fn status(service: Service, status: u16, body: &[u8]) -> MassError {
        let text = String::from_utf8_lossy(body);
        let body = text.chars().take(STATUS_BODY_CHARS_MAX).collect();
        MassError::Status {
            service,
            status,
            body,
        }
    }

    /// The HTTP status of a [`MassError::Status`], if this is one.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            MassError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}
