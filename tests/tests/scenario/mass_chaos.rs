//! Chaos mode's Mass fault window (`msez-load --chaos`) against a node running the sandbox:
//! while the window is open the sandbox really fails and slows every Mass service, afterwards
//! it is healthy again, and the report's window says when and what.

use std::time::{Duration, Instant};

use msez_tests::load::client::NodeClient;
use msez_tests::load::engine::{
    MASS_FAULT_ERROR_RATE, MASS_FAULT_LATENCY_MS, MASS_FAULT_STATUS, mass_fault_window,
};

use super::node::{ADMIN, OPERATOR, start};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chaos_mass_fault_window_fails_the_sandbox_and_heals_it() {
    let node = start().await;
    let client = NodeClient::new(&node.node.base_url(), ADMIN, 2)
        .unwrap()
        .with_operator_token(Some(OPERATOR.to_owned()));
    let sandbox = node.node.sandbox().unwrap().faults();
    let start = Instant::now();
    let until = start + Duration::from_millis(600);
    let window = tokio::spawn({
        let client = client.clone();
        async move { mass_fault_window(&client, start, until).await }
    });
    // Inside the window every service carries the drill's faults.
    tokio::time::sleep(Duration::from_millis(300)).await;
    for (service, config) in sandbox.snapshot() {
        assert_eq!(config.latency_ms, MASS_FAULT_LATENCY_MS, "{service:?}");
        assert_eq!(config.error_rate, MASS_FAULT_ERROR_RATE, "{service:?}");
        assert_eq!(config.error_status, MASS_FAULT_STATUS, "{service:?}");
    }
    let (window, note) = window.await.unwrap();
    assert_eq!(note, None);
    let window = window.expect("the window opened");
    assert_eq!(window.services.len(), 6, "every Mass service");
    let cleared_at_ms = window.cleared_at_ms.expect("the window closed");
    assert!(
        window.set_at_ms < cleared_at_ms && cleared_at_ms >= 600,
        "{window:?}"
    );
    for (service, config) in sandbox.snapshot() {
        assert_eq!(config.latency_ms, 0, "{service:?} healed");
        assert_eq!(config.error_rate, 0.0, "{service:?} healed");
    }
    node.node.shutdown().await.unwrap();
}
