//! The edge's one error type, its status table, request ids and the error envelope.
//!
//! Owns [`ApiError`] (one variant per kind of answer; one `match` maps it to a status),
//! [`RequestId`] and [`request_context`], the outermost middleware: it assigns or echoes
//! `x-request-id` and renders every error as `{error:{code,message,field?,request_id}}`.
//!
//! Never: shows an internal cause (storage, invariant) to the client — those are logged inside
//! the request span and answered with an opaque `internal` envelope — or answers a caller's
//! mistake with a 5xx.

use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tracing::Instrument as _;

/// The request id header, read from the caller when valid and echoed on every response.
pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// Longest caller-supplied request id kept; a longer or non-printable one is replaced. 128
/// characters hold any UUID, ULID or trace id format in use, and bound what we log.
pub const REQUEST_ID_CHARS_MAX: usize = 128;

/// Why a request was not answered with success.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No usable bearer token, or one that matches no principal (401).
    #[error("a valid bearer token is required")]
    Unauthenticated,
    /// The principal's role may not use this route (403).
    #[error("role {role} may not use this route")]
    Forbidden {
        /// The caller's role.
        role: &'static str,
    },
    /// No such route, or no such resource (404).
    #[error("{message}")]
    NotFound {
        /// What was not found.
        message: String,
    },
    /// The route exists, but not for this method (405).
    #[error("method not allowed on this route")]
    MethodNotAllowed,
    /// The body is not valid JSON, or a path or query parameter does not parse (400).
    #[error("{message}")]
    BadRequest {
        /// What is wrong.
        message: String,
        /// Where: `body`, a JSON pointer, or a parameter name.
        field: Option<String>,
    },
    /// The body is JSON but violates the request's schema or a domain rule (422).
    #[error("{message}")]
    Unprocessable {
        /// What is wrong.
        message: String,
        /// Where.
        field: Option<String>,
    },
    /// The request conflicts with the resource's state (409).
    #[error("{message}")]
    Conflict {
        /// What conflicts.
        message: String,
    },
    /// The body is larger than the node's limit (413).
    #[error("request body exceeds {body_bytes_max} bytes")]
    PayloadTooLarge {
        /// The limit.
        body_bytes_max: usize,
    },
    /// The body is not `application/json` (415).
    #[error("content type must be application/json")]
    UnsupportedMediaType,
    /// The principal exceeded its request rate (429 with `Retry-After`).
    #[error("rate limit exceeded for principal {principal}")]
    RateLimited {
        /// The principal's name.
        principal: String,
        /// When a request will be admitted again.
        retry_after: Duration,
    },
    /// A dependency is unavailable or overloaded (503 with `Retry-After`).
    #[error("{message}")]
    Unavailable {
        /// Which dependency and why (no internals).
        message: String,
        /// When to retry.
        retry_after: Duration,
    },
    /// A fault on our side (500). The cause is logged; the client sees only `internal`.
    #[error("internal error")]
    Internal {
        /// What failed, for the log only.
        cause: String,
    },
}

/// The envelope fields of an error response, attached to the response so that
/// [`request_context`] can render it with the request id.
#[derive(Debug, Clone)]
pub struct ErrorEnvelope {
    /// Stable machine code (`unauthenticated`, `malformed_json`, ...).
    pub code: &'static str,
    /// Human-readable reason.
    pub message: String,
    /// The offending field, when one is known.
    pub field: Option<String>,
}

/// The id of one request: the caller's `x-request-id` when valid, otherwise 128 random bits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

impl ApiError {
    /// The status and stable code of this error: the one table of truth.
    pub fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            Self::Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated"),
            Self::Forbidden { .. } => (StatusCode::FORBIDDEN, "forbidden"),
            Self::NotFound { .. } => (StatusCode::NOT_FOUND, "not_found"),
            Self::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            Self::BadRequest { .. } => (StatusCode::BAD_REQUEST, "bad_request"),
            Self::Unprocessable { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_request"),
            Self::Conflict { .. } => (StatusCode::CONFLICT, "conflict"),
            Self::PayloadTooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            Self::UnsupportedMediaType => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            Self::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            Self::Unavailable { .. } => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            Self::Internal { .. } => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }

