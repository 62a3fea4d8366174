//! `msez serve` as an operator runs it: the banner, the generated 0600 admin token file (its
//! path printed, never the token), a request with that token, JSON logs, and a clean exit on
//! SIGTERM.

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};

use super::support::OPERATOR;

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
    let client = super::support::http_client(std::time::Duration::from_secs(10));
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

/// Starts `msez serve` with `args` and the admin token from the environment; returns the
/// child and its first stdout line.
fn spawn_serve(args: &[&str], admin_token: &str) -> (std::process::Child, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_msez"))
        .arg("serve")
        .args(args)
        .arg("--data-dir")
        .arg(dir.path())
        .env("MSEZ_ADMIN_TOKEN", admin_token)
        .env_remove("MSEZ_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let mut stderr = String::new();
    if line.is_empty() {
        use std::io::Read;
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
    }
    (child, line, stderr)
}

#[test]
fn serve_starts_from_the_pakistan_demo_zone_with_the_env_admin_token() {
    let zone = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/pakistan/zone.yaml"
    );
    let (mut child, line, _) = spawn_serve(
        &["--zone", zone, "--listen", "127.0.0.1:0"],
        "env-admin-token-0123456789",
    );
    assert!(
        line.starts_with("msez: zone node listening on http://127.0.0.1:"),
        "{line}"
    );
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success());
}

#[test]
fn serve_refuses_a_short_admin_token_a_bad_zone_file_and_a_bad_watcher_key_naming_them() {
    let (mut child, line, stderr) = spawn_serve(&["--listen", "127.0.0.1:0"], "short");
    assert_eq!(line, "");
    assert_eq!(child.wait().unwrap().code(), Some(2));
    assert!(
        stderr.contains("MSEZ_ADMIN_TOKEN") && stderr.contains("at least 16"),
        "{stderr}"
    );
    let dir = tempfile::tempdir().unwrap();
    let zone = dir.path().join("zone.yaml");
    std::fs::write(&zone, "zone_id: pk-rsez\n").unwrap();
    let (mut child, line, stderr) = spawn_serve(
        &["--zone", zone.to_str().unwrap(), "--listen", "127.0.0.1:0"],
        "env-admin-token-0123456789",
    );
    assert_eq!(line, "");
    assert_eq!(child.wait().unwrap().code(), Some(2));
    assert!(stderr.contains("$.domains"), "{stderr}");
    // A watcher key file that is not a key file is refused, naming the file.
    let not_a_key = dir.path().join("watcher.key");
    std::fs::write(&not_a_key, "{}").unwrap();
    let (mut child, line, stderr) = spawn_serve(
        &[
            "--watcher-key-file",
            not_a_key.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
        ],
        "env-admin-token-0123456789",
    );
    assert_eq!(line, "");
    assert_eq!(child.wait().unwrap().code(), Some(2));
    assert!(stderr.contains("watcher.key"), "{stderr}");
}

/// A node process with the admin token from the environment and [`OPERATOR`] registered
/// through `--tokens-file`; its stderr is drained line by line into a channel until it exits
/// (a closed pipe would fail the node's own last writes at shutdown).
struct ServeProcess {
    child: std::process::Child,
    url: String,
    stderr_lines: std::sync::mpsc::Receiver<String>,
    _dir: tempfile::TempDir,
}

impl ServeProcess {
    fn start(extra_args: &[&str]) -> Self {
        use sha2::{Digest as _, Sha256};
        let dir = tempfile::tempdir().unwrap();
        let tokens = dir.path().join("tokens.json");
        let operator_sha256 = hex::encode(Sha256::digest(OPERATOR.as_bytes()));
        std::fs::write(
            &tokens,
            serde_json::json!({"tokens": [{"name": "drill", "role": "operator", "sha256": operator_sha256}]})
                .to_string(),
        )
        .unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_msez"))
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(dir.path().join("data"))
            .arg("--tokens-file")
            .arg(&tokens)
            .args(extra_args)
            .env("MSEZ_ADMIN_TOKEN", super::support::ADMIN)
            .env_remove("MSEZ_DATABASE_URL")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let url = line
            .trim()
            .strip_prefix("msez: zone node listening on ")
            .unwrap_or_else(|| panic!("{line}"))
            .to_owned();
        let (sender, stderr_lines) = std::sync::mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { return };
                // Lines nobody waits for any more are dropped.
                let _ = sender.send(line);
            }
        });
        ServeProcess {
            child,
            url,
            stderr_lines,
            _dir: dir,
        }
    }

    /// Waits (up to ten seconds per line) for a stderr line containing `needle`; returns every
    /// line read up to and including it, or all lines read if it never came.
    async fn stderr_until(&self, needle: &'static str) -> Vec<String> {
        let mut lines = Vec::new();
        while let Ok(line) = tokio::task::block_in_place(|| {
            self.stderr_lines
                .recv_timeout(std::time::Duration::from_secs(10))
        }) {
            let found = line.contains(needle);
            lines.push(line);
            if found {
                break;
            }
        }
        lines
    }

    /// SIGTERM, then the exit status and the stderr lines written meanwhile.
    fn stop(mut self) -> (std::process::ExitStatus, Vec<String>) {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        let status = self.child.wait().unwrap();
        let rest = self.stderr_lines.try_iter().collect();
        (status, rest)
    }
}

