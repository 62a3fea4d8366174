//! Test support: a fresh store per test on either backend, deterministic keys and corridors,
//! receipt builders, a fixed clock, and a started `Corridors` handle.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use msez_actors::clock::Clock;
use msez_actors::corridor::handle::{Corridors, CorridorsConfig};
use msez_actors::corridor::leases::LeaseConfig;
use msez_actors::corridor::spec::CreateCorridor;
use msez_persistence::group_commit::GroupCommitConfig;
use msez_persistence::store::{Store, StoreConfig};
use msez_protocol::corridor::agreement::{
    AFFIRMATIVE_COMMITMENT, AGREEMENT_ATTESTATION, AgreementRule, CorridorDefinition,
    DEFINITION_ATTESTATION, TrustAnchor, issue_agreement_credential, issue_definition_credential,
};
use msez_protocol::corridor::lifecycle::{TransitionKind, transition_consent};
use msez_protocol::corridor::state::OBLIGATION_TRANSITION_KIND;
use msez_protocol::digest::Digest;
use msez_protocol::ids::{CorridorId, EntityId, JurisdictionId};
use msez_protocol::keys::SigningKey;
use msez_protocol::receipt::{DigestSet, Receipt, ReceiptType, SignedReceipt, Transition};
use msez_protocol::time::Timestamp;
use msez_protocol::vc::CredentialTerms;
use msez_protocol::vc::subjects::CorridorLifecycleState;
use msez_runtime::{Backoff, Intensity, Introspection, KeyedHostConfig, RestartPolicy};
use serde_json::{Value, json};
use sqlx::Connection;
use sqlx::postgres::PgConnectOptions;

pub const DATABASE_URL_VAR: &str = "MSEZ_TEST_DATABASE_URL";
/// Snapshots every 4 receipts, so short chains exercise snapshot + tail.
pub const SNAPSHOT_INTERVAL: u64 = 4;
/// Checkpoints every 5 receipts.
pub const CHECKPOINT_INTERVAL: u64 = 5;
pub const T0: i64 = 1_700_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

#[derive(Debug, Clone)]
pub enum Location {
    Sqlite(std::path::PathBuf),
    Postgres { url: String, schema: String },
}

pub struct TestDb {
    pub store: Store,
    pub location: Location,
    _dir: Option<tempfile::TempDir>,
}

pub fn store_config() -> StoreConfig {
    let mut config = StoreConfig::with_defaults();
    config.snapshot_interval_receipts = SNAPSHOT_INTERVAL;
    config.shard_count = 64;
    config.connections_max = 4;
    config
}

static SCHEMA_COUNTER: AtomicU64 = AtomicU64::new(0);

pub fn postgres_url() -> Option<String> {
    match std::env::var(DATABASE_URL_VAR) {
        Ok(url) => Some(url),
        Err(_) if std::env::var("MSEZ_TEST_SKIP_POSTGRES").as_deref() == Ok("1") => {
            eprintln!(
                "WARNING: {DATABASE_URL_VAR} unset and MSEZ_TEST_SKIP_POSTGRES=1: Postgres test did NOT run"
            );
            None
        }
        Err(_) => panic!("{DATABASE_URL_VAR} is unset; set it or MSEZ_TEST_SKIP_POSTGRES=1"),
    }
}

fn pg_options(url: &str, schema: &str) -> PgConnectOptions {
    url.parse::<PgConnectOptions>()
        .unwrap()
        .options([("search_path", schema)])
}

async fn pg_execute(options: &PgConnectOptions, sql: &str) {
    let mut connection = sqlx::PgConnection::connect_with(options).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(&mut connection)
        .await
        .unwrap();
    connection.close().await.unwrap();
}

