//! Bad input gives clear errors, never panics: base URLs, tokens, oversized and malformed or
//! unfamiliar responses (from a tiny hand-rolled server), and sandbox requests missing fields.

use std::net::SocketAddr;

use axum::Router;
use axum::routing::get;
use msez_mass::client::MassClient;
use msez_mass::error::MassError;
use msez_mass::organization::Privacy;
use msez_mass::token::StaticToken;
use msez_protocol::ids::EntityId;
use tokio::net::TcpListener;
use zeroize::Zeroizing;

use crate::support::{TOKEN, config, raw_http, sandbox, token};

/// Serves `body` for every organization get on 127.0.0.1:0.
async fn fixed_server(body: String) -> SocketAddr {
    let app = Router::new().route(
        "/organization-info/api/v1/organization/{id}",
        get(move || async move { body }),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

async fn get_from(
    body: String,
) -> Result<Option<msez_mass::organization::Organization>, MassError> {
    let addr = fixed_server(body).await;
    let mass = MassClient::new(&config(&format!("http://{addr}")), token()).unwrap();
    mass.organization()
        .get(&EntityId::new("org-1").unwrap(), None)
        .await
}

#[tokio::test]
async fn decoding_tolerates_unknown_fields_and_enum_values() {
    let body = r#"{"id":"org-1","name":"N","privacy":"SECRET","brandNewField":{"x":[1,2]},
        "address":{"country":"PK","type":"ORBITAL","extra":1},"tags":[{"key":"k","value":"v","z":0}]}"#;
    let organization = get_from(body.to_owned()).await.unwrap().unwrap();
    assert_eq!(
        organization.privacy,
        Some(Privacy::Unknown("SECRET".to_owned()))
    );
    assert_eq!(organization.tags[0].key.as_deref(), Some("k"));
    assert_eq!(organization.address.unwrap().country.as_deref(), Some("PK"));
}

#[tokio::test]
async fn malformed_response_is_a_decode_error() {
    let error = get_from("{\"id\": ".to_owned()).await.unwrap_err();
    assert!(matches!(error, MassError::Decode { .. }), "{error:?}");
    let wrong_type = get_from(r#"{"id": 5}"#.to_owned()).await.unwrap_err();
    assert!(
        matches!(wrong_type, MassError::Decode { .. }),
        "{wrong_type:?}"
    );
}

#[tokio::test]
async fn response_body_cap_accepts_the_limit_and_rejects_one_more_byte() {
    let limit = 1024 * 1024;
    let padded = |total: usize| {
        let prefix = r#"{"id":"org-1","bio":""#;
        let suffix = r#""}"#;
        format!(
            "{prefix}{}{suffix}",
            "a".repeat(total - prefix.len() - suffix.len())
        )
    };
    let at_limit = get_from(padded(limit)).await.unwrap().unwrap();
    assert_eq!(at_limit.id.as_deref(), Some("org-1"));
    let error = get_from(padded(limit + 1)).await.unwrap_err();
    assert!(
        matches!(error, MassError::BodyTooLarge { limit_bytes, .. } if limit_bytes == limit),
        "{error:?}"
    );
}

#[test]
fn invalid_base_urls_are_config_errors() {
    for (base_url, field) in [
        ("", "base_url"),
        ("not a url", "base_url"),
        ("ftp://127.0.0.1", "base_url"),
        ("http://127.0.0.1/?q=1", "base_url"),
        ("mailto:mass@example.test", "base_url"),
    ] {
        let error = MassClient::new(&config(base_url), token()).unwrap_err();
        assert!(
            matches!(error, MassError::Config { field: f, .. } if f == field),
            "{base_url}: {error:?}"
        );
    }
    let mut zero = config("http://127.0.0.1:1");
    zero.request_timeout = std::time::Duration::ZERO;
    assert!(matches!(
        MassClient::new(&zero, token()),
        Err(MassError::Config {
            field: "request_timeout",
            ..
        })
    ));
}

#[test]
fn missing_token_is_a_config_error() {
    for empty in ["", "   "] {
        let error = StaticToken::new(Zeroizing::new(empty.to_owned())).unwrap_err();
        assert!(
            matches!(error, MassError::Config { field: "token", .. }),
            "{error:?}"
        );
    }
}

#[tokio::test]
async fn unreachable_mass_is_a_transport_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let mass = MassClient::new(&config(&format!("http://{addr}")), token()).unwrap();
    let error = mass
        .organization()
        .supported_jurisdictions()
        .await
        .unwrap_err();
    assert!(matches!(error, MassError::Transport { .. }), "{error:?}");
}

#[tokio::test]
async fn sandbox_names_the_missing_required_field() {
    let sandbox = sandbox().await;
    let http = raw_http();
    let url = format!(
        "{}/organization-info/api/v1/organization/create",
        sandbox.base_url()
    );
    for (body, field) in [
        (r#"{"name":"N","address":{}}"#, "bio"),
        (r#"{"bio":"B","address":{}}"#, "name"),
        (r#"{"name":"N","bio":"B","address":null}"#, "address"),
    ] {
        let response = http
            .post(&url)
            .bearer_auth(TOKEN)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 400);
        let json: serde_json::Value =
            serde_json::from_str(&response.text().await.unwrap()).unwrap();
        assert_eq!(json["field"], field);
        assert_eq!(json["sandbox"], true);
    }
    let not_json = http
        .post(&url)
        .bearer_auth(TOKEN)
        .body("[1,")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status().as_u16(), 400);
    let account_url = format!("{}/treasury-info/api/v1/account/create", sandbox.base_url());
    let body = r#"{"treasuryId":"t","name":"a","currency":"PKR"}"#;
    let unkeyed = http
        .post(&account_url)
        .bearer_auth(TOKEN)
        .body(body)
        .send()
        .await
        .unwrap();
    let json: serde_json::Value = serde_json::from_str(&unkeyed.text().await.unwrap()).unwrap();
    assert_eq!(json["field"], "Idempotency-Key");
}