/// Regression: `msez serve` once held the stderr lock on its main thread for the whole run, so
/// the first `tracing` event written from a tokio worker (here the kill drill's warning) blocked
/// that worker forever and the node stopped answering. The drill must answer, its log line must
/// reach stderr, and the node must keep serving.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_keeps_serving_after_a_worker_thread_logs() {
    use std::time::Duration;

    let serve = ServeProcess::start(&[]);
    let url = serve.url.clone();
    let client = super::support::http_client(Duration::from_secs(10));
    let corridor_id: msez_protocol::ids::CorridorId = "corridor-stall-drill".parse().unwrap();
    let created = client
        .post(format!("{url}/v1/corridors"))
        .bearer_auth(super::support::ADMIN)
        .header("content-type", "application/json")
        .body(super::corridors::create_body(&corridor_id, true).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(
        created.status().as_u16(),
        201,
        "{}",
        created.text().await.unwrap()
    );
    let tree = client
        .get(format!("{url}/v1/admin/supervision"))
        .bearer_auth(OPERATOR)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let tree: serde_json::Value = serde_json::from_str(&tree).unwrap();
    let actor_path = find_path_ending(&tree, &format!("/{corridor_id}"))
        .unwrap_or_else(|| panic!("no actor for {corridor_id} in {tree}"));
    let killed = client
        .post(format!("{url}/v1/admin/actors{actor_path}/kill"))
        .bearer_auth(OPERATOR)
        .send()
        .await
        .expect("the kill drill must answer");
    assert_eq!(killed.status().as_u16(), 200);
    let lines = serve.stderr_until("actor killed by operator drill").await;
    assert!(
        lines
            .iter()
            .any(|line| line.contains("actor killed by operator drill")),
        "the drill's warning never reached stderr: {lines:?}"
    );
    let ready = client
        .get(format!("{url}/health/readiness"))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status().as_u16(), 200);
    let (status, _) = serve.stop();
    assert!(status.success(), "{status}");
}

/// `--log-format json`: every stderr line is one JSON object with timestamp, level, target,
/// message and fields; an event inside a request carries that request's id.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_json_logs_are_one_object_per_line_with_the_request_id() {
    let serve = ServeProcess::start(&["--log-format", "json"]);
    let client = super::support::http_client(std::time::Duration::from_secs(10));
    let drill = client
        .post(format!(
            "{}/v1/admin/mass-sandbox/faults/treasury-info",
            serve.url
        ))
        .bearer_auth(OPERATOR)
        .header("content-type", "application/json")
        .header("x-request-id", "json-log-probe-1")
        .body(r#"{"latencyMs": 5}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(drill.status().as_u16(), 200);
    let mut lines = serve.stderr_until("mass sandbox faults set").await;
    let (status, rest) = serve.stop();
    assert!(status.success(), "{status}");
    lines.extend(rest);
    assert!(lines.len() >= 2, "{lines:?}");
    let objects: Vec<serde_json::Value> = lines
        .iter()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|error| panic!("{error}: {line}")))
        .collect();
    for object in &objects {
        let timestamp = object["timestamp"].as_str().unwrap_or_default();
        assert!(
            timestamp.len() == 24 && timestamp.ends_with('Z') && timestamp.as_bytes()[19] == b'.',
            "{object}"
        );
        for key in ["level", "target", "message"] {
            assert!(object[key].is_string(), "{key} in {object}");
        }
        assert!(object["fields"].is_object(), "{object}");
    }
    let drill_line = objects
        .iter()
        .find(|object| object["message"] == "mass sandbox faults set by operator drill")
        .unwrap_or_else(|| panic!("{lines:?}"));
    assert_eq!(drill_line["level"], "WARN");
    assert_eq!(drill_line["request_id"], "json-log-probe-1");
    assert_eq!(drill_line["fields"]["service"], "treasury-info");
    assert_eq!(drill_line["fields"]["latency_ms"], 5);
    assert!(
        drill_line["target"]
            .as_str()
            .is_some_and(|target| target.starts_with("msez_api")),
        "{drill_line}"
    );
    let outside = objects
        .iter()
        .find(|object| object["message"] == "zone node listening")
        .unwrap_or_else(|| panic!("{lines:?}"));
    assert!(outside.get("request_id").is_none(), "{outside}");
}

fn find_path_ending(node: &serde_json::Value, suffix: &str) -> Option<String> {
    if let Some(path) = node["path"].as_str()
        && path.ends_with(suffix)
    {
        return Some(path.to_owned());
    }
    node["children"]
        .as_array()?
        .iter()
        .find_map(|child| find_path_ending(child, suffix))
}