impl TestDb {
    pub async fn open(kind: Kind) -> Option<Self> {
        match kind {
            Kind::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join("store.db");
                let store = Store::open_sqlite(&path, store_config()).await.unwrap();
                Some(Self {
                    store,
                    location: Location::Sqlite(path),
                    _dir: Some(dir),
                })
            }
            Kind::Postgres => {
                let url = postgres_url()?;
                let schema = format!(
                    "ac_{}_{}_{}",
                    std::process::id(),
                    SCHEMA_COUNTER.fetch_add(1, Ordering::Relaxed),
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .unwrap()
                        .as_nanos()
                        % 1_000_000_000
                );
                pg_execute(&url.parse().unwrap(), &format!("CREATE SCHEMA {schema}")).await;
                let store = Store::open_postgres(pg_options(&url, &schema), store_config())
                    .await
                    .unwrap();
                Some(Self {
                    store,
                    location: Location::Postgres { url, schema },
                    _dir: None,
                })
            }
        }
    }

    /// A second, independent store handle on the same database (another "process").
    pub async fn reopen(&self) -> Store {
        match &self.location {
            Location::Sqlite(path) => Store::open_sqlite(path, store_config()).await.unwrap(),
            Location::Postgres { url, schema } => {
                Store::open_postgres(pg_options(url, schema), store_config())
                    .await
                    .unwrap()
            }
        }
    }

    pub async fn cleanup(self) {
        self.store.close().await;
        if let Location::Postgres { url, schema } = &self.location {
            pg_execute(
                &url.parse().unwrap(),
                &format!("DROP SCHEMA {schema} CASCADE"),
            )
            .await;
        }
    }
}

/// A clock fixed an hour after T0: every receipt timestamp below is in its past.
pub struct FixedClock;

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_unix_seconds(T0 + 3_600).unwrap()
    }
}

pub fn key(index: u8) -> SigningKey {
    SigningKey::from_seed(&[index; 32])
}

/// Receipt signers and parties 1 and 2 (2-of-2; both must agree, 1 issues the definition),
/// regulators 11 and 12, authority 21, zone 31.
pub fn signer_keys() -> [SigningKey; 2] {
    [key(1), key(2)]
}

pub fn corridor_id(name: &str) -> CorridorId {
    CorridorId::new(name).unwrap()
}

pub fn definition(corridor_id: &CorridorId) -> CorridorDefinition {
    CorridorDefinition {
        corridor_id: corridor_id.clone(),
        jurisdiction_ids: vec![
            JurisdictionId::new("PK").unwrap(),
            JurisdictionId::new("AE").unwrap(),
        ],
        settlement_model: "deferred_net".to_owned(),
        settlement_transfer_max_minor: BTreeMap::new(),
        required_attestations: BTreeSet::new(),
        trust_anchors: vec![
            TrustAnchor {
                did: *key(1).did(),
                allowed_attestations: [AGREEMENT_ATTESTATION, DEFINITION_ATTESTATION]
                    .map(str::to_owned)
                    .into(),
            },
            TrustAnchor {
                did: *key(2).did(),
                allowed_attestations: [AGREEMENT_ATTESTATION.to_owned()].into(),
            },
        ],
        key_rotation_overlap_seconds: 0,
        dispute_path: "DIFC-LCIA".to_owned(),
        receipt_signature_threshold: 2,
        receipt_signers: signer_keys().iter().map(|k| *k.did()).collect(),
        watcher_quorum: 1,
        checkpoint_interval_receipts: CHECKPOINT_INTERVAL,
        agreement_rules: vec![AgreementRule {
            rule_id: "parties".to_owned(),
            threshold_count: 2,
            parties: signer_keys().iter().map(|k| *k.did()).collect(),
        }],
    }
}

/// Key 1's definition credential: lawpack 3 and ruleset 4 in force at genesis.
pub fn definition_credential(corridor_id: &CorridorId) -> Value {
    issue_definition_credential(
        &definition(corridor_id),
        vec![Digest::from_bytes([3; 32])],
        vec![Digest::from_bytes([4; 32])],
        CredentialTerms::issued_by(*key(1).did(), at(0)),
        &key(1),
        at(0),
    )
    .unwrap()
}

/// Party `seed`'s affirmative agreement, valid until `valid_until`.
pub fn agreement(corridor_id: &CorridorId, seed: u8, valid_until: Option<Timestamp>) -> Value {
    let party = key(seed);
    let terms = CredentialTerms {
        valid_until,
        ..CredentialTerms::issued_by(*party.did(), at(0))
    };
    let definition = definition(corridor_id);
    issue_agreement_credential(&definition, AFFIRMATIVE_COMMITMENT, terms, &party, at(0)).unwrap()
}

pub fn at(seconds_after_t0: u64) -> Timestamp {
    Timestamp::from_unix_seconds(T0 + i64::try_from(seconds_after_t0).unwrap()).unwrap()
}

