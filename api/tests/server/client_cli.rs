//! `msez corridor create|show|append|export` against a real node on an ephemeral port, as a
//! user runs them: the binary, its arguments, the token from `MSEZ_TOKEN` or `--token`, files,
//! standard streams and exit codes.
//!
//! Goal: the client keeps the CLI contract (exit 0 with the node's answer; 1 when `export
//! --verify` finds a broken chain; 2 with one stderr line carrying the node's error code,
//! message and field). Method: one `msez` helper runs the binary off the async runtime; the
//! corridor comes from the corridor tests' one create body and receipt helpers. These tests live
//! in the server test binary, beside those helpers and the node support, rather than in
//! `api/tests/cli`.

use std::path::Path;
use std::process::{Command, Output};

use msez_protocol::export::verify_export;
use msez_protocol::ids::CorridorId;
use msez_protocol::time::Timestamp;
use serde_json::Value;

use super::corridors::{T0, create_body, digest, key, receipt};
use super::support::{ADMIN, PARTY, start};

/// Runs `msez ARGS` with `token` in `MSEZ_TOKEN` (or none), off the async runtime.
async fn msez(args: Vec<String>, token: Option<&'static str>) -> Output {
    tokio::task::spawn_blocking(move || {
        let mut command = Command::new(env!("CARGO_BIN_EXE_msez"));
        command.args(&args).env_remove("MSEZ_TOKEN");
        if let Some(token) = token {
            command.env("MSEZ_TOKEN", token);
        }
        command.output().unwrap()
    })
    .await
    .unwrap()
}

fn args(pieces: &[&str]) -> Vec<String> {
    pieces.iter().map(|piece| (*piece).to_owned()).collect()
}

#[track_caller]
fn ok(output: &Output) -> String {
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[track_caller]
fn fails(output: &Output, code: i32, expected: &[&str]) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(code), "stderr: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "one stderr line: {stderr}");
    assert!(stderr.starts_with("msez: "), "{stderr}");
    for piece in expected {
        assert!(stderr.contains(piece), "stderr lacks {piece:?}: {stderr}");
    }
    assert!(output.stdout.is_empty(), "nothing printed on failure");
}

