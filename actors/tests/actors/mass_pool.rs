//! Mass pool against the real sandbox over HTTP.
//!
//! Goal: per-key order, parallelism across keys, the admission bound (at the limit and one
//! past it), and injected sandbox faults surfacing as typed errors and an open circuit.
//! Method: the seeded sandbox stamps each created record with a logical clock (one second per
//! id), so `createdAt` reveals the order the server processed creations in. Concurrency is
//! observed through the sandbox's request counter while injected latency (3 s, far above any
//! scheduling stall on a loaded machine) holds replies back; nothing asserts on elapsed time.

use msez_actors::mass_pool::{MassPool, MassRequest, MassResponse, PoolError};
use msez_mass::consent::{ConsentOperationType, CreateConsent};
use msez_mass::error::{MassError, Service};
use msez_mass::sandbox::faults::FaultConfig;
use msez_protocol::ids::EntityId;
use serde_json::json;

use crate::support::{self, entities_on_different_workers, entity, eventually};

fn consent_request(entity_id: &EntityId, index: usize) -> MassRequest {
    MassRequest::CreateConsent(CreateConsent {
        organization_id: entity_id.to_string(),
        operation_type: ConsentOperationType::IssueNewShares,
        requested_by: "user-1".to_owned(),
        operation_id: None,
        description: Some(format!("call-{index}")),
        approvals_required: None,
    })
}

fn created_at(response: MassResponse) -> (String, String) {
    match response {
        MassResponse::ConsentCreated(consent) => {
            (consent.description.unwrap(), consent.created_at.unwrap())
        }
        other => panic!("unexpected response {other:?}"),
    }
}

