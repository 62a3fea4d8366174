//! Retries stop at the limit, unkeyed writes are sent once, keyed writes are retried, 429
//! Retry-After is honoured, and the breaker opens, fails fast, and recovers.

use std::time::{Duration, Instant};

use msez_mass::breaker::{BreakerConfig, BreakerState};
use msez_mass::client::MassClient;
use msez_mass::error::{MassError, Service};
use msez_mass::sandbox::faults::FaultConfig;
use msez_mass::treasury::{CreateAccount, CreateTreasury};
use msez_mass::wire::IdempotencyKey;
use msez_protocol::ids::EntityId;

use crate::operations::create_request;
use crate::support::{client, config, raw_http, sandbox, token};

fn failing(count: u32, status: u16) -> FaultConfig {
    FaultConfig {
        fail_next_count: count,
        error_status: status,
        ..FaultConfig::healthy()
    }
}

#[tokio::test]
async fn retries_stop_at_attempts_max() {
    let sandbox = sandbox().await;
    let mass = client(&sandbox);
    sandbox
        .set_faults(Service::Organization, failing(10, 503))
        .unwrap();
    let error = mass
        .organization()
        .get(&EntityId::new("x").unwrap(), None)
        .await
        .unwrap_err();
    assert_eq!(error.http_status(), Some(503));
    assert_eq!(
        sandbox.request_count(Service::Organization),
        3,
        "attempts_max is 3"
    );
}

#[tokio::test]
async fn retry_recovers_from_transient_502_503_504() {
    let sandbox = sandbox().await;
    let mass = client(&sandbox);
    for status in [502, 503, 504] {
        sandbox
            .set_faults(Service::Organization, failing(2, status))
            .unwrap();
        let before = sandbox.request_count(Service::Organization);
        let answer = mass.organization().supported_jurisdictions().await.unwrap();
        assert!(!answer.is_empty());
        assert_eq!(
            sandbox.request_count(Service::Organization) - before,
            3,
            "status {status}"
        );
    }
}

#[tokio::test]
async fn non_idempotent_write_is_sent_once() {
    let sandbox = sandbox().await;
    let mass = client(&sandbox);
    sandbox
        .set_faults(Service::Organization, failing(1, 503))
        .unwrap();
    let error = mass
        .organization()
        .create(&create_request("Once"))
        .await
        .unwrap_err();
    assert_eq!(error.http_status(), Some(503));
    assert_eq!(sandbox.request_count(Service::Organization), 1);
}

#[tokio::test]
async fn keyed_write_is_retried_and_applied_once() {
    let sandbox = sandbox().await;
    let mass = client(&sandbox);
    let treasury = mass
        .treasury()
        .create_treasury(&CreateTreasury {
            entity_id: "org".to_owned(),
            name: "T".to_owned(),
        })
        .await
        .unwrap();
    sandbox
        .set_faults(Service::Treasury, failing(2, 503))
        .unwrap();
    let before = sandbox.request_count(Service::Treasury);
    let request = CreateAccount {
        treasury_id: treasury.id.unwrap(),
        name: "a".to_owned(),
        currency: "AED".to_owned(),
    };
    let account = mass
        .treasury()
        .create_account(&request, &IdempotencyKey::new("k-1").unwrap())
        .await
        .unwrap();
    assert_eq!(sandbox.request_count(Service::Treasury) - before, 3);
    assert_eq!(
        mass.treasury().account(&account.id).await.unwrap(),
        Some(account)
    );
}

#[tokio::test]
async fn too_many_requests_waits_for_retry_after() {
    let sandbox = sandbox().await;
    let mass = client(&sandbox);
    let fault = FaultConfig {
        retry_after_secs: Some(1),
        ..failing(1, 429)
    };
    sandbox.set_faults(Service::Organization, fault).unwrap();
    let started = Instant::now();
    mass.organization().supported_jurisdictions().await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited {:?}",
        started.elapsed()
    );
    assert_eq!(sandbox.request_count(Service::Organization), 2);
}

#[tokio::test]
async fn breaker_opens_fails_fast_and_recovers() {
    let sandbox = sandbox().await;
    let mut settings = config(&sandbox.base_url());
    settings.retry.attempts_max = 1;
    settings.breaker = BreakerConfig {
        failures_consecutive_max: 3,
        open_duration: Duration::from_millis(300),
    };
    let mass = MassClient::new(&settings, token()).unwrap();
    let state = |mass: &MassClient| {
        mass.readiness()
            .into_iter()
            .find(|(s, _)| *s == Service::Consent)
            .map(|(_, s)| s)
    };
    sandbox
        .set_faults(
            Service::Consent,
            FaultConfig {
                down: true,
                ..FaultConfig::healthy()
            },
        )
        .unwrap();
    for _ in 0..3 {
        assert_eq!(
            mass.consent().get("c").await.unwrap_err().http_status(),
            Some(503)
        );
    }
    assert_eq!(state(&mass), Some(BreakerState::Open));
    let fast = mass.consent().get("c").await.unwrap_err();
    assert!(
        matches!(
            fast,
            MassError::CircuitOpen {
                service: Service::Consent
            }
        ),
        "{fast:?}"
    );
    assert_eq!(
        sandbox.request_count(Service::Consent),
        3,
        "an open breaker sends nothing"
    );
    assert_eq!(state(&mass).map(|_| ()), Some(()));
    assert!(
        mass.organization().supported_jurisdictions().await.is_ok(),
        "other services unaffected"
    );
    sandbox
        .set_faults(Service::Consent, FaultConfig::healthy())
        .unwrap();
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(state(&mass), Some(BreakerState::HalfOpen));
    assert_eq!(mass.consent().get("c").await.unwrap(), None);
    assert_eq!(state(&mass), Some(BreakerState::Closed));
}

#[tokio::test]
async fn fault_control_endpoint_switches_a_service_down_and_up() {
    let sandbox = sandbox().await;
    let mass = client(&sandbox);
    let http = raw_http();
    let url = format!("{}/_sandbox/faults/identity-info", sandbox.base_url());
    let down = http
        .put(&url)
        .body(r#"{"down":true}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(down.status().as_u16(), 204);
    assert_eq!(
        mass.identity()
            .verification("v")
            .await
            .unwrap_err()
            .http_status(),
        Some(503)
    );
    let bad = http
        .put(&url)
        .body(r#"{"errorRate":2.0}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status().as_u16(), 400);
    assert!(bad.text().await.unwrap().contains("errorRate"));
    http.put(&url).body("{}").send().await.unwrap();
    assert_eq!(mass.identity().verification("v").await.unwrap(), None);
    let stats: serde_json::Value = http
        .get(format!("{}/_sandbox/stats", sandbox.base_url()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(stats["identity-info"], 4);
}