    fn field(&self) -> Option<String> {
        match self {
            Self::BadRequest { field, .. } | Self::Unprocessable { field, .. } => field.clone(),
            Self::PayloadTooLarge { .. } | Self::UnsupportedMediaType => Some("body".to_owned()),
            _ => None,
        }
    }

    /// A 404 for a resource kind and its id.
    pub fn not_found(kind: &str, id: &str) -> Self {
        Self::NotFound {
            message: format!("{kind} {id} not found"),
        }
    }

    /// A 422 naming the field.
    pub fn invalid(field: impl Into<String>, message: impl std::fmt::Display) -> Self {
        Self::Unprocessable {
            message: message.to_string(),
            field: Some(field.into()),
        }
    }

    /// A 500 whose cause is only logged.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self::Internal {
            cause: cause.to_string(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let retry_after = match &self {
            Self::RateLimited { retry_after, .. } | Self::Unavailable { retry_after, .. } => {
                Some(*retry_after)
            }
            _ => None,
        };
        if let Self::Internal { cause } = &self {
            tracing::error!(%cause, "internal error");
        }
        let envelope = ErrorEnvelope {
            code,
            message: self.to_string(),
            field: self.field(),
        };
        let mut response = (status, Body::empty()).into_response();
        if let Some(retry_after) = retry_after {
            // Whole seconds, rounded up: Retry-After has no finer unit.
            let seconds = retry_after.as_millis().div_ceil(1000).max(1);
            if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        if matches!(self, Self::Unauthenticated) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response.extensions_mut().insert(envelope);
        response
    }
}

/// Outermost middleware: assigns the request id, runs the request inside a `request` span
/// carrying it (so logs name the request), then renders any error envelope with it and
/// echoes the id. A non-JSON 4xx/5xx produced outside our handlers (none should be) still gets
/// an envelope, so the contract holds for every response; a JSON 503 (readiness) is kept.
pub async fn request_context(mut request: Request, next: Next) -> Response {
    let request_id = request
        .headers()
        .get(&REQUEST_ID_HEADER)
        .and_then(|value| value.to_str().ok())
        .filter(|text| valid_request_id(text))
        .map_or_else(generate_request_id, str::to_owned);
    request
        .extensions_mut()
        .insert(RequestId(request_id.clone()));
    // Every event logged while the request is handled carries its id (the JSON log's
    // `request_id`; the text log's span prefix).
    let span = tracing::info_span!(
        "request",
        request_id = %request_id,
        method = %request.method(),
        path = %request.uri().path(),
    );
    let mut response = next.run(request).instrument(span).await;
    let envelope = response.extensions_mut().remove::<ErrorEnvelope>();
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"application/json"));
    let envelope = envelope.or_else(|| {
        let is_error = status.is_client_error() || status.is_server_error();
        (is_error && !is_json).then(|| ErrorEnvelope {
            code: "error",
            message: status.canonical_reason().unwrap_or("error").to_owned(),
            field: None,
        })
    });
    if let Some(envelope) = envelope {
        let mut error = json!({
            "code": envelope.code,
            "message": envelope.message,
            "request_id": request_id,
        });
        if let (Some(field), Some(object)) = (envelope.field, error.as_object_mut()) {
            object.insert("field".to_owned(), field.into());
        }
        let body = json!({ "error": error }).to_string();
        *response.body_mut() = Body::from(body);
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        headers.remove(header::CONTENT_LENGTH);
    }
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    response
}

/// Printable ASCII without spaces, 1..=[`REQUEST_ID_CHARS_MAX`] characters.
fn valid_request_id(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= REQUEST_ID_CHARS_MAX
        && text.bytes().all(|byte| byte.is_ascii_graphic())
}

/// 128 random bits in hex; falls back to a process-local counter if the OS RNG fails (an id
/// needs uniqueness, not secrecy).
fn generate_request_id() -> String {
    let mut bytes = [0_u8; 16];
    match getrandom::fill(&mut bytes) {
        Ok(()) => hex::encode(bytes),
        Err(_) => {
            static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
            let next = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            format!("local-{next}")
        }
    }
}