fn write(dir: &Path, name: &str, value: &Value) -> String {
    let path = dir.join(name);
    std::fs::write(&path, value.to_string()).unwrap();
    path.display().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corridor_cli_creates_shows_appends_and_exports_a_verified_chain() {
    let node = start().await;
    let url = node.node.base_url();
    let dir = tempfile::tempdir().unwrap();
    let corridor_id = CorridorId::new("corridor.pk-ae.cli").unwrap();
    let id = corridor_id.as_str();
    let create_file = write(dir.path(), "create.json", &create_body(&corridor_id, true));

    let created = ok(&msez(
        args(&["corridor", "create", "--url", &url, &create_file]),
        Some(ADMIN),
    )
    .await);
    let created: Value = serde_json::from_str(&created).unwrap();
    assert_eq!(created["lifecycle"], "active");
    let mut head = digest(&created["genesis_root"]);
    for sequence in 0..2 {
        let signed = receipt(&corridor_id, sequence, head, &[&key(1), &key(2)]);
        let file = write(
            dir.path(),
            &format!("r{sequence}.json"),
            &signed.to_value().unwrap(),
        );
        // The token on the command line works too (for scripts that already hold it).
        let ack = ok(&msez(
            args(&[
                "corridor",
                "append",
                "--url",
                &url,
                "--token",
                super::support::PARTY,
                id,
                &file,
            ]),
            None,
        )
        .await);
        let ack: Value = serde_json::from_str(&ack).unwrap();
        assert_eq!(ack["sequence"], sequence);
        head = signed.document.next_root;
        assert_eq!(digest(&ack["next_root"]), head);
    }
    let shown = ok(&msez(args(&["corridor", "show", "--url", &url, id]), Some(PARTY)).await);
    let shown: Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(shown["height"], 2);
    assert_eq!(digest(&shown["head"]), head);

    let export = ok(&msez(
        args(&["corridor", "export", "--url", &url, id, "--verify"]),
        Some(PARTY),
    )
    .await);
    let verified =
        verify_export(&export, Timestamp::from_unix_seconds(T0 + 3_600).unwrap()).unwrap();
    assert_eq!(verified.height, 2);
    assert_eq!(verified.head, head);

    // The node's refusals: one line with status, code, message and field; exit 2.
    // Sequence 5 on a chain of height 2: a conflict with the corridor's state.
    let stale = receipt(&corridor_id, 5, head, &[&key(1), &key(2)]);
    let stale_file = write(dir.path(), "stale.json", &stale.to_value().unwrap());
    fails(
        &msez(
            args(&["corridor", "append", "--url", &url, id, &stale_file]),
            Some(PARTY),
        )
        .await,
        2,
        &["HTTP 409 conflict", "request "],
    );
    let junk_file = write(
        dir.path(),
        "junk.json",
        &serde_json::json!({"sequence": "zero"}),
    );
    fails(
        &msez(
            args(&["corridor", "append", "--url", &url, id, &junk_file]),
            Some(PARTY),
        )
        .await,
        2,
        &["HTTP 422 invalid_request", "(field body)"],
    );
    fails(
        &msez(
            args(&["corridor", "create", "--url", &url, &create_file]),
            Some(PARTY),
        )
        .await,
        2,
        &["HTTP 403 forbidden"],
    );
    fails(
        &msez(
            args(&["corridor", "show", "--url", &url, "corridor.nowhere"]),
            Some(PARTY),
        )
        .await,
        2,
        &["HTTP 404 not_found"],
    );
    // Caller mistakes found before any request.
    fails(
        &msez(
            args(&["corridor", "show", "--url", &url, "NOT AN ID"]),
            Some(PARTY),
        )
        .await,
        2,
        &["CORRIDOR_ID"],
    );
    fails(
        &msez(args(&["corridor", "show", "--url", &url, id]), None).await,
        2,
        &["MSEZ_TOKEN"],
    );
    let wrong = write(dir.path(), "wrong.json", &serde_json::json!([1.5]));
    fails(
        &msez(
            args(&["corridor", "create", "--url", &url, &wrong]),
            Some(ADMIN),
        )
        .await,
        2,
        &["wrong.json", "1.5"],
    );
    node.node.shutdown().await.unwrap();
}

/// `export --verify` replays the chain offline: a tampered chain (served here by a stand-in
/// node) exits 1 naming the line, and prints nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corridor_cli_export_verify_exits_1_on_a_tampered_chain() {
    let node = start().await;
    let corridor_id = CorridorId::new("corridor.pk-ae.tamper").unwrap();
    let created = super::corridors::create(&node, &corridor_id, true).await;
    super::corridors::append(&node, &corridor_id, 0, digest(&created["genesis_root"])).await;
    let export = node
        .get(&format!("/v1/corridors/{corridor_id}/export"), Some(PARTY))
        .await
        .text;
    node.node.shutdown().await.unwrap();
    let original = Timestamp::from_unix_seconds(T0).unwrap().to_string();
    let later = Timestamp::from_unix_seconds(T0 + 1).unwrap().to_string();
    let tampered: String = export.replacen(&original, &later, 2);
    assert_ne!(tampered, export);

    let router = axum::Router::new().route(
        "/v1/corridors/{corridor_id}/export",
        axum::routing::get(move || {
            let body = tampered.clone();
            async move { body }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move { axum::serve(listener, router).await });
    let id = corridor_id.as_str().to_owned();
    let output = msez(
        args(&["corridor", "export", "--url", &url, &id]),
        Some(PARTY),
    )
    .await;
    assert_eq!(
        output.status.code(),
        Some(0),
        "without --verify it is printed as served"
    );
    fails(
        &msez(
            args(&["corridor", "export", "--url", &url, &id, "--verify"]),
            Some(PARTY),
        )
        .await,
        1,
        &["export of corridor.pk-ae.tamper", "line 2"],
    );
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corridor_cli_help_teaches_with_an_example() {
    for command in ["create", "show", "append", "export"] {
        let help = ok(&msez(args(&["corridor", command, "--help"]), None).await);
        assert!(help.contains("Example:"), "{command}: {help}");
        assert!(
            help.contains("--url") && help.contains("--token"),
            "{command}: {help}"
        );
    }
}
