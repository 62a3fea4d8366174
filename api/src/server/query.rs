//! Query strings: the extractor every route with query parameters uses, and the keyset page
//! every list route shares.
//!
//! Owns [`QueryParams`] (axum's `Query` with its rejection mapped into [`ApiError`], so a bad
//! parameter is an enveloped 400 naming `query`), and the keyset-page helpers [`page_limit`],
//! [`parse_after`] and [`next_after`].
//!
//! Never: interprets a parameter beyond its type (handlers lift values into domain types).

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// Parsed query parameters of type `T` (`deny_unknown_fields` on `T` refuses unknown names).
#[derive(Debug)]
pub struct QueryParams<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::try_from_uri(&parts.uri)
            .map(|Query(value)| Self(value))
            .map_err(|rejection| ApiError::BadRequest {
                message: rejection.body_text(),
                field: Some("query".to_owned()),
            })
    }
}

/// The page size a list route uses: `limit` when given (1..=`page_max`), else `page_max`; a
/// limit outside the range is a 400 naming `limit`.
pub fn page_limit(limit: Option<u64>, page_max: u64) -> Result<u64, ApiError> {
    match limit {
        None => Ok(page_max),
        Some(limit) if (1..=page_max).contains(&limit) => Ok(limit),
        Some(limit) => Err(ApiError::BadRequest {
            message: format!("limit {limit} is outside 1..={page_max}"),
            field: Some("limit".to_owned()),
        }),
    }
}

/// The `next_after` of a keyset page: the last item's key when the page is full (there may be
/// more), absent when it is not (this was the last page).
pub fn next_after<T>(page: &[T], limit: u64, key: impl Fn(&T) -> String) -> Option<String> {
    let full = u64::try_from(page.len()).is_ok_and(|count| count == limit);
    page.last().filter(|_| full).map(key)
}

/// The `after` key of a keyset page, parsed into its type; a key that does not parse is a 400
/// naming `after`.
pub fn parse_after<T, E: std::fmt::Display>(
    after: Option<&str>,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<Option<T>, ApiError> {
    after
        .map(parse)
        .transpose()
        .map_err(|error| ApiError::BadRequest {
            message: error.to_string(),
            field: Some("after".to_owned()),
        })
}