#[track_caller]
fn check_ordered(observed: &[(String, String)]) {
    for (index, pair) in observed.windows(2).enumerate() {
        assert!(
            pair[0].1 < pair[1].1,
            "call {index} ({:?}) was processed after call {} ({:?})",
            pair[0],
            index + 1,
            pair[1]
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pool_serialises_calls_for_one_entity_in_submission_order() {
    let sandbox = support::sandbox().await;
    let pool = support::pool(&sandbox, 4, 1000).await;
    let entity_id = entity("entity-ordered");
    let pending: Vec<_> = (0..40)
        .map(|index| {
            pool.submit(&entity_id, consent_request(&entity_id, index))
                .unwrap()
        })
        .collect();
    let mut observed = Vec::new();
    for reply in futures_join(pending).await {
        observed.push(created_at(reply.unwrap()));
    }
    for (index, (description, _)) in observed.iter().enumerate() {
        assert_eq!(description, &format!("call-{index}"));
    }
    check_ordered(&observed);
    assert_eq!(pool.in_flight(), 0);
    pool.stop();
    sandbox.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pool_runs_calls_for_entities_on_different_workers_in_parallel() {
    let sandbox = support::sandbox().await;
    let pool = support::pool(&sandbox, 4, 1000).await;
    let (first, second) = entities_on_different_workers(4);
    let mut slow = FaultConfig::healthy();
    slow.latency_ms = 3000;
    sandbox.set_faults(Service::Consent, slow).unwrap();
    let before = sandbox.request_count(Service::Consent);
    let first_reply = pool.submit(&first, consent_request(&first, 0)).unwrap();
    let second_reply = pool.submit(&second, consent_request(&second, 1)).unwrap();
    let first_task = tokio::spawn(first_reply);
    let second_task = tokio::spawn(second_reply);
    // Both requests reach the sandbox while both replies are still held back by the latency.
    eventually("both requests in flight at once", || {
        assert!(!first_task.is_finished() && !second_task.is_finished());
        sandbox.request_count(Service::Consent) == before + 2
    })
    .await;
    first_task.await.unwrap().unwrap();
    second_task.await.unwrap().unwrap();
    pool.stop();
    sandbox.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pool_holds_a_second_call_for_one_entity_until_the_first_completes() {
    let sandbox = support::sandbox().await;
    let pool = support::pool(&sandbox, 4, 1000).await;
    let entity_id = entity("entity-serial");
    let mut slow = FaultConfig::healthy();
    slow.latency_ms = 300;
    sandbox.set_faults(Service::Consent, slow).unwrap();
    let before = sandbox.request_count(Service::Consent);
    let first = tokio::spawn(
        pool.submit(&entity_id, consent_request(&entity_id, 0))
            .unwrap(),
    );
    let second = tokio::spawn(
        pool.submit(&entity_id, consent_request(&entity_id, 1))
            .unwrap(),
    );
    eventually("first request reaches the sandbox", || {
        sandbox.request_count(Service::Consent) == before + 1
    })
    .await;
    // Until the first reply exists, the second request must not have been sent.
    eventually("first call completes", || {
        if !first.is_finished() {
            assert_eq!(sandbox.request_count(Service::Consent), before + 1);
        }
        first.is_finished()
    })
    .await;
    first.await.unwrap().unwrap();
    second.await.unwrap().unwrap();
    assert_eq!(sandbox.request_count(Service::Consent), before + 2);
    pool.stop();
    sandbox.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pool_refuses_a_call_past_its_in_flight_bound() {
    let sandbox = support::sandbox().await;
    let bound = 3;
    let pool = support::pool(&sandbox, 2, bound).await;
    let mut slow = FaultConfig::healthy();
    slow.latency_ms = 3000;
    sandbox.set_faults(Service::Consent, slow).unwrap();
    let entity_id = entity("entity-busy");
    // At the limit: every call is admitted.
    let admitted: Vec<_> = (0..bound)
        .map(|index| {
            pool.submit(&entity_id, consent_request(&entity_id, index))
                .unwrap()
        })
        .collect();
    assert_eq!(pool.in_flight(), bound);
    // Limit + 1: refused at once, typed, nothing queued.
    match pool.submit(&entity("other"), consent_request(&entity_id, 99)) {
        Err(PoolError::Overloaded {
            in_flight,
            in_flight_max,
        }) => {
            assert_eq!(in_flight, bound);
            assert_eq!(in_flight_max, bound);
        }
        other => panic!("expected Overloaded, got {other:?}"),
    }
    assert_eq!(pool.in_flight(), bound);
    for reply in futures_join(admitted).await {
        reply.unwrap();
    }
    // Slots are released with the replies.
    assert_eq!(pool.in_flight(), 0);
    sandbox
        .set_faults(Service::Consent, FaultConfig::healthy())
        .unwrap();
    pool.call(&entity_id, consent_request(&entity_id, 100))
        .await
        .unwrap();
    pool.stop();
    sandbox.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pool_surfaces_injected_faults_as_typed_errors_then_circuit_open() {
    let sandbox = support::sandbox().await;
    let pool = MassPool::start(
        support::client_with_breaker(&sandbox, 2),
        support::pool_config(2, 100),
        None,
    )
    .await
    .unwrap();
    let entity_id = entity("entity-faulted");
    support::put_faults(&sandbox, "organization-info", json!({ "down": true })).await;
    // A read is retried by the client, then reported with the sandbox's status.
    match pool.call(&entity_id, MassRequest::GetOrganization).await {
        Err(PoolError::Mass {
            operation: "get_organization",
            source: MassError::Status { status: 503, .. },
            ..
        }) => {}
        other => panic!("expected a 503 Status error, got {other:?}"),
    }
    // After the breaker's failure bound, calls are refused without reaching Mass.
    let mut saw_open = false;
    for _ in 0..4 {
        if let Err(PoolError::Mass {
            source: MassError::CircuitOpen { service },
            ..
        }) = pool.call(&entity_id, MassRequest::GetOrganization).await
        {
            assert_eq!(service, Service::Organization);
            saw_open = true;
            break;
        }
    }
    assert!(saw_open, "breaker never opened");
    let counted = sandbox.request_count(Service::Organization);
    let refused = pool.call(&entity_id, MassRequest::GetOrganization).await;
    assert!(matches!(
        refused,
        Err(PoolError::Mass {
            source: MassError::CircuitOpen { .. },
            ..
        })
    ));
    assert_eq!(sandbox.request_count(Service::Organization), counted);
    // Other services are unaffected.
    pool.call(&entity_id, consent_request(&entity_id, 0))
        .await
        .unwrap();
    pool.stop();
    sandbox.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pool_admits_exactly_its_bound_under_racing_submitters() {
    let sandbox = support::sandbox().await;
    let bound = 5;
    let pool = support::pool(&sandbox, 2, bound).await;
    let mut slow = FaultConfig::healthy();
    slow.latency_ms = 3000;
    sandbox.set_faults(Service::Consent, slow).unwrap();
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(40));
    let racers: Vec<_> = (0..40)
        .map(|index| {
            let pool = pool.clone();
            let barrier = barrier.clone();
            tokio::spawn(async move {
                let entity_id = entity(&format!("racer-{index}"));
                barrier.wait().await;
                pool.submit(&entity_id, consent_request(&entity_id, index))
            })
        })
        .collect();
    let mut admitted = Vec::new();
    let mut refused = 0;
    for racer in racers {
        match racer.await.unwrap() {
            Ok(pending) => admitted.push(pending),
            Err(PoolError::Overloaded { .. }) => refused += 1,
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(admitted.len(), bound);
    assert_eq!(refused, 40 - bound);
    for reply in futures_join(admitted).await {
        reply.unwrap();
    }
    assert_eq!(pool.in_flight(), 0);
    pool.stop();
    sandbox.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pool_performs_every_request_kind_against_the_sandbox() {
    use msez_mass::amount::{CurrencyCode, Money};
    use msez_mass::identity::{Cnic, FilerStatus, Ntn, VerificationKind};
    use msez_mass::treasury::{CreateAccount, CreateTreasury, PaymentRequest};
    use msez_mass::wire::IdempotencyKey;

    let sandbox = support::sandbox().await;
    let pool = support::pool(&sandbox, 3, 100).await;
    let created = pool
        .call(
            &entity("pending-org"),
            MassRequest::CreateOrganization(Box::new(support::organization(
                "Lahore Textiles",
                "Weaving",
            ))),
        )
        .await
        .unwrap();
    let MassResponse::OrganizationCreated(organization) = created else {
        panic!("unexpected {created:?}");
    };
    let org = EntityId::new(organization.id.clone().unwrap()).unwrap();
    let MassResponse::Organization(Some(fetched)) =
        pool.call(&org, MassRequest::GetOrganization).await.unwrap()
    else {
        panic!("organization not found");
    };
    assert_eq!(fetched.name.as_deref(), Some("Lahore Textiles"));
    assert!(matches!(
        pool.call(&org, MassRequest::Licenses).await.unwrap(),
        MassResponse::Licenses(_)
    ));
    let MassResponse::Treasury(treasury) = pool
        .call(
            &org,
            MassRequest::CreateTreasury(CreateTreasury {
                entity_id: org.to_string(),
                name: "Main".to_owned(),
            }),
        )
        .await
        .unwrap()
    else {
        panic!("no treasury");
    };
    let mut accounts = Vec::new();
    for name in ["a", "b"] {
        let MassResponse::Account(account) = pool
            .call(
                &org,
                MassRequest::CreateAccount {
                    request: CreateAccount {
                        treasury_id: treasury.id.clone().unwrap(),
                        name: name.to_owned(),
                        currency: "PKR".to_owned(),
                    },
                    idempotency_key: IdempotencyKey::new(format!("acct-{name}")).unwrap(),
                },
            )
            .await
            .unwrap()
        else {
            panic!("no account");
        };
        accounts.push(account);
    }
    let pkr = CurrencyCode::parse("PKR").unwrap();
    let MassResponse::Payment(payment) = pool
        .call(
            &org,
            MassRequest::CreatePayment {
                request: PaymentRequest {
                    source_account_id: accounts[0].id.clone(),
                    destination_account_id: accounts[1].id.clone(),
                    amount: Money::new(50_000, pkr).unwrap(),
                    reference: None,
                },
                idempotency_key: IdempotencyKey::new("pay-1").unwrap(),
            },
        )
        .await
        .unwrap()
    else {
        panic!("no payment");
    };
    assert_eq!(payment.amount.amount_minor, 50_000);
    let MassResponse::ConsentCreated(consent) =
        pool.call(&org, consent_request(&org, 0)).await.unwrap()
    else {
        panic!("no consent");
    };
    assert!(matches!(
        pool.call(
            &org,
            MassRequest::GetConsent {
                consent_id: consent.id.clone().unwrap()
            }
        )
        .await
        .unwrap(),
        MassResponse::Consent(Some(_))
    ));
    let MassResponse::Verification(cnic) = pool
        .call(
            &org,
            MassRequest::VerifyCnic {
                cnic: Cnic::parse("35202-1234567-1").unwrap(),
                full_name: "Ayesha Khan".to_owned(),
            },
        )
        .await
        .unwrap()
    else {
        panic!("no verification");
    };
    assert_eq!(cnic.kind, Some(VerificationKind::Cnic));
    assert_eq!(cnic.entity_id.as_deref(), Some(org.as_str()));
    let ntn = Ntn::parse("1234568").unwrap();
    let MassResponse::Verification(verified) = pool
        .call(&org, MassRequest::VerifyNtn { ntn: ntn.clone() })
        .await
        .unwrap()
    else {
        panic!("no verification");
    };
    assert_eq!(verified.filer_status, Some(FilerStatus::Filer));
    let MassResponse::FilerStatus(Some(record)) = pool
        .call(&org, MassRequest::FilerStatus { ntn })
        .await
        .unwrap()
    else {
        panic!("no filer status");
    };
    assert_eq!(record.filer_status, Some(FilerStatus::Filer));
    let MassResponse::IdentityView(view) =
        pool.call(&org, MassRequest::IdentityView).await.unwrap()
    else {
        panic!("no identity view");
    };
    assert_eq!(view.entity_id, org);
    pool.stop();
    sandbox.shutdown().await.unwrap();
}

/// Awaits every future, keeping their order.
async fn futures_join<F: std::future::Future + Send + 'static>(futures: Vec<F>) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let tasks: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut outputs = Vec::with_capacity(tasks.len());
    for task in tasks {
        outputs.push(task.await.unwrap());
    }
    outputs
}
