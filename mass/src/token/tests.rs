//! Goal: form encoding is correct and secrets never show in `Debug`. Method: table cases.

use super::*;

#[test]
fn form_encoding_escapes_reserved_bytes() {
    let mut out = String::new();
    form_encode_into("a b&c=d/é*-._~", &mut out);
    assert_eq!(out, "a+b%26c%3Dd%2F%C3%A9*-._%7E");
}

#[test]
fn debug_output_redacts_secrets() {
    let token = StaticToken::new(Zeroizing::new("sekrit-token".to_owned())).unwrap();
    assert_eq!(format!("{token:?}"), "StaticToken(<redacted>)");
    let config = ClientCredentialsConfig {
        token_url: "http://127.0.0.1:1/token".parse().unwrap(),
        client_id: "id".to_owned(),
        client_secret: Zeroizing::new("sekrit-secret".to_owned()),
        scope: None,
        request_timeout: Duration::from_secs(1),
    };
    let body = form_body(&config);
    assert_eq!(
        body.as_str(),
        "grant_type=client_credentials&client_id=id&client_secret=sekrit-secret"
    );
    assert!(!format!("{config:?}").contains("sekrit"));
}
