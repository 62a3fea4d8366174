//! The one place a Mass request is sent: URL building, bearer auth, the breaker, the retry loop,
//! the body cap and JSON decoding. Every service sub-client describes its operations as [`Call`]s
//! and hands them to [`ServiceTransport`].
//!
//! Owns [`ServiceTransport`], [`Call`], [`read_capped`].
//!
//! Never: logs headers or the token (only service, method, path template and status are traced);
//! follows redirects; retries a [`RetrySafety::Unsafe`] call; reads more than the configured
//! number of body bytes.

use std::sync::Arc;

use reqwest::{Method, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::breaker::{CallHealth, CircuitBreaker};
use crate::error::{MassError, Service};
use crate::retry::{AttemptOutcome, RetryPolicy, RetrySafety, retry_delay};
use crate::token::TokenProvider;
use crate::wire::{IDEMPOTENCY_KEY_HEADER, IdempotencyKey};

/// One request to one Mass service, relative to `{base}/{context}/api/v1/`.
#[derive(Debug)]
pub(crate) struct Call {
    method: Method,
    segments: Vec<String>,
    query: Vec<(&'static str, String)>,
    body: Option<Vec<u8>>,
    idempotency_key: Option<IdempotencyKey>,
    safety: RetrySafety,
}

impl Call {
    /// A GET: safe to retry.
    pub(crate) fn get(segments: &[&str]) -> Call {
        Call::new(Method::GET, segments, RetrySafety::Safe)
    }

    /// A DELETE: idempotent by HTTP semantics, safe to retry.
    pub(crate) fn delete(segments: &[&str]) -> Call {
        Call::new(Method::DELETE, segments, RetrySafety::Safe)
    }

    /// A PUT with a JSON body: idempotent by HTTP semantics.
    pub(crate) fn put_json<T: Serialize>(segments: &[&str], body: &T) -> Result<Call, MassError> {
        Call::new(Method::PUT, segments, RetrySafety::Safe).with_json(body)
    }

    /// A POST that creates or changes something: sent once unless given an idempotency key.
    pub(crate) fn post_json<T: Serialize>(segments: &[&str], body: &T) -> Result<Call, MassError> {
        Call::new(Method::POST, segments, RetrySafety::Unsafe).with_json(body)
    }

    /// A POST that only reads (search, batch fetch): safe to retry.
    pub(crate) fn post_read<T: Serialize>(segments: &[&str], body: &T) -> Result<Call, MassError> {
        Call::new(Method::POST, segments, RetrySafety::Safe).with_json(body)
    }

    /// A POST with no body that changes state (approve, reject, cancel).
    pub(crate) fn post_empty(segments: &[&str]) -> Call {
        Call::new(Method::POST, segments, RetrySafety::Unsafe)
    }

    /// Adds a query parameter.
    pub(crate) fn query(mut self, name: &'static str, value: impl Into<String>) -> Call {
        self.query.push((name, value.into()));
        self
    }

    /// Attaches an idempotency key, which makes the call safe to retry.
    pub(crate) fn idempotent(mut self, key: &IdempotencyKey) -> Call {
        self.idempotency_key = Some(key.clone());
        self.safety = RetrySafety::Safe;
        self
    }

    fn new(method: Method, segments: &[&str], safety: RetrySafety) -> Call {
        Call {
            method,
            segments: segments
                .iter()
                .map(|segment| (*segment).to_owned())
                .collect(),
            query: Vec::new(),
            body: None,
            idempotency_key: None,
            safety,
        }
    }

    fn with_json<T: Serialize>(mut self, body: &T) -> Result<Call, MassError> {
        // Serialising our own plain DTOs cannot fail (no maps with non-string keys); if it ever
        // did, the caller gets a Decode-class error naming the service instead of a panic.
        let bytes = serde_json::to_vec(body).map_err(|source| MassError::Encode { source })?;
        self.body = Some(bytes);
        Ok(self)
    }
}

/// A final answer: status and the capped body.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
}

/// Why reading a body stopped.
#[derive(Debug)]
pub(crate) enum ReadFailure {
    /// The body exceeded the cap.
    TooLarge,
    /// The connection failed mid-body.
    Transport(reqwest::Error),
}

/// Everything a sub-client needs to talk to one Mass service.
#[derive(Debug)]
pub(crate) struct ServiceTransport {
    pub(crate) service: Service,
    /// `{base}/{context}/api/v1/`, segments are pushed onto a clone per call.
    pub(crate) root: Url,
    pub(crate) http: reqwest::Client,
    pub(crate) token: Arc<dyn TokenProvider>,
    pub(crate) retry: RetryPolicy,
    pub(crate) breaker: Arc<CircuitBreaker>,
    pub(crate) response_body_bytes_max: usize,
}

impl ServiceTransport {
    /// Sends `call` and decodes a 2xx JSON body.
    pub(crate) async fn json<T: DeserializeOwned>(&self, call: Call) -> Result<T, MassError> {
        let reply = self.execute(call).await?;
        self.success(&reply)?;
        self.decode(&reply.body)
    }

    /// Sends `call`; a 404 is `None`, a 2xx body is decoded.
    pub(crate) async fn json_optional<T: DeserializeOwned>(
        &self,
        call: Call,
    ) -> Result<Option<T>, MassError> {
        let reply = self.execute(call).await?;
        if reply.status == 404 {
            return Ok(None);
        }
        self.success(&reply)?;
        self.decode(&reply.body).map(Some)
    }

    /// Sends `call` and expects a 2xx with a body we do not need.
    pub(crate) async fn unit(&self, call: Call) -> Result<(), MassError> {
        let reply = self.execute(call).await?;
        self.success(&reply)
    }

    fn success(&self, reply: &Reply) -> Result<(), MassError> {
        if (200..300).contains(&reply.status) {
            return Ok(());
        }
        Err(MassError::status(self.service, reply.status, &reply.body))
    }

    fn decode<T: DeserializeOwned>(&self, body: &[u8]) -> Result<T, MassError> {
        serde_json::from_slice(body).map_err(|source| MassError::Decode {
            service: self.service,
            source,
        })
    }

    /// The retry loop: admit through the breaker, attempt, record, and maybe wait and repeat.
    async fn execute(&self, call: Call) -> Result<Reply, MassError> {
        let url = self.url(&call);
        let mut attempt_index: u32 = 0;
        loop {
            let Some(admission) = self.breaker.admit() else {
                return Err(MassError::CircuitOpen {
                    service: self.service,
                });
            };
            let attempt = self.attempt(&call, &url).await;
            let (outcome, health) = classify(&attempt);
            self.breaker.record(admission, health);
            let Some(outcome) = outcome else {
                return attempt.map(|(reply, _)| reply);
            };
            let delay = retry_delay(
                &self.retry,
                call.safety,
                attempt_index,
                outcome,
                fastrand::f64(),
            );
            let Some(delay) = delay else {
                return attempt.map(|(reply, _)| reply);
            };
            tracing::debug!(
                service = %self.service,
                method = %call.method,
                attempt_index,
                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                "retrying Mass call"
            );
            tokio::time::sleep(delay).await;
            attempt_index = attempt_index.saturating_add(1);
        }
    }

    async fn attempt(&self, call: &Call, url: &Url) -> Result<(Reply, Option<u64>), MassError> {
        let token = self
            .token
            .bearer_token()
            .await
            .map_err(|source| MassError::Token { source })?;
        let mut request = self
            .http
            .request(call.method.clone(), url.clone())
            .bearer_auth(token.as_str());
        if let Some(key) = &call.idempotency_key {
            request = request.header(IDEMPOTENCY_KEY_HEADER, key.as_str());
        }
        if let Some(body) = &call.body {
            request = request
                .header("content-type", "application/json")
                .body(body.clone());
        }
        let transport = |source| MassError::Transport {
            service: self.service,
            source,
        };
        let response = request.send().await.map_err(transport)?;
        let status = response.status().as_u16();
        let retry_after_secs = response
            .headers()
            .get("retry-after")
            .and_then(|value| value.to_str().ok())
            .and_then(|text| text.trim().parse::<u64>().ok());
        tracing::debug!(service = %self.service, method = %call.method, status, "Mass call answered");
        let body = read_capped(response, self.response_body_bytes_max)
            .await
            .map_err(|failure| match failure {
                ReadFailure::TooLarge => MassError::BodyTooLarge {
                    service: self.service,
                    limit_bytes: self.response_body_bytes_max,
                },
                ReadFailure::Transport(source) => transport(source),
            })?;
        Ok((Reply { status, body }, retry_after_secs))
    }

    fn url(&self, call: &Call) -> Url {
        let mut url = self.root.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            // `root` is validated to be a hierarchical http(s) URL, so this branch always runs;
            // `extend` percent-encodes each segment, so an id can never add a path level.
            segments.pop_if_empty().extend(call.segments.iter());
        }
        if !call.query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in &call.query {
                pairs.append_pair(name, value);
            }
        }
        url
    }
}

