//! `msez serve` as an operator runs it: the banner, the generated 0600 admin token file (its
//! path printed, never the token), a request with that token, and a clean exit on SIGTERM.

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};

#[tokio::test]
async fn serve_generates_a_0600_admin_token_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("data");
    let mut child = Command::new(env!("CARGO_BIN_EXE_msez"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&data_dir)
        .env_remove("MSEZ_ADMIN_TOKEN")
        .env_remove("MSEZ_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let token_line = lines.next().unwrap().unwrap();
    let token_path = data_dir.join("admin.token");
    assert_eq!(
        token_line,
        format!("msez: generated an admin token in {}", token_path.display())
    );
    let listen_line = lines.next().unwrap().unwrap();
    let url = listen_line
        .strip_prefix("msez: zone node listening on ")
        .unwrap()
        .to_owned();
    let mode = std::fs::metadata(&token_path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let token = std::fs::read_to_string(&token_path).unwrap();
    assert!(!token_line.contains(&token) && !listen_line.contains(&token));
    let client = reqwest::Client::new();
    let reply = client
        .get(format!("{url}/v1/credentials/status-lists/none"))
        .bearer_auth(token.trim())
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status().as_u16(), 404);
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "{exit:?}");
}

/// `msez admin tree` against an in-process node: the root line; and 401 without a valid token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_tree_prints_the_supervision_tree() {
    let node = super::support::start().await;
    let url = node.node.base_url();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_msez"))
            .args(["admin", "tree", "--url", &url])
            .env("MSEZ_TOKEN", super::support::OPERATOR)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.starts_with("/zone  ["), "{text}");
    let url = node.node.base_url();
    let refused = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_msez"))
            .args(["admin", "tree", "--url", &url])
            .env("MSEZ_TOKEN", "wrong-token-wrong-token")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("HTTP 401"));
    node.node.shutdown().await.unwrap();
}
