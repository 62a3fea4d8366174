//! CI-sized load and chaos run against a real `msez serve` process.
//!
//! Goal: under load, with corridor actors killed, the whole node SIGKILLed and restarted
//! once, and its Mass sandbox made slow and failing for a window while entity formations call
//! it, every receipt the node acknowledged is in its exported chain, with no gaps or
//! duplicates, and every chain re-verifies offline. Timings are printed, never asserted.
//!
//! Method: the `msez-load` binary (this crate's) is run with `--node-cmd`, so it starts the
//! node itself (`msez serve` on SQLite in a temporary directory, a free loopback port, rate
//! limit off), drives it, kills it, restarts it with the same command and verifies. The test
//! reads the last stdout line (the JSON summary) and the full report (`--out`).
//!
//! Gated (STYLE rule 21: slow tests behind an env var): runs only with `MSEZ_LOAD_SMOKE=1`,
//! because it builds and starts the node binary and takes about a minute; without it the test
//! prints how to run it and returns.
//!
//! Knobs (environment): `MSEZ_LOAD_SMOKE_CORRIDORS` (default 500),
//! `MSEZ_LOAD_SMOKE_DURATION_S` (default 20), `MSEZ_BIN` (the `msez` binary; by default the
//! one next to this test in the target directory, brought up to date first with `cargo build
//! --workspace --all-targets`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

/// A token long enough for `msez serve` (16 characters at least).
const ADMIN_TOKEN: &str = "load-smoke-admin-token-0123456789";

/// The operator token for the kill drill (the kill route is operator-only), registered through
/// `msez serve --tokens-file` by its SHA-256.
const OPERATOR_TOKEN: &str = "load-smoke-operator-token-0123456789";

/// Writes the tokens file that gives `OPERATOR_TOKEN` the operator role.
fn tokens_file(dir: &std::path::Path) -> PathBuf {
    use sha2::Digest as _;
    let sha256 = hex::encode(sha2::Sha256::digest(OPERATOR_TOKEN.as_bytes()));
    let path = dir.join("tokens.json");
    let file = serde_json::json!({"tokens": [{"name": "load-smoke", "role": "operator", "sha256": sha256}]});
    std::fs::write(&path, file.to_string()).unwrap();
    path
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

/// Variables cargo sets for a test process (besides `CARGO_PKG_*` and `CARGO_BIN_EXE_*`).
const TEST_PROCESS_CARGO_VARS: [&str; 7] = [
    "CARGO_MANIFEST_DIR",
    "CARGO_MANIFEST_PATH",
    "CARGO_CRATE_NAME",
    "CARGO_BIN_NAME",
    "CARGO_PRIMARY_PACKAGE",
    "CARGO_TARGET_TMPDIR",
    "CARGO_RUSTC_CURRENT_DIR",
];

/// The `msez` binary: `MSEZ_BIN`, else `<target>/<profile>/msez`, which is (re)built first:
/// cargo does not build another package's binary for this test, and a stale one would test
/// old code. The build selects the whole workspace's targets, as `scripts/test.sh` does, so
/// under the README's test command it finds everything fresh and does nothing; building only
/// `-p msez-api --bin msez` resolved features differently and rebuilt about two minutes of
/// dependencies on every run.
fn msez_binary() -> PathBuf {
    if let Ok(path) = std::env::var("MSEZ_BIN") {
        return PathBuf::from(path);
    }
    // This test runs as <target>/<profile>/deps/main-<hash>.
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().unwrap().parent().unwrap().to_path_buf();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut build = Command::new(cargo);
    build.args(["build", "--workspace", "--all-targets"]);
    // Cargo gives this test process its own package's variables; some build scripts (ring's)
    // track them, so passing them on would make the inner build rebuild those crates (and the
    // next outer build rebuild them back).
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if TEST_PROCESS_CARGO_VARS.contains(&name.as_ref())
            || name.starts_with("CARGO_PKG_")
            || name.starts_with("CARGO_BIN_EXE_")
        {
            build.env_remove(name.as_ref());
        }
    }
    if profile_dir
        .file_name()
        .is_some_and(|name| name == "release")
    {
        build.arg("--release");
    }
    let status = build.status().unwrap();
    assert!(status.success(), "building msez failed");
    let binary = profile_dir.join("msez");
    assert!(binary.exists(), "no msez binary at {}", binary.display());
    binary
}