/// What the retry rule and the breaker make of one attempt. `None` outcome: final, no retry.
fn classify(
    attempt: &Result<(Reply, Option<u64>), MassError>,
) -> (Option<AttemptOutcome>, CallHealth) {
    match attempt {
        Ok((reply, retry_after_secs)) => {
            let health = if reply.status >= 500 {
                CallHealth::Failed
            } else {
                CallHealth::Healthy
            };
            let outcome = AttemptOutcome::Status {
                status: reply.status,
                retry_after_secs: *retry_after_secs,
            };
            (Some(outcome), health)
        }
        Err(MassError::Transport { .. }) => {
            (Some(AttemptOutcome::TransportFailure), CallHealth::Failed)
        }
        // A token failure or an oversized body says nothing about the service's health and is
        // not cured by repeating the request.
        Err(_) => (None, CallHealth::Healthy),
    }
}

/// Reads a response body, failing as soon as it would exceed `bytes_max`.
pub(crate) async fn read_capped(
    mut response: reqwest::Response,
    bytes_max: usize,
) -> Result<Vec<u8>, ReadFailure> {
    let declared = response
        .content_length()
        .and_then(|length| usize::try_from(length).ok());
    if declared.is_some_and(|length| length > bytes_max) {
        return Err(ReadFailure::TooLarge);
    }
    let mut body = Vec::with_capacity(declared.unwrap_or(0));
    while let Some(chunk) = response.chunk().await.map_err(ReadFailure::Transport)? {
        if body.len().saturating_add(chunk.len()) > bytes_max {
            return Err(ReadFailure::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
