//! Crash consistency. A child process (this test binary, re-run with
//! `MSEZ_CRASH_CHILD_LOCATION` set) appends batches where batch `i` holds sequence `i` of every
//! corridor, printing `ACK i` after each commit. The parent kills it with SIGKILL mid-stream,
//! reopens the store, and checks that every acknowledged batch is present and that no batch is
//! partly visible (every corridor has the same height).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use msez_persistence::journal::Appended;
use msez_persistence::store::Store;
use msez_protocol::ids::CorridorId;

use crate::support::{self, Kind, Location, TestDb, backend_tests};

const CHILD_VAR: &str = "MSEZ_CRASH_CHILD_LOCATION";
const CORRIDOR_COUNT: usize = 200;
/// Acknowledged batches to wait for before the kill.
const ACKS_BEFORE_KILL: u64 = 20;

backend_tests!(crash_keeps_acknowledged_batches_and_no_partial_batch);

fn corridors() -> Vec<CorridorId> {
    (0..CORRIDOR_COUNT)
        .map(|i| support::corridor(&format!("c-crash-{i}")))
        .collect()
}

/// The child's loop: append whole batches forever (or `batch_count` of them) and acknowledge
/// each after its commit.
async fn append_batches(store: &Store, batch_count: Option<u64>, mut ack: impl FnMut(u64)) {
    let corridors = corridors();
    let mut sequence = 0;
    while batch_count.is_none_or(|count| sequence < count) {
        let batch: Vec<_> = corridors
            .iter()
            .map(|c| support::append(c, sequence, 1))
            .collect();
        let outcomes = store.append_batch(&batch).await.unwrap();
        assert!(
            outcomes.iter().all(|o| *o == Ok(Appended::Inserted)),
            "{outcomes:?}"
        );
        ack(sequence);
        sequence += 1;
    }
}

/// Heights of every crash corridor; panics unless they are all equal (no partial batch).
async fn common_height(store: &Store) -> u64 {
    let mut heights = Vec::new();
    for corridor in corridors() {
        heights.push(store.load(&corridor).await.unwrap().receipt_count());
    }
    let first = heights[0];
    assert!(
        heights.iter().all(|h| *h == first),
        "partial batch visible: {heights:?}"
    );
    first
}

/// In a child process: the writer the parent kills. Otherwise: the same loop, bounded, in
/// process, checking that whole batches land.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_child_writer_appends_whole_batches() {
    let location = match std::env::var(CHILD_VAR) {
        Ok(text) => match text.split_once(':') {
            Some(("sqlite", path)) => Location::Sqlite(path.into()),
            Some(("postgres", schema)) => Location::Postgres {
                url: std::env::var(support::DATABASE_URL_VAR).unwrap(),
                schema: schema.to_owned(),
            },
            _ => panic!("bad {CHILD_VAR}: {text}"),
        },
        Err(_) => {
            let db = TestDb::open(Kind::Sqlite, support::config()).await.unwrap();
            support::lease_all(&db.store, &corridors(), "node-a").await;
            append_batches(&db.store, Some(3), |_| {}).await;
            assert_eq!(common_height(&db.store).await, 3);
            db.cleanup().await;
            return;
        }
    };
    let store = support::open_location(&location, support::config())
        .await
        .unwrap();
    append_batches(&store, None, |sequence| {
        use std::io::Write;
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "ACK {sequence}").unwrap();
        stdout.flush().unwrap();
    })
    .await;
}

async fn crash_keeps_acknowledged_batches_and_no_partial_batch(kind: Kind) {
    let Some(db) = TestDb::open(kind, support::config()).await else {
        return;
    };
    support::lease_all(&db.store, &corridors(), "node-a").await;
    let child_location = match &db.location {
        Location::Sqlite(path) => format!("sqlite:{}", path.display()),
        Location::Postgres { schema, .. } => format!("postgres:{schema}"),
    };
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "crash::crash_child_writer_appends_whole_batches",
            "--nocapture",
        ])
        .env(CHILD_VAR, child_location)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut last_ack = None;
    for line in lines.by_ref() {
        if let Some(sequence) = line.unwrap().strip_prefix("ACK ") {
            let sequence: u64 = sequence.parse().unwrap();
            last_ack = Some(sequence);
            if sequence + 1 >= ACKS_BEFORE_KILL {
                break;
            }
        }
    }
    // `Child::kill` sends SIGKILL on Unix: no destructor, no flush, no rollback runs.
    child.kill().unwrap();
    child.wait().unwrap();
    // Acks printed before the kill are still in the pipe.
    for line in lines {
        if let Some(sequence) = line.unwrap().strip_prefix("ACK ") {
            last_ack = Some(sequence.parse().unwrap());
        }
    }
    let last_ack = last_ack.expect("the child acknowledged nothing");

    db.store.close().await;
    let reopened = db.reopen(support::config()).await.unwrap();
    let height = common_height(&reopened).await;
    assert!(
        height > last_ack,
        "acknowledged batch {last_ack} lost; height {height}"
    );
    reopened.close().await;
    db.cleanup().await;
}