/// A loopback port that was free a moment ago. The node binds it itself (it must keep the
/// same port across the restart, so port 0 cannot be passed through).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn load_with_node_kill_loses_no_acknowledged_receipt() {
    if std::env::var("MSEZ_LOAD_SMOKE").as_deref() != Ok("1") {
        println!("load smoke test skipped: set MSEZ_LOAD_SMOKE=1 to run it (about a minute)");
        return;
    }
    let corridors = env_u64("MSEZ_LOAD_SMOKE_CORRIDORS", 500);
    let duration_s = env_u64("MSEZ_LOAD_SMOKE_DURATION_S", 20);
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    // The example zone gives the node a regpack, so the load's entity formations run and the
    // Mass fault window meets real Mass traffic.
    let zone = concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas/examples/zone.yaml");
    let node_cmd = format!(
        "{} serve --listen 127.0.0.1:{port} --data-dir {} --tokens-file {} --rate-limit-per-second 0 --zone {zone}",
        msez_binary().display(),
        dir.path().join("data").display(),
        tokens_file(dir.path()).display()
    );
    let report_path = dir.path().join("report.json");
    let output = Command::new(env!("CARGO_BIN_EXE_msez-load"))
        .env("MSEZ_ADMIN_TOKEN", ADMIN_TOKEN)
        .env("MSEZ_LOAD_TOKEN", ADMIN_TOKEN)
        .env("MSEZ_LOAD_OPERATOR_TOKEN", OPERATOR_TOKEN)
        .args([
            "--url",
            &url,
            "--node-cmd",
            &node_cmd,
            "--chaos",
            "--concurrency",
            "16",
            // One formation in 50 requests (the default is 500) so that a 20 s run still
            // sends several while the Mass fault window is open.
            "--formation-every",
            "50",
        ])
        .args([
            "--corridors",
            &corridors.to_string(),
            "--duration",
            &duration_s.to_string(),
        ])
        .arg("--node-log")
        .arg(dir.path().join("node.log"))
        .arg("--out")
        .arg(&report_path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let node_log = std::fs::read_to_string(dir.path().join("node.log")).unwrap_or_default();
    let context = format!(
        "status {:?}\nstdout:\n{stdout}\nstderr (tail):\n{}\nnode log (tail):\n{}",
        output.status,
        tail(&stderr, 30),
        tail(&node_log, 30)
    );
    println!("{stdout}");
    let last_line = stdout
        .lines()
        .last()
        .unwrap_or_else(|| panic!("no output\n{context}"));
    let summary: Value = serde_json::from_str(last_line).unwrap_or_else(|_| panic!("{context}"));
    let field = |name: &str| {
        summary[name]
            .as_u64()
            .unwrap_or_else(|| panic!("{name}\n{context}"))
    };
    assert_eq!(field("corridors"), corridors, "{context}");
    assert!(field("acknowledged") > 0, "{context}");
    assert_eq!(field("lost"), 0, "{context}");
    assert_eq!(field("duplicates"), 0, "{context}");
    assert_eq!(field("gaps"), 0, "{context}");
    assert_eq!(field("chains_verified"), corridors, "{context}");
    assert_eq!(field("node_kills"), 1, "{context}");
    assert!(field("restarts") >= 1, "{context}");
    assert_eq!(summary["ok"], Value::Bool(true), "{context}");
    assert!(output.status.success(), "{context}");

    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&report_path).unwrap()).unwrap();
    let node_kill = &report["chaos"]["node_kills"][0];
    assert!(
        node_kill["serving_again_ms"].is_u64(),
        "the node came back: {context}"
    );
    let mass_fault = &report["chaos"]["mass_fault"];
    assert_eq!(
        mass_fault["services"].as_array().map(Vec::len),
        Some(6),
        "every Mass service of the sandbox was faulted: {mass_fault}\n{context}"
    );
    assert!(
        mass_fault["cleared_at_ms"].as_u64() > mass_fault["set_at_ms"].as_u64(),
        "the fault window closed after it opened: {mass_fault}"
    );
    assert_eq!(report["formation_note"], Value::Null, "{context}");
    assert!(
        report["requests"]["entity_formation"].as_u64() > Some(0),
        "the mix formed entities: {context}"
    );
    assert!(
        mass_fault["sandbox_requests_in_window"].as_u64() > Some(0),
        "the faulted sandbox saw Mass traffic: {mass_fault}\n{context}"
    );
}

fn tail(text: &str, line_count: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(line_count)..].join("\n")
}