/// A create request; with `active`, both regulators' activation consents are attached.
pub fn create_request(corridor_id: &CorridorId, active: bool) -> CreateCorridor {
    let regulators: BTreeMap<JurisdictionId, _> = [("PK", 11u8), ("AE", 12u8)]
        .into_iter()
        .map(|(j, k)| (JurisdictionId::new(j).unwrap(), *key(k).did()))
        .collect();
    let approvals = if active {
        [11u8, 12u8]
            .iter()
            .map(|k| {
                transition_consent(
                    corridor_id,
                    CorridorLifecycleState::Pending,
                    TransitionKind::Activate,
                    &key(*k),
                    at(0),
                )
                .unwrap()
            })
            .collect()
    } else {
        Vec::new()
    };
    CreateCorridor {
        definition: definition(corridor_id),
        definition_credential: definition_credential(corridor_id),
        agreements: vec![
            agreement(corridor_id, 2, None),
            agreement(corridor_id, 1, None),
        ],
        regulators,
        authorities: [*key(21).did()].into_iter().collect(),
        activation_approvals: approvals,
        party_entity_ids: vec![
            EntityId::new(format!("{corridor_id}-pk")).unwrap(),
            EntityId::new(format!("{corridor_id}-ae")).unwrap(),
        ],
    }
}

/// Builds each corridor's chain of client-signed receipts ahead of time.
pub struct ChainBuilder {
    pub corridor_id: CorridorId,
    pub head: Digest,
    pub sequence: u64,
}

impl ChainBuilder {
    pub fn new(corridor_id: &CorridorId, genesis_root: Digest) -> Self {
        Self {
            corridor_id: corridor_id.clone(),
            head: genesis_root,
            sequence: 0,
        }
    }

    /// The next receipt; every third books an obligation.
    pub fn next(&mut self) -> SignedReceipt {
        let sequence = self.sequence;
        let transition = if sequence.is_multiple_of(3) {
            Transition::new(
                OBLIGATION_TRANSITION_KIND,
                json!({"obligation_id": format!("o{sequence}"), "from_party": format!("p{}", sequence % 2),
                    "to_party": format!("p{}", (sequence + 1) % 2), "amount": 100 + sequence, "currency": "USD"}),
            )
            .unwrap()
        } else {
            Transition::new("note", json!({"sequence": sequence})).unwrap()
        };
        let signed = self.sign_with(transition, &signer_keys().iter().collect::<Vec<_>>());
        self.head = signed.document.next_root;
        self.sequence += 1;
        signed
    }

    /// A receipt at the current position that is not adopted as the next head.
    pub fn sign_with(&self, transition: Transition, keys: &[&SigningKey]) -> SignedReceipt {
        let receipt = Receipt {
            receipt_type: ReceiptType::CorridorStateReceipt,
            corridor_id: self.corridor_id.clone(),
            sequence: self.sequence,
            timestamp: at(self.sequence),
            prev_root: self.head,
            next_root: Digest::from_bytes([0; 32]),
            lawpack_digest_set: DigestSet::normalised([Digest::from_bytes([3; 32])]),
            ruleset_digest_set: DigestSet::normalised([Digest::from_bytes([4; 32])]),
            transition: Some(transition),
        };
        SignedReceipt::seal_and_sign(receipt, keys, at(self.sequence)).unwrap()
    }
}

pub fn corridors_config(store: &Store, owner: &str) -> CorridorsConfig {
    CorridorsConfig {
        host: KeyedHostConfig {
            name: "corridors".to_owned(),
            shard_count: 8,
            admission_bound: 4_096,
            idle_passivation: None,
            restart: RestartPolicy::Permanent,
            backoff: Backoff {
                initial_ms: 1,
                max_ms: 20,
            },
            intensity: Intensity {
                max_restarts: 1_000,
                period_ms: 60_000,
            },
            call_timeout: Duration::from_secs(60),
        },
        lease: LeaseConfig {
            owner: owner.to_owned(),
            ttl: Duration::from_secs(30),
            renew_interval: Duration::from_secs(10),
        },
        group_commit: GroupCommitConfig::for_store(store),
        events_capacity: 1_024,
        retry_after_ms: 50,
    }
}

pub async fn start(store: &Store, owner: &str) -> (Corridors, Introspection) {
    let tree = Introspection::new("zone");
    let corridors = Corridors::start(
        store.clone(),
        Arc::new(key(31)),
        Arc::new(FixedClock),
        corridors_config(store, owner),
        &tree,
    )
    .await
    .unwrap();
    (corridors, tree)
}

/// Defines `sqlite::<name>` and `postgres::<name>` tests that call `<name>(Kind)`.
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::support::Kind::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::support::Kind::Postgres).await;
                }
            )*
        }
    };
}
pub(crate) use backend_tests;
