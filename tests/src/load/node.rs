//! The node process, when the load generator owns it (`--node-cmd`): start it, wait until it
//! is ready, SIGKILL it, start it again with the same command, read its resident memory.
//!
//! Owns [`NodeProcess`], [`rss_bytes_of`] and the readiness bound [`READINESS_WAIT_MAX`].
//!
//! The command runs as `sh -c 'exec CMD'`: `exec` makes the node the shell's own process, so
//! the SIGKILL lands on the node and not on a shell that would leave it orphaned. Its stdout
//! and stderr go to a log file (never to our stdout, whose last line is the JSON report).
//!
//! Never: kills a process it did not start, or signals anything but its own child.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::client::NodeClient;
use super::error::LoadError;

/// The longest wait for `/health/readiness` after a start. A node with 10,000 corridors in
/// SQLite recovers lazily (actors activate on demand), so start-up is bounded by migrations
/// and the listener; thirty seconds is generous even on a loaded two-core machine.
pub const READINESS_WAIT_MAX: Duration = Duration::from_secs(30);

/// How often readiness is polled while waiting.
const READINESS_POLL_INTERVAL: Duration = Duration::from_millis(20);

/// How long a graceful stop (SIGTERM) may take before SIGKILL.
const STOP_GRACE: Duration = Duration::from_secs(10);

/// A node process this generator started.
#[derive(Debug)]
pub struct NodeProcess {
    command: String,
    log_path: PathBuf,
    child: Child,
    start_count: u32,
}

impl NodeProcess {
    /// Starts `command` with its output appended to `log_path`.
    pub fn start(command: &str, log_path: &Path) -> Result<Self, LoadError> {
        let child = spawn(command, log_path)?;
        Ok(Self {
            command: command.to_owned(),
            log_path: log_path.to_owned(),
            child,
            start_count: 1,
        })
    }

    /// The current process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Where the node's output goes.
    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// Times the node was started (1 + restarts).
    pub fn start_count(&self) -> u32 {
        self.start_count
    }

    /// Whether the process has exited on its own.
    pub fn has_exited(&mut self) -> Result<bool, LoadError> {
        self.child
            .try_wait()
            .map(|status| status.is_some())
            .map_err(|error| self.error(format!("cannot poll the process: {error}")))
    }

    /// SIGKILLs the node and reaps it.
    pub fn kill(&mut self) -> Result<(), LoadError> {
        // An already exited child makes kill fail with InvalidInput; wait() still reaps it.
        let _ = self.child.kill();
        self.child
            .wait()
            .map(drop)
            .map_err(|error| self.error(format!("cannot reap the killed process: {error}")))
    }

    /// Starts the same command again (after [`NodeProcess::kill`]).
    pub fn restart(&mut self) -> Result<(), LoadError> {
        self.child = spawn(&self.command, &self.log_path)?;
        self.start_count += 1;
        Ok(())
    }

    /// SIGTERM, then SIGKILL if it has not exited within [`STOP_GRACE`].
    pub fn stop(&mut self) -> Result<(), LoadError> {
        if self.has_exited()? {
            return Ok(());
        }
        // std has no SIGTERM; the kill(1) utility sends it without unsafe code.
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + STOP_GRACE;
        while Instant::now() < deadline {
            if self.has_exited()? {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.kill()
    }

    /// The node's resident set size now and its peak, from `/proc/<pid>/status`.
    pub fn rss_bytes(&self) -> Option<(u64, u64)> {
        rss_bytes_of(self.pid())
    }

    fn error(&self, reason: String) -> LoadError {
        LoadError::Node {
            command: self.command.clone(),
            reason,
        }
    }
}

impl Drop for NodeProcess {
    fn drop(&mut self) {
        // A node left behind would hold the port and the data directory; the run is over,
        // so it is killed. The error is dropped: there is no one left to report it to.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `/health/readiness` until it answers 200, for at most `wait_max`. Returns how long
/// it took. With `node`, gives up at once if that process has exited (a bad command line or a
/// start-up error is then reported in seconds, not after the whole wait).
pub async fn wait_ready(
    client: &NodeClient,
    node: Option<&Mutex<NodeProcess>>,
    wait_max: Duration,
) -> Result<Duration, LoadError> {
    let started = Instant::now();
    let mut last = String::from("no answer yet");
    while started.elapsed() < wait_max {
        match client.readiness().await {
            Ok(()) => return Ok(started.elapsed()),
            Err(error) => last = error.to_string(),
        }
        if let Some(node) = node {
            let mut node = node.lock().map_err(|_| LoadError::Task {
                task: "node",
                reason: "the node supervisor's lock is poisoned".to_owned(),
            })?;
            if node.has_exited()? {
                return Err(node.error(format!(
                    "exited before it was ready; see {}",
                    node.log_path().display()
                )));
            }
        }
        tokio::time::sleep(READINESS_POLL_INTERVAL).await;
    }
    Err(LoadError::NotReady {
        url: client.base_url().to_owned(),
        waited_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        last,
    })
}

/// `VmRSS` and `VmHWM` (peak) of process `pid`, in bytes; `None` if it is gone or the
/// platform has no `/proc`.
pub fn rss_bytes_of(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    Some((
        status_kib(&status, "VmRSS:")? * 1024,
        status_kib(&status, "VmHWM:")? * 1024,
    ))
}

fn status_kib(status: &str, field: &str) -> Option<u64> {
    let value = status.lines().find_map(|line| line.strip_prefix(field))?;
    value.trim().trim_end_matches("kB").trim().parse().ok()
}

fn spawn(command: &str, log_path: &Path) -> Result<Child, LoadError> {
    let error = |reason: String| LoadError::Node {
        command: command.to_owned(),
        reason,
    };
    let log = open_log(log_path).map_err(|e| error(format!("log {}: {e}", log_path.display())))?;
    let log_err = log
        .try_clone()
        .map_err(|e| error(format!("log {}: {e}", log_path.display())))?;
    Command::new("sh")
        .arg("-c")
        .arg(format!("exec {command}"))
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err)
        .spawn()
        .map_err(|e| error(format!("cannot spawn: {e}")))
}

fn open_log(path: &Path) -> std::io::Result<File> {
    OpenOptions::new().create(true).append(true).open(path)
}

#[cfg(test)]
mod tests;
